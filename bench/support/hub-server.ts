// A test hub in its own process (bench:pull): `hub-server <model dir> <weights MB>` serves acme/big-bert with a
// model.safetensors of that size and prints its endpoint; it stops when stdin closes.

import { repoFromFolder, startTestHub } from '../../src-main/services/models/testing';

const [dir, mbArg] = process.argv.slice(2);
const repo = repoFromFolder(dir!);
const files = new Map(repo.files);
const big = Buffer.alloc(Number(mbArg) * 1024 * 1024);
for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
files.set('model.safetensors', big);
const hub = await startTestHub(new Map([['acme/big-bert', { files, commit: repo.commit }]]));
process.stdin.on('data', (d: Buffer) => {
  const cut = /cut (\d+)/.exec(d.toString());
  if (cut) hub.faults.cutAfter = { file: 'model.safetensors', bytes: Number(cut[1]) };
});
process.stdin.on('end', () => void hub.close().then(() => process.exit(0)));
console.log(JSON.stringify({ endpoint: hub.endpoint, bytes: big.length, commit: repo.commit }));
