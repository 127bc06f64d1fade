"""torch.profiler over train_torch_ref.py's training step, for `npm run bench:profile` (bench/profile.bench.ts).

Reads the batch file bench:profile wrote (the format train_torch_ref.py documents), trains `--warmup` batches
of epoch 0 unprofiled, then the next `--steps` batches twice: once timed without the profiler (the real step
time) and once under torch.profiler (CPU, shapes, FLOPs). Prints one JSON object: the step times and, per
profiled op event, its name, the step phase it ran in (collate / forward / backward / clip / optimizer, from
record_function ranges around the parts of Trainer.step), its self CPU time and its FLOPs (mm / addmm / bmm).

    python scripts/ref/profile_torch_train.py --batches FILE --warmup 2 --steps 4 --threads 2 --seed 42
"""
import argparse
import json
import os
import sys
import time
from collections import defaultdict

import torch
from torch.profiler import ProfilerActivity, profile, record_function

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_torch_ref import Trainer, collate  # noqa: E402

PHASES = ("collate", "forward", "backward", "clip", "optimizer")


def profiled_step(trainer: Trainer, batch: list) -> float:
    """Trainer.step with one record_function range per phase (the same calls in the same order)."""
    with record_function("mts.collate"):
        ids, mask, cls, ner = collate([trainer.spec["train"][i] for i in batch], trainer.spec["padId"])
    trainer.opt.zero_grad(set_to_none=True)
    with record_function("mts.forward"):
        loss = trainer.model.loss(ids, mask, cls, ner)
    with record_function("mts.backward"):
        loss.backward()
    with record_function("mts.clip"):
        torch.nn.utils.clip_grad_norm_(trainer.params, trainer.spec["recipe"]["clip"])
    with record_function("mts.optimizer"):
        trainer.opt.step()
    return float(loss.detach())


def phase_of(event) -> str:
    """The mts.* range an event ran inside ('other' when none: autograd work outside the ranges)."""
    e = event
    while e is not None:
        if e.name.startswith("mts."):
            return e.name[4:]
        e = e.cpu_parent
    return "other"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", required=True)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--attn", default="eager", choices=["eager", "sdpa"])
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    with open(args.batches) as f:
        spec = json.load(f)
    trainer = Trainer(spec, "full", args.attn, args.threads, args.seed)
    batches = spec["epochs"][0]
    for b in batches[: args.warmup]:
        trainer.step(b)
    measured = batches[args.warmup : args.warmup + args.steps]
    plain_ms = []
    for b in measured:
        t0 = time.perf_counter()
        trainer.step(b)
        plain_ms.append((time.perf_counter() - t0) * 1000)
    profiled_ms = []
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True, with_flops=True) as prof:
        for b in measured:
            t0 = time.perf_counter()
            profiled_step(trainer, b)
            profiled_ms.append((time.perf_counter() - t0) * 1000)
    # Summed per (phase, op name): self time excludes children, so the sums add up to the profiled time.
    ops = defaultdict(lambda: {"selfUs": 0.0, "count": 0, "flops": 0})
    for e in prof.events():
        if e.name.startswith("mts."):
            continue
        key = (phase_of(e), e.name)
        ops[key]["selfUs"] += e.self_cpu_time_total
        ops[key]["count"] += 1
        ops[key]["flops"] += int(e.flops or 0)
    print(json.dumps({
        "torch": torch.__version__,
        "attn": args.attn,
        "threads": args.threads,
        "stepMs": plain_ms,
        "profiledStepMs": profiled_ms,
        "ops": [{"phase": p, "name": n, **v} for (p, n), v in ops.items()],
    }))


if __name__ == "__main__":
    main()
