/** `mts serve`: browser mode, the app's UI and API on 127.0.0.1 with a per-launch token. */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { defaultDataDir } from '../../server/data-dir';
import { launchBrowserMode } from '../../server/launch';
import { UsageError, type CliCommand } from '../types';

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  'no-open': z.boolean(),
  'data-dir': z.string().min(1).optional(),
});

/** Opens `url` in the default browser; failures are reported, never fatal. */
function openBrowser(url: string, onError: (message: string) => void): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  child.on('error', (error) => onError(`Could not open a browser (${error.message}); open the URL above yourself.`));
  child.unref();
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the app in your browser (http://127.0.0.1, token-protected)',
  help: [
    'Usage: mts serve [--port N] [--no-open] [--data-dir DIR]',
    '',
    'Starts browser mode: the same UI and API as the desktop app, on 127.0.0.1 only.',
    'Prints the URL to open; it carries a fresh access token after #token=, required by every API call.',
    '',
    'Options:',
    '  --port N     port to listen on (default 0: any free port)',
    '  --no-open    do not open a browser, only print the URL',
    '  --data-dir   folder of the project database (default: $MTS_DATA_DIR, else the',
    `               platform's app-data folder, here ${defaultDataDir()})`,
  ].join('\n'),
  options: {
    port: { type: 'string', default: '0' },
    'no-open': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
  },
  allowPositionals: false,
  run: async (args, env) => {
    const parsed = argsSchema.safeParse(args.values);
    if (!parsed.success) {
      const portOk = z.coerce.number().int().min(0).max(65_535).safeParse(args.values.port).success;
      throw new UsageError(
        portOk
          ? `Invalid options: ${z.prettifyError(parsed.error)}`
          : `--port must be an integer 0..65535 (0 = any free port); got "${String(args.values.port)}".`,
      );
    }
    const dataDir = parsed.data['data-dir'] ?? defaultDataDir();
    const server = await launchBrowserMode(env.layout, { port: parsed.data.port, dataDir });
    env.io.out(`Multitask Studio is serving on ${server.url}`);
    env.io.out(`Projects are stored in ${dataDir}`);
    env.io.out('Press Ctrl+C to stop.');
    if (!parsed.data['no-open']) openBrowser(server.url, env.io.err);
    await new Promise<void>((resolve) => {
      if (env.signal.aborted) resolve();
      else env.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    env.io.err('Stopped.');
    return 0;
  },
};
