/** Built CLI entry (out/main/cli.js), loaded by bin/mts.js. */
import { version } from '../../package.json';
import { builtLayout } from '../server/layout';
import { runCli } from './run-cli';

/** Runs the CLI for `argv` with real stdio and signal handling; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runCli(argv, {
      io: { out: (line) => console.log(line), err: (line) => console.error(line) },
      layout: builtLayout(import.meta.url),
      version,
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
