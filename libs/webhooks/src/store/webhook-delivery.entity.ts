import { Column, Entity, Index, OneToMany, OneToOne, PrimaryColumn, Unique } from 'typeorm';
import type { DeliveryStatus } from './inbox-store.interface';
import { epochMs } from './epoch-ms.transformer';
import { WebhookDeliveryPayloadEntity } from './webhook-delivery-payload.entity';
import { WebhookHandlerRunEntity } from './webhook-handler-run.entity';

/**
 * A stored delivery, for reading the inbox with TypeORM repositories (admin screens, reports). The
 * library itself writes through `WebhookInboxStore`; the schema comes from its migrations, and a
 * test keeps this mapping identical to them. Register with `entities: [...WEBHOOK_ENTITIES]`.
 */
@Entity('webhook_deliveries')
@Unique('uq_webhook_deliveries_provider_event', ['provider', 'eventId'])
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: `status IN ('pending', 'failed')` })
@Index('ix_webhook_deliveries_leased', ['leaseExpiresAt'], { where: `status = 'processing'` })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  provider: string;

  @Column({ name: 'event_id', type: 'varchar', length: 255 })
  eventId: string;

  @Column({ type: 'varchar', length: 255 })
  type: string;

  @Column({ type: 'varchar', length: 16 })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', nullable: true, transformer: epochMs })
  nextAttemptAt: Date | null;

  @Column({ name: 'lease_owner', type: 'varchar', length: 128, nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_expires_at', type: 'bigint', nullable: true, transformer: epochMs })
  leaseExpiresAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'payment_type', type: 'varchar', length: 32, nullable: true })
  paymentType: string | null;

  @Index('ix_webhook_deliveries_reference')
  @Column({ type: 'varchar', length: 500, nullable: true })
  reference: string | null;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMs })
  receivedAt: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: Date;

  @Column({ name: 'processed_at', type: 'bigint', nullable: true, transformer: epochMs })
  processedAt: Date | null;

  /** The raw body and headers, in their own table (`relations: { payload: true }`). */
  @OneToOne(() => WebhookDeliveryPayloadEntity, (payload) => payload.delivery)
  payload: WebhookDeliveryPayloadEntity;

  @OneToMany(() => WebhookHandlerRunEntity, (run) => run.delivery)
  handlerRuns: WebhookHandlerRunEntity[];
}
