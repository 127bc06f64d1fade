/**
 * The files of the scale-out hand-off (`mts export --format hf-trainer`): a PyTorch project that continues a
 * run with transformers' Trainer on a GPU cluster. The model is the same multi-task network as the engine's
 * (BertModel, pooling, dropout, one linear head per task) and the loss the same (mean cross-entropy over the
 * labelled rows of each task, 0 when a batch has none, weighted sum), so its first loss on a batch equals ours.
 */

export const MODEL_PY = String.raw`"""The multi-task model of Multitask Studio in PyTorch: one BERT encoder, a sentence-classification head on
the pooled encoding and a BIO NER head on every token. Weights come from the exported checkpoint (model/):
BertModel's own, plus classifier.* and ner_classifier.* in model/model.safetensors."""
from __future__ import annotations

import torch
from safetensors.torch import load_file
from transformers import BertConfig, BertModel

IGNORE = -100


class MultiTask(torch.nn.Module):
    def __init__(self, model_dir: str, recipe: dict, no_dropout: bool = False) -> None:
        super().__init__()
        rates = {k: (0.0 if no_dropout else v) for k, v in recipe["dropout"].items()}
        config = BertConfig.from_pretrained(
            model_dir, hidden_dropout_prob=rates["hidden"], attention_probs_dropout_prob=rates["attention"]
        )
        self.bert = BertModel.from_pretrained(model_dir, config=config, add_pooling_layer=False, attn_implementation="eager")
        hidden = config.hidden_size
        self.pooling = recipe["pooling"]
        self.head_dropout = torch.nn.Dropout(rates["head"])
        self.weights = recipe["lossWeights"]
        classes, tags = len(recipe["classLabels"]), len(recipe["nerTags"])
        self.classifier = torch.nn.Linear(hidden, classes) if classes > 0 else None
        self.ner_classifier = torch.nn.Linear(hidden, tags) if tags > 0 else None
        heads = {k: v for k, v in load_file(f"{model_dir}/model.safetensors").items() if "classifier." in k}
        missing = self.load_state_dict(heads, strict=False).missing_keys
        if any(k.startswith(("classifier.", "ner_classifier.")) for k in missing):
            raise ValueError(f"{model_dir}/model.safetensors lacks head weights {missing}; export the run again.")

    def pool(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(-1).to(h.dtype)  # [B, T, 1]
        if self.pooling == "cls":
            return h[:, 0]
        if self.pooling == "max":
            return h.masked_fill(m == 0, -1e9).max(dim=1).values
        return (h * m).sum(1) / m.sum(1).clamp(min=1e-9)  # mean over real tokens

    def forward(self, input_ids, attention_mask, class_labels=None, ner_labels=None):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # [B, T, H]
        out = {}
        loss = h.new_zeros(())
        if self.classifier is not None:
            out["class_logits"] = self.classifier(self.head_dropout(self.pool(h, attention_mask)))  # [B, C]
            if class_labels is not None:
                loss = loss + self.weights["classification"] * masked_ce(out["class_logits"], class_labels)
        if self.ner_classifier is not None:
            out["token_logits"] = self.ner_classifier(self.head_dropout(h))  # [B, T, L]
            if ner_labels is not None:
                loss = loss + self.weights["ner"] * masked_ce(out["token_logits"], ner_labels)
        out["loss"] = loss
        return out


def masked_ce(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over rows whose label is not -100; 0 (not NaN) when a batch has none."""
    flat, target = logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)
    if bool((target != IGNORE).any()):
        return torch.nn.functional.cross_entropy(flat.float(), target, ignore_index=IGNORE)
    return flat.sum() * 0.0
`;

export const TRAIN_PY = String.raw`"""Continue a Multitask Studio run with transformers' Trainer (one GPU, or many with torchrun / accelerate).

  python train.py                           # the run's recipe (recipe.json), output in out/
  torchrun --nproc_per_node 8 train.py      # data-parallel on 8 GPUs
  python train.py --max-steps 2 --no-dropout --no-shuffle --print-first-loss   # the check the app runs

data/*.jsonl holds the run's examples exactly as the app trained on them (WordPiece ids, class label, BIO tag
ids per sub-word, -100 = no label), so nothing is tokenised again.
"""
from __future__ import annotations

import argparse
import inspect
import json

import torch
from transformers import Trainer, TrainingArguments

from model import IGNORE, MultiTask


class JsonlExamples(torch.utils.data.Dataset):
    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as f:
            self.rows = [json.loads(line) for line in f if line.strip()]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict:
        return self.rows[i]


def collate(pad_id: int):
    def batch(rows: list[dict]) -> dict:
        seq = max(1, max(len(r["ids"]) for r in rows))
        ids = torch.full((len(rows), seq), pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), seq), dtype=torch.long)
        ner = torch.full((len(rows), seq), IGNORE, dtype=torch.long)
        cls = torch.tensor([r["classLabel"] for r in rows], dtype=torch.long)
        for b, r in enumerate(rows):
            n = len(r["ids"])
            ids[b, :n] = torch.tensor(r["ids"])
            mask[b, :n] = 1
            if r.get("nerLabels") is not None:
                ner[b, :n] = torch.tensor(r["nerLabels"])
        return {"input_ids": ids, "attention_mask": mask, "class_labels": cls, "ner_labels": ner}

    return batch


class RunTrainer(Trainer):
    def __init__(self, *args, shuffle: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shuffle = shuffle

    def _get_train_sampler(self, *args, **kwargs):
        if self.shuffle:
            return super()._get_train_sampler(*args, **kwargs)
        return torch.utils.data.SequentialSampler(self.train_dataset)

    def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
        out = model(**inputs)
        return (out["loss"], out) if return_outputs else out["loss"]


def warmup(ratio: float) -> dict:
    """transformers 5 reads a float warmup_steps < 1 as a ratio; earlier versions have warmup_ratio."""
    if "warmup_ratio" in inspect.signature(TrainingArguments.__init__).parameters:
        return {"warmup_ratio": ratio}
    return {"warmup_steps": ratio}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="model")
    ap.add_argument("--data", default="data")
    ap.add_argument("--recipe", default="recipe.json")
    ap.add_argument("--out", default="out")
    ap.add_argument("--max-steps", type=int, default=-1)
    ap.add_argument("--no-dropout", action="store_true", help="dropout off (deterministic losses)")
    ap.add_argument("--no-shuffle", action="store_true", help="batches in file order")
    ap.add_argument("--print-first-loss", action="store_true", help="print the first batch's loss as JSON first")
    args = ap.parse_args()
    with open(args.recipe, encoding="utf-8") as f:
        recipe = json.load(f)
    torch.manual_seed(recipe["seed"])
    model = MultiTask(args.model, recipe, no_dropout=args.no_dropout)
    train = JsonlExamples(f"{args.data}/train.jsonl")
    dev = JsonlExamples(f"{args.data}/dev.jsonl")
    collator = collate(recipe["padId"])
    if args.print_first_loss:
        model.train()
        with torch.no_grad():
            first = model(**collator([train[i] for i in range(min(recipe["batchSize"], len(train)))]))["loss"]
        print(json.dumps({"first_loss": float(first), "torch": torch.__version__}), flush=True)
    training = TrainingArguments(
        output_dir=args.out,
        num_train_epochs=recipe["epochs"],
        max_steps=args.max_steps,
        per_device_train_batch_size=recipe["batchSize"],
        per_device_eval_batch_size=recipe["evalBatchSize"],
        gradient_accumulation_steps=recipe["gradAccumulation"],
        learning_rate=recipe["lr"],
        lr_scheduler_type="constant_with_warmup" if recipe["schedule"] == "constant" else recipe["schedule"],
        **warmup(recipe["warmupRatio"]),
        weight_decay=recipe["weightDecay"],
        max_grad_norm=recipe["clipNorm"] or 0.0,
        seed=recipe["seed"],
        logging_steps=1 if 0 < args.max_steps <= 20 else 50,
        save_strategy="no" if 0 < args.max_steps <= 20 else "epoch",
        eval_strategy="no" if 0 < args.max_steps <= 20 else "epoch",
        remove_unused_columns=False,
        report_to=[],
    )
    trainer = RunTrainer(
        model=model, args=training, train_dataset=train, eval_dataset=dev, data_collator=collator,
        shuffle=not args.no_shuffle,
    )
    result = trainer.train()
    print(json.dumps({"steps": result.global_step, "train_loss": result.training_loss}), flush=True)


if __name__ == "__main__":
    main()
`;

export const REQUIREMENTS_TXT = `torch>=2.1
transformers>=4.44
safetensors>=0.4
accelerate>=1.1
`;

/** The project's README, with the run's own numbers. */
export function readme(o: { readonly runDir: string; readonly train: number; readonly dev: number }): string {
  return `# Continue a Multitask Studio run with PyTorch

Exported from \`${o.runDir}\` by \`mts export --format hf-trainer\`: the run's best checkpoint (\`model/\`, a Hugging
Face BERT folder plus \`classifier.*\` / \`ner_classifier.*\` head weights), its ${o.train} training and ${o.dev} dev
examples exactly as the app trained on them (\`data/*.jsonl\`: WordPiece ids, class label, BIO tag ids per
sub-word, -100 = no label), and its recipe (\`recipe.json\`: epochs, batch, learning rate and schedule, weight
decay, clipping, dropout, pooling, task weights, label names).

\`\`\`bash
pip install -r requirements.txt
python train.py                         # one GPU (or the CPU)
torchrun --nproc_per_node 8 train.py    # eight GPUs, data-parallel
\`\`\`

\`model.py\` is the same network as the app's (BERT, ${'`'}pooling${'`'} from the recipe, dropout, one linear head per
task) with the same loss (mean cross-entropy over each task's labelled rows, weighted sum), so the first loss on
a batch matches the app's; \`python train.py --max-steps 2 --no-dropout --no-shuffle --print-first-loss\` is the
check \`mts export\` describes. The result in \`out/\` loads with \`BertModel.from_pretrained\` for the encoder.
`;
}
