// zod schemas for the training and run-analysis services' inputs.
import { z } from 'zod';
import { FREEZE_PRESETS } from '../../engine/model';
import { SELECT_METRICS } from '../../engine/trainer';
import { IdSchema } from '../projects/ids';

const id = IdSchema;

/** What a person chooses on the Train screen; defaults follow the reference recipe (DESIGN.md). */
export const TrainingRequest = z
  .object({
    projectId: id,
    /** The dataset whose train split teaches classification (and NER, unless nerDatasetId names another). */
    datasetId: id,
    /** NER from another dataset's train split (its spans; its class labels are not used), as the CLI's --ner-train. */
    nerDatasetId: id.optional(),
    /** Evaluate classification on every example of this dataset instead of datasetId's dev split. */
    devDatasetId: id.optional(),
    /** Evaluate NER on every example of this dataset (default: the NER dataset's dev split, or devDatasetId). */
    nerDevDatasetId: id.optional(),
    /** Hugging Face BERT folder, or a checkpoint of an earlier run (continue after corrections). */
    modelDir: z.string().min(1),
    /** Display name of the run; default "<preset> <model folder name>". */
    name: z.string().trim().min(1).max(200).optional(),
    preset: z.enum(FREEZE_PRESETS).default('full'),
    freezeEmbeddings: z.boolean().default(false),
    freezeBottomLayers: z.int().min(0).default(0),
    /** Peak learning rate; omitted, the preset's recipe (recipe.ts) decides. */
    lr: z.number().positive().max(1).optional(),
    /** Omitted, the preset's recipe decides from the train size (enough optimizer steps to learn). */
    epochs: z.int().positive().max(1000).optional(),
    batchSize: z.int().positive().max(4096).default(32),
    /** Micro-batches of batchSize per optimizer step: effective batch batchSize x gradAccumulation, memory of one. */
    gradAccumulation: z.int().min(1).max(64).default(1),
    /**
     * Word-embedding table updates: lazy (AdamW on the batch's rows only, as LazyAdam; dense with
     * gradAccumulation above 1) or dense (every row every step, as PyTorch's AdamW). TrainerConfig.embeddingUpdates.
     */
    embeddingUpdates: z.enum(['lazy', 'dense']).default('lazy'),
    maxLength: z.int().min(8).max(4096).default(128),
    /** Loss weight per task; 0 leaves that task out (no head is trained for it). */
    taskWeights: z
      .object({ classification: z.number().min(0).max(100), ner: z.number().min(0).max(100) })
      .default({ classification: 1, ner: 1 }),
    /** How the task losses combine: 'fixed' (taskWeights) or 'uncertainty' (learned weights, TrainerConfig). */
    taskWeighting: z.enum(['fixed', 'uncertainty']).default('fixed'),
    /** Pending silver spans below this confidence are ignored in the NER loss (0 = every span counts). */
    silverMinConfidence: z.number().min(0).max(1).default(0),
    device: z.enum(['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml']).default('auto'),
    /** Frozen encoder: compute its features once and train the heads on them (the trainer's featureCache). */
    featureCache: z.enum(['auto', 'on', 'off']).default('auto'),
    seed: z.int().nonnegative().default(42),
    /** Stop after this many optimizer steps (0 = run all epochs); for quick trial runs. */
    maxSteps: z.int().nonnegative().default(0),
    /** Evaluate every N steps as well as at each epoch end (0 = epochs only). */
    evalEverySteps: z.int().nonnegative().default(0),
    /** The dev metric that picks the best checkpoint (auto: both heads' mean when both train, else the head's own). */
    selectMetric: z.enum(SELECT_METRICS).default('auto'),
    /** Intra-op threads of the training session (default: onnxruntime's choice). */
    threads: z.int().positive().max(256).optional(),
    /** Seconds between mid-epoch resume points (0 = only at epoch ends): at most this much work is lost on a crash. */
    checkpointEverySec: z.int().min(0).max(86_400).default(300),
  })
  .strict();
export type TrainingRequestInput = z.input<typeof TrainingRequest>;
export type TrainingRequest = z.output<typeof TrainingRequest>;
/** A request with its preset's recipe filled in: what a run trains with (and what is stored with it). */
export type ResolvedTrainingRequest = TrainingRequest & { readonly lr: number; readonly epochs: number };

export const RunIdInput = z.object({ runId: id });
export type RunIdInput = z.output<typeof RunIdInput>;

export const CompareRunsInput = z.object({ runIds: z.array(id).min(1).max(20) });
export type CompareRunsInput = z.output<typeof CompareRunsInput>;

export const RunMistakesInput = z.object({
  runId: id,
  /** At most this many mistakes of each kind, most confident first. */
  limit: z.int().min(1).max(10_000).default(200),
});
export type RunMistakesInput = z.output<typeof RunMistakesInput>;
