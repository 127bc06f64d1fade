"""Reference for the AdamW graph fragment: torch.nn.utils.clip_grad_norm_ + torch.optim.AdamW + HF-style
linear warmup/decay (LambdaLR), several steps on a few small parameters, in float32 and float64.

Run: .venv/bin/python scripts/ref/adamw_ref.py
Writes src-main/engine/optim/fixtures/adamw.json (checked by src-main/engine/optim/adamw.test.ts).
"""
import json
import math
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[2] / "src-main/engine/optim/fixtures/adamw.json"

BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY = 0.1
CLIP = 1.0
LR = 1e-2
WARMUP, TOTAL = 2, 6
# Gradient scales per step: steps 0 and 2 are clipped (norm > 1), steps 1 and 3 are not.
GRAD_SCALES = [3.0, 0.05, 5.0, 0.02]
# name, shape, decay (nanoGPT rule: only >= 2-D weights decay)
PARAMS = [
    ("encoder.dense.weight", (4, 3), True),
    ("encoder.dense.bias", (3,), False),
    ("encoder.LayerNorm.weight", (3,), False),
    ("embeddings.word_embeddings.weight", (5, 2), True),
]


def lr_lambda(step: int) -> float:
    if step < WARMUP:
        return step / max(1, WARMUP)
    return max(0.0, (TOTAL - step) / max(1, TOTAL - WARMUP))


def run(dtype: torch.dtype, init: dict, grads: list) -> list:
    params = {n: torch.nn.Parameter(torch.tensor(init[n], dtype=dtype)) for n, _, _ in PARAMS}
    groups = [
        {"params": [params[n] for n, _, d in PARAMS if d], "weight_decay": WEIGHT_DECAY},
        {"params": [params[n] for n, _, d in PARAMS if not d], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=LR, betas=BETAS, eps=EPS, foreach=False)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    steps = []
    for step_grads in grads:
        lr = opt.param_groups[0]["lr"]
        for n, _, _ in PARAMS:
            params[n].grad = torch.tensor(step_grads[n], dtype=dtype)
        norm = torch.nn.utils.clip_grad_norm_([params[n] for n, _, _ in PARAMS], CLIP)
        opt.step()
        sched.step()
        state = {n: opt.state[params[n]] for n, _, _ in PARAMS}
        steps.append(
            {
                "lr": lr,
                "grad_norm": float(norm),
                "params": {n: params[n].detach().flatten().tolist() for n, _, _ in PARAMS},
                "m": {n: state[n]["exp_avg"].flatten().tolist() for n, _, _ in PARAMS},
                "v": {n: state[n]["exp_avg_sq"].flatten().tolist() for n, _, _ in PARAMS},
            }
        )
    return steps


def main() -> None:
    gen = torch.Generator().manual_seed(1234)
    # Values rounded to float32 so both precisions start from identical numbers.
    f32 = lambda shape, scale=1.0: (torch.randn(*shape, generator=gen) * scale).float().double().flatten().tolist()
    init = {n: f32(shape) for n, shape, _ in PARAMS}
    grads = [{n: f32(shape, s) for n, shape, _ in PARAMS} for s in GRAD_SCALES]
    fixture = {
        "torch_version": torch.__version__,
        "config": {"beta1": BETAS[0], "beta2": BETAS[1], "eps": EPS, "weight_decay": WEIGHT_DECAY, "clip_norm": CLIP},
        "schedule": {"kind": "linear", "lr": LR, "warmupSteps": WARMUP, "totalSteps": TOTAL},
        "params": [{"name": n, "shape": list(s), "decay": d} for n, s, d in PARAMS],
        "init": init,
        "grads": grads,
        "float32": run(torch.float32, init, grads),
        "float64": run(torch.float64, init, grads),
    }
    assert all(not math.isnan(s["grad_norm"]) for s in fixture["float32"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
