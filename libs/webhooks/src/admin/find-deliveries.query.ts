import { Type } from 'class-transformer';
import { IsBooleanString, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { DeliveryFilter, DeliveryStatus } from '../store/inbox-store.interface';

const STATUSES: DeliveryStatus[] = ['pending', 'processing', 'processed', 'failed', 'dead'];

/** `<receivedAt epoch ms>:<id>` of the last delivery of a page, as `nextCursor` gives it. */
const CURSOR = /^(\d{1,15}):([^\s:]{1,64})$/;

/** The filter part of the admin API's queries: the list, the counts and the bulk replay. */
export class DeliveryFilterQuery {
  @IsOptional()
  @IsIn(STATUSES)
  status?: DeliveryStatus;

  /** The endpoint's name. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  provider?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reference?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  eventId?: string;

  /** An exact reference, provider event id or delivery id. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  search?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  receivedFrom?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  receivedTo?: string;
}

/** Query of `GET <adminPath>/deliveries`. */
export class FindDeliveriesQuery extends DeliveryFilterQuery {
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

  /** Keyset pagination: the deliveries after this one (`<receivedAt epoch ms>:<id>`), unaffected by new arrivals. */
  @IsOptional()
  @Matches(CURSOR, { message: 'before must be <receivedAt epoch ms>:<delivery id>, as nextCursor gives it' })
  before?: string;

  /** `summary` leaves out each delivery's raw body and headers (open one delivery for them). */
  @IsOptional()
  @IsIn(['full', 'summary'])
  view?: 'full' | 'summary';
}

/** Query of `POST <adminPath>/deliveries/replay`. */
export class ReplayMatchingQuery extends DeliveryFilterQuery {
  @IsOptional()
  @IsBooleanString()
  allHandlers?: string;

  /** At most this many (default and maximum 1000); call again for the rest. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** The store's filter from a validated query. */
export function filterOf(query: DeliveryFilterQuery & { limit?: number; offset?: number; before?: string }): DeliveryFilter {
  const filter: DeliveryFilter = {};
  for (const key of ['status', 'provider', 'type', 'reference', 'eventId', 'search'] as const) {
    if (query[key] !== undefined) (filter as Record<string, unknown>)[key] = query[key];
  }
  if (query.receivedFrom !== undefined) filter.receivedFrom = new Date(query.receivedFrom);
  if (query.receivedTo !== undefined) filter.receivedTo = new Date(query.receivedTo);
  if (query.limit !== undefined) filter.limit = query.limit;
  if (query.offset !== undefined) filter.offset = query.offset;
  const cursor = query.before === undefined ? undefined : CURSOR.exec(query.before);
  if (cursor) filter.before = { receivedAt: new Date(Number(cursor[1])), id: cursor[2] };
  return filter;
}

/** The cursor of the page after the one ending with `last`. */
export function cursorOf(last: { receivedAt: Date; id: string }): string {
  return `${last.receivedAt.getTime()}:${last.id}`;
}
