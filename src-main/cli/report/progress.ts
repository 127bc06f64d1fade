/** Progress for long commands: a redrawn bar with ETA on a TTY, plain lines otherwise (logs, CI). */
import type { TrainEvent } from '../../engine/trainer';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Renders training events; `tty` chooses a redrawn bar over one line per `every` steps. */
export class TrainProgress {
  private lastLine = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly every = 50,
  ) {}

  /** Handles one event. */
  on(e: TrainEvent): void {
    switch (e.type) {
      case 'started':
        // One printer may follow several runs (self-training rounds, learning-curve shares): steps restart.
        this.lastLine = e.resumedFromStep;
        this.line(
          `device: ${e.device.used}${e.device.notUsed.length ? ` (not used: ${e.device.notUsed.map((n) => `${n.device}: ${n.reason}`).join('; ')})` : ''}`,
        );
        for (const note of e.device.notes ?? []) this.line(`note: ${note}`);
        if (e.device.measured?.length) {
          const rates = e.device.measured.map(
            (m) => `${m.device} ${m.samplesPerSec.toFixed(1)} samples/s${m.cached ? ' (earlier run)' : ''}`,
          );
          this.line(`measured on this run: ${rates.join(', ')}`);
        }
        this.line(
          `${e.trainExamples} train / ${e.devExamples} dev examples, ${e.trainableParams.toLocaleString('en-US')} trainable parameters, ${e.totalSteps} steps${e.resumedFromStep ? `, resuming at step ${e.resumedFromStep}` : ''}`,
        );
        break;
      case 'step': {
        const losses = [
          `loss ${e.losses.total.toFixed(4)}`,
          e.losses.classification !== undefined ? `cls ${e.losses.classification.toFixed(4)}` : '',
          e.losses.ner !== undefined ? `ner ${e.losses.ner.toFixed(4)}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        const text = `epoch ${e.epoch + 1} step ${e.step}/${e.totalSteps} ${losses} lr ${e.lr.toExponential(2)} ${e.samplesPerSec.toFixed(1)} samples/s ETA ${formatDuration(e.etaSec)}`;
        if (this.tty) {
          const width = 24;
          const filled = Math.round((e.step / Math.max(1, e.totalSteps)) * width);
          this.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\u001b[K`);
        } else if (e.step - this.lastLine >= this.every || e.step === e.totalSteps) {
          this.lastLine = e.step;
          this.write(`${text}\n`);
        }
        break;
      }
      case 'eval': {
        const parts: string[] = [];
        if (e.metrics.classification)
          parts.push(
            `accuracy ${(100 * e.metrics.classification.accuracy).toFixed(2)} macro-F1 ${(100 * e.metrics.classification.macroF1).toFixed(2)}`,
          );
        if (e.metrics.ner) parts.push(`entity F1 ${(100 * e.metrics.ner.f1).toFixed(2)}`);
        this.line(`dev @ step ${e.step}: ${parts.join(', ')}${e.isBest ? ' (best)' : ''}`);
        break;
      }
      case 'message':
        this.line(`${e.level === 'warning' ? 'warning: ' : ''}${e.message}`);
        break;
      case 'finished':
        this.line(`${e.status} after ${e.steps} steps in ${formatDuration(e.seconds)}`);
        break;
      default:
        break;
    }
  }

  private line(text: string): void {
    this.write(`${this.tty ? '\r\u001b[K' : ''}${text}\n`);
  }
}
