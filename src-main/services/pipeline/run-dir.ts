import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PipelineInputError } from './read';

/** A run folder's best checkpoint, or the folder itself when it is a checkpoint. */
export function checkpointDir(run: string): string {
  const dir = resolve(run);
  if (existsSync(join(dir, 'best', 'config.json'))) return join(dir, 'best');
  if (existsSync(join(dir, 'config.json'))) return dir;
  throw new PipelineInputError(
    `${run} is neither a run folder (with best/) nor a checkpoint (with config.json); pass the --out folder of \`mts pipeline\`.`,
  );
}
