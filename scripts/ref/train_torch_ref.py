"""PyTorch 2.13 eager reference for `npm run bench:train`: the same multi-task model (HF BertModel from a
model folder + mean pooling + two Linear heads, dropout 0.1 on both heads, cross-entropy with -100 = ignore,
clip 1.0, torch.optim.AdamW lr 5e-5 wd 0.01 on >= 2-D weights only) trained on the batches that
bench/train.bench.ts wrote to a JSON file, so both sides see identical token ids, labels and batch order.

The batch file (written by the bench, never committed):
  {"model": dir, "numClasses": C, "nerTags": [...], "heads": {name: {"shape": [...], "data": [...]}},
   "padId": 0, "train": [{"ids": [...], "cls": c, "ner": [...] | null}], "dev": [...],
   "epochs": [[[example index, ...] per batch] per epoch], "recipe": {"lr", "weightDecay", "clip", "warmupRatio"}}

Modes:
  --serve FILE --preset full|heads-only   prints {"ready": ...}, then answers stdin lines "run FROM COUNT"
      (train on epochs[0][FROM:FROM+COUNT], constant lr) with {"ms": [...], "losses": [...]} and "rss" with
      {"vmHWMKiB", "vmRSSKiB"}; the bench interleaves these rounds with its own under the same machine load.
  --train FILE --out RESULT.json [--preset full|heads-only]   trains every epoch in the file (linear warmup/decay as HF's
      get_linear_schedule_with_warmup), evaluates dev after each epoch (accuracy; seqeval entity F1 over the
      positions whose gold tag is not -100, default mode as ours, and strict IOB2) and writes one JSON
      result with the per-step training losses. `recipe.dropout` in the file, when given, sets every
      dropout rate (0: the same function as ours with dropout off). `wallSeconds` is the whole loop, steps and
      evaluations (heads-only: the frozen encoder still runs, in train mode, every step).
"""
import argparse
import json
import math
import sys
import time

import torch
from transformers import BertModel

IGNORE = -100


def proc_status() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmHWM", "VmRSS")):
                key, val = line.split(":")
                out[key + "KiB"] = int(val.split()[0])
    return {"vmHWMKiB": out["VmHWMKiB"], "vmRSSKiB": out["VmRSSKiB"]}


class MultiTask(torch.nn.Module):
    def __init__(self, model_dir: str, attn: str, heads: dict, num_classes: int, num_ner: int) -> None:
        super().__init__()
        self.bert = BertModel.from_pretrained(model_dir, add_pooling_layer=False, attn_implementation=attn)
        hidden = self.bert.config.hidden_size
        self.drop = torch.nn.Dropout(0.1)
        self.cls = torch.nn.Linear(hidden, num_classes) if num_classes > 0 else None
        self.ner = torch.nn.Linear(hidden, num_ner) if num_ner > 0 else None
        # Same initial heads as ours (the bench sends them), so only the training differs; None keeps
        # PyTorch's own initialisation (seed_pipeline_ref.py).
        if heads is None:
            return
        with torch.no_grad():
            for name, layer in (("classification", self.cls), ("ner", self.ner)):
                if layer is None:
                    continue
                w, b = heads[f"heads.{name}.weight"], heads[f"heads.{name}.bias"]
                layer.weight.copy_(torch.tensor(w["data"], dtype=torch.float32).reshape(w["shape"]))
                layer.bias.copy_(torch.tensor(b["data"], dtype=torch.float32).reshape(b["shape"]))

    def logits(self, ids: torch.Tensor, mask: torch.Tensor):
        h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state  # [B, T, H]
        m = mask.unsqueeze(-1).to(h.dtype)  # [B, T, 1]
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [B, H]
        cls = self.cls(self.drop(pooled)) if self.cls is not None else None  # [B, C]
        tok = self.ner(self.drop(h)) if self.ner is not None else None  # [B, T, L]
        return cls, tok

    def loss(self, ids, mask, cls_labels, ner_labels) -> torch.Tensor:
        cls, tok = self.logits(ids, mask)
        total = torch.zeros(())
        if cls is not None and bool((cls_labels != IGNORE).any()):
            total = total + torch.nn.functional.cross_entropy(cls, cls_labels, ignore_index=IGNORE)
        if tok is not None and bool((ner_labels != IGNORE).any()):
            total = total + torch.nn.functional.cross_entropy(tok.reshape(-1, tok.shape[-1]), ner_labels.reshape(-1), ignore_index=IGNORE)
        return total


def collate(examples: list, pad_id: int):
    """Pads to the longest row, as the engine's trainingFeeds does."""
    B, T = len(examples), max(len(e["ids"]) for e in examples)
    ids = torch.full((B, T), pad_id, dtype=torch.long)  # [B, T]
    mask = torch.zeros((B, T), dtype=torch.long)  # [B, T]
    ner = torch.full((B, T), IGNORE, dtype=torch.long)  # [B, T]
    cls = torch.tensor([e["cls"] for e in examples], dtype=torch.long)  # [B]
    for b, e in enumerate(examples):
        n = len(e["ids"])
        ids[b, :n] = torch.tensor(e["ids"])
        mask[b, :n] = 1
        if e.get("ner") is not None:
            ner[b, :n] = torch.tensor(e["ner"])
    return ids, mask, cls, ner


class Trainer:
    def __init__(self, spec: dict, preset: str, attn: str, threads: int, seed: int) -> None:
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.spec = spec
        self.model = MultiTask(spec["model"], attn, spec["heads"], spec["numClasses"], len(spec["nerTags"])).train()
        # The bench may run both sides with another dropout rate (0 compares the math without random masks).
        rate = spec["recipe"].get("dropout")
        if rate is not None:
            for m in self.model.modules():
                if isinstance(m, torch.nn.Dropout):
                    m.p = rate
        if preset == "heads-only":
            for p in self.model.bert.parameters():
                p.requires_grad_(False)
        elif preset != "full":
            raise SystemExit(f"--preset {preset!r} is not supported here; use full or heads-only.")
        params = [p for p in self.model.parameters() if p.requires_grad]
        r = spec["recipe"]
        self.opt = torch.optim.AdamW(
            [{"params": [p for p in params if p.dim() >= 2], "weight_decay": r["weightDecay"]},
             {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
            lr=r["lr"], betas=(0.9, 0.999), eps=1e-8,
        )
        self.params = params

    def step(self, batch: list) -> float:
        ids, mask, cls, ner = collate([self.spec["train"][i] for i in batch], self.spec["padId"])
        self.opt.zero_grad(set_to_none=True)
        loss = self.model.loss(ids, mask, cls, ner)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, self.spec["recipe"]["clip"])
        self.opt.step()
        return float(loss.detach())

    @torch.no_grad()
    def evaluate(self) -> dict:
        from seqeval.metrics import f1_score, precision_score, recall_score
        from seqeval.scheme import IOB2

        self.model.eval()
        dev = self.spec["dev"]
        tags = self.spec["nerTags"]
        order = sorted(range(len(dev)), key=lambda i: len(dev[i]["ids"]))
        correct = counted = 0
        gold_seqs, pred_seqs, valid_seqs = [], [], []
        for s in range(0, len(order), 64):
            batch = [dev[i] for i in order[s:s + 64]]
            ids, mask, cls, ner = collate(batch, self.spec["padId"])
            cls_logits, tok_logits = self.model.logits(ids, mask)
            if cls_logits is not None:
                keep = cls != IGNORE
                correct += int((cls_logits.argmax(-1)[keep] == cls[keep]).sum())
                counted += int(keep.sum())
            if tok_logits is not None:
                pred = tok_logits.argmax(-1)  # [B, T]
                logp = torch.log_softmax(tok_logits.double(), -1)  # [B, T, L]
                for b, e in enumerate(batch):
                    if e.get("ner") is None:
                        continue
                    pos = [t for t, g in enumerate(e["ner"]) if g != IGNORE]
                    gold_seqs.append([tags[e["ner"][t]] for t in pos])
                    pred_seqs.append([tags[int(pred[b, t])] for t in pos])
                    valid_seqs.append([tags[k] for k in bio_viterbi(logp[b, pos].tolist(), tags)])
        self.model.train()
        out = {}
        if counted:
            out["accuracy"] = correct / counted
        if gold_seqs:
            # seqeval's default (conlleval) mode, as our scorer (engine/metrics), on the most probable valid
            # BIO sequence, as our decoding (engine/metrics/bio-decode.ts); arg-max and strict IOB2 beside it.
            out["nerF1"] = f1_score(gold_seqs, valid_seqs)
            out["nerPrecision"] = precision_score(gold_seqs, valid_seqs)
            out["nerRecall"] = recall_score(gold_seqs, valid_seqs)
            out["nerF1Argmax"] = f1_score(gold_seqs, pred_seqs)
            out["nerF1Strict"] = f1_score(gold_seqs, pred_seqs, mode="strict", scheme=IOB2)
        return out


def bio_viterbi(logp: list, tags: list) -> list:
    """Tag indices of the most probable sequence in which I-X only follows B-X or I-X (per-word log-probs)."""
    def ok(prev, k):
        return not tags[k].startswith("I-") or (prev is not None and tags[prev] != "O" and tags[prev][2:] == tags[k][2:])
    n, width = len(logp), len(tags)
    if n == 0:
        return []
    score = [logp[0][k] if ok(None, k) else -math.inf for k in range(width)]
    back = []
    for i in range(1, n):
        frm = [max((j for j in range(width) if ok(j, k)), key=lambda j: score[j]) for k in range(width)]
        score = [score[frm[k]] + logp[i][k] for k in range(width)]
        back.append(frm)
    path = [max(range(width), key=lambda k: score[k])]
    for frm in reversed(back):
        path.insert(0, frm[path[0]])
    return path


def serve(args, spec: dict) -> None:
    trainer = Trainer(spec, args.preset, args.attn, args.threads, args.seed)
    batches = spec["epochs"][0]
    rss = proc_status()["vmRSSKiB"] // 1024
    print(json.dumps({"ready": True, "torch": torch.__version__, "attn": args.attn, "trainable": sum(p.numel() for p in trainer.params), "rssBeforeStepsMiB": rss}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if parts[0] == "rss":
            print(json.dumps(proc_status()), flush=True)
            continue
        start, count = int(parts[1]), int(parts[2])
        ms, losses = [], []
        for b in batches[start:start + count]:
            t0 = time.perf_counter()
            losses.append(trainer.step(b))
            ms.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"ms": ms, "losses": losses}), flush=True)


def train_all(args, spec: dict) -> None:
    trainer = Trainer(spec, args.preset, args.attn, args.threads, args.seed)
    r = spec["recipe"]
    total = sum(len(e) for e in spec["epochs"])
    warmup = math.ceil(total * r["warmupRatio"])
    # HF get_linear_schedule_with_warmup: step index 0 has lr 0 when warmup > 0.
    lr_at = lambda s: r["lr"] * (s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))
    step, history, samples, seconds, losses = 0, [], 0, 0.0, []
    # Wall time of the whole training as a user waits for it: every step and every dev evaluation.
    wall0 = time.perf_counter()
    for epoch, batches in enumerate(spec["epochs"]):
        for b in batches:
            for g in trainer.opt.param_groups:
                g["lr"] = lr_at(step)
            t0 = time.perf_counter()
            loss = trainer.step(b)
            losses.append(loss)
            seconds += time.perf_counter() - t0
            samples += len(b)
            step += 1
            if not math.isfinite(loss):
                raise SystemExit(f"loss became {loss} at step {step}")
            if step % 50 == 0:
                print(f"torch step {step}/{total} loss {loss:.4f} {samples / seconds:.1f} samples/s", file=sys.stderr, flush=True)
        history.append({"epoch": epoch, "step": step, **trainer.evaluate()})
    wall = time.perf_counter() - wall0
    result = {"torch": torch.__version__, "attn": args.attn, "preset": args.preset, "steps": step,
              "samplesPerSec": samples / seconds, "wallSeconds": wall, "history": history, "losses": losses,
              **proc_status()}
    with open(args.out, "w") as f:
        json.dump(result, f)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve")
    ap.add_argument("--train")
    ap.add_argument("--out")
    ap.add_argument("--preset", default="full")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--attn", default="eager", choices=["eager", "sdpa"])
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    path = args.serve or args.train
    if not path:
        raise SystemExit("give --serve FILE or --train FILE --out RESULT.json (files come from bench/train.bench.ts)")
    with open(path) as f:
        spec = json.load(f)
    if args.serve:
        serve(args, spec)
    else:
        if not args.out:
            raise SystemExit("--train needs --out RESULT.json")
        train_all(args, spec)


if __name__ == "__main__":
    main()
