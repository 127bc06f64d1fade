// Test child: trains the toy task in <dir>/run with mid-epoch resume saves every 50 ms and prints one line per
// step ("step <n>"), so a test can kill it with SIGKILL mid-epoch and resume from what it left on disk.
import { join } from 'node:path';
import { train } from '../trainer';
import { CRASH_CONFIG, crashData, tinyTrainerModel } from './index';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: crash-child <dir>\n');
  process.exit(2);
}
await train(tinyTrainerModel(dir), crashData(), CRASH_CONFIG, {
  outDir: join(dir, 'run'),
  checkpointEverySec: 0.05,
  onEvent: (e) => {
    if (e.type === 'step') process.stdout.write(`step ${e.step}\n`);
  },
});
