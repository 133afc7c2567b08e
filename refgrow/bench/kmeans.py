"""Benchmark: one weighted Lloyd iteration on 60 000 x 784 points, k = 10, against scikit-learn's
``KMeans(sample_weight=...)`` doing the same iteration from the same initial centres.

Sides (timed in rotating blocks by :mod:`refgrow.bench._timing`)
    ``public``      ``weighted_kmeans(X, w, k, init=C0, max_iter=1)``: validation, centring, squared row
                    norms, tolerance, one assignment + weighted-mean update, the final assignment that
                    makes the labels consistent with the returned centres, and the inertia
    ``core``        the same call with ``check_input=False`` (no conversion or finiteness scan of X, w)
    ``peer``        ``sklearn.cluster.KMeans(n_clusters=k, init=C0, n_init=1, max_iter=1,
                    algorithm="lloyd").fit(X, sample_weight=w)``
    ``blas_floor``  the products no NumPy implementation avoids: two ``X @ C^T`` (the assignment before
                    and after the update) and one ``X^T M^T`` (the weighted sums, M the (k, n) weighted
                    one-hot matrix)

Target: ``public/peer <= 2``.

Command: ``python -m refgrow bench kmeans [--n 60000 --dim 784 --k 10]`` plus the common options.
"""
from __future__ import annotations

import warnings

import numpy as np

from refgrow.cliargs import positive_int
from refgrow.bench._timing import (common_parser, make_result, resolve_common, run_sides,
                                   thread_limits)
from refgrow.kmeans import weighted_kmeans

TITLE = "one weighted Lloyd iteration, k-means, vs scikit-learn (target public/peer <= 2)"
QUICK_N = 10_000


def _parser():
    p = common_parser("refgrow bench kmeans", __doc__.split("\n\n")[0])
    p.add_argument("--n", type=positive_int, default=None, help=f"points (default 60000, --quick {QUICK_N})")
    p.add_argument("--dim", type=positive_int, default=784, help="dimension D (default 784)")
    p.add_argument("--k", type=positive_int, default=10, help="clusters (default 10)")
    return p


def sides(n, dim, k, *, rng=0, with_peer=True):
    """The callables of the sides, the peer info, and a function checking that both sides agree."""
    rng = np.random.default_rng(rng)
    X = rng.random((n, dim))                            # pixel-like values in [0, 1)
    w = rng.exponential(size=n)                         # loss-like positive weights
    C0 = X[rng.choice(n, size=k, replace=False)].copy()

    def public():
        return weighted_kmeans(X, w, k, init=C0, max_iter=1)

    def core():
        return weighted_kmeans(X, w, k, init=C0, max_iter=1, check_input=False)

    M = np.zeros((k, n))
    M[rng.integers(0, k, size=n), np.arange(n)] = w

    def floor():
        X @ C0.T
        X @ C0.T
        X.T @ M.T

    out = {"public": public, "core": core, "blas_floor": floor}
    peer, agree = None, None
    if with_peer:
        try:
            import sklearn
            from sklearn.cluster import KMeans
        except ImportError:
            return out, None, None

        def peer_fit():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return KMeans(n_clusters=k, init=C0, n_init=1, max_iter=1,
                              algorithm="lloyd").fit(X, sample_weight=w)

        def agree():
            r, s = public(), peer_fit()
            return {"max_abs_center_diff": float(np.max(np.abs(r.centers - s.cluster_centers_))),
                    "labels_equal": bool(np.array_equal(r.labels, s.labels_)),
                    "inertia_rel_diff": float(abs(r.inertia - s.inertia_) / s.inertia_)}

        out["peer"] = peer_fit
        peer = {"name": "scikit-learn", "version": sklearn.__version__}
    return out, peer, agree


def run(argv) -> dict:
    a = _parser().parse_args(argv)
    opts = resolve_common(a)
    n = a.n if a.n is not None else (QUICK_N if a.quick else 60_000)
    if n < 1 or a.dim < 1 or not 1 <= a.k <= n:
        raise ValueError(f"--n, --dim must be >= 1 and --k in [1, n], got {n}, {a.dim}, {a.k}")
    try:
        import sklearn.cluster  # noqa: F401  (its OpenMP pool exists before the limits are set)
    except ImportError:
        pass
    with thread_limits(opts["threads"]):
        fns, peer, agree = sides(n, a.dim, a.k)
        times = run_sides(fns, opts)
        extra = agree() if agree else {}
    notes = [] if peer else ["scikit-learn is not installed (pip install -e .[oracle]): no peer timed"]
    res = make_result("kmeans", params={"n": n, "dim": a.dim, "k": a.k}, times=times,
                      threads=opts["threads"], backend=opts["backend"], peer=peer,
                      target={"ratio": "public/peer", "max": 2.0}, notes=notes, extra=extra)
    res["title"] = TITLE
    return res
