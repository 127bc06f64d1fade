/** Tracks the best value of a dev metric and says when patience has run out. */
export class EarlyStopping {
  private bestValue: number | undefined;
  private bestStep = -1;
  private badEvals = 0;

  constructor(
    readonly metric: string,
    readonly mode: 'max' | 'min',
    readonly patience: number,
    readonly minDelta = 0,
  ) {}

  /** Records an evaluation; returns whether it is a new best. */
  update(value: number, step: number): boolean {
    if (!Number.isFinite(value)) {
      this.badEvals++;
      return false;
    }
    const improved =
      this.bestValue === undefined ||
      (this.mode === 'max' ? value > this.bestValue + this.minDelta : value < this.bestValue - this.minDelta);
    if (improved) {
      this.bestValue = value;
      this.bestStep = step;
      this.badEvals = 0;
    } else {
      this.badEvals++;
    }
    return improved;
  }

  get shouldStop(): boolean {
    return this.patience > 0 && this.badEvals >= this.patience;
  }

  get best(): { readonly value: number | undefined; readonly step: number } {
    return { value: this.bestValue, step: this.bestStep };
  }

  /** State for checkpoints (with the metric's name, so a resume can tell what bestValue is of). */
  state(): { metric: string; bestValue: number | null; bestStep: number; badEvals: number } {
    return { metric: this.metric, bestValue: this.bestValue ?? null, bestStep: this.bestStep, badEvals: this.badEvals };
  }

  /** Restores `state()`. */
  restore(s: { bestValue: number | null; bestStep: number; badEvals: number }): void {
    this.bestValue = s.bestValue ?? undefined;
    this.bestStep = s.bestStep;
    this.badEvals = s.badEvals;
  }
}
