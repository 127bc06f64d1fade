/** Parses argv, routes to a subcommand and turns every failure into a message and an exit code. */
import { parseArgs } from 'node:util';
import { ServiceError } from '../services/api';
import { COMMANDS } from './commands';
import { UsageError, type CliCommand, type CliEnv } from './types';

/** Top-level help text listing every command. */
export function mainHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'Usage: mts <command> [options]',
    '',
    'Multitask Studio: train one BERT encoder with a sentence-classification head and a BIO NER head.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  Show help for a command (mts help <command>)`,
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
  ].join('\n');
}

function findCommand(commands: readonly CliCommand[], name: string): CliCommand | undefined {
  return commands.find((c) => c.name === name);
}

function unknownCommand(name: string, commands: readonly CliCommand[], env: CliEnv): number {
  env.io.err(`mts: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}. See mts --help.`);
  return 2;
}

/** Runs `mts` with `argv` (without node and script); resolves to the exit code. */
export async function runCli(
  argv: readonly string[],
  env: CliEnv,
  commands: readonly CliCommand[] = COMMANDS,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    env.io.out(mainHelp(commands));
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    env.io.out(env.version);
    return 0;
  }
  if (first === 'help') {
    const target = rest[0] === undefined ? undefined : findCommand(commands, rest[0]);
    if (rest[0] !== undefined && target === undefined) return unknownCommand(rest[0], commands, env);
    env.io.out(target?.help ?? mainHelp(commands));
    return 0;
  }
  const command = findCommand(commands, first);
  if (command === undefined) return unknownCommand(first, commands, env);
  if (rest.includes('--help') || rest.includes('-h')) {
    env.io.out(command.help);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: command.options,
      allowPositionals: command.allowPositionals,
      strict: true,
    });
    return await command.run({ values, positionals }, env);
  } catch (error) {
    const isUsage =
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
    if (isUsage) {
      env.io.err(`mts ${command.name}: ${(error as Error).message}\n\n${command.help}`);
      return 2;
    }
    env.io.err(`mts ${command.name}: ${failureText(error)}`);
    return 1;
  }
}

/**
 * What a failed command prints: the message (services phrase it with the fix), then each of a ServiceError's
 * issue lines the message does not already hold. Never a stack trace: expected failures are not bugs.
 */
export function failureText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const issues = error instanceof ServiceError ? (error.issues ?? []) : [];
  const extra = issues.filter((line) => !error.message.includes(line)).map((line) => `\n  - ${line}`);
  return `${error.message}${extra.join('')}`;
}
