import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import type { RegistrationStatus } from './registration-status';
import { CreateRegistrationDto } from './create-registration.dto';
import { registrationView, type RegistrationView } from './registration.view';
import { RegistrationsService } from './registrations.service';

@Controller()
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  @Post('events/:eventId/registrations')
  async register(
    @Param('eventId') eventId: string,
    @Body() dto: CreateRegistrationDto,
  ): Promise<{ id: string; status: RegistrationStatus; reference: string }> {
    const registration = await this.registrations.register(eventId, dto);
    return { id: registration.id, status: registration.status, reference: registration.reference };
  }

  @Get('registrations/:id')
  async get(@Param('id') id: string): Promise<RegistrationView> {
    return registrationView(await this.registrations.get(id));
  }
}
