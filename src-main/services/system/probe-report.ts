/** The one-line JSON protocol between probe-child and its parent, validated with zod on the parent side. */
import { z } from 'zod';

export const probeChildReportSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), ortVersion: z.string(), ms: z.number() }),
  z.object({ ok: z.literal(false), error: z.string(), ms: z.number() }),
]);

export type ProbeChildReport = z.infer<typeof probeChildReportSchema>;
