import type { EntityManager } from 'typeorm';
import { EventEntity } from './event.entity';

/**
 * Takes one seat if one is left, in one conditional UPDATE: concurrent registrations can never
 * overbook, whatever order they commit in. Returns false when the event is full (or unknown).
 */
export async function takeSeat(manager: EntityManager, eventId: string): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(EventEntity)
    .set({ seatsLeft: () => 'seats_left - 1' })
    .where('id = :eventId AND seats_left > 0', { eventId })
    .execute();
  return result.affected === 1;
}

/** Gives one seat back, never above capacity. */
export async function releaseSeat(manager: EntityManager, eventId: string): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(EventEntity)
    .set({ seatsLeft: () => 'seats_left + 1' })
    .where('id = :eventId AND seats_left < capacity', { eventId })
    .execute();
}
