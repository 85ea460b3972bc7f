import type { ValueTransformer } from 'typeorm';

/**
 * Dates stored as epoch milliseconds in a bigint column: one column type that means the same on
 * SQLite and PostgreSQL (the pg driver returns bigint as a string).
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value === null || value === undefined ? value : new Date(Number(value))),
};

/** Whole numbers in a bigint column, read back as numbers (they stay below 2^53). */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
