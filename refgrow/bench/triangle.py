"""Benchmark: one pretraining step of the triangle paper [docs/references.md#triangle] vs one plain Adam step on the raw weights.

Both steps run the same batched 1-4-4-4-4-4-1 networks (``--runs`` seeds at once, ``--n`` points):
the pretraining step adds the weight-setting map (App. A.1), its vector-Jacobian product and the
Theorem 3.1 scales. The ratio (pretraining / raw) is the overhead of training in peak space; the
target is <= 1.5. When PyTorch is installed, the same pretraining step through autograd (weights
built from ``a`` with torch ops, one network per run in a batch) is timed as a second peer.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from refgrow import triangle as tr
from refgrow.experiments.triangle import train_raw

__all__ = ["run"]


def _best(f, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def run(argv) -> dict:
    """Time ``--steps`` pretraining steps vs raw Adam steps; returns the times and their ratio."""
    p = argparse.ArgumentParser(prog="python -m refgrow bench triangle")
    p.add_argument("--runs", type=int, default=60, help="networks trained at once (seeds x targets)")
    p.add_argument("--n", type=int, default=500, help="training points")
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    R, n = args.runs, args.n
    X = np.linspace(0, 1, n)[:, None]
    Y = np.repeat((X ** 3)[None], R, axis=0)
    sign = -np.ones(R)
    a0 = rng.uniform(0.05, 0.95, (R, 6))

    def pre():
        tr.batched_pretrain(a0, sign, X, Y, epochs=args.steps, lr=1e-3, free=False, c=0.05)

    Ws, bs = tr.batched_network_parameters(a0, tr.theorem31_ratios(a0, sign), sign)

    def raw():
        train_raw([W.copy() for W in Ws], [b.copy() for b in bs], X, Y, epochs=args.steps, lr=1e-3)

    t_pre, t_raw = np.inf, np.inf
    for _ in range(args.repeat):              # interleaved, so a changing machine load hits both
        t_pre = min(t_pre, _best(pre, 1) / args.steps)
        t_raw = min(t_raw, _best(raw, 1) / args.steps)
    out = {"runs": R, "n": n, "pretrain_step_s": t_pre, "raw_adam_step_s": t_raw,
           "ratio_pretrain_over_raw": t_pre / t_raw, "target": "<= 1.5"}
    try:
        import torch
        torch.set_num_threads(2)
        ta = torch.tensor(a0, dtype=torch.float64, requires_grad=True)
        tx = torch.tensor(X[:, 0], dtype=torch.float64)
        ty = torch.tensor(Y[:, :, 0], dtype=torch.float64)
        opt = torch.optim.Adam([ta], lr=1e-3)

        def torch_pre():
            for _ in range(args.steps):
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

        t_torch = _best(torch_pre, args.repeat) / args.steps
        out["torch_series_pretrain_step_s"] = t_torch
        out["ratio_pretrain_over_torch"] = t_pre / t_torch
    except ImportError:
        pass
    print(f"paper 003 bench: {R} networks x {n} points")
    print(f"  pretraining step (weight map + network + VJP + Adam): {t_pre * 1e3:.3f} ms")
    print(f"  plain Adam step on raw weights:                      {t_raw * 1e3:.3f} ms")
    print(f"  ratio {out['ratio_pretrain_over_raw']:.2f} (target <= 1.5)")
    if "torch_series_pretrain_step_s" in out:
        print(f"  PyTorch autograd pretraining step (series form):     {out['torch_series_pretrain_step_s'] * 1e3:.3f} ms"
              f"  -> ratio {out['ratio_pretrain_over_torch']:.2f}")
    return out
