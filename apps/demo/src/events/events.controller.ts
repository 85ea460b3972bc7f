import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CreateEventDto } from './create-event.dto';
import { eventView, type EventView } from './event.view';
import { EventsService } from './events.service';

@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  async create(@Body() dto: CreateEventDto): Promise<{ id: string; seatsLeft: number }> {
    const event = await this.events.create(dto);
    return { id: event.id, seatsLeft: event.seatsLeft };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<EventView> {
    return eventView(await this.events.get(id));
  }
}
