import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

/** What a delivery carried, exactly as received: written once, apart from the row the worker updates. */
@Entity('webhook_delivery_payloads')
export class WebhookDeliveryPayloadEntity {
  @PrimaryColumn({ name: 'delivery_id', type: 'varchar', length: 36 })
  deliveryId: string;

  @Column({ name: 'raw_body', type: 'text' })
  rawBody: string;

  /** JSON of the request headers, credentials removed. */
  @Column({ type: 'text' })
  headers: string;

  @OneToOne(() => WebhookDeliveryEntity, (delivery) => delivery.payload, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id' })
  delivery: WebhookDeliveryEntity;
}
