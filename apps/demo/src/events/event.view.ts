import { ApiProperty } from '@nestjs/swagger';
import type { EventEntity } from './event.entity';

/** POST /events (contract). */
export class CreatedEvent {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() seatsLeft!: number;
}

/** GET /events/:id (contract). */
export class EventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() capacity!: number;
  @ApiProperty() seatsLeft!: number;
  @ApiProperty({ description: 'Integer minor units' }) priceMinor!: number;
  @ApiProperty({ example: 'EUR' }) currency!: string;
}

export function eventView(event: EventEntity): EventView {
  const { id, title, capacity, seatsLeft, priceMinor, currency } = event;
  return { id, title, capacity, seatsLeft, priceMinor, currency };
}
