import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RegistrationStatus } from './registration-status';
import { CreateRegistrationDto } from './create-registration.dto';
import { CreatedRegistration, registrationView, RegistrationView } from './registration.view';
import { RegistrationsService } from './registrations.service';

@ApiTags('registrations')
@Controller()
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  @Post('events/:eventId/registrations')
  @ApiCreatedResponse({ type: CreatedRegistration, description: 'A seat is held; the provider echoes `reference` in its webhook' })
  @ApiBadRequestResponse({ description: 'A message per invalid field; a provider that is not mounted; mvola without phone' })
  @ApiNotFoundResponse({ description: 'No such event' })
  @ApiConflictResponse({ description: 'The event is full' })
  async register(
    @Param('eventId') eventId: string,
    @Body() dto: CreateRegistrationDto,
  ): Promise<{ id: string; status: RegistrationStatus; reference: string }> {
    const registration = await this.registrations.register(eventId, dto);
    return { id: registration.id, status: registration.status, reference: registration.reference };
  }

  @Get('registrations/:id')
  @ApiOkResponse({ type: RegistrationView })
  @ApiNotFoundResponse()
  async get(@Param('id') id: string): Promise<RegistrationView> {
    return registrationView(await this.registrations.get(id));
  }
}
