"""PyTorch reference for bench/infer.bench.ts: HF BertModel (all-MiniLM-L6-v2) + a classification head on
mean pooling + a token head, eval mode, on the same texts, batch size, max length and thread count.

Batches are made the same way as the app's predictor (sorted by token length, padded per batch), so the
comparison is about the forward pass and the per-text work, not about padding strategy.
Prints one JSON line: {"sentences": N, "seconds": s, "sentencesPerSec": r, "forwardSeconds": f, "cpuSeconds": c, ...};
CPU seconds (all threads of the process) are steadier than wall time on a machine shared with other jobs.
Usage: .venv/bin/python scripts/ref/bench_torch_infer.py MODEL_DIR DEV_CSV [--limit 2000] [--batch 32]
       [--max-length 128] [--threads 2] [--classes 4] [--tags 9] [--rounds 2] [--int8]
"""
import argparse
import csv
import json
import time

import torch
from transformers import AutoTokenizer, BertModel


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("dev_csv")
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--tags", type=int, default=9)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--int8",
        action="store_true",
        help="torch.ao.quantization.quantize_dynamic on every nn.Linear (PyTorch's own int8 inference)",
    )
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.dev_csv, newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)][: a.limit]

    tok = AutoTokenizer.from_pretrained(a.model_dir)
    enc = BertModel.from_pretrained(a.model_dir, add_pooling_layer=False).eval()
    hidden = enc.config.hidden_size
    cls_head = torch.nn.Linear(hidden, a.classes).eval()
    ner_head = torch.nn.Linear(hidden, a.tags).eval()
    if a.int8:
        enc = torch.ao.quantization.quantize_dynamic(enc, {torch.nn.Linear}, dtype=torch.qint8)

    def run() -> tuple[float, float, float]:
        t0 = time.perf_counter()
        c0 = time.process_time()
        forward = 0.0
        ids = tok(texts, truncation=True, max_length=a.max_length)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        labels = [None] * len(texts)
        with torch.inference_mode():
            for s in range(0, len(order), a.batch):
                rows = order[s : s + a.batch]
                t = max(len(ids[i]) for i in rows)
                input_ids = torch.zeros((len(rows), t), dtype=torch.long)
                mask = torch.zeros((len(rows), t), dtype=torch.long)
                for r, i in enumerate(rows):
                    input_ids[r, : len(ids[i])] = torch.tensor(ids[i])
                    mask[r, : len(ids[i])] = 1
                f0 = time.perf_counter()
                h = enc(input_ids=input_ids, attention_mask=mask).last_hidden_state  # [B, T, H]
                m = mask.unsqueeze(-1).to(h.dtype)
                pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [B, H]
                class_probs = cls_head(pooled).softmax(-1)  # [B, C]
                tag_probs = ner_head(h).softmax(-1)  # [B, T, L]
                forward += time.perf_counter() - f0
                best_class = class_probs.argmax(-1).tolist()
                best_tags = tag_probs.argmax(-1).tolist()
                for r, i in enumerate(rows):
                    labels[i] = (best_class[r], best_tags[r][: len(ids[i])])
        return time.perf_counter() - t0, forward, time.process_time() - c0

    run()  # warm-up
    results = [run() for _ in range(a.rounds)]
    seconds, forward, cpu = min(results)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": a.threads,
                "int8": a.int8,
                "sentences": len(texts),
                "seconds": seconds,
                "sentencesPerSec": len(texts) / seconds,
                "forwardSeconds": forward,
                "forwardSentencesPerSec": len(texts) / forward,
                "cpuSeconds": cpu,
                "sentencesPerCpuSec": len(texts) / cpu,
            }
        )
    )


if __name__ == "__main__":
    main()
