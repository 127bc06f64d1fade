/**
 * Child-process entry: `probe-child <provider>`. Creates a session for the probe model on one execution
 * provider, runs it once, checks the numbers and prints exactly one JSON line (ProbeChildReport) on stdout.
 * Runs in its own process so a native crash or a hang in a provider cannot take the app down.
 */
import * as ort from 'onnxruntime-node';
import { PROBE_EXPECTED, PROBE_INPUT, probeModelBytes } from './probe-model';
import type { ProbeChildReport } from './probe-report';

async function probe(provider: string): Promise<ProbeChildReport> {
  const started = performance.now();
  const ortVersion = ort.env.versions.node ?? ort.env.versions.common;
  try {
    const session = await ort.InferenceSession.create(probeModelBytes(), {
      executionProviders: [provider],
      logSeverityLevel: 3,
    });
    try {
      const x = new ort.Tensor('float32', Float32Array.from(PROBE_INPUT), [1, PROBE_INPUT.length]);
      const { y } = await session.run({ x });
      const got = Array.from(y.data as Float32Array);
      if (got.length !== PROBE_EXPECTED.length || got.some((v, i) => v !== PROBE_EXPECTED[i])) {
        const error = `ran but returned [${got.join(', ')}] instead of [${PROBE_EXPECTED.join(', ')}]`;
        return { ok: false, error, ms: performance.now() - started };
      }
    } finally {
      await session.release();
    }
    return { ok: true, ortVersion, ms: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: message, ms: performance.now() - started };
  }
}

const provider = process.argv[2];
if (provider === undefined) {
  process.stderr.write('usage: probe-child <provider>\n');
  process.exit(2);
}
const report = await probe(provider);
// Exit explicitly: provider threads (e.g. Dawn) can keep the event loop alive after the answer is known.
process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
