import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMs } from '../database/epoch-ms.transformer';

/** Something people register for; `seatsLeft` stays within 0…capacity (also a CHECK in the table). */
@Entity('events')
export class EventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'integer' })
  capacity: number;

  @Column({ name: 'seats_left', type: 'integer' })
  seatsLeft: number;

  /** Integer minor units of `currency` (cents, XOF units, XRP drops): never a float. */
  @Column({ name: 'price_minor', type: 'bigint', transformer: bigintNumber })
  priceMinor: number;

  @Column({ type: 'varchar', length: 5 })
  currency: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;
}
