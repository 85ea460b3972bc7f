import { randomUUID } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WebhookDeliveries } from 'nestjs-payment-webhooks';
import type { Repository } from 'typeorm';
import type { CreateEventDto } from './create-event.dto';
import { EventEntity } from './event.entity';

@Injectable()
export class EventsService {
  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    // Writes go through the inbox's transactions: on SQLite they share one connection with the library.
    private readonly deliveries: WebhookDeliveries,
  ) {}

  async create(dto: CreateEventDto): Promise<EventEntity> {
    const event = Object.assign(new EventEntity(), {
      id: randomUUID(),
      title: dto.title,
      capacity: dto.capacity,
      seatsLeft: dto.capacity,
      priceMinor: dto.priceMinor,
      currency: dto.currency,
      createdAt: new Date(),
    });
    await this.deliveries.transaction((manager) => manager.insert(EventEntity, event));
    return event;
  }

  async get(id: string): Promise<EventEntity> {
    const event = await this.events.findOneBy({ id });
    if (!event) throw new NotFoundException(`No event ${id}; create one with POST /events.`);
    return event;
  }
}
