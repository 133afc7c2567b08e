"""Checks of exercise 05 (weighted_kmeans); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.context import Feedback
from refgrow.exercises.checks._base import Check, _rng, _seed, _st

__all__ = ["CHECKS_05"]


_H_LL = ("assign each point to its nearest centre (squared Euclidean distance), then c_j = sum_{i in C_j} "
         "w_i x_i / sum_{i in C_j} w_i: a WEIGHTED mean (skeleton docstring)")
_H_PP = ("first seed: point i with probability w_i / sum w; next seeds: probability w_i D(x_i)^2 / "
         "sum_l w_l D(x_l)^2 with D the distance to the nearest seed so far (squared!); draw with the "
         "given rng only, e.g. rng.choice(n, p=...)")


def _blobs(n_per, k, D, seed):
    r = _rng(seed)
    centers = r.standard_normal((k, D)) * 6.0
    X = np.vstack([c + r.standard_normal((n_per, D)) for c in centers])
    return X, r.uniform(0.2, 3.0, size=X.shape[0]), X[::n_per].copy()


def _lloyd_student(ctx, X, w, C, inp):
    new, lab = ctx.unpack(ctx.call("lloyd_step", X, w, C, inputs=inp), 2, "lloyd_step", "(new_centers, labels)",
                          inp)
    return (ctx.as_array(new, "new_centers", shape=C.shape, inputs=inp),
            ctx.as_array(lab, "labels", shape=(X.shape[0],), inputs=inp, kind="int"))


def _c05_golden(ctx):
    from refgrow.kmeans import lloyd_iteration
    X, w, C = _blobs(4, 3, 2, 501)
    C = C + 0.5                                         # not exactly on a data point
    inp = {"X": X, "sample_weight": w, "centers": C}
    new_ref, lab_ref = lloyd_iteration(X, w, C)
    new, lab = ctx.unpack(ctx.call("lloyd_step", X, w, C, inputs=inp), 2, "lloyd_step", "(new_centers, labels)",
                          inp)
    ctx.expect_close(lab, lab_ref, "labels", inputs=inp, kind="int")
    ctx.expect_close(new, new_ref, "new_centers", inputs=inp)


def _lloyd_draw(n, D, k, seed):
    r = _rng(seed)
    X = r.standard_normal((n, D))
    w = r.integers(1, 4, size=n).astype(np.float64)
    C = X[r.choice(n, size=k, replace=False)] + 1e-3 * r.standard_normal((k, D))
    return X, w, C


def _c05_duplicates(ctx):
    st = _st()

    def body(n, D, k, seed):
        X, w, C = _lloyd_draw(n, D, k, seed)
        Xd = np.repeat(X, w.astype(int), axis=0)
        inp_d = {"X": Xd, "sample_weight": np.ones(Xd.shape[0]), "centers": C}
        inp = {"X": X, "sample_weight": w, "centers": C}
        new_d, _ = _lloyd_student(ctx, Xd, np.ones(Xd.shape[0]), C, inp_d)
        new, _ = _lloyd_student(ctx, X, w, C, inp)
        ctx.expect_close(new, new_d, "new_centers with integer weights w_i (must equal your centres for the data "
                         "with row i repeated w_i times and unit weights, shown as 'expected')", inputs=inp,
                         hint=_H_LL)

    ctx.forall(body, n=st.integers(3, 7), D=st.integers(1, 3), k=st.integers(1, 3), seed=_seed())


def _c05_inertia(ctx):
    from refgrow.kmeans import weighted_inertia
    st = _st()

    def body(n, D, k, seed):
        X, w, C = _lloyd_draw(n, D, k, seed)
        w = w * _rng(seed + 7).uniform(0.1, 2.0, size=n)
        inp = {"X": X, "sample_weight": w, "centers": C}
        new, lab = _lloyd_student(ctx, X, w, C, inp)
        d_old = ((X[:, None, :] - C[None]) ** 2).sum(-1)
        before = weighted_inertia(X, w, C, d_old.argmin(1))
        after = weighted_inertia(X, w, new, lab)
        if not after <= before * (1 + 1e-12) + 1e-12:
            raise Feedback("a Lloyd step increased the weighted inertia J = sum_i w_i ||x_i - c_{label_i}||^2 "
                           f"from {before:.10g} to {after:.10g} (labels = your labels, centres = your new "
                           "centres); each half-step of Lloyd can only lower J", inputs=inp, expected=before,
                           obtained=after)

    ctx.forall(body, n=st.integers(3, 8), D=st.integers(1, 3), k=st.integers(1, 3), seed=_seed())


def _pp_student(ctx, X, w, k, rng, inp):
    idx = ctx.as_array(ctx.call("kmeans_plusplus", X, w, k, rng, inputs=inp), "indices", shape=(k,), inputs=inp,
                       kind="int")
    return idx


def _c05_pp_valid(ctx):
    st = _st()

    def body(n, k, seed):
        r = _rng(seed)
        X = r.standard_normal((n, 2))
        w = r.uniform(0.5, 2.0, size=n)
        w[r.random(n) < 0.4] = 0.0
        k = min(k, int(np.count_nonzero(w)))
        from hypothesis import assume
        assume(k >= 1)
        inp = {"X": X, "sample_weight": w, "n_clusters": k, "rng": f"np.random.default_rng({seed})"}
        idx = _pp_student(ctx, X, w, k, np.random.default_rng(seed), inp)
        if np.any((idx < 0) | (idx >= n)):
            raise Feedback(f"indices must lie in [0, {n}), got {idx.tolist()}", inputs=inp, obtained=idx)
        if np.unique(idx).size != k:
            raise Feedback(f"the {k} seeds must be distinct rows, got {idx.tolist()}", inputs=inp, obtained=idx)
        if np.any(w[idx] == 0):
            raise Feedback(f"a zero-weight point was chosen (indices {idx.tolist()}, weights {w[idx].tolist()}): "
                           "its probability is w_i ... = 0", inputs=inp, obtained=idx)

    ctx.forall(body, n=st.integers(2, 8), k=st.integers(1, 4), seed=_seed())


def _c05_pp_rng(ctx):
    X, w, _ = _blobs(3, 3, 2, 502)
    inp = {"X": X, "sample_weight": w, "n_clusters": 3, "rng": "np.random.default_rng(s) for s in 0..19"}
    runs = [_pp_student(ctx, X, w, 3, np.random.default_rng(s), inp) for s in range(20)]
    again = [_pp_student(ctx, X, w, 3, np.random.default_rng(s), inp) for s in range(20)]
    for s, (p, q) in enumerate(zip(runs, again)):
        if not np.array_equal(p, q):
            raise Feedback(f"two calls with np.random.default_rng({s}) chose different seeds ({p.tolist()} and "
                           f"{q.tolist()}): draw all randomness from the rng argument (not np.random.*)",
                           inputs=inp, expected=p, obtained=q)
    if len({tuple(p) for p in runs}) == 1:
        raise Feedback(f"20 different rng seeds all chose the same seeds {runs[0].tolist()}: the choice must be "
                       "random (drawn with the rng argument)", inputs=inp, obtained=runs[0])


def _pp_exact(X, w):
    """Exact probability of every ordered pair (first seed, second seed) of weighted k-means++."""
    n = X.shape[0]
    P = np.zeros((n, n))
    d2 = ((X[:, None, :] - X[None]) ** 2).sum(-1)
    for i in range(n):
        m = w * d2[i]
        P[i] = w[i] / w.sum() * m / m.sum()
    return P


def _c05_pp_distribution(ctx):
    from scipy.special import chdtrc             # chi-square survival function (lighter than scipy.stats)
    X = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [7.0, 1.0]])
    w = np.array([4.0, 1.0, 1.0, 2.0])
    N = 2000
    inp = {"X": X, "sample_weight": w, "n_clusters": 2, "rng": f"np.random.default_rng(s) for s in 0..{N - 1}"}
    P = _pp_exact(X, w)
    counts = np.zeros_like(P)
    for s in range(N):
        i, j = _pp_student(ctx, X, w, 2, np.random.default_rng(10_000 + s), inp)
        counts[i, j] += 1
    freq = counts / N
    if np.any(counts[P == 0] > 0):
        raise Feedback("a pair of seeds with probability 0 was drawn (the same point twice?)", inputs=inp,
                       expected=P, obtained=freq)
    E = N * P[P > 0]
    stat = float(np.sum((counts[P > 0] - E) ** 2 / E))
    pval = float(chdtrc(E.size - 1, stat))
    if pval < 1e-6:
        raise Feedback(f"over {N} seedings, the frequencies of (first seed, second seed) do not follow weighted "
                       f"k-means++ (chi-square {stat:.1f} on {E.size - 1} degrees of freedom, p = {pval:.2g}); "
                       "row = first seed, column = second seed", inputs=inp, expected=P, obtained=freq)


_LL = ("lloyd_step",)
_PP = ("kmeans_plusplus",)
CHECKS_05 = [
    Check("lloyd_step on a golden example (labels and weighted means)", _LL, 2, _H_LL, _c05_golden),
    Check("lloyd_step: integer weights equal repeated rows (property)", _LL, 2, _H_LL, _c05_duplicates),
    Check("lloyd_step never increases the weighted inertia (property)", _LL, 1, _H_LL, _c05_inertia),
    Check("kmeans_plusplus returns k distinct positive-weight rows (property)", _PP, 1, _H_PP, _c05_pp_valid),
    Check("kmeans_plusplus: the same rng gives the same seeds, different rngs differ", _PP, 1, _H_PP, _c05_pp_rng),
    Check("kmeans_plusplus draws with the weighted D^2 probabilities (chi-square test)", _PP, 3, _H_PP,
          _c05_pp_distribution),
]
