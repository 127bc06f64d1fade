/**
 * Child-process entry: `placement-child <model.onnx> <device> [locations.json]`. Creates one session with
 * onnxruntime's verbose log on, so its node placement goes to this process's stderr, then exits; the
 * parent parses that log (placement.ts). One session per process: logs of two sessions would interleave.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [modelPath, device, locationsPath] = process.argv.slice(2);
if (modelPath === undefined || device === undefined) {
  process.stderr.write('usage: placement-child <model.onnx> <device> [locations.json]\n');
  process.exit(2);
}
const preferredOutputLocation =
  locationsPath === undefined
    ? undefined
    : (JSON.parse(readFileSync(locationsPath, 'utf8')) as Record<string, ort.Tensor.DataLocation>);
try {
  const session = await ort.InferenceSession.create(readFileSync(modelPath), {
    executionProviders: [device],
    logSeverityLevel: 0,
    logVerbosityLevel: 0,
    ...(preferredOutputLocation !== undefined && { preferredOutputLocation }),
  });
  await session.release();
  process.stdout.write('{"ok":true}\n', () => process.exit(0));
} catch (e) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) })}\n`, () =>
    process.exit(1),
  );
}
