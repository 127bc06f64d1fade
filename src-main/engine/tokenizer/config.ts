import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TokenizerLoadError } from './errors';

/** Everything the WordPiece tokenizer needs, resolved from a Hugging Face folder. */
export interface TokenizerSpec {
  /** Token strings by id (dense: id i is vocab[i]). */
  readonly vocab: readonly string[];
  readonly cleanText: boolean;
  readonly handleChineseChars: boolean;
  readonly stripAccents: boolean;
  readonly lowercase: boolean;
  readonly unkToken: string;
  readonly clsToken: string;
  readonly sepToken: string;
  readonly padToken: string;
  /** Strings matched verbatim in the raw text before normalisation (the special tokens). */
  readonly addedTokens: readonly string[];
  readonly continuingSubwordPrefix: string;
  readonly maxInputCharsPerWord: number;
  /** Longest input the model accepts, or null when the folder does not say. */
  readonly modelMaxLength: number | null;
}

const tokenField = z.union([z.string(), z.object({ content: z.string() }).loose()]);
type TokenField = z.infer<typeof tokenField>;
const tokenText = (t: TokenField | undefined): string | undefined =>
  t === undefined ? undefined : typeof t === 'string' ? t : t.content;

const tokenizerConfigSchema = z
  .object({
    do_lower_case: z.boolean().optional(),
    strip_accents: z.boolean().nullable().optional(),
    tokenize_chinese_chars: z.boolean().optional(),
    unk_token: tokenField.optional(),
    sep_token: tokenField.optional(),
    pad_token: tokenField.optional(),
    cls_token: tokenField.optional(),
    mask_token: tokenField.optional(),
    model_max_length: z.number().optional(),
  })
  .loose();

const addedTokenSchema = z
  .object({
    id: z.number().int().nonnegative(),
    content: z.string().min(1),
    single_word: z.boolean().default(false),
    lstrip: z.boolean().default(false),
    rstrip: z.boolean().default(false),
    normalized: z.boolean().default(false),
    special: z.boolean().default(false),
  })
  .loose();

const tokenizerJsonSchema = z
  .object({
    added_tokens: z.array(addedTokenSchema).default([]),
    normalizer: z
      .object({
        type: z.string(),
        clean_text: z.boolean().default(true),
        handle_chinese_chars: z.boolean().default(true),
        strip_accents: z.boolean().nullable().default(null),
        lowercase: z.boolean().default(true),
      })
      .loose()
      .nullable(),
    pre_tokenizer: z.object({ type: z.string() }).loose().nullable(),
    post_processor: z
      .object({
        type: z.string(),
        single: z.array(z.record(z.string(), z.object({ id: z.string() }).loose())).optional(),
        cls: z.tuple([z.string(), z.number()]).optional(),
        sep: z.tuple([z.string(), z.number()]).optional(),
      })
      .loose()
      .nullable(),
    model: z
      .object({
        type: z.string(),
        unk_token: z.string().default('[UNK]'),
        continuing_subword_prefix: z.string().default('##'),
        max_input_chars_per_word: z.number().int().positive().default(100),
        vocab: z.record(z.string(), z.number().int().nonnegative()),
      })
      .loose(),
  })
  .loose();

type TokenizerJson = z.infer<typeof tokenizerJsonSchema>;
type TokenizerConfig = z.infer<typeof tokenizerConfigSchema>;

function readJson<T>(path: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TokenizerLoadError(path, `is not valid JSON (${(err as Error).message}); re-download the model folder`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TokenizerLoadError(path, `field "${issue.path.join('.')}": ${issue.message}`);
  }
  return parsed.data;
}

/** Reads vocab.txt: one token per line, line number = id (as transformers' load_vocab). */
export function readVocabTxt(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0)
    throw new TokenizerLoadError(path, 'is empty; a WordPiece vocabulary needs one token per line');
  return lines;
}

function vocabFromMap(path: string, map: Readonly<Record<string, number>>): string[] {
  const entries = Object.entries(map);
  const vocab = new Array<string>(entries.length);
  for (const [token, id] of entries) {
    if (id >= entries.length || vocab[id] !== undefined) {
      throw new TokenizerLoadError(
        path,
        `model.vocab id ${id} of "${token}" is duplicated or out of range 0..${entries.length - 1}`,
      );
    }
    vocab[id] = token;
  }
  return vocab;
}

function clsSepFromPostProcessor(path: string, pp: TokenizerJson['post_processor']): { cls?: string; sep?: string } {
  if (pp === null) return {};
  if (pp.type === 'BertProcessing') return { cls: pp.cls?.[0], sep: pp.sep?.[0] };
  if (pp.type === 'TemplateProcessing' && pp.single) {
    const specials = pp.single.filter((p) => 'SpecialToken' in p).map((p) => p.SpecialToken.id);
    return { cls: specials[0], sep: specials[specials.length - 1] };
  }
  throw new TokenizerLoadError(
    path,
    `post_processor.type "${pp.type}" is not supported; expected BertProcessing or TemplateProcessing`,
  );
}

function checkSupported(path: string, tj: TokenizerJson): void {
  if (tj.model.type !== 'WordPiece') {
    throw new TokenizerLoadError(
      path,
      `model.type "${tj.model.type}" is not supported; only BERT WordPiece models are (use a BERT-family folder)`,
    );
  }
  if (tj.normalizer !== null && tj.normalizer.type !== 'BertNormalizer') {
    throw new TokenizerLoadError(
      path,
      `normalizer.type "${tj.normalizer.type}" is not supported; expected BertNormalizer`,
    );
  }
  if (tj.pre_tokenizer !== null && tj.pre_tokenizer.type !== 'BertPreTokenizer') {
    throw new TokenizerLoadError(
      path,
      `pre_tokenizer.type "${tj.pre_tokenizer.type}" is not supported; expected BertPreTokenizer`,
    );
  }
  for (const t of tj.added_tokens) {
    if (t.normalized || t.lstrip || t.rstrip || t.single_word) {
      throw new TokenizerLoadError(
        path,
        `added token "${t.content}" uses normalized/lstrip/rstrip/single_word, which this tokenizer does not implement; remove those flags or the token`,
      );
    }
  }
}

function modelMaxLength(cfg: TokenizerConfig | null): number | null {
  const m = cfg?.model_max_length;
  // transformers writes int(1e30) when a model does not know its limit.
  return m === undefined || m > 1e9 ? null : m;
}

function requireInVocab(path: string, vocab: readonly string[], tokens: readonly string[]): void {
  const set = new Set(vocab);
  for (const t of tokens) {
    if (!set.has(t))
      throw new TokenizerLoadError(
        path,
        `special token "${t}" is not in the vocabulary; fix the token names in the tokenizer files`,
      );
  }
}

/** Resolves a tokenizer spec from a Hugging Face folder (tokenizer.json preferred, else vocab.txt + tokenizer_config.json). */
export function loadTokenizerSpec(dir: string): TokenizerSpec {
  const tjPath = join(dir, 'tokenizer.json');
  const vocabPath = join(dir, 'vocab.txt');
  const cfgPath = join(dir, 'tokenizer_config.json');
  const cfg = existsSync(cfgPath) ? readJson(cfgPath, tokenizerConfigSchema) : null;
  if (existsSync(tjPath)) return specFromTokenizerJson(tjPath, cfg);
  if (existsSync(vocabPath)) return specFromVocabTxt(vocabPath, cfg);
  throw new TokenizerLoadError(
    dir,
    'has neither tokenizer.json nor vocab.txt; point the app at a Hugging Face BERT model folder',
  );
}

function specFromTokenizerJson(path: string, cfg: TokenizerConfig | null): TokenizerSpec {
  const tj = readJson(path, tokenizerJsonSchema);
  checkSupported(path, tj);
  const vocab = vocabFromMap(path, tj.model.vocab);
  const n = tj.normalizer;
  const { cls, sep } = clsSepFromPostProcessor(path, tj.post_processor);
  const lowercase = n?.lowercase ?? false;
  const spec: TokenizerSpec = {
    vocab,
    cleanText: n?.clean_text ?? false,
    handleChineseChars: n?.handle_chinese_chars ?? false,
    lowercase,
    // strip_accents null follows lowercase, as in tokenizers' BertNormalizer.
    stripAccents: n === null ? false : (n.strip_accents ?? lowercase),
    unkToken: tj.model.unk_token,
    clsToken: cls ?? tokenText(cfg?.cls_token) ?? '[CLS]',
    sepToken: sep ?? tokenText(cfg?.sep_token) ?? '[SEP]',
    padToken: tokenText(cfg?.pad_token) ?? '[PAD]',
    addedTokens: tj.added_tokens.map((t) => t.content),
    continuingSubwordPrefix: tj.model.continuing_subword_prefix,
    maxInputCharsPerWord: tj.model.max_input_chars_per_word,
    modelMaxLength: modelMaxLength(cfg),
  };
  requireInVocab(path, vocab, [spec.unkToken, spec.clsToken, spec.sepToken, spec.padToken]);
  return spec;
}

function specFromVocabTxt(path: string, cfg: TokenizerConfig | null): TokenizerSpec {
  const vocab = readVocabTxt(path);
  const lowercase = cfg?.do_lower_case ?? true;
  const specials = {
    unk: tokenText(cfg?.unk_token) ?? '[UNK]',
    cls: tokenText(cfg?.cls_token) ?? '[CLS]',
    sep: tokenText(cfg?.sep_token) ?? '[SEP]',
    pad: tokenText(cfg?.pad_token) ?? '[PAD]',
    mask: tokenText(cfg?.mask_token) ?? '[MASK]',
  };
  requireInVocab(path, vocab, [specials.unk, specials.cls, specials.sep, specials.pad]);
  const known = new Set(vocab);
  return {
    vocab,
    cleanText: true,
    handleChineseChars: cfg?.tokenize_chinese_chars ?? true,
    lowercase,
    stripAccents: cfg?.strip_accents ?? lowercase,
    unkToken: specials.unk,
    clsToken: specials.cls,
    sepToken: specials.sep,
    padToken: specials.pad,
    // transformers' fast conversion registers the special tokens as un-normalised added tokens.
    addedTokens: Object.values(specials).filter((t) => known.has(t)),
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    modelMaxLength: modelMaxLength(cfg),
  };
}
