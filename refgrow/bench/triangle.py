"""Benchmark: one pretraining step of the triangle paper [docs/references.md#triangle] vs one plain Adam step on the raw weights.

Both steps run the same batched 1-4-4-4-4-4-1 networks (``--runs`` seeds at once, ``--n`` points):
the pretraining step adds the weight-setting map (App. A.1), its vector-Jacobian product and the
Theorem 3.1 scales. The ratio (pretraining / raw) is the overhead of training in peak space; the
target is <= 1.5. When PyTorch is installed, the same pretraining step through autograd (weights
built from ``a`` with torch ops, one network per run in a batch) is timed as a second peer.

Sides (timed in rotating blocks by :mod:`refgrow.bench._timing`; times are per step):
``public`` = the pretraining step, ``raw_adam`` = the plain Adam step, ``peer`` = PyTorch autograd.
"""
from __future__ import annotations

import numpy as np

from refgrow import triangle as tr
from refgrow.cliargs import positive_int
from refgrow.bench._timing import (common_parser, make_result, resolve_common, run_sides, summarize,
                                   thread_limits)
from refgrow.experiments.triangle import train_raw

__all__ = ["run"]


def _parser():
    p = common_parser("python -m refgrow bench triangle", "triangle paper, pretraining step vs raw Adam step")
    p.add_argument("--runs", type=positive_int, default=60, help="networks trained at once (seeds x targets)")
    p.add_argument("--n", type=positive_int, default=500, help="training points")
    p.add_argument("--steps", type=positive_int, default=None, help="steps per timed call (default 50, --quick 10)")
    return p


def run(argv) -> dict:
    """Time pretraining steps vs raw Adam steps (and PyTorch autograd); returns the bench record."""
    args = _parser().parse_args(argv)
    opts = resolve_common(args)
    steps = args.steps if args.steps is not None else (10 if args.quick else 50)
    if min(args.runs, args.n, steps) < 1:
        raise ValueError(f"--runs, --n and --steps must be >= 1, got {args.runs}, {args.n}, {steps}")
    rng = np.random.default_rng(0)
    R, n = args.runs, args.n
    X = np.linspace(0, 1, n)[:, None]
    Y = np.repeat((X ** 3)[None], R, axis=0)
    sign = -np.ones(R)
    a0 = rng.uniform(0.05, 0.95, (R, 6))

    def pre():
        tr.batched_pretrain(a0, sign, X, Y, epochs=steps, lr=1e-3, free=False, c=0.05)

    Ws, bs = tr.batched_network_parameters(a0, tr.theorem31_ratios(a0, sign), sign)

    def raw():
        train_raw([W.copy() for W in Ws], [b.copy() for b in bs], X, Y, epochs=steps, lr=1e-3)

    sides = {"public": pre, "raw_adam": raw}
    peer = None
    try:
        import torch
        ta = torch.tensor(a0, dtype=torch.float64, requires_grad=True)
        tx = torch.tensor(X[:, 0], dtype=torch.float64)
        ty = torch.tensor(Y[:, :, 0], dtype=torch.float64)
        opt = torch.optim.Adam([ta], lr=1e-3)

        def torch_pre():
            for _ in range(steps):
                opt.zero_grad()
                w = tx.expand(R, n)
                outv = w.clone()
                s = ta[:, 0] * ta[:, 1]
                for i in range(5):
                    ai = ta[:, i:i + 1]
                    w = torch.where(w <= ai, w / ai, (1 - w) / (1 - ai))
                    if i:
                        s = s * (1 - ta[:, i]) * ta[:, i + 1]
                    outv = outv - s[:, None] * w
                loss = ((outv - ty) ** 2).mean(dim=1).sum()
                loss.backward()
                opt.step()
                with torch.no_grad():
                    ta.clamp_(0.05, 0.95)

        sides["peer"] = torch_pre
        peer = {"name": "torch", "version": torch.__version__}
    except ImportError:
        pass
    with thread_limits(opts["threads"]):
        per_call = run_sides(sides, opts)
    times = {k: summarize(np.asarray(v["samples"]) / steps) for k, v in per_call.items()}
    res = make_result("triangle", params={"runs": R, "n": n, "steps_per_call": steps}, times=times,
                      threads=opts["threads"], backend=opts["backend"], peer=peer,
                      target={"ratio": "public/raw_adam", "max": 1.5},
                      pairs=(("public", "raw_adam"), ("public", "peer")),
                      notes=["public = pretraining step (weight map + network + VJP + Adam), per step; "
                             "peer = the same step through PyTorch autograd on the series form"])
    res["title"] = (f"triangle pretraining step, {R} networks x {n} points, vs a plain Adam step "
                    "(target <= 1.5)")
    return res
