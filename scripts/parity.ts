/**
 * npm run parity: the engine's BERT encoder vs PyTorch on all-MiniLM-L6-v2 (../shared/models) for the 50
 * AG News dev texts of src-main/engine/model/fixtures/minilm-forward.*. Prints the largest absolute
 * difference of last_hidden_state over real tokens; exits 1 above 1e-4, 2 when the model is missing.
 */
import { parityUnavailable, runParity } from '../src-main/engine/model/testing';

const TOLERANCE = 1e-4;
const missing = parityUnavailable();
if (missing) {
  console.error(`parity: cannot run: ${missing}`);
  process.exit(2);
}
const t0 = performance.now();
const r = await runParity();
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
console.log(
  `parity: max abs diff ${r.maxAbsDiff.toExponential(2)} on ${r.texts} texts (${r.tokens} tokens, padded batches of ${r.batchSize}, ${seconds} s)`,
);
if (!(r.maxAbsDiff < TOLERANCE)) {
  console.error(`parity: FAILED, above the tolerance ${TOLERANCE}`);
  process.exit(1);
}
