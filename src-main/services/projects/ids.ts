// Row ids at the service boundary: positive integers, also accepted as decimal strings ("42" -> 42).
import { z } from 'zod';

/** A row id: 42 or "42" -> 42. */
export const IdSchema = z.union([
  z.int().positive(),
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'an id is a positive whole number')
    .transform(Number),
]);
