import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { DeliveryFilter, DeliveryStatus } from '../store/inbox-store.interface';

const STATUSES: DeliveryStatus[] = ['pending', 'processing', 'processed', 'failed', 'dead'];

/** Query of `GET <adminPath>/deliveries`. */
export class FindDeliveriesQuery implements DeliveryFilter {
  @IsOptional()
  @IsIn(STATUSES)
  status?: DeliveryStatus;

  @IsOptional()
  @IsString()
  provider?: string;

  @IsOptional()
  @IsString()
  type?: string;

  @IsOptional()
  @IsString()
  reference?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
