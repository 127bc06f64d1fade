"""One step's loss and every parameter gradient of the multi-task model on a real BERT (all-MiniLM-L6-v2), in
float64 with dropout off, for src-main/engine/model/minilm-grad-parity.test.ts (which writes the batch file, runs
this script when .venv exists, and compares its own float32 gradients with these).

Batch file (JSON): {"inputIds": [[...]], "attentionMask": [[...]], "classLabels": [...], "nerLabels": [[...]],
"heads": {name: {"shape": [...], "data": [...]}}}. Loss = CE(class) + CE(ner), each the mean over labelled rows
(-100 = ignore), mean-pooled classification head, token head, as the engine builds it.
Usage: .venv/bin/python scripts/ref/minilm_grad_ref.py MODEL_DIR BATCH.json OUT.safetensors
Prints {"loss", "lossClassification", "lossNer"} as JSON.
"""

from __future__ import annotations

import json
import sys

import torch
from safetensors.torch import save_file
from transformers import BertModel


def main() -> None:
    model_dir, batch_path, out_path = sys.argv[1:4]
    batch = json.load(open(batch_path))
    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False, attn_implementation="eager").double().eval()
    heads = {
        n: torch.tensor(h["data"], dtype=torch.float32).double().reshape(h["shape"]).requires_grad_(True)
        for n, h in batch["heads"].items()
    }
    ids = torch.tensor(batch["inputIds"])  # [B, T]
    mask = torch.tensor(batch["attentionMask"])  # [B, T]
    hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state  # [B, T, H]
    m = mask.unsqueeze(-1).double()
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [B, H]
    cls_logits = pooled @ heads["heads.classification.weight"].T + heads["heads.classification.bias"]
    tok_logits = hidden @ heads["heads.ner.weight"].T + heads["heads.ner.bias"]  # [B, T, L]
    ce = torch.nn.functional.cross_entropy
    loss_cls = ce(cls_logits, torch.tensor(batch["classLabels"]), ignore_index=-100)
    loss_ner = ce(tok_logits.reshape(-1, tok_logits.shape[-1]), torch.tensor(batch["nerLabels"]).reshape(-1), ignore_index=-100)
    loss = loss_cls + loss_ner
    loss.backward()
    named = {**{n: p for n, p in model.named_parameters()}, **heads}
    save_file({n: p.grad.detach().float().contiguous() for n, p in named.items()}, out_path)
    print(json.dumps({"loss": loss.item(), "lossClassification": loss_cls.item(), "lossNer": loss_ner.item()}))


if __name__ == "__main__":
    main()
