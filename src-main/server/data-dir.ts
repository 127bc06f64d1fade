/** Where the project database lives when the user does not say: MTS_DATA_DIR, else the platform's app-data folder. */
import os from 'node:os';
import path from 'node:path';

/** The default data folder for `env` on `platform` (pure, for tests). */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (env.MTS_DATA_DIR) return path.resolve(env.MTS_DATA_DIR);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Multitask Studio');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Multitask Studio');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'multitask-studio');
}
