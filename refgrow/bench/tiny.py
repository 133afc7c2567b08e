"""Benchmark: TINY's best update and new neurons for a 784 -> 256 -> 10 layer pair, n = 10 000 samples,
against the bare matrix products that no implementation can avoid, measured in the same run:
the two Gram matrices ``B_in^T B_in`` (785 x 785) and ``B^T B`` (257 x 257) and the two cross products
``B^T V_goal`` and ``B_in^T V_goal_proj`` (one BLAS call each).

"mine" is :func:`refgrow.growth.tiny.tiny_from_activations` (validation included): both Gram
matrices, the pseudo-inverse of S_B (eigh 257), the projection, ``S^{-1/2} N`` (Cholesky when S is
certified well conditioned, else the thresholded eigendecomposition of S; ``--rank-deficient`` times
that path), the thin SVD and the neurons. Target: ratio <= 2.

Symbols: ``B_in`` (n, 785) = [x, 1] (the paper's B_{l-2}^T), ``B`` (n, 257) = [relu(x W^T), 1]
(B_{l-1}^T), ``V`` (n, 10) = V_goal^T (random here: the cost does not depend on its values).

Run: ``python -m refgrow bench tiny`` (``--threads``, ``--n``, ``--repeat``, ``--json``).
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from refgrow.bench._timing import blas_threads, compare, default_threads, report
from refgrow.growth.tiny import tiny_from_activations


def run(argv) -> dict:
    p = argparse.ArgumentParser(prog="refgrow bench tiny", description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--sizes", default="784,256,10", help="d_in,width,d_out")
    p.add_argument("--threads", type=int, default=default_threads())
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--rank-deficient", action="store_true",
                   help="zero 100 input columns (like Fashion-MNIST's constant border pixels): S is singular "
                        "and the thresholded eigendecomposition path is timed instead of the Cholesky path")
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    a = p.parse_args(argv)
    d_in, width, d_out = (int(s) for s in a.sizes.split(","))
    rng = np.random.default_rng(0)
    X = rng.standard_normal((a.n, d_in))
    if a.rank_deficient:
        X[:, :min(100, d_in - 1)] = 0.0
    W = rng.standard_normal((width, d_in)) * np.sqrt(2.0 / d_in)
    B_in = np.hstack([X, np.ones((a.n, 1))])
    B = np.hstack([np.maximum(X @ W.T, 0.0), np.ones((a.n, 1))])
    V = rng.standard_normal((a.n, d_out))

    def mine():
        return tiny_from_activations(B_in, B, V)

    def bare():
        return B_in.T @ B_in, B.T @ B, B.T @ V, B_in.T @ V

    with blas_threads(a.threads):
        res = compare(mine, bare, repeat=a.repeat)
    res.update({"n": a.n, "sizes": [d_in, width, d_out], "threads": a.threads, "target": 2.0,
                "met": res["ratio"] <= 2.0, "rank_deficient": bool(a.rank_deficient)})
    tag = ", rank-deficient S (eigh path)" if a.rank_deficient else ""
    report(f"bench tiny ({d_in}->{width}->{d_out}, n={a.n}, threads={a.threads}{tag}) vs bare Gram products",
           res, target=2.0)
    if a.json:
        print(json.dumps(res))
    return res
