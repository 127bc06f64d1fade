"""Reference loss and gradients of the tiny multi-task BERT for the TypeScript model-gradient test.

Builds a tiny transformers BertModel (2 layers, hidden 32, 4 heads) in float64 with seeded random weights
(LayerNorm and biases random too, so a mixed-up parameter shows), a mean-pooled classification head and a
token head, runs one fixed padded batch with -100 labels (one example without a class label, one without
NER labels), computes 0.7 * CE(class) + 1.3 * CE(ner) with CE = mean over labelled rows (NER also skips
padding), and writes
  src-main/engine/model/fixtures/multitask-grad.json         batch, labels, losses
  src-main/engine/model/fixtures/multitask-params.safetensors the weights (float32; the test runs them)
  src-main/engine/model/fixtures/multitask-grads.safetensors  d loss / d weight (float32 of float64)
Weights are rounded to float32 before the float64 forward, so both sides use the same numbers.
Usage: .venv/bin/python scripts/ref/multitask_grad_ref.py   (never needed at run time or by npm test)
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src-main" / "engine" / "model" / "fixtures"
CLASSES, NER_LABELS = 3, 5
W_CLS, W_NER = 0.7, 1.3

IDS = [[2, 10, 11, 12, 13, 3], [2, 14, 15, 3, 0, 0], [2, 10, 16, 17, 3, 0]]
LENGTHS = [6, 4, 5]
CLASS_LABELS = [0, 2, -100]
NER = [[-100, 1, 2, 3, 4, -100], [-100, -100, -100, -100, -100, -100], [-100, 0, 2, 1, -100, -100]]


def main() -> None:
    torch.manual_seed(1234)
    config = BertConfig(
        vocab_size=40, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=16, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, attn_implementation="eager",
    )
    model = BertModel(config, add_pooling_layer=False).double().eval()
    heads = {
        "heads.classification.weight": torch.empty(CLASSES, 32, dtype=torch.float64),
        "heads.classification.bias": torch.empty(CLASSES, dtype=torch.float64),
        "heads.ner.weight": torch.empty(NER_LABELS, 32, dtype=torch.float64),
        "heads.ner.bias": torch.empty(NER_LABELS, dtype=torch.float64),
    }
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, p in list(params.items()) + list(heads.items()):
            mean = 1.0 if name.endswith("LayerNorm.weight") else 0.0
            p.copy_((mean + 0.2 * torch.randn(p.shape, dtype=torch.float64)).float().double())
    for h in heads.values():
        h.requires_grad_(True)

    ids = torch.tensor(IDS)
    mask = torch.tensor([[1 if t < n else 0 for t in range(6)] for n in LENGTHS])
    hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state  # [B, T, H]
    m = mask.unsqueeze(-1).double()
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    cls_logits = pooled @ heads["heads.classification.weight"].T + heads["heads.classification.bias"]
    tok_logits = hidden @ heads["heads.ner.weight"].T + heads["heads.ner.bias"]
    ce = torch.nn.functional.cross_entropy
    loss_cls = ce(cls_logits, torch.tensor(CLASS_LABELS), ignore_index=-100)
    loss_ner = ce(tok_logits.reshape(-1, NER_LABELS), torch.tensor(NER).reshape(-1), ignore_index=-100)
    loss = W_CLS * loss_cls + W_NER * loss_ner
    loss.backward()

    weights = {n: p.detach().float().contiguous() for n, p in {**params, **heads}.items()}
    grads = {n: p.grad.detach().float().contiguous() for n, p in {**params, **heads}.items()}
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(OUT / "multitask-params.safetensors"))
    save_file(grads, str(OUT / "multitask-grads.safetensors"))
    meta = {
        "generator": f"scripts/ref/multitask_grad_ref.py (torch {torch.__version__}, transformers {transformers.__version__}, float64)",
        "dims": {"vocabSize": 40, "hiddenSize": 32, "numLayers": 2, "numHeads": 4, "intermediateSize": 64,
                 "maxPositions": 16, "typeVocabSize": 2, "layerNormEps": 1e-12},
        "numClasses": CLASSES, "numNerLabels": NER_LABELS, "lossWeights": {"classification": W_CLS, "ner": W_NER},
        "inputIds": IDS, "attentionMask": mask.tolist(), "classLabels": CLASS_LABELS, "nerLabels": NER,
        "loss": loss.item(), "lossClassification": loss_cls.item(), "lossNer": loss_ner.item(),
    }
    (OUT / "multitask-grad.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"loss {loss.item():.6f} (cls {loss_cls.item():.6f}, ner {loss_ner.item():.6f}); {len(grads)} gradients")


if __name__ == "__main__":
    main()
