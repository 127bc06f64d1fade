/** `mts data export`: a dataset's annotations from the app's project database to CoNLL, span JSONL or CSV. */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultDataDir } from '../../server/data-dir';
import { DB_FILE_NAME, lazyDb } from '../../services/app/db';
import { ServiceError } from '../../services/api';
import { exportDataset, ExportDatasetInput, listDatasets } from '../../services/datasets';
import { listProjects } from '../../services/projects';
import type { Db } from '../../store/db';
import type { Dataset, Project } from '../../store/types';
import { UsageError, type CliCommand } from '../types';

const argsSchema = z.object({
  project: z.string({ error: '--project NAME|ID is required' }).min(1),
  dataset: z.string({ error: '--dataset NAME|ID is required' }).min(1),
  format: z.enum(['conll', 'jsonl', 'csv'], { error: '--format must be conll, jsonl or csv' }),
  out: z.string({ error: '--out FILE is required' }).min(1),
  include: z.string().default(''),
  split: z.enum(['train', 'dev', 'test', 'all'], { error: '--split must be train, dev, test or all' }).default('all'),
  'accepted-only': z.boolean().default(false),
  'data-dir': z.string().min(1).optional(),
});

/** A project by exact name, else by id. */
function findProject(db: Db, ref: string): Project {
  const all = listProjects(db);
  const hit =
    all.find((p) => p.name === ref) ?? (/^\d+$/.test(ref) ? all.find((p) => p.id === Number(ref)) : undefined);
  if (hit) return hit;
  const names = all.map((p) => `"${p.name}"`).join(', ') || 'none yet';
  throw new ServiceError('not_found', `No project "${ref}"; the projects are: ${names}.`);
}

/** A ready dataset of the project by exact name (refused when two share it), else by id. */
function findDataset(db: Db, project: Project, ref: string): Dataset {
  const all = listDatasets(db, { projectId: project.id });
  const named = all.filter((d) => d.name === ref);
  if (named.length > 1) {
    throw new ServiceError(
      'conflict',
      `Project "${project.name}" has ${named.length} datasets named "${ref}" (ids ${named.map((d) => d.id).join(', ')}); pass --dataset ID.`,
    );
  }
  const hit = named[0] ?? (/^\d+$/.test(ref) ? all.find((d) => d.id === Number(ref)) : undefined);
  if (hit) return hit;
  const names = all.map((d) => `"${d.name}"`).join(', ') || 'none yet';
  throw new ServiceError('not_found', `Project "${project.name}" has no dataset "${ref}"; its datasets are: ${names}.`);
}

/** "silver,model" -> ['silver', 'model']; anything else is a usage error. */
function includeList(raw: string): ('silver' | 'model')[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => s !== 'silver' && s !== 'model');
  if (bad.length > 0)
    throw new UsageError(`--include takes silver and/or model (comma-separated); got "${bad.join(',')}".`);
  return [...new Set(items)] as ('silver' | 'model')[];
}

export const dataCommand: CliCommand = {
  name: 'data',
  summary: "Export a dataset's annotations (gold, optionally silver/model) as CoNLL, span JSONL or CSV",
  help: [
    'Usage: mts data export --project NAME|ID --dataset NAME|ID --format conll|jsonl|csv --out FILE',
    '                       [--include silver,model] [--split train|dev|test|all] [--accepted-only] [--data-dir DIR]',
    '',
    "Writes the gold spans and class labels of a dataset in the app's project database. --include adds the",
    "silver labeler's proposals and/or the model's predictions where gold says nothing (gold wins overlaps).",
    'Formats: conll (IOB2, "token TAG" lines; a "# label = X" line carries the class), jsonl',
    '({text, label, spans:[{start,end,label}]}), csv (text,label,spans with spans as JSON). All three import',
    'back unchanged. --accepted-only leaves out spans nobody has accepted yet.',
    '',
    `--data-dir: folder of the project database (default: $MTS_DATA_DIR, else ${defaultDataDir()}).`,
  ].join('\n'),
  options: {
    project: { type: 'string' },
    dataset: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    include: { type: 'string' },
    split: { type: 'string' },
    'accepted-only': { type: 'boolean' },
    'data-dir': { type: 'string' },
  },
  allowPositionals: true,
  run: async (args, env) => {
    const [sub, ...rest] = args.positionals;
    if (sub !== 'export' || rest.length > 0)
      throw new UsageError(`mts data takes one subcommand, export; got "${args.positionals.join(' ')}".`);
    const parsed = argsSchema.safeParse(args.values);
    if (!parsed.success) throw UsageError.fromFlags(parsed.error, args.values);
    const a = parsed.data;
    const dataDir = resolve(a['data-dir'] ?? defaultDataDir());
    if (!existsSync(join(dataDir, DB_FILE_NAME))) {
      throw new ServiceError(
        'not_found',
        `No project database in ${dataDir} (${DB_FILE_NAME}); pass --data-dir with the folder the app uses (mts serve prints it).`,
      );
    }
    const handle = lazyDb(dataDir);
    try {
      const db = handle.get();
      const project = findProject(db, a.project);
      const dataset = findDataset(db, project, a.dataset);
      const out = resolve(a.out);
      const input = ExportDatasetInput.parse({
        datasetId: dataset.id,
        folder: dirname(out),
        fileName: basename(out),
        format: a.format,
        split: a.split,
        include: includeList(a.include),
        spans: a['accepted-only'] ? 'accepted' : 'notRejected',
      });
      const report = await exportDataset(db, input);
      env.io.out(
        `Wrote ${report.examples} examples with ${report.spans} spans from "${dataset.name}" to ${report.path}` +
          (report.widenedSpans > 0 ? ` (${report.widenedSpans} spans widened to whole words for CoNLL)` : ''),
      );
      return 0;
    } finally {
      handle.close();
    }
  },
};
