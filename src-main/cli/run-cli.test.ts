import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../services/api';
import { COMMANDS } from './commands';
import { runCli } from './run-cli';
import type { CliCommand } from './types';
import { type CapturedEnv, capturedEnv } from './testing';

const rendererDir = mkdtempSync(path.join(tmpdir(), 'mts-cli-renderer-'));
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));

const env = (signal: AbortSignal = new AbortController().signal, dir = rendererDir): CapturedEnv =>
  capturedEnv({ rendererDir: dir, signal, version: '9.9.9-test' });

describe('mts', () => {
  it('--help lists every command', async () => {
    const e = env();
    expect(await runCli(['--help'], e.value)).toBe(0);
    for (const c of COMMANDS) expect(e.out.join('\n')).toContain(c.name);
  });

  it('--version prints the version', async () => {
    const e = env();
    expect(await runCli(['--version'], e.value)).toBe(0);
    expect(e.out).toEqual(['9.9.9-test']);
  });

  it('no arguments prints help and exits 2', async () => {
    const e = env();
    expect(await runCli([], e.value)).toBe(2);
    expect(e.out.join('\n')).toMatch(/Usage: mts/);
  });

  it('unknown commands exit 2 and name the known ones', async () => {
    const e = env();
    expect(await runCli(['trian'], e.value)).toBe(2);
    expect(e.err.join('\n')).toMatch(/unknown command "trian"[\s\S]*serve/);
  });

  it('help <command> and <command> --help print the command help', async () => {
    const a = env();
    expect(await runCli(['help', 'serve'], a.value)).toBe(0);
    const b = env();
    expect(await runCli(['serve', '--help'], b.value)).toBe(0);
    expect(a.out.join('\n')).toMatch(/Usage: mts serve/);
    expect(b.out).toEqual(a.out);
  });

  it('bad options exit 2 with the usage', async () => {
    const e = env();
    expect(await runCli(['serve', '--port', 'eighty', '--no-open'], e.value)).toBe(2);
    expect(e.err.join('\n')).toMatch(/--port must be an integer[\s\S]*Usage: mts serve/);
    const f = env();
    expect(await runCli(['serve', '--bogus'], f.value)).toBe(2);
    expect(f.err.join('\n')).toMatch(/bogus/);
  });

  it('serve prints a token URL that answers, and stops on the signal', async () => {
    const stop = new AbortController();
    const e = env(stop.signal);
    const running = runCli(['serve', '--port', '0', '--no-open'], e.value);
    await expect.poll(() => e.out.join('\n'), { timeout: 10_000 }).toMatch(/#token=/);
    const url = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(e.out.join('\n'))?.[0] ?? '';
    const page = await fetch(url.split('#')[0] ?? '');
    expect(page.status).toBe(200);
    stop.abort();
    expect(await running).toBe(0);
    await expect(fetch(url.split('#')[0] ?? '')).rejects.toThrow();
  });

  it('prints a service error as its message and issue lines, without a stack trace, and exits 1', async () => {
    const failing = (error: unknown): CliCommand => ({
      name: 'fail',
      summary: 'fails',
      help: 'Usage: mts fail',
      options: {},
      allowPositionals: false,
      run: async () => {
        throw error;
      },
    });
    const e = env();
    const refused = new ServiceError('invalid_input', 'The run cannot start: fix the request.', [
      'lr: Too small: expected number to be >0',
      'The run cannot start',
    ]);
    expect(await runCli(['fail'], e.value, [failing(refused)])).toBe(1);
    expect(e.err).toEqual([
      'mts fail: The run cannot start: fix the request.\n  - lr: Too small: expected number to be >0',
    ]);
    const lower = env();
    expect(await runCli(['fail'], lower.value, [failing(new Error('No run with id 9: it was deleted.'))])).toBe(1);
    expect(lower.err).toEqual(['mts fail: No run with id 9: it was deleted.']);
    expect([...e.err, ...lower.err].join('\n')).not.toMatch(/\n\s+at /);
  });

  it('serve explains how to build when the UI is missing', async () => {
    const e = env(new AbortController().signal, path.join(rendererDir, 'missing'));
    expect(await runCli(['serve', '--no-open'], e.value)).toBe(1);
    expect(e.err.join('\n')).toMatch(/npm run build/);
  });
});
