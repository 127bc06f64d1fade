import { prepareExamples, type LabelledText } from '../../data/prepare';
import { silverLabeler } from '../../data/silver';
import { loadCheckpoint, buildModelEvalGraph } from '../../engine/model';
import { checkpointModel } from '../../engine/infer';
import { createSession, hostTensor, type HostTensor } from '../../engine/runtime';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import { evaluate, type EvalMetrics } from '../../engine/trainer';
import { readLabelledFile } from './read';
import { checkpointDir } from './run-dir';

export interface EvalRunOptions {
  readonly run: string;
  readonly data: string;
  /** Score NER against silver labels made now when the file has no spans (as the pipeline's dev set does). */
  readonly silverWhenNoSpans?: boolean;
  readonly batchSize?: number;
  readonly threads?: number;
  readonly limit?: number;
}

/** Scores a saved run on a labelled file with the same metrics as training. */
export async function evaluateRun(
  o: EvalRunOptions,
): Promise<{ metrics: EvalMetrics; examples: number; nerSource: 'gold' | 'silver' | 'none' }> {
  const dir = checkpointDir(o.run);
  const ckpt = loadCheckpoint(dir);
  const { spec, store, labels } = checkpointModel(ckpt);
  const tokenizer = WordPieceTokenizer.fromDir(dir);
  const { items } = await readLabelledFile(o.data, { limit: o.limit ?? 0 });
  const hasSpans = items.some((e) => e.spans !== undefined);
  let nerSource: 'gold' | 'silver' | 'none' = 'none';
  let labelled: LabelledText[] = items;
  if (labels.ner.length > 0 && hasSpans) nerSource = 'gold';
  else if (labels.ner.length > 0 && (o.silverWhenNoSpans ?? true)) {
    const types = [...new Set(labels.ner.filter((t) => t !== 'O').map((t) => t.slice(2)))];
    const labeler = silverLabeler({ types });
    labelled = items.map((e) => ({ ...e, spans: labeler.label(e.text) }));
    nerSource = 'silver';
  }
  const nerTags = [...labels.ner];
  const prepared = prepareExamples(labelled, tokenizer, {
    classLabels: labels.classification,
    nerTags,
    maxLength: ckpt.meta.maxLength ?? 128,
    hasNer: nerSource !== 'none',
  });
  const session = await createSession(buildModelEvalGraph(spec).bytes, {
    device: 'cpu',
    ...(o.threads && { threads: o.threads }),
  });
  try {
    const params: Record<string, HostTensor> = {};
    for (const [name, t] of store) params[name] = hostTensor('float32', t.data, t.shape);
    const { metrics } = await evaluate(
      session,
      params,
      prepared.examples,
      { classLabels: labels.classification, nerTags: nerSource === 'none' ? [] : nerTags },
      o.batchSize ?? 64,
      tokenizer.padId,
    );
    return { metrics, examples: prepared.examples.length, nerSource };
  } finally {
    await session.release();
  }
}
