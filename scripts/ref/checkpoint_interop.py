"""Checks that a checkpoint saved by the app loads in transformers and reproduces the original encoder.

Usage: .venv/bin/python scripts/ref/checkpoint_interop.py SAVED_DIR ORIGINAL_DIR
Prints one JSON line: maxAbsDiff of last_hidden_state (SAVED vs ORIGINAL, same inputs), the tokenizer ids
of SAVED_DIR vs ORIGINAL_DIR, and the keys transformers reported as missing/unexpected.
Exit status 0 when it ran (the caller judges the numbers), 2 on bad usage.
"""

from __future__ import annotations

import json
import sys

TEXTS = [
    "Wall St. Bears Claw Back Into the Black (Reuters) Reuters - Short-sellers are seeing green again.",
    "Café owners in Zürich say the 2004 season was their best; \"unbelievable\" #39;s growth!",
    "a",
]


def main() -> None:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    saved, original = sys.argv[1], sys.argv[2]
    import torch
    from transformers import AutoTokenizer, BertModel

    torch.manual_seed(0)
    model, info = BertModel.from_pretrained(saved, output_loading_info=True)
    ref = BertModel.from_pretrained(original)
    model.eval()
    ref.eval()
    tok_saved = AutoTokenizer.from_pretrained(saved)
    tok_orig = AutoTokenizer.from_pretrained(original)
    batch = tok_orig(TEXTS, padding=True, return_tensors="pt")
    batch_saved = tok_saved(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        a = model(**batch).last_hidden_state
        b = ref(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).bool()
    diff = (a - b).abs().masked_select(mask).max().item()
    print(
        json.dumps(
            {
                "maxAbsDiff": diff,
                "tokenizerIdsEqual": bool(torch.equal(batch["input_ids"], batch_saved["input_ids"])),
                "missingKeys": sorted(info["missing_keys"]),
                "unexpectedKeys": sorted(info["unexpected_keys"]),
                "hidden": list(a.shape),
                "mts": getattr(model.config, "mts", None) is not None,
            }
        )
    )


if __name__ == "__main__":
    main()
