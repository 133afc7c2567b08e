"""Weighted k-means (k-means++ seeding with weights, weighted Lloyd iterations).

Single concern: weighted k-means (seeding, Lloyd steps, inertia) in any array namespace, with the
exact power-of-two rescaling that keeps its squared distances inside float64; the public functions
share those private steps, so splitting them would only move the helpers away from their one user.

The slides of 000 ("Find Typical Mis-Predicted Instance") cluster a sample S of training inputs by
**weighted k-means with the per-instance losses L as weights**, take the cluster with the highest
mean loss and return the instance nearest its centroid; Algorithm 1 of 002 clusters the
mis-predictions.  This module is that clustering step.  It minimises the weighted inertia::

    J(c, labels) = sum_i w_i || x_i - c_{labels_i} ||^2                          (inertia)

by Lloyd's alternation: assignment ``labels_i = argmin_j ||x_i - c_j||^2`` and update
``c_j = sum_{i in C_j} w_i x_i / sum_{i in C_j} w_i`` (weighted mean).  Seeding is k-means++
(Arthur & Vassilvitskii 2007) with the weights: the first seed is drawn with probability
proportional to w_i, each further seed among ``2 + floor(ln k)`` candidates drawn proportionally to
``w_i D(x_i)^2`` (D = distance to the nearest chosen seed), keeping the candidate that lowers the
weighted potential most (greedy local trials, as in scikit-learn).

Symbol table
------------
=============  ===================  ===========================================
symbol         code name            shape / meaning
=============  ===================  ===========================================
x_i            ``X[i]``             (n, D) points, rows are samples
w_i (l_i)      ``sample_weight``    (n,) non-negative weights (losses in 000)
k              ``n_clusters``       number of clusters
c_j            ``centers[j]``       (k, D) cluster centres
C_j            ``labels == j``      (n,) cluster index of every point
W_j            ``W``                (k,) total weight of cluster j
D(x)^2         ``closest``          (n,) squared distance to the nearest seed
J              ``inertia``          float, sum_i w_i ||x_i - c_{labels_i}||^2
=============  ===================  ===========================================

Interpretation notes
--------------------
* **Distances** use the expansion ``||x||^2 - 2 x.c + ||c||^2`` (a BLAS product, no (n, k, D)
  temporary) on data centred by its (unweighted) column mean, which leaves all distances unchanged
  and reduces cancellation (as scikit-learn does).  The reported inertia is computed from direct
  differences ``x_i - c_j`` in row chunks, so it is accurate to rounding.
* **Convergence** (scikit-learn's rule): stop when the labels of an iteration equal those of the
  previous one ("strict convergence"), or when the total squared centre shift ``sum_j ||c_j^new -
  c_j||^2`` is at most ``tol * mean_d Var(X[:, d])`` (unweighted per-feature variance, as in
  scikit-learn), or after ``max_iter`` iterations.  Unless strictly converged, a final assignment
  step makes the labels consistent with the returned centres.  ``n_iter`` counts update steps.
* **Empty clusters.** A cluster is empty when its total weight is 0 (it may still hold zero-weight
  points).  Its centre is moved to the point contributing most to the inertia, the largest
  ``w_i ||x_i - c_{labels_i}||^2``, taken out of its donor cluster (whose weighted sum and weight
  are reduced), provided the donor keeps another positive-weight point; the distance is to the
  centre the point was just assigned to (before the update), as in scikit-learn.  Zero-weight
  points thus never become centres, neither as seeds nor by relocation.  If no such point exists
  (e.g. fewer distinct positive-weight points than clusters), the empty cluster keeps its previous
  centre and :func:`weighted_kmeans` warns that fewer than k clusters carry weight.  Relocation is
  not invariant to replacing an integer weight by duplicated rows (a duplicated point moves one copy
  at a time); the duplication equivalence holds whenever no cluster empties.
  scikit-learn relocates to the farthest point by *unweighted* distance, which may be a zero-weight
  point; the two agree whenever no cluster empties.
* **Scale invariance.** Multiplying all weights by a constant changes neither the seeding
  probabilities, the centres nor the labels; the inertia scales by the same constant.  Integer
  weights are equivalent to duplicating rows (tested).
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import NamedTuple

import numpy as np

from ._validation import array_namespace, as_float_array, as_labels, check_bool, check_positive_int, check_rng
from .backend import astype, device_kw, from_numpy, ldexp, to_numpy

__all__ = ["KMeansResult", "weighted_kmeans", "kmeans_plusplus", "lloyd_iteration",
           "weighted_inertia"]

_CHUNK = 4096


class KMeansResult(NamedTuple):
    """Result of :func:`weighted_kmeans` (field names pinned in DESIGN.md).

    Attributes
    ----------
    centers : ndarray, shape (k, D)
    labels : ndarray of int64, shape (n,)
    inertia : float
        ``sum_i w_i ||x_i - centers[labels_i]||^2``.
    n_iter : int
        Lloyd update steps run (of the best of ``n_init`` runs).
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int


# ----------------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------------
def _check_inputs(X, sample_weight, n_clusters):
    X = as_float_array(X, "X", ndim=2)
    n = X.shape[0]
    xp = array_namespace(X)
    if sample_weight is None:
        w = xp.ones(n, dtype=xp.float64, **device_kw(xp, X))
    else:
        w = as_float_array(sample_weight, "sample_weight", ndim=1, allow_empty=True)
        if w.shape[0] != n:
            raise ValueError(f"sample_weight must have shape ({n},) (one weight per row of X), "
                             f"got {w.shape}")
    if bool(xp.any(w < 0)):
        raise ValueError(f"sample_weight must be >= 0, got minimum {float(xp.min(w))!r}")
    if not math.isfinite(float(xp.sum(w))):
        raise ValueError("sample_weight is too large in magnitude: its sum overflows float64 (only the "
                         "relative weights matter for the centres; rescale them)")
    n_pos = int(xp.count_nonzero(w > 0))
    if n_pos == 0:
        raise ValueError("sample_weight must have at least one positive entry, got all zeros")
    k = check_positive_int(n_clusters, "n_clusters")
    if k > n_pos:
        raise ValueError(f"n_clusters must be <= the number of positive-weight points ({n_pos}), "
                         f"got {k}")
    return X, w, k


def _power_of_two_scale(*arrays) -> int:
    """Exponent ``e`` such that ``arrays * 2**-e`` have entries of order 1 when their squares would
    overflow or underflow float64 (else 0). Scaling by a power of two is exact, so k-means on the
    scaled data makes the same choices and gives ``2**-e`` times the same centres.

    Interpretation note: squared distances of points beyond ~1e154 overflow float64 (NaN centres
    before this scaling); the centres and labels are scale-equivariant, so refgrow computes them on
    the scaled data instead of raising.
    """
    amax = max((float(array_namespace(a).max(array_namespace(a).abs(a))) for a in arrays
                if math.prod(a.shape)), default=0.0)
    if amax > 2.0 ** 400 or 0.0 < amax < 2.0 ** -400:
        return math.frexp(amax)[1]
    return 0


def _ldexp(a, e: int):
    """``a * 2**e`` (exact), in the namespace of ``a``."""
    return ldexp(array_namespace(a), a, e)


def _weight_scale(w) -> tuple:
    """``(w * 2**-ew, ew)``: weights of order 1 (exact; centres depend on relative weights only)."""
    ew = _power_of_two_scale(w)
    return (_ldexp(w, -ew), ew) if ew else (w, 0)


def _unscaled_inertia(inertia: float, e: int, ew: int = 0) -> float:
    """``inertia * 2**(2 e + ew)`` for data scaled by ``2**-e`` and weights by ``2**-ew``."""
    try:
        return math.ldexp(inertia, 2 * e + ew)
    except OverflowError:
        raise ValueError("X and centers are too large in magnitude: the inertia (a sum of squared "
                         "distances) overflows float64; rescale them") from None


# ----------------------------------------------------------------------------------------------
# building blocks
# ----------------------------------------------------------------------------------------------
def _row_sq(X):
    """``||x_i||^2`` for every row (n,): ``einsum`` in NumPy (no (n, D) temporary), else ``sum(X*X)``."""
    if isinstance(X, np.ndarray):
        return np.einsum("ij,ij->i", X, X)
    return array_namespace(X).sum(X * X, axis=1)


def _clip0(A):
    """``max(A, 0)``, in place for NumPy."""
    if isinstance(A, np.ndarray):
        return np.maximum(A, 0.0, out=A)
    return array_namespace(A).maximum(A, 0.0)


def _sq_dist_to(X, x_sq, C):
    """(n, m) squared distances ||x_i||^2 - 2 x_i.c_j + ||c_j||^2 (clipped at 0)."""
    D2 = X @ C.T
    D2 *= -2.0
    D2 += x_sq[:, None]
    D2 += _row_sq(C)[None, :]
    return _clip0(D2)


def _assign(X, x_sq, C):
    """Labels argmin_j ||x_i - c_j||^2 and the squared distance to the chosen centre."""
    xp = array_namespace(X, C)
    G = X @ C.T                                   # (n, k); the only O(n k D) work
    G *= -2.0
    G += _row_sq(C)[None, :]                      # ||c||^2 - 2 x.c (||x||^2 is the same for all j)
    labels = xp.argmin(G, axis=1)
    if xp is np:
        d2 = G[np.arange(G.shape[0]), labels] + x_sq
    else:                                         # the array API has no paired integer indexing
        d2 = xp.take_along_axis(G, labels[:, None], axis=1)[:, 0] + x_sq
    return labels, _clip0(d2)


def _weighted_sums(X, w, labels, k):
    """Per-cluster weighted sums S_j = sum_{i in C_j} w_i x_i (k, D) and weights W_j (k,)."""
    n = X.shape[0]
    xp = array_namespace(X, w)
    if xp is not np:                              # the same (k, n) operand without a scatter
        M = xp.where(labels[None, :] == xp.arange(k, **device_kw(xp, X))[:, None], w[None, :], 0.0)
        return (X.T @ M.T).T, xp.sum(M, axis=1)
    M = np.zeros((k, n))
    M[labels, np.arange(n)] = w                   # weighted one-hot, a (k, n) BLAS operand
    # (X^T M^T)^T == M X; OpenBLAS is markedly faster with X as the transposed operand here
    return (X.T @ M.T).T, np.bincount(labels, weights=w, minlength=k)


def _update(X, w, labels, d2, centers_old):
    """Weighted-mean update with empty-cluster relocation; returns (centers, relocated?)."""
    k = centers_old.shape[0]
    S, W = _weighted_sums(X, w, labels, k)
    xp = array_namespace(X)
    if xp is not np:
        if int(xp.count_nonzero(W == 0)) == 0:    # no empty cluster: every centre is a weighted mean
            return S / W[:, None], False
        # documented host fallback: relocating an empty cluster walks the points one by one (a
        # sequential, data-dependent loop); rare, so the arrays are copied to the host explicitly
        c, rel = _update(to_numpy(X), to_numpy(w), to_numpy(labels), to_numpy(d2), to_numpy(centers_old))
        return from_numpy(xp, c, X), rel
    empty = np.flatnonzero(W == 0)
    relocated = False
    if empty.size:
        pos_count = np.bincount(labels[w > 0], minlength=k)
        contrib = w * d2
        order = np.argsort(-contrib, kind="stable")
        it = iter(order)
        for j in empty:
            for i in it:
                if contrib[i] <= 0:
                    break
                donor = labels[i]
                if pos_count[donor] <= 1:
                    continue
                S[donor] -= w[i] * X[i]
                W[donor] -= w[i]
                pos_count[donor] -= 1
                S[j] = w[i] * X[i]
                W[j] = w[i]
                relocated = True
                break
    centers = centers_old.copy()
    ok = W > 0
    centers[ok] = S[ok] / W[ok, None]
    return centers, relocated


def weighted_inertia(X, sample_weight, centers, labels) -> float:
    """Weighted inertia ``J = sum_i w_i ||x_i - c_{labels_i}||^2`` from direct differences.

    Parameters
    ----------
    X : ndarray, shape (n, D)
    sample_weight : ndarray, shape (n,)
    centers : ndarray, shape (k, D)
    labels : ndarray of int, shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> weighted_inertia(np.array([[0.0], [2.0]]), np.array([1.0, 3.0]), np.array([[1.0]]),
    ...                  np.array([0, 0]))
    4.0
    """
    X, w, _ = _check_inputs(X, sample_weight, 1)
    C = as_float_array(centers, "centers", ndim=2, shape=(None, X.shape[1]))
    labels = as_labels(labels, "labels", X.shape[0], C.shape[0])
    e = _power_of_two_scale(X, C)
    if e:
        return _unscaled_inertia(_weighted_inertia(_ldexp(X, -e), w, _ldexp(C, -e), labels), e)
    return _weighted_inertia(X, w, C, labels)


def _weighted_inertia(X, w, C, labels) -> float:
    """Pure math of :func:`weighted_inertia` (validated inputs), in the namespace of ``X``."""
    xp = array_namespace(X)
    total = 0.0
    n = X.shape[0]
    for s in range(0, n, _CHUNK):
        e = min(s + _CHUNK, n)                    # the array API refuses slices past the end
        diff = X[s:e, :] - xp.take(C, labels[s:e], axis=0)
        total += float(_row_sq(diff) @ w[s:e])
    return total


def lloyd_iteration(X, sample_weight, centers):
    """One weighted Lloyd iteration: assignment, then weighted-mean update (with relocation).

    Implements ``labels_i = argmin_j ||x_i - c_j||^2`` and ``c_j <- sum_{i in C_j} w_i x_i /
    sum_{i in C_j} w_i`` (the two steps of Lloyd's algorithm with weights).

    Parameters
    ----------
    X : ndarray, shape (n, D)
    sample_weight : ndarray, shape (n,), or None for unit weights
    centers : ndarray, shape (k, D)
        Current centres.

    Returns
    -------
    new_centers : ndarray, shape (k, D)
    labels : ndarray of int64, shape (n,)
        Assignment to the *input* centres.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [10.0], [12.0]])
    >>> c, lab = lloyd_iteration(X, np.array([1.0, 3.0, 1.0, 1.0]), np.array([[0.0], [9.0]]))
    >>> c.ravel().tolist(), lab.tolist()
    ([0.75, 11.0], [0, 0, 1, 1])
    """
    X, w, _ = _check_inputs(X, sample_weight, 1)
    C = as_float_array(centers, "centers", ndim=2, shape=(None, X.shape[1]))
    w, _ = _weight_scale(w)
    e = _power_of_two_scale(X, C)
    Xs, Cs = (_ldexp(X, -e), _ldexp(C, -e)) if e else (X, C)
    x_sq = _row_sq(Xs)
    labels, d2 = _assign(Xs, x_sq, Cs)
    new, _ = _update(Xs, w, labels, d2, Cs)
    return (_ldexp(new, e) if e else new), labels


def _plusplus(X, x_sq, w, k, rng, n_local_trials):
    """k-means++ with weights on already validated (centred) data; returns (centers, indices).

    Documented host fallback: the seeding draws from ``rng`` (a NumPy Generator) with probabilities
    computed from the data, so outside NumPy the data are copied to the host explicitly, seeded there
    (the same draws, hence the same seeds as NumPy), and the centres copied back."""
    xp = array_namespace(X)
    if xp is not np:
        C, idx = _plusplus(to_numpy(X), to_numpy(x_sq), to_numpy(w), k, rng, n_local_trials)
        return from_numpy(xp, C, X), idx
    n = X.shape[0]
    idx = np.empty(k, dtype=np.int64)
    idx[0] = rng.choice(n, p=w / w.sum())
    closest = _sq_dist_to(X, x_sq, X[idx[:1]])[:, 0]
    pot = float(closest @ w)
    for c in range(1, k):
        mass = w * closest
        cum = np.cumsum(mass)
        positive = np.flatnonzero(mass > 0)
        if positive.size == 0:
            # every positive-weight point coincides with a seed: draw among remaining ones by weight
            rest = np.setdiff1d(np.flatnonzero(w > 0), idx[:c])
            if rest.size == 0:
                rest = np.flatnonzero(w > 0)
            cand = rest[rng.choice(rest.size, size=1, p=w[rest] / w[rest].sum())]
        else:
            r = rng.random(n_local_trials) * cum[-1]
            # side="right": first i with cum[i] > r, so mass[i] > 0 (never a zero-weight point)
            cand = np.searchsorted(cum, r, side="right")
            cand = np.minimum(cand, positive[-1])
        dc = _sq_dist_to(X, x_sq, X[cand])            # (n, trials)
        np.minimum(dc, closest[:, None], out=dc)
        pots = w @ dc
        best = int(np.argmin(pots))
        idx[c] = cand[best]
        closest = dc[:, best].copy()
        pot = float(pots[best])
    del pot
    return X[idx].copy(), idx


def kmeans_plusplus(X, sample_weight, n_clusters, *, rng=None, n_local_trials=None):
    """Weighted k-means++ seeding with greedy local trials.

    Implements k-means++ (Arthur & Vassilvitskii 2007) with weights: first seed ~ w_i / sum w;
    each next seed is the best (lowest potential ``sum_i w_i min(D(x_i)^2, ||x_i - cand||^2)``) of
    ``n_local_trials`` candidates drawn with probability ``w_i D(x_i)^2 / sum_l w_l D(x_l)^2``.

    Parameters
    ----------
    X : ndarray, shape (n, D)
    sample_weight : ndarray, shape (n,), or None
        Non-negative weights; zero-weight points are never chosen.
    n_clusters : int
    rng : Generator or seed, optional
    n_local_trials : int, optional
        Default ``2 + floor(ln k)``.

    Returns
    -------
    centers : ndarray, shape (k, D)
    indices : ndarray of int64, shape (k,)
        Rows of ``X`` chosen as seeds.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]])
    >>> _, idx = kmeans_plusplus(X, np.array([1.0, 0.0, 1.0, 0.0]), 2, rng=0)
    >>> sorted(idx.tolist())
    [0, 2]
    """
    X, w, k = _check_inputs(X, sample_weight, n_clusters)
    rng = check_rng(rng)
    if n_local_trials is None:
        n_local_trials = 2 + int(math.log(k))
    n_local_trials = check_positive_int(n_local_trials, "n_local_trials")
    xp = array_namespace(X)
    e = _power_of_two_scale(X)
    w, _ = _weight_scale(w)
    Xs = _ldexp(X, -e) if e else X
    mu = xp.mean(Xs, axis=0)
    Xc = Xs - mu
    _, idx = _plusplus(Xc, _row_sq(Xc), w, k, rng, n_local_trials)
    return (X[idx].copy() if xp is np else xp.take(X, from_numpy(xp, idx, X), axis=0)), idx


def _lloyd(Xc, x_sq, w, centers, max_iter, tol_abs):
    """Weighted Lloyd loop with scikit-learn's stopping rules; returns (centers, labels, n_iter)."""
    n = Xc.shape[0]
    xp = array_namespace(Xc)
    labels_old = None
    strict = False
    it = 0
    for it in range(max_iter):
        labels, d2 = _assign(Xc, x_sq, centers)
        new, relocated = _update(Xc, w, labels, d2, centers)
        shift = float(xp.sum((new - centers) ** 2))
        centers = new
        if not relocated and labels_old is not None and bool(xp.all(labels == labels_old)):
            strict = True
            break
        if shift <= tol_abs:
            break
        labels_old = labels
    if not strict:
        labels, _ = _assign(Xc, x_sq, centers)
    return centers, labels, it + 1


def weighted_kmeans(X, sample_weight, n_clusters, *, init="k-means++", rng=None, max_iter=300,
                    tol=1e-4, n_init=1, check_input: bool = True) -> KMeansResult:
    """Weighted k-means: weighted k-means++ seeding, then weighted Lloyd iterations.

    Implements the "weighted k-means clustering on S using L as weights" step of the slides' "Find
    Typical Mis-Predicted Instance" (000) and the clustering of mis-predictions in Algorithm 1 of
    002: minimise ``J = sum_i w_i ||x_i - c_{labels_i}||^2``.

    Parameters
    ----------
    X : array_like, shape (n, D)
        Points (rows are samples), finite.
    sample_weight : array_like, shape (n,), or None
        Non-negative finite weights (None: all ones); at least ``n_clusters`` must be positive.
    n_clusters : int
        k >= 1.
    init : "k-means++" or array_like, shape (k, D)
        Seeding method, or the initial centres (then ``n_init`` must be 1).
    rng : Generator or seed, optional
        Randomness of the seeding.
    max_iter : int
        Largest number of Lloyd update steps (>= 1).
    tol : float
        Relative centre-shift tolerance (times the mean per-feature variance of X), >= 0.
    n_init : int
        Number of seedings; the run with the lowest inertia is returned (first on ties).
    check_input : bool, default True
        Validate ``X`` and ``sample_weight`` (float64 conversion, finiteness, non-negative weights,
        enough positive weights). Callers that already hold validated float64 arrays pass ``False``
        (as in ``MLP.forward``); the arithmetic is identical. The scalar options and ``init`` are
        checked either way.

    Returns
    -------
    KMeansResult
        ``(centers (k, D), labels (n,), inertia, n_iter)``.

    Raises
    ------
    ValueError
        Negative, all-zero or NaN weights; more clusters than positive-weight points; bad ``init``
        shape; ``n_init > 1`` with an explicit ``init``.
    TypeError
        Non-numeric inputs or a non-integer ``n_clusters``/``max_iter``/``n_init``.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> res = weighted_kmeans(X, [1.0, 3.0, 1.0, 1.0], 2, rng=0)
    >>> sorted(res.centers.ravel().tolist()), float(res.inertia)
    ([0.75, 10.5], 1.25)
    """
    if check_bool(check_input, "check_input"):
        X, w, k = _check_inputs(X, sample_weight, n_clusters)
    else:
        w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        k = check_positive_int(n_clusters, "n_clusters")
    max_iter = check_positive_int(max_iter, "max_iter")
    n_init = check_positive_int(n_init, "n_init")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (tol >= 0
                                                                           and math.isfinite(tol)):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    given = None
    if isinstance(init, str):
        if init != "k-means++":
            raise ValueError(f"init must be 'k-means++' or a ({k}, {X.shape[1]}) array, got {init!r}")
    else:
        given = as_float_array(init, "init", ndim=2, shape=(k, X.shape[1]))
        if n_init != 1:
            raise ValueError(f"n_init must be 1 when init is an array, got {n_init}")
    rng = check_rng(rng)
    e = _power_of_two_scale(X) if given is None else _power_of_two_scale(X, given)
    w, ew = _weight_scale(w)
    if e:                                            # see _power_of_two_scale
        X = _ldexp(X, -e)
        given = None if given is None else _ldexp(given, -e)
    res = _weighted_kmeans(X, w, k, given, rng, max_iter, float(tol), n_init)
    if e or ew:
        return res._replace(centers=_ldexp(res.centers, e) if e else res.centers,
                            inertia=_unscaled_inertia(res.inertia, e, ew))
    return res


def _weighted_kmeans(X, w, k, given, rng, max_iter, tol, n_init) -> KMeansResult:
    """The computation of :func:`weighted_kmeans` on validated inputs (``given``: initial centres or
    None for k-means++; ``rng`` a Generator), in the namespace of ``X``."""
    xp = array_namespace(X)
    mu = xp.mean(X, axis=0)
    Xc = X - mu                                      # distances are translation invariant
    x_sq = _row_sq(Xc)
    # mean_d Var(X[:, d]) = sum_i ||x_i - mean||^2 / (n D), read off the centred row norms
    tol_abs = float(xp.sum(x_sq)) / (X.shape[0] * X.shape[1]) * tol if tol > 0 else 0.0
    best = None
    n_trials = 2 + int(math.log(k))
    for _ in range(n_init):
        if given is not None:
            c0 = given - mu
        else:
            c0, _idx = _plusplus(Xc, x_sq, w, k, rng, n_trials)
        centers, labels, n_iter = _lloyd(Xc, x_sq, w, c0, max_iter, tol_abs)
        inertia = _weighted_inertia(Xc, w, centers, labels)
        if best is None or inertia < best[2]:
            best = (centers, labels, inertia, n_iter)
    centers, labels, inertia, n_iter = best
    n_live = int(xp.count_nonzero(_weighted_sums(Xc, w, labels, k)[1] > 0)) if xp is not np else \
        int(np.count_nonzero(np.bincount(labels, weights=w, minlength=k) > 0))
    if n_live < k:
        warnings.warn(f"weighted_kmeans: only {n_live} of n_clusters={k} clusters carry positive "
                      "weight (duplicate points?); the others keep their previous centres",
                      RuntimeWarning, stacklevel=3)
    return KMeansResult(centers=centers + mu, labels=astype(xp, labels, xp.int64), inertia=inertia,
                        n_iter=n_iter)
