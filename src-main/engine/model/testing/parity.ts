import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serializeModel } from '../../onnx';
import type { ForwardFixture } from './forward-fixture';
import { loadForwardFixture } from './forward-fixture';
import { loadBertEncoder } from '../hf-config';
import { buildEncoderGraph } from '../inference-graph';

/** ../shared/models/all-MiniLM-L6-v2 beside the repository (read-only reference model). */
export const PARITY_MODEL_DIR = join(import.meta.dirname, '../../../../../shared/models/all-MiniLM-L6-v2');

/** The parity fixture files (PyTorch last_hidden_state for 50 AG News dev texts). */
export const PARITY_FIXTURE_FILE = join(import.meta.dirname, '../fixtures/minilm-forward.json');

/** Why parity cannot run here, or undefined when it can. */
export function parityUnavailable(modelDir = PARITY_MODEL_DIR): string | undefined {
  if (!existsSync(join(modelDir, 'model.safetensors')))
    return `no model at ${modelDir} (the shared reference models are missing)`;
  if (!existsSync(PARITY_FIXTURE_FILE))
    return `no fixture at ${PARITY_FIXTURE_FILE}; run scripts/ref/bert_forward_ref.py`;
  return undefined;
}

export interface ParityResult {
  /** Largest |ours - PyTorch| over every real (non-padding) token state. */
  readonly maxAbsDiff: number;
  readonly texts: number;
  readonly tokens: number;
  /** Texts per padded batch: each batch pads to its longest text, so masking is exercised too. */
  readonly batchSize: number;
}

/**
 * Runs the engine's encoder graph on the fixture's token ids (padded batches, int64 mask) with the
 * model's safetensors weights, and compares last_hidden_state with PyTorch's on the real tokens.
 */
export async function runParity(modelDir = PARITY_MODEL_DIR, batchSize = 8): Promise<ParityResult> {
  const fixture: ForwardFixture = loadForwardFixture();
  const { config, params } = loadBertEncoder(modelDir);
  if (config.dims.hiddenSize !== fixture.hiddenSize) {
    throw new Error(
      `the fixture has hidden size ${fixture.hiddenSize} but ${modelDir} has ${config.dims.hiddenSize}; use all-MiniLM-L6-v2.`,
    );
  }
  // Loaded here, not at the top: the model index re-exports this module and must not load the native addon.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(serializeModel(buildEncoderGraph(config.dims, params)));
  const H = fixture.hiddenSize;
  let maxAbsDiff = 0;
  let tokens = 0;
  try {
    for (let start = 0; start < fixture.texts.length; start += batchSize) {
      const batch = fixture.texts.slice(start, start + batchSize);
      const T = Math.max(...batch.map((t) => t.ids.length));
      const ids = new BigInt64Array(batch.length * T); // pad id 0
      const mask = new BigInt64Array(batch.length * T);
      batch.forEach((t, b) =>
        t.ids.forEach((id, i) => {
          ids[b * T + i] = BigInt(id);
          mask[b * T + i] = 1n;
        }),
      );
      const out = await session.run({
        input_ids: new ort.Tensor('int64', ids, [batch.length, T]),
        attention_mask: new ort.Tensor('int64', mask, [batch.length, T]),
      });
      const hidden = out['last_hidden_state']!.data as Float32Array; // [B, T, H]
      batch.forEach((t, b) => {
        for (let i = 0; i < t.ids.length * H; i++) {
          const d = Math.abs(hidden[b * T * H + i]! - t.hidden[i]!);
          if (!(d <= maxAbsDiff)) maxAbsDiff = Number.isNaN(d) ? Infinity : d;
        }
        tokens += t.ids.length;
      });
    }
  } finally {
    await session.release();
  }
  return { maxAbsDiff, texts: fixture.texts.length, tokens, batchSize };
}
