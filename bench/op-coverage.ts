/**
 * `npm run op:coverage -- [--check]`
 *
 * Writes src-main/engine/runtime/OP-COVERAGE.md: every ai.onnx op (and element types) the engine's graphs use,
 * against the kernels ONNX Runtime registers for the CPU, CUDA, DirectML and WebGPU execution providers
 * (src-main/engine/runtime/fixtures/ort-kernels.json, read from microsoft/onnxruntime). No device is needed:
 * the graphs are built on the tiny BERT and checked against the fixture. --check only compares and exits 1
 * when the committed file is stale (the test src-main/engine/infer/op-coverage.test.ts does the same).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OP_COVERAGE_MD, renderOpCoverageFile } from '../src-main/engine/infer/testing';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const text = await renderOpCoverageFile();
const where = path.relative(process.cwd(), OP_COVERAGE_MD);
if (values.check) {
  const current = existsSync(OP_COVERAGE_MD) ? readFileSync(OP_COVERAGE_MD, 'utf8') : '';
  if (current !== text) {
    console.error(`${where} is stale: run npm run op:coverage`);
    process.exit(1);
  }
  console.log(`${where} is current`);
} else {
  writeFileSync(OP_COVERAGE_MD, text);
  console.log(`wrote ${where}`);
}
