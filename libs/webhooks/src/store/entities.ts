import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookDeliveryPayloadEntity } from './webhook-delivery-payload.entity';
import { WebhookHandlerRunEntity } from './webhook-handler-run.entity';

/** The inbox's tables as TypeORM entities, to read them with repositories: `entities: [...WEBHOOK_ENTITIES]`. */
export const WEBHOOK_ENTITIES = [WebhookDeliveryEntity, WebhookDeliveryPayloadEntity, WebhookHandlerRunEntity];
