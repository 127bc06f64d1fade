"""PyTorch eager reference for `npm run bench:engine`: full training steps of a random MiniLM-shaped BERT
(HF BertModel) with a mean-pooled classification head and a token head, cross-entropy on both, clip 1.0,
torch.optim.AdamW; dropout 0.1 (train mode) as in the ORT graph.

Run: .venv/bin/python scripts/ref/bench_torch_train.py --dims '<BertDims JSON>' --batch 32 --seq 64 --threads 2 --steps 5
(`--device cuda` on a GPU machine: what `npm run gpu:check` compares WebGPU/CUDA against).
The model's sizes come from the bench (`--dims`: bench/minilm.ts's MINILM_DIMS, engine field names), so the
MiniLM shape is defined once; `--classes` / `--ner-labels` default to the bench's 4 and 9.
Prints one JSON line: {"ms_per_step", "samples_per_s", "steps_per_s", "torch", "losses"}.
With --serve it prints {"ready": true} after warmup, then reads a step count per stdin line and answers
{"ms": [per-step ms, ...]}, so the bench can interleave ORT and PyTorch rounds under the same machine load.
"""
import sys
import argparse
import json
import time

import torch
from transformers import BertConfig, BertModel


class MultiTask(torch.nn.Module):
    def __init__(self, config: BertConfig, num_classes: int, num_ner: int) -> None:
        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        self.drop = torch.nn.Dropout(0.1)
        self.cls = torch.nn.Linear(config.hidden_size, num_classes)
        self.ner = torch.nn.Linear(config.hidden_size, num_ner)

    def forward(self, input_ids, attention_mask, class_labels, ner_labels):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # [B, T, H]
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)  # mean pooling
        cls_loss = torch.nn.functional.cross_entropy(self.cls(self.drop(pooled)), class_labels)
        tok = self.ner(self.drop(h))
        ner_loss = torch.nn.functional.cross_entropy(tok.reshape(-1, tok.shape[-1]), ner_labels.reshape(-1), ignore_index=-100)
        return cls_loss + ner_loss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--dims", required=True, help="BertDims JSON as bench/minilm.ts defines it")
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--ner-labels", type=int, default=9)
    ap.add_argument("--device", default="cpu", help="cpu or cuda (npm run gpu:check uses cuda when torch sees a GPU)")
    args = ap.parse_args()
    dims = json.loads(args.dims)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=dims["vocabSize"], hidden_size=dims["hiddenSize"], num_hidden_layers=dims["numLayers"],
        num_attention_heads=dims["numHeads"], intermediate_size=dims["intermediateSize"],
        max_position_embeddings=dims["maxPositions"], type_vocab_size=dims["typeVocabSize"],
        layer_norm_eps=dims["layerNormEps"], hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
        attn_implementation="eager",
    )
    C, L = args.classes, args.ner_labels
    device = torch.device(args.device)
    model = MultiTask(config, C, L).train().to(device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=5e-5)
    B, T = args.batch, args.seq
    ids = (1000 + (torch.arange(B * T) * 7919) % 20000).reshape(B, T)
    mask = torch.ones(B, T, dtype=torch.long)
    class_labels = torch.arange(B) % C
    ner_labels = (torch.arange(B * T) % L).reshape(B, T)
    ids, mask, class_labels, ner_labels = (t.to(device) for t in (ids, mask, class_labels, ner_labels))
    losses = []

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = model(ids, mask, class_labels, ner_labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(float(loss.detach()))  # a host read each step, as ours reads its loss: syncs the GPU

    for _ in range(args.warmup):
        step()
    if args.serve:
        print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
        for line in sys.stdin:
            ms = []
            for _ in range(int(line)):
                t0 = time.perf_counter()
                step()
                ms.append((time.perf_counter() - t0) * 1000)
            print(json.dumps({"ms": ms, "loss": losses[-1]}), flush=True)
        return
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    dt = (time.perf_counter() - t0) / args.steps
    print(json.dumps({
        "ms_per_step": dt * 1000, "samples_per_s": B / dt, "steps_per_s": 1 / dt, "torch": torch.__version__,
        "attn": "eager", "losses": losses,
    }))


if __name__ == "__main__":
    main()
