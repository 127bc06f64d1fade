// The learning rate and length of training each freeze preset needs: one table for the Train screen's plan and
// `mts pipeline`, so a request that leaves them out gets values that learn, and too short a run is flagged.
import type { FreezePreset } from '../../engine/model';

/** What a preset trains well with; `epochs` is derived from the data so that the run reaches `steps`. */
export interface PresetRecipe {
  /** Peak learning rate (linear warmup over 6 % of the steps, then linear decay). */
  readonly lr: number;
  /** Optimizer steps the default epochs aim for. */
  readonly steps: number;
  /** Fewer optimizer steps than this get a warning: the model has too few updates to learn. */
  readonly minSteps: number;
  /** Bounds of the default epochs (many epochs of a tiny dataset only memorise it). */
  readonly minEpochs: number;
  readonly maxEpochs: number;
  /** Why these values, in one sentence for the plan. */
  readonly why: string;
}

// Fine-tuning moves the pretrained encoder: BERT's usual 2e-5..5e-5; on small data the top of that range
// learns in the ~100 steps a few hundred rows give. Heads-only trains two small layers on fixed features,
// which need a rate ~40x higher (3e-3 reached 63 % in 16 steps where 5e-5 stayed below chance, issue 18)
// and more steps, each of which costs about one forward pass.
const ENCODER: PresetRecipe = {
  lr: 5e-5,
  steps: 100,
  minSteps: 50,
  minEpochs: 2,
  maxEpochs: 20,
  why: 'the encoder trains: a small learning rate keeps its pretrained knowledge',
};

/** The recipe of every preset ('frozen' trains nothing and is refused; it shares the full recipe). */
export const PRESET_RECIPES: Readonly<Record<FreezePreset, PresetRecipe>> = {
  full: ENCODER,
  'freeze-classifier': ENCODER,
  'freeze-ner': ENCODER,
  frozen: ENCODER,
  'heads-only': {
    lr: 2e-3,
    steps: 150,
    minSteps: 75,
    minEpochs: 2,
    maxEpochs: 50,
    why: 'only the heads train, on fixed encoder features: they need a high learning rate and many cheap steps',
  },
};

/** How the trainer batches one epoch: examples per task group (see engine/trainer/epoch-plan.ts). */
export interface EpochShape {
  /** Examples with a class label, and NER-only examples (each group is batched on its own). */
  readonly groups: readonly number[];
  readonly batchSize: number;
  readonly gradAccumulation: number;
  /**
   * The trainer's own planned batches per epoch, when the data is already tokenised (exact: token-balanced
   * NER batches close by labelled words, not by count); without it the count is estimated from `groups`.
   */
  readonly batches?: number;
}

// The trainer sorts by length within buckets of 50 batches, so each bucket ends with one partial batch.
const BUCKET_BATCHES = 50;

/** Optimizer steps in one epoch, as the trainer counts them. */
export function stepsPerEpoch(shape: EpochShape): number {
  const bucket = shape.batchSize * BUCKET_BATCHES;
  const batches =
    shape.batches ??
    shape.groups.reduce(
      (sum, n) => sum + Math.floor(n / bucket) * BUCKET_BATCHES + Math.ceil((n % bucket) / shape.batchSize),
      0,
    );
  return Math.ceil(batches / shape.gradAccumulation);
}

/** The default epochs of a preset for this data: enough to reach its `steps`, within its bounds. */
export function defaultEpochs(recipe: PresetRecipe, perEpoch: number): number {
  const needed = perEpoch > 0 ? Math.ceil(recipe.steps / perEpoch) : recipe.minEpochs;
  return Math.min(recipe.maxEpochs, Math.max(recipe.minEpochs, needed));
}

/** A request's learning rate and epochs with the preset's recipe filling what it leaves out. */
export interface ResolvedRecipe {
  readonly preset: FreezePreset;
  readonly lr: number;
  readonly epochs: number;
  readonly lrFromPreset: boolean;
  readonly epochsFromPreset: boolean;
  /** Optimizer steps per epoch and in the whole run (maxSteps applied). */
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly recipe: PresetRecipe;
  /** Set when the run is too short to learn: what to change. */
  readonly warning: string | null;
}

/** What a run asks for; `lr` / `epochs` undefined means "the preset's". */
export interface RecipeRequest {
  readonly preset: FreezePreset;
  readonly lr?: number | undefined;
  readonly epochs?: number | undefined;
  readonly maxSteps: number;
}

/** Fills a request's learning rate and epochs from its preset and checks that it takes enough steps. */
export function resolveRecipe(request: RecipeRequest, shape: EpochShape): ResolvedRecipe {
  const recipe = PRESET_RECIPES[request.preset];
  const perEpoch = stepsPerEpoch(shape);
  const epochs = request.epochs ?? defaultEpochs(recipe, perEpoch);
  const all = epochs * perEpoch;
  const totalSteps = request.maxSteps > 0 ? Math.min(request.maxSteps, all) : all;
  const resolved = {
    preset: request.preset,
    lr: request.lr ?? recipe.lr,
    epochs,
    lrFromPreset: request.lr === undefined,
    epochsFromPreset: request.epochs === undefined,
    stepsPerEpoch: perEpoch,
    totalSteps,
    recipe,
  };
  return { ...resolved, warning: perEpoch > 0 ? tooFewSteps(resolved, request.maxSteps) : null };
}

function tooFewSteps(r: Omit<ResolvedRecipe, 'warning'>, maxSteps: number): string | null {
  if (r.totalSteps >= r.recipe.minSteps) return null;
  const run = `This run takes ${r.totalSteps} optimizer step${r.totalSteps === 1 ? '' : 's'}`;
  if (maxSteps > 0 && maxSteps < r.epochs * r.stepsPerEpoch)
    return `${run} (max steps ${maxSteps}); "${r.preset}" needs at least ${r.recipe.minSteps} to learn: raise max steps to ${r.recipe.steps} or set it to 0.`;
  const suggested = Math.ceil(r.recipe.steps / r.stepsPerEpoch);
  return (
    `${run} (${r.epochs} epoch${r.epochs === 1 ? '' : 's'} of ${r.stepsPerEpoch}); "${r.preset}" needs at least ${r.recipe.minSteps} to learn: ` +
    `use ${suggested} epochs, a smaller batch, or more train examples.`
  );
}
