"""Benchmark: TINY's best update and new neurons for a 784 -> 256 -> 10 layer pair, n = 10 000
samples, against the bare matrix products that no implementation can avoid.

Symbols: ``B_in`` (n, 785) = [x, 1] (the paper's B_{l-2}^T), ``B`` (n, 257) = [relu(x W^T), 1]
(B_{l-1}^T), ``V`` (n, 10) = V_goal^T (random here: the cost does not depend on its values).

Sides (timed in rotating blocks by :mod:`refgrow.bench._timing`)
    ``public``            the public calls a user chains, with their defaults: ``best_update(B, V)``,
                          ``projected_goal(B, V, dW)``, ``new_neurons(B_in, V_goal_proj)`` (validation
                          on; ``S^{-1/2}`` from the eigendecomposition of S, the formula as written)
    ``public_cholesky``   the same chain with ``new_neurons(..., cholesky=True)``: the certified Cholesky
                          shortcut (same neurons up to rounding when S is well conditioned)
    ``core``              ``tiny_from_activations(B_in, B, V)``: the same work in one call that validates
                          each matrix once and takes the certified Cholesky shortcut (what the
                          network-level steps run); ``--rank-deficient`` makes S singular, so every side
                          takes the thresholded eigendecomposition
    ``blas_floor``        the bare products: the Gram matrices ``B_in^T B_in`` (785 x 785) and ``B^T B``
                          (257 x 257) and the cross products ``B^T V``, ``B_in^T V`` (one BLAS call each)

There is no peer library; the target is ``public/blas_floor <= 2``.

Command: ``python -m refgrow bench tiny [--n 10000 --sizes 784,256,10 --rank-deficient]`` plus the
common options.
"""
from __future__ import annotations

import numpy as np

from refgrow.cliargs import positive_int
from refgrow.bench._timing import (common_parser, make_result, resolve_common, run_sides,
                                   thread_limits)
from refgrow.growth.tiny import best_update, new_neurons, projected_goal, tiny_from_activations

TITLE = "TINY best update + new neurons vs its bare Gram products (target public/blas_floor <= 2)"
QUICK_N = 3000


def _parser():
    p = common_parser("refgrow bench tiny", __doc__.split("\n\n")[0])
    p.add_argument("--n", type=positive_int, default=None, help=f"samples (default 10000, --quick {QUICK_N})")
    p.add_argument("--sizes", default="784,256,10", help="d_in,width,d_out (default 784,256,10)")
    p.add_argument("--rank-deficient", action="store_true",
                   help="zero 100 input columns (like Fashion-MNIST's constant border pixels): S is singular "
                        "and the thresholded eigendecomposition path is timed instead of the Cholesky path")
    return p


def sides(n, d_in, width, d_out, *, rank_deficient=False, rng=0):
    """The callables of the three sides."""
    rng = np.random.default_rng(rng)
    X = rng.standard_normal((n, d_in))
    if rank_deficient:
        X[:, :min(100, d_in - 1)] = 0.0
    W = rng.standard_normal((width, d_in)) * np.sqrt(2.0 / d_in)
    B_in = np.hstack([X, np.ones((n, 1))])
    B = np.hstack([np.maximum(X @ W.T, 0.0), np.ones((n, 1))])
    V = rng.standard_normal((n, d_out))

    def public():
        dW = best_update(B, V)
        return dW, new_neurons(B_in, projected_goal(B, V, dW))

    def public_cholesky():
        dW = best_update(B, V)
        return dW, new_neurons(B_in, projected_goal(B, V, dW), cholesky=True)

    def core():
        return tiny_from_activations(B_in, B, V)

    def floor():
        return B_in.T @ B_in, B.T @ B, B.T @ V, B_in.T @ V

    return {"public": public, "public_cholesky": public_cholesky, "core": core, "blas_floor": floor}


def run(argv) -> dict:
    a = _parser().parse_args(argv)
    opts = resolve_common(a)
    n = a.n if a.n is not None else (QUICK_N if a.quick else 10_000)
    try:
        d_in, width, d_out = (int(s) for s in a.sizes.split(","))
    except ValueError:
        raise ValueError("--sizes must be three comma-separated integers d_in,width,d_out, "
                         f"got {a.sizes!r}") from None
    if min(n, d_in, width, d_out) < 1:
        raise ValueError(f"--n and --sizes must be >= 1, got n={n}, sizes={a.sizes!r}")
    with thread_limits(opts["threads"]):
        times = run_sides(sides(n, d_in, width, d_out, rank_deficient=a.rank_deficient), opts)
    res = make_result("tiny", params={"n": n, "sizes": [d_in, width, d_out],
                                      "rank_deficient": bool(a.rank_deficient)},
                      times=times, threads=opts["threads"], backend=opts["backend"], peer=None,
                      target={"ratio": "public/blas_floor", "max": 2.0},
                      pairs=(("public", "blas_floor"), ("public_cholesky", "blas_floor"),
                             ("core", "blas_floor")))
    res["title"] = TITLE
    return res
