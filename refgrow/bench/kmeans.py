"""Benchmark: one weighted Lloyd iteration on 60 000 x 784 points, k = 10, against scikit-learn's
``KMeans(sample_weight=...)`` doing the same iteration from the same initial centres, in the same run.

Both sides run the full public call with ``max_iter=1``: validation, centring, squared row norms,
tolerance, one assignment + weighted-mean update, the final assignment that makes labels consistent
with the returned centres, and the inertia.  refgrow's distances use the expansion
``||x||^2 - 2 x.c + ||c||^2`` (one (n, D) x (D, k) product) and its update one (k, n) x (n, D) product:
no (n, k, D) temporary.  The bare BLAS products (two ``X @ C.T`` and one ``X.T @ M.T``) are timed too,
as the floor no implementation in NumPy can go below.

Target: ratio refgrow / scikit-learn <= 2.

Command: ``python -m refgrow bench kmeans [--n 60000 --dim 784 --k 10 --repeat 5 --threads T]``.
"""
from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

from refgrow.bench._timing import blas_threads, compare, default_threads, report
from refgrow.kmeans import weighted_kmeans


def run(argv) -> dict:
    p = argparse.ArgumentParser(prog="refgrow bench kmeans")
    p.add_argument("--n", type=int, default=60000)
    p.add_argument("--dim", type=int, default=784)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--threads", type=int, default=default_threads())
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    a = p.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.random((a.n, a.dim))                        # pixel-like values in [0, 1)
    w = rng.exponential(size=a.n)                       # loss-like positive weights
    C0 = X[rng.choice(a.n, size=a.k, replace=False)].copy()

    def mine():
        return weighted_kmeans(X, w, a.k, init=C0, max_iter=1)

    try:
        from sklearn.cluster import KMeans
        import sklearn
    except ImportError:
        print("bench kmeans: scikit-learn is not installed (pip install -e .[oracle]); nothing to compare")
        return {"skipped": "scikit-learn not installed"}

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return KMeans(n_clusters=a.k, init=C0, n_init=1, max_iter=1,
                          algorithm="lloyd").fit(X, sample_weight=w)

    M = np.zeros((a.k, a.n))
    M[rng.integers(0, a.k, size=a.n), np.arange(a.n)] = w

    def floor():                                        # the products refgrow cannot avoid
        X @ C0.T
        X @ C0.T
        X.T @ M.T

    try:
        from threadpoolctl import threadpool_limits
        limit = threadpool_limits(limits=a.threads)     # BLAS and OpenMP (scikit-learn's Cython)
    except ImportError:                                 # pragma: no cover - optional
        limit = None
    try:
        with blas_threads(a.threads):
            res = compare(mine, theirs, repeat=a.repeat)
            t0 = time.perf_counter()
            for _ in range(a.repeat):
                floor()
            floor_s = (time.perf_counter() - t0) / a.repeat
            r, s = mine(), theirs()
    finally:
        if limit is not None:
            limit.restore_original_limits()
    agree = {"max_abs_center_diff": float(np.max(np.abs(r.centers - s.cluster_centers_))),
             "labels_equal": bool(np.array_equal(r.labels, s.labels_)),
             "inertia_rel_diff": float(abs(r.inertia - s.inertia_) / s.inertia_)}
    res.update(n=a.n, dim=a.dim, k=a.k, threads=a.threads, blas_floor_s=floor_s,
               ratio_to_blas_floor=res["mine_s"] / floor_s, sklearn=sklearn.__version__, **agree)
    report(f"kmeans one weighted Lloyd iteration {a.n}x{a.dim}, k={a.k}, {a.threads} threads "
           "(refgrow vs scikit-learn)", res, target=2.0)
    print(f"  bare BLAS products {floor_s * 1e3:.1f} ms (refgrow / floor {res['ratio_to_blas_floor']:.2f}); "
          f"centres agree to {agree['max_abs_center_diff']:.1e}, labels equal: {agree['labels_equal']}")
    if a.json:
        print(json.dumps(res, indent=1))
    return res
