/** The shape every `mts` subcommand implements; one file per command in ./commands, listed in commands/index.ts. */
import type { ParseArgsConfig } from 'node:util';
import type { AppLayout } from '../server/layout';

/** Output channels, injectable so tests can capture them. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** What a command gets besides its arguments. */
export interface CliEnv {
  readonly io: CliIo;
  /** Where the built renderer and probe child live. */
  readonly layout: AppLayout;
  readonly version: string;
  /** Aborted on SIGINT/SIGTERM; long-running commands (serve, train) stop cleanly when it fires. */
  readonly signal: AbortSignal;
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

/** Raw parseArgs output; each command validates it with zod before use (argv is external input). */
export interface CliArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface CliCommand {
  readonly name: string;
  /** One line for `mts --help`. */
  readonly summary: string;
  /** Full help text for `mts <name> --help` (usage line, options, examples). */
  readonly help: string;
  readonly options: CliOptions;
  /** Whether positional arguments are accepted. */
  readonly allowPositionals: boolean;
  /** Runs the command; resolves to the process exit code. */
  readonly run: (args: CliArgs, env: CliEnv) => Promise<number>;
}

/** Bad command-line input: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /**
   * The first problem of a flag schema's parse, named by its flag and, when `values` has it, the value given:
   * "--workers: Too small: expected ... (got '0')".
   */
  static fromFlags(
    error: { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] },
    values?: CliArgs['values'],
  ): UsageError {
    const issue = error.issues[0]!;
    const flag = `--${issue.path.map(String).join('.')}`;
    // Messages written for a flag already name it ("--run DIR is required").
    const named = issue.path.length === 0 || issue.message.startsWith(flag);
    const given = issue.path.length === 1 ? values?.[String(issue.path[0])] : undefined;
    const got = typeof given === 'string' ? ` (got '${given}')` : '';
    return new UsageError(`${named ? issue.message : `${flag}: ${issue.message}`}${got}`);
  }
}
