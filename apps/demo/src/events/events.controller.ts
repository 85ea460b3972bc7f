import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateEventDto } from './create-event.dto';
import { CreatedEvent, eventView, EventView } from './event.view';
import { EventsService } from './events.service';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedEvent })
  @ApiBadRequestResponse({ description: 'A message per invalid field' })
  async create(@Body() dto: CreateEventDto): Promise<{ id: string; seatsLeft: number }> {
    const event = await this.events.create(dto);
    return { id: event.id, seatsLeft: event.seatsLeft };
  }

  @Get(':id')
  @ApiOkResponse({ type: EventView })
  @ApiNotFoundResponse()
  async get(@Param('id') id: string): Promise<EventView> {
    return eventView(await this.events.get(id));
  }
}
