"""Benchmark: how the cost grows with the number of samples n, the width and the input dimension d,
for the training step, TINY and weighted k-means (public API, validation on).

For each method and each of the three size parameters, three sizes are timed (the other two
parameters at their base value), in rotating blocks by :mod:`refgrow.bench._timing`, and the
exponent ``p`` of ``time ~ size^p`` is fitted by least squares on the log-log points.

==========  =======================================  ==================================================
method      timed call                               sizes (n / width / d; base value in the middle)
==========  =======================================  ==================================================
mlp-step    forward, CE loss, backward (dX), SGD     batch 128, 512, 2048 / hidden 64, 256, 1024 /
                                                     D 196, 784, 3136 (K = 10)
tiny        best_update + projected_goal +           n 2500, 5000, 10000 / width 64, 128, 256 /
            new_neurons                              d_in 196, 392, 784 (d_out = 10)
kmeans      weighted_kmeans(..., max_iter=1)         n 15000, 30000, 60000 / k 5, 10, 20 ("width") /
                                                     D 196, 392, 784
==========  =======================================  ==================================================

``--quick`` uses smaller sizes (``SIZES[method][parameter][1]``); at small sizes fixed per-call costs
flatten the fitted exponents, so read the full-size exponents.
Interpretation: the step is three (n x h x D) products, so about linear in each of n, width and D;
TINY's cost is dominated by the (n x d_in^2) Gram matrix and the d_in^3 factorisation, so about linear
in n, quadratic or more in d_in and weakly dependent on the width; a Lloyd iteration is a few passes
over the (n, D) data, so about linear in n and D and sub-linear in k (the products are memory bound).

Command: ``python -m refgrow bench scaling [--only mlp-step,tiny,kmeans]`` plus the common options.
"""
from __future__ import annotations

import numpy as np

from refgrow.bench._timing import (common_parser, fit_exponent, make_result, resolve_common,
                                   run_sides, thread_limits)

TITLE = "time vs n, width and d (three sizes each, fitted log-log exponent)"

#: method -> {parameter: (sizes, quick sizes)}; the middle size is the base value of the others
SIZES = {
    "mlp-step": {"n": ((128, 512, 2048), (128, 256, 512)), "width": ((64, 256, 1024), (64, 128, 256)),
                 "d": ((196, 784, 3136), (196, 392, 784))},
    "tiny": {"n": ((2500, 5000, 10000), (1250, 2500, 5000)), "width": ((64, 128, 256), (32, 64, 128)),
             "d": ((196, 392, 784), (98, 196, 392))},
    "kmeans": {"n": ((15000, 30000, 60000), (3750, 7500, 15000)), "width": ((5, 10, 20), (5, 10, 20)),
               "d": ((196, 392, 784), (49, 98, 196))},
}


def _mlp_step(n, width, d):
    from refgrow.losses import softmax_cross_entropy
    from refgrow.mlp import MLP
    from refgrow.optim import SGD
    rng = np.random.default_rng(0)
    net = MLP.init([d, width, 10], rng=rng, init="torch")
    X, y = rng.normal(size=(n, d)), rng.integers(0, 10, size=n)
    opt = SGD(1e-3)

    def step():
        out, cache = net.forward(X)
        _, g = softmax_cross_entropy(out, y)
        opt.step(net, net.backward(cache, g))
    return step


def _tiny(n, width, d):
    from refgrow.growth.tiny import best_update, new_neurons, projected_goal
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((width, d)) * np.sqrt(2.0 / d)
    B_in = np.hstack([X, np.ones((n, 1))])
    B = np.hstack([np.maximum(X @ W.T, 0.0), np.ones((n, 1))])
    V = rng.standard_normal((n, 10))

    def call():
        dW = best_update(B, V)
        return new_neurons(B_in, projected_goal(B, V, dW))
    return call


def _kmeans(n, width, d):
    from refgrow.kmeans import weighted_kmeans
    rng = np.random.default_rng(0)
    X, w = rng.random((n, d)), rng.exponential(size=n)
    C0 = X[rng.choice(n, size=width, replace=False)].copy()
    return lambda: weighted_kmeans(X, w, width, init=C0, max_iter=1)


_MAKERS = {"mlp-step": _mlp_step, "tiny": _tiny, "kmeans": _kmeans}


def _parser():
    p = common_parser("refgrow bench scaling", __doc__.split("\n\n")[0], rounds=3, quick_rounds=3)
    p.add_argument("--only", default="mlp-step,tiny,kmeans", help="comma-separated methods")
    return p


def run(argv) -> dict:
    a = _parser().parse_args(argv)
    opts = resolve_common(a)
    methods = [m for m in a.only.split(",") if m]
    bad = [m for m in methods if m not in SIZES]
    if bad or not methods:
        raise ValueError(f"--only must list methods from {sorted(SIZES)}, got {a.only!r}")
    times, exponents, params = {}, {}, {}
    with thread_limits(opts["threads"]):
        for m in methods:
            table = {p: v[1 if a.quick else 0] for p, v in SIZES[m].items()}
            base = {p: v[1] for p, v in table.items()}
            params[m] = table
            for p, sizes in table.items():
                sides = {}
                for s in sizes:
                    kw = dict(base, **{p: s})
                    sides[f"{m} {p}={s}"] = _MAKERS[m](**kw)
                res = run_sides(sides, opts)
                times.update(res)
                exponents[f"{m} vs {p}"] = fit_exponent(sizes, [res[k]["median"] for k in sides])
    notes = [f"{k}: time ~ size^{v:.2f}" for k, v in exponents.items()]
    out = make_result("scaling", params=params, times=times, threads=opts["threads"],
                      backend=opts["backend"], notes=notes, extra={"exponents": exponents}, pairs=())
    out["title"] = TITLE
    return out
