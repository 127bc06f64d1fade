"""Reference encoder outputs for the TypeScript BERT forward parity test.

Takes the first 50 texts of ../shared/data/ag_news/dev.csv, tokenizes them with Hugging Face (max_length 128,
truncation), runs transformers BertModel (all-MiniLM-L6-v2, eval, float32), one text per call (no padding),
and writes
  src-main/engine/model/fixtures/minilm-forward.json  (per text: row, sha1 of the text, input ids)
  src-main/engine/model/fixtures/minilm-forward.f32   (last_hidden_state of each text, [len, hidden] row-major,
                                                       concatenated in text order, float32 little-endian)
Usage: .venv/bin/python scripts/ref/bert_forward_ref.py   (never needed at run time or by npm test)
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoTokenizer, BertModel

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
MODEL_DIR = SHARED / "models" / "all-MiniLM-L6-v2"
OUT_DIR = ROOT / "src-main" / "engine" / "model" / "fixtures"
N_TEXTS = 50
MAX_LENGTH = 128


def main() -> None:
    with (SHARED / "data" / "ag_news" / "dev.csv").open(newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)][:N_TEXTS]
    tok = AutoTokenizer.from_pretrained(MODEL_DIR)
    model = BertModel.from_pretrained(MODEL_DIR, torch_dtype=torch.float32)
    model.eval()
    records, chunks = [], []
    with torch.no_grad():
        for row, text in enumerate(texts):
            enc = tok(text, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            hidden = model(**enc).last_hidden_state[0]  # [T, H]
            chunks.append(hidden.numpy().astype("<f4"))
            records.append({"row": row, "textSha1": hashlib.sha1(text.encode()).hexdigest(), "ids": enc["input_ids"][0].tolist()})
    data = np.concatenate(chunks, axis=0)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "minilm-forward.f32").write_bytes(data.tobytes())
    meta = {
        "generator": f"scripts/ref/bert_forward_ref.py (torch {torch.__version__}, transformers {transformers.__version__})",
        "model": "all-MiniLM-L6-v2 BertModel, eval, float32; token_type_ids 0, attention_mask 1 (no padding)",
        "data": f"first {N_TEXTS} rows of ag_news/dev.csv, truncation to max_length {MAX_LENGTH}",
        "hiddenSize": int(data.shape[1]),
        "maxLength": MAX_LENGTH,
        "hiddenFile": "minilm-forward.f32",
        "hiddenLayout": "per text [len(ids), hiddenSize] row-major float32 LE, concatenated in text order",
        "maxAbsHidden": float(np.abs(data).max()),
        "texts": records,
    }
    (OUT_DIR / "minilm-forward.json").write_text(json.dumps(meta, separators=(",", ":")))
    print(json.dumps({"texts": len(records), "tokens": int(data.shape[0]), "bytes": int(data.nbytes), "maxAbsHidden": meta["maxAbsHidden"]}))


if __name__ == "__main__":
    main()
