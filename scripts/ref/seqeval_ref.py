"""Writes src-main/engine/metrics/fixtures/seqeval.json: seqeval (default mode) scores for random and
hand-made tag sequences, so the TypeScript entity metrics can be checked to 1e-9 without Python; and
fixtures/sklearn-classification.json: scikit-learn accuracy, macro-F1, per-class P/R/F1/support and
confusion matrices for random label pairs.

Run: .venv/bin/python scripts/ref/seqeval_ref.py
"""
import json
import random
import warnings
from pathlib import Path

from seqeval.metrics import classification_report  # noqa: F401  (import proves the package is present)
from seqeval.metrics.sequence_labeling import get_entities, precision_recall_fscore_support

warnings.filterwarnings("ignore")

OUT = Path(__file__).resolve().parents[2] / "src-main" / "engine" / "metrics" / "fixtures" / "seqeval.json"
OUT_CLS = OUT.parent / "sklearn-classification.json"

# Hand-made sequences that exercise every branch of seqeval's conlleval-style chunking.
TRICKY = [
    (["I-PER", "I-PER", "O"], ["B-PER", "I-PER", "O"]),  # I- without B- starts a chunk
    (["B-PER", "I-LOC", "I-LOC"], ["B-PER", "B-LOC", "I-LOC"]),  # type switch inside a span
    (["B-ORG", "I-ORG"], ["B-ORG", "I-ORG"]),  # entity at sentence end closes
    (["O", "I-MISC", "B-MISC", "I-MISC"], ["B-MISC", "I-MISC", "I-MISC", "I-MISC"]),
    (["B-PER", "B-PER", "I-PER"], ["B-PER", "I-PER", "I-PER"]),
    (["E-PER", "S-LOC", "B-ORG", "E-ORG"], ["S-PER", "S-LOC", "B-ORG", "I-ORG"]),
    (["B", "I", "O", "I"], ["B", "B", "O", "I"]),  # tags without a type become type "_"
    ([".", "I-PER", ".", "B-LOC"], ["O", "I-PER", "O", "B-LOC"]),
    (["O", "O", "O"], ["O", "O", "O"]),
    (["B-PER", "I-PER", "I-ORG", "B-ORG"], ["O", "O", "O", "O"]),
    (["O", "O"], ["B-LOC", "I-PER"]),
    (["B-X-Y", "I-X-Y"], ["B-X-Y", "I-X"]),  # type is everything after the first '-'
]

TAGS = ["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC",
        "E-PER", "S-LOC", "B", "I", "."]


def score(y_true, y_pred):
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average="micro")
    ents = {}
    for t, start, end in get_entities(y_true):
        ents.setdefault(t, 0)
    for t, start, end in get_entities(y_pred):
        ents.setdefault(t, 0)
    per_type = {}
    if ents:
        pt, rt, ft, st = precision_recall_fscore_support(y_true, y_pred, average=None)
        for i, name in enumerate(sorted(ents)):
            per_type[name] = {"precision": float(pt[i]), "recall": float(rt[i]), "f1": float(ft[i]),
                              "support": int(st[i])}
    return {
        "micro": {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)},
        "perType": per_type,
        # Chunks of the flattened true sequence (sentences joined by "O"), inclusive ends like seqeval.
        "entitiesTrue": [[t, a, b] for t, a, b in get_entities(y_true)],
        "entitiesPred": [[t, a, b] for t, a, b in get_entities(y_pred)],
    }


def random_case(rng):
    n_sent = rng.randint(1, 6)
    y_true, y_pred = [], []
    for _ in range(n_sent):
        n = rng.randint(1, 12)
        t = [rng.choice(TAGS) for _ in range(n)]
        # Predictions share much of the truth so that matches happen.
        p = [x if rng.random() < 0.7 else rng.choice(TAGS) for x in t]
        y_true.append(t)
        y_pred.append(p)
    return y_true, y_pred


def classification_cases(rng):
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    cases = []
    for i in range(60):
        classes = ["World", "Sports", "Business", "Sci/Tech", "x"][: rng.randint(2, 5)]
        n = rng.randint(1, 40)
        y_true = [rng.choice(classes) for _ in range(n)]
        y_pred = [t if rng.random() < 0.6 else rng.choice(classes) for t in y_true]
        labels = sorted(set(y_true) | set(y_pred))
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        cases.append({
            "name": f"random {i}",
            "yTrue": y_true,
            "yPred": y_pred,
            "labels": labels,
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "macroF1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
            "perClass": {l: {"precision": float(p[k]), "recall": float(r[k]), "f1": float(f[k]), "support": int(s[k])}
                         for k, l in enumerate(labels)},
            "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        })
    return cases


def main():
    rng = random.Random(20261127)
    cases = []
    for t, p in TRICKY:
        cases.append({"name": "tricky " + " ".join(t), "yTrue": [t], "yPred": [p], **score([t], [p])})
    # Sentence boundaries: an entity at the end of one sentence must not run into the next.
    yt = [["B-PER", "I-PER"], ["I-PER", "O"], ["B-LOC"]]
    yp = [["B-PER", "I-PER"], ["B-PER", "O"], ["I-LOC"]]
    cases.append({"name": "sentence boundaries", "yTrue": yt, "yPred": yp, **score(yt, yp)})
    for i in range(200):
        yt, yp = random_case(rng)
        cases.append({"name": f"random {i}", "yTrue": yt, "yPred": yp, **score(yt, yp)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "scripts/ref/seqeval_ref.py", "cases": cases}, indent=None))
    print(f"wrote {len(cases)} cases to {OUT}")
    cls = classification_cases(random.Random(7))
    OUT_CLS.write_text(json.dumps({"generator": "scripts/ref/seqeval_ref.py", "cases": cls}, indent=None))
    print(f"wrote {len(cls)} cases to {OUT_CLS}")


if __name__ == "__main__":
    main()
