import type { EventEntity } from './event.entity';

/** GET /events/:id (contract). */
export interface EventView {
  id: string;
  title: string;
  capacity: number;
  seatsLeft: number;
  priceMinor: number;
  currency: string;
}

export function eventView(event: EventEntity): EventView {
  const { id, title, capacity, seatsLeft, priceMinor, currency } = event;
  return { id, title, capacity, seatsLeft, priceMinor, currency };
}
