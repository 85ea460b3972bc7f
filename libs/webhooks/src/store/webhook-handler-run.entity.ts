import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { HandlerStatus } from './inbox-store.interface';
import { epochMs } from './epoch-ms.transformer';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

/** One handler's outcome on one delivery (see `WebhookDeliveryEntity`). */
@Entity('webhook_handler_runs')
export class WebhookHandlerRunEntity {
  @PrimaryColumn({ name: 'delivery_id', type: 'varchar', length: 36 })
  deliveryId: string;

  /** `ClassName.method` of the handler. */
  @PrimaryColumn({ type: 'varchar', length: 255 })
  handler: string;

  @Column({ type: 'varchar', length: 16 })
  status: HandlerStatus;

  @Column({ type: 'integer', default: 1 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: Date;

  @ManyToOne(() => WebhookDeliveryEntity, (delivery) => delivery.handlerRuns, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id' })
  delivery: WebhookDeliveryEntity;
}
