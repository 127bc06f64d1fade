import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from '../tokenizer';
import {
  HfModelError,
  expectedBertParams,
  loadBertEncoder,
  loadHfBertConfig,
  parseHfBertConfig,
  resolveBertWeights,
} from './hf-config';
import { TINY_WORDS, writeTinyBert } from './testing';
import { parseSafetensors, readSafetensors, serializeSafetensors } from './safetensors';

const MINILM_DIR = join(import.meta.dirname, '../../../../shared/models/all-MiniLM-L6-v2');
const base = { vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 };

describe('HF BERT config', () => {
  it('applies BertConfig defaults and keeps unknown keys', () => {
    const c = parseHfBertConfig({ ...base, model_type: 'bert', mts: { x: 1 } });
    expect(c.dims).toEqual({
      vocabSize: 10,
      hiddenSize: 8,
      numLayers: 1,
      numHeads: 2,
      intermediateSize: 16,
      maxPositions: 512,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
    });
    expect(c.hiddenDropoutProb).toBe(0.1);
    expect(c.raw.mts).toEqual({ x: 1 });
  });

  it.each([
    [{ ...base, model_type: 'roberta' }, /model_type is "roberta"/],
    [{ model_type: 'gpt2', n_layer: 12, n_embd: 768 }, /model_type is "gpt2" but this engine only trains BERT-like/],
    [{ ...base, hidden_act: 'relu' }, /hidden_act is "relu"/],
    [{ ...base, position_embedding_type: 'relative_key' }, /position_embedding_type/],
    [{ ...base, hidden_size: undefined }, /field "hidden_size"/],
    [{ ...base, num_attention_heads: 3 }, /not divisible/],
    [{ ...base, hidden_dropout_prob: 2 }, /field "hidden_dropout_prob"/],
  ])('refuses %j naming the field', (raw, message) => {
    expect(() => parseHfBertConfig(raw)).toThrow(HfModelError);
    expect(() => parseHfBertConfig(raw)).toThrow(message);
  });

  it('lists HF parameter names with [out, in] linear shapes', () => {
    const dims = parseHfBertConfig(base).dims;
    const specs = expectedBertParams(dims, { pooler: true });
    const byName = new Map(specs.map((s) => [s.name, s.shape]));
    expect(byName.get('encoder.layer.0.intermediate.dense.weight')).toEqual([16, 8]);
    expect(byName.get('encoder.layer.0.output.dense.weight')).toEqual([8, 16]);
    expect(byName.get('embeddings.word_embeddings.weight')).toEqual([10, 8]);
    expect(byName.get('pooler.dense.weight')).toEqual([8, 8]);
    expect(specs).toHaveLength(5 + 16 + 2);
  });
});

describe('tiny BERT folders and weight checks', () => {
  const root = mkdtempSync(join(tmpdir(), 'mts-hf-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes a loadable folder whose tokenizer knows ordinary English', () => {
    const tiny = writeTinyBert(join(root, 'tiny'), { seed: 7 });
    const { config, params } = loadBertEncoder(tiny.dir);
    expect(config.dims.numLayers).toBe(2);
    expect(params.size).toBe(expectedBertParams(config.dims).length);
    expect(params.has('pooler.dense.weight')).toBe(false);
    const tok = WordPieceTokenizer.fromDir(tiny.dir);
    expect(tok.vocabSize).toBe(TINY_WORDS.length + 5);
    const ids = [...tok.encode('The market played, running up 5 percent.').ids];
    expect(ids).not.toContain(tok.unkId);
    const again = loadBertEncoder(writeTinyBert(join(root, 'tiny2'), { seed: 7 }).dir).params;
    expect(again.get('encoder.layer.1.output.dense.weight')?.data).toEqual(
      params.get('encoder.layer.1.output.dense.weight')?.data,
    );
  });

  it('accepts a "bert." prefix and legacy gamma/beta names', () => {
    const dims = parseHfBertConfig(base).dims;
    const tensors = expectedBertParams(dims).map((s) => ({
      name: `bert.${s.name.replace('LayerNorm.weight', 'LayerNorm.gamma').replace('LayerNorm.bias', 'LayerNorm.beta')}`,
      shape: s.shape,
      data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)),
    }));
    tensors.push({ name: 'classifier.weight', shape: [3, 8], data: new Float32Array(24) });
    const infos = resolveBertWeights(dims, parseSafetensors(serializeSafetensors(tensors)));
    expect(infos.get('embeddings.LayerNorm.weight')?.name).toBe('bert.embeddings.LayerNorm.gamma');
    expect(infos.size).toBe(expectedBertParams(dims).length);
  });

  it('lists every missing or mis-shaped tensor', () => {
    const dims = parseHfBertConfig(base).dims;
    const tensors = expectedBertParams(dims)
      .filter((s) => !s.name.includes('query'))
      .map((s) => ({
        name: s.name,
        shape: s.name.includes('word') ? [11, 8] : s.shape,
        data: new Float32Array(s.shape.reduce((a, b) => a * b, 1) + (s.name.includes('word') ? 8 : 0)),
      }));
    const file = parseSafetensors(serializeSafetensors(tensors), 'w.safetensors');
    expect(() => resolveBertWeights(dims, file)).toThrow(
      /word_embeddings.weight has shape \[11,8\], config.json needs \[10,8\]/,
    );
    expect(() => resolveBertWeights(dims, file)).toThrow(/missing encoder.layer.0.attention.self.query.weight/);
  });

  it('refuses a folder without config.json or weights', () => {
    expect(() => loadHfBertConfig(join(root, 'nope'))).toThrow(/no config.json/);
    const d = join(root, 'noweights');
    writeTinyBert(d);
    rmSync(join(d, 'model.safetensors'));
    expect(() => loadBertEncoder(d)).toThrow(/no model.safetensors/);
    writeFileSync(join(d, 'config.json'), '{');
    expect(() => loadHfBertConfig(d)).toThrow(/not valid JSON/);
  });
});

describe.skipIf(!existsSync(MINILM_DIR))(
  `all-MiniLM-L6-v2 ${existsSync(MINILM_DIR) ? '' : '(skipped: ../shared model missing)'}`,
  () => {
    it('loads config and every encoder tensor (ignoring position_ids)', () => {
      const { config, params } = loadBertEncoder(MINILM_DIR);
      expect(config.dims).toMatchObject({ hiddenSize: 384, numLayers: 6, numHeads: 12, vocabSize: 30522 });
      expect(params.size).toBe(5 + 6 * 16);
      expect(readSafetensors(join(MINILM_DIR, 'model.safetensors')).tensors.has('embeddings.position_ids')).toBe(true);
    });
  },
);
