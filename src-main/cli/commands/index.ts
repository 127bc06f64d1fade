/** Every `mts` subcommand. Adding one: create ./<name>.ts exporting a CliCommand and add it here. */
import type { CliCommand } from '../types';
import { benchCommand } from './bench';
import { curveCommand } from './curve';
import { dataCommand } from './data';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { healthCommand } from './health';
import { labelCommand } from './label';
import { pipelineCommand } from './pipeline';
import { predictCommand } from './predict';
import { serveCommand } from './serve';
import { modelsCommand } from './models';

export const COMMANDS: readonly CliCommand[] = [
  pipelineCommand,
  curveCommand,
  evalCommand,
  predictCommand,
  exportCommand,
  labelCommand,
  healthCommand,
  benchCommand,
  serveCommand,
  modelsCommand,
  dataCommand,
];
