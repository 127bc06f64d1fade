/** Every `mts` subcommand. Adding one: create ./<name>.ts exporting a CliCommand and add it here. */
import type { CliCommand } from '../types';
import { pipelineCommand } from './pipeline';
import { serveCommand } from './serve';

export const COMMANDS: readonly CliCommand[] = [pipelineCommand, serveCommand];
