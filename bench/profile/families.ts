/**
 * bench:profile's op families: ORT nodes (by op type and the builder's scoped node names: `grad/...` is the
 * backward, `optim/...` clipping and AdamW) and PyTorch profiler events (by aten op name and the step phase
 * they ran in) sorted into the same families, so each family's time can be put side by side.
 */

export const FAMILIES = [
  'gemm.dense',
  'gemm.attention',
  'layernorm.forward',
  'layernorm.backward',
  'softmax.forward',
  'softmax.backward',
  'gelu.forward',
  'gelu.backward',
  'dropout',
  'elementwise',
  'reduce',
  'embedding.forward',
  'embedding.backward',
  'copies',
  'loss',
  'optimizer',
  'host',
  'other',
] as const;
export type Family = (typeof FAMILIES)[number];

/** What each family holds, for the report. */
export const FAMILY_NOTES: Readonly<Record<Family, string>> = {
  'gemm.dense': 'linear layers and heads, forward, dX and dW (MatMul, FusedMatMul, Gemm; aten::mm/addmm)',
  'gemm.attention': "attention's batched QK^T and PV products and their gradients (rank-4 MatMul; aten::bmm)",
  'layernorm.forward': 'LayerNormalization (aten::native_layer_norm)',
  'layernorm.backward': "LayerNorm's gradient (aten::native_layer_norm_backward)",
  'softmax.forward': 'attention Softmax (aten::_softmax)',
  'softmax.backward':
    "Softmax's gradient, ours with the attention dropout's (one composite; aten::_softmax_backward_data)",
  'gelu.forward': 'GELU (aten::gelu)',
  'gelu.backward': "GELU's gradient (aten::gelu_backward)",
  dropout: 'dropout forward and backward in the graph (aten::native_dropout and its backward)',
  elementwise: 'other elementwise ops: residual and bias adds, masks, scaling, gradient sums',
  reduce: 'reductions outside the families above: bias gradients, pooling sums (aten::sum/mean)',
  'embedding.forward': 'embedding lookups (Gather; aten::embedding)',
  'embedding.backward': 'embedding gradients (ScatterND add; aten::embedding_dense_backward)',
  copies: 'layout copies and casts: Transpose, Reshape, Expand, Concat, Slice, Cast (aten::copy_, clone, cat)',
  loss: "the heads' log-softmax and cross-entropy, forward and backward",
  optimizer: 'global-norm clipping, non-finite guard and AdamW (torch: clip_grad_norm_ + AdamW.step)',
  host: 'host work per step: padding the batch, dropout masks, feeds (torch: collate)',
  other: 'runtime overhead between kernels (ORT: run time not in any kernel; torch: allocation, autograd bookkeeping)',
};

const ORT_GEMM = new Set(['MatMul', 'FusedMatMul', 'Gemm']);
const ORT_COPIES = new Set([
  'Transpose',
  'Reshape',
  'Expand',
  'Concat',
  'Slice',
  'Identity',
  'Tile',
  'Unsqueeze',
  'Squeeze',
  'Shape',
  'Cast',
]);

/** The family of one ORT node of the training graph. */
export function ortFamily(name: string, op: string, rank: number): Family {
  const backward = name.startsWith('grad/');
  if (name.startsWith('optim/') || name.includes('/optim/')) return 'optimizer';
  if (ORT_GEMM.has(op)) return rank === 4 ? 'gemm.attention' : 'gemm.dense';
  if (op === 'LayerNormalization' || op === 'SkipLayerNormalization') {
    return backward ? 'layernorm.backward' : 'layernorm.forward';
  }
  if (backward && name.includes('/LayerNormalization')) return 'layernorm.backward';
  if (op === 'Softmax') return backward ? 'softmax.backward' : 'softmax.forward';
  // autodiff's softmax composite differentiates softmax and the attention dropout after it in one backward,
  // scoped under the dropout's Where node: all of it counts as softmax.backward.
  if (backward && (name.includes('/Softmax') || name.includes('.attn_probs/'))) return 'softmax.backward';
  if (op === 'Gelu' || op === 'BiasGelu' || op === 'FastGelu') return backward ? 'gelu.backward' : 'gelu.forward';
  if (name.includes('.gelu/') || name.includes('gelu/')) return backward ? 'gelu.backward' : 'gelu.forward';
  if (name.includes('dropout.')) return 'dropout';
  if (name.includes('log_softmax') || name.includes('cross_entropy') || name.includes('loss')) return 'loss';
  if (op === 'Gather') return backward ? 'embedding.backward' : 'embedding.forward';
  if (op === 'ScatterND' || (backward && name.includes('/Gather'))) return 'embedding.backward';
  if (op.startsWith('Reduce')) return 'reduce';
  if (ORT_COPIES.has(op)) return 'copies';
  return 'elementwise';
}

const TORCH_BY_NAME: Readonly<Record<string, Family>> = {
  'aten::mm': 'gemm.dense',
  'aten::addmm': 'gemm.dense',
  'aten::bmm': 'gemm.attention',
  'aten::baddbmm': 'gemm.attention',
  'aten::native_layer_norm': 'layernorm.forward',
  'aten::native_layer_norm_backward': 'layernorm.backward',
  'aten::_softmax': 'softmax.forward',
  'aten::_softmax_backward_data': 'softmax.backward',
  'aten::gelu': 'gelu.forward',
  'aten::gelu_backward': 'gelu.backward',
  'aten::native_dropout': 'dropout',
  'aten::native_dropout_backward': 'dropout',
  'aten::bernoulli_': 'dropout',
  'aten::embedding': 'embedding.forward',
  'aten::index_select': 'embedding.forward',
  'aten::embedding_backward': 'embedding.backward',
  'aten::embedding_dense_backward': 'embedding.backward',
  'aten::index_add_': 'embedding.backward',
  'aten::index_put_': 'embedding.backward',
  'aten::_index_put_impl_': 'embedding.backward',
  'aten::_log_softmax': 'loss',
  'aten::_log_softmax_backward_data': 'loss',
  'aten::nll_loss_forward': 'loss',
  'aten::nll_loss_backward': 'loss',
  'aten::sum': 'reduce',
  'aten::mean': 'reduce',
  'aten::copy_': 'copies',
  'aten::clone': 'copies',
  'aten::contiguous': 'copies',
  'aten::cat': 'copies',
  'aten::_to_copy': 'copies',
};

const TORCH_ELEMENTWISE =
  /^aten::(add|sub|rsub|mul|div|neg|exp|sqrt|rsqrt|where|masked_fill|ne|eq|lt|gt|clamp|pow|reciprocal)_?$/;

/** The family of one PyTorch profiler event (self time), given the step phase it ran in. */
export function torchFamily(phase: string, name: string): Family {
  if (phase === 'clip' || phase === 'optimizer') return 'optimizer';
  if (phase === 'collate') return 'host';
  const known = TORCH_BY_NAME[name];
  if (known) return known;
  if (TORCH_ELEMENTWISE.test(name)) return 'elementwise';
  return 'other';
}
