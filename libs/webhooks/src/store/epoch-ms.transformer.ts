import type { ValueTransformer } from 'typeorm';

/** `bigint` epoch milliseconds ↔ Date (PostgreSQL returns bigint as a string). */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value === null || value === undefined ? value : new Date(Number(value))),
};
