"""Independent check of an export bundle written by Multitask Studio (engine/infer/export.ts).

For each head folder (classification/, ner/) it checks the Hugging Face / transformers.js layout:
- config.json loads with transformers.AutoConfig, model_type "bert", id2label/label2id consistent with
  labels.json;
- tokenizer.json loads with `tokenizers` and with transformers.AutoTokenizer, both giving the same ids;
- onnx/model.onnx runs in Python onnxruntime with inputs input_ids / attention_mask / token_type_ids (int64)
  and a single output `logits` of the right width, equal to the multi-task model.onnx's head output.
With --checkpoint DIR (a checkpoint saved by the app) it also rebuilds the model in PyTorch
(transformers.BertModel + the head tensors from model.safetensors) and compares logits and the sentence
embedding with the exported graphs: an end-to-end check of the export against PyTorch.
Prints one JSON object; exits 1 when a check fails.
Usage: .venv/bin/python scripts/ref/export_check.py BUNDLE_DIR [--checkpoint DIR] [--tolerance 1e-4]
"""
import argparse
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

TEXTS = [
    "John Smith flew from Paris to New York on Monday.",
    "Stocks fell 3% as the Federal Reserve raised rates.",
    "a",
    "The quick brown fox jumps over the lazy dog. " * 6,
]


def batch(tok: Tokenizer, max_length: int) -> dict:
    tok.no_padding()
    tok.no_truncation()
    encs = [tok.encode(t) for t in TEXTS]
    ids = [e.ids[: max_length - 1] + ([e.ids[-1]] if len(e.ids) > max_length else []) for e in encs]
    t = max(len(x) for x in ids)
    input_ids = np.zeros((len(ids), t), dtype=np.int64)
    mask = np.zeros((len(ids), t), dtype=np.int64)
    for r, x in enumerate(ids):
        input_ids[r, : len(x)] = x
        mask[r, : len(x)] = 1
    return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("--checkpoint")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    a = ap.parse_args()
    from transformers import AutoConfig, AutoTokenizer

    labels = json.load(open(os.path.join(a.bundle, "labels.json")))
    tok = Tokenizer.from_file(os.path.join(a.bundle, "tokenizer.json"))
    feeds = batch(tok, labels["maxLength"])
    main_sess = ort.InferenceSession(os.path.join(a.bundle, "model.onnx"), providers=["CPUExecutionProvider"])
    main_out = dict(zip([o.name for o in main_sess.get_outputs()], main_sess.run(None, feeds)))
    report: dict = {"bundle": a.bundle, "heads": {}, "failures": []}
    fail = report["failures"].append

    for head, out_name in (("classification", "class_logits"), ("ner", "token_logits")):
        names = labels[head]
        folder = os.path.join(a.bundle, head)
        if not names:
            continue
        if not os.path.isdir(folder):
            fail(f"{head}: folder missing")
            continue
        cfg = AutoConfig.from_pretrained(folder)
        if cfg.model_type != "bert":
            fail(f"{head}: model_type {cfg.model_type}")
        if [cfg.id2label[i] for i in range(len(names))] != names or cfg.label2id != {n: i for i, n in enumerate(names)}:
            fail(f"{head}: id2label/label2id differ from labels.json")
        head_tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        if head_tok.padding is not None or head_tok.truncation is not None:
            fail(f"{head}: tokenizer.json pads or truncates to a fixed size ({head_tok.padding}, {head_tok.truncation})")
        auto_tok = AutoTokenizer.from_pretrained(folder)
        for t in TEXTS:
            if head_tok.encode(t).ids != auto_tok(t)["input_ids"] or head_tok.encode(t).ids != tok.encode(t).ids:
                fail(f"{head}: tokenizers disagree on {t[:30]!r}")
                break
        sess = ort.InferenceSession(os.path.join(folder, "onnx", "model.onnx"), providers=["CPUExecutionProvider"])
        inputs = sorted(i.name for i in sess.get_inputs())
        outputs = [o.name for o in sess.get_outputs()]
        if inputs != ["attention_mask", "input_ids", "token_type_ids"] or outputs != ["logits"]:
            fail(f"{head}: inputs {inputs} outputs {outputs}")
            continue
        (logits,) = sess.run(None, feeds)
        diff = float(np.abs(logits - main_out[out_name]).max())
        report["heads"][head] = {"logitsShape": list(logits.shape), "maxAbsDiffVsModelOnnx": diff, "numLabels": cfg.num_labels}
        if logits.shape[-1] != len(names) or diff > a.tolerance:
            fail(f"{head}: logits shape {logits.shape} / diff {diff}")

    if a.checkpoint:
        report["torch"] = torch_check(a.checkpoint, feeds, main_out, a.tolerance, fail)
    report["ok"] = not report["failures"]
    print(json.dumps(report))
    return 0 if report["ok"] else 1


def torch_check(ckpt: str, feeds: dict, main_out: dict, tol: float, fail) -> dict:
    import torch
    from safetensors.torch import load_file
    from transformers import BertModel

    cfg = json.load(open(os.path.join(ckpt, "config.json")))
    model = BertModel.from_pretrained(ckpt, add_pooling_layer=False).eval()
    tensors = load_file(os.path.join(ckpt, "model.safetensors"))
    ids = torch.from_numpy(feeds["input_ids"])
    mask = torch.from_numpy(feeds["attention_mask"])
    with torch.no_grad():
        h = model(input_ids=ids, attention_mask=mask).last_hidden_state  # [B, T, H]
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9) if cfg["mts"]["pooling"] == "mean" else h[:, 0]
        got = {"sentence_embedding": pooled}
        if "classifier.weight" in tensors:
            got["class_logits"] = pooled @ tensors["classifier.weight"].T + tensors["classifier.bias"]
        if "ner_classifier.weight" in tensors:
            got["token_logits"] = h @ tensors["ner_classifier.weight"].T + tensors["ner_classifier.bias"]
    diffs = {k: float(np.abs(v.numpy() - main_out[k]).max()) for k, v in got.items()}
    for k, d in diffs.items():
        if d > tol:
            fail(f"torch: {k} differs by {d}")
    return {"maxAbsDiff": diffs}


if __name__ == "__main__":
    sys.exit(main())
