r"""The spectrum of ``S = B^T B / n`` at the float64 noise level: thresholds, rank, discarded energy.

TINY [docs/references.md#tiny] uses the pseudo-inverse ``S^+`` (Prop. 3.1) and the pseudo-inverse
square root ``S^{-1/2}`` (Prop. 3.2) "with the convention that the inverse of 0 eigenvalues is 0".
In floating point, which eigenvalues are 0 is a choice; this module makes it the one an oracle can
defend and reports what it dropped.

Symbol table
------------
==================  ======================  ==========  ===============================================
symbol              code                    shape       meaning
==================  ======================  ==========  ===============================================
B                   ``B``                   (n, d)      activity matrix (rows = samples)
S                   ``S``                   (d, d)      ``B^T B / n``
mu_j, q_j           ``mu``, ``Q[:, j]``     (r,), (d, r)  kept eigenpairs of S (ascending)
sigma_j             ``s``                   (min(n,d),) singular values of B, ``mu_j = sigma_j^2 / n``
rtol                ``rtol``                scalar      kept: ``mu_j > rtol * mu_max``
eps                 ``EPS``                 scalar      float64 machine epsilon
==================  ======================  ==========  ===============================================

Interpretation note (thresholds an oracle can defend)
    ``numpy.linalg.pinv`` and ``lstsq`` treat the singular values of ``B`` below
    ``max(n, d) * eps * sigma_max`` as 0: that is the float64 noise level of an SVD of ``B`` (backward
    stable: errors ``O(eps ||B||)``). In terms of ``S`` that rule is ``mu_j > (max(n, d) eps)^2 mu_max``,
    :func:`default_rtol`. It can only be applied where the ``mu_j`` are known to that accuracy: the
    eigenvalues of the *formed* Gram matrix carry errors of order ``max(n, d) eps mu_max`` (``n``-term
    sums, then ``eigh``), so a noise eigenvalue of ``S`` can pass ``(max(n, d) eps)^2`` (measured: with
    ``B`` of exact rank 3 of 5 columns, thresholding the formed ``S`` that way returns a wrong, huge
    ``dW`` in 164 of 200 random cases). Hence two paths:

    * **Gram path** (fast): ``eigh(S)`` when every eigenvalue is either above ``GRAM_MIN_RATIO * mu_max``
      (``1e-6``: resolved, the Gram matrix loses at most ``eps / GRAM_MIN_RATIO ~ 2e-10`` relative
      accuracy on it) or at the Gram matrix's own noise level ``max(n, d) eps mu_max`` (a null
      direction of ``B``, e.g. a constant-zero input column; it is dropped). The threshold is then
      ``max(rtol, max(n, d) eps)``.
    * **SVD path** (accurate): when an eigenvalue lies between the two, a small but real direction is
      present and the Gram matrix resolves it poorly: ``(mu, Q) = (sigma^2 / n, W)`` from the SVD
      ``R = U diag(sigma) W^T`` of the triangular factor of ``B = Q_B R`` (``B`` itself when ``n < d``),
      whose singular values are resolved to ``eps sigma_max``; kept: ``mu_j > rtol * mu_max``.

    The former default ``rtol = 1e-10`` (a ``1e-5`` cut on ``sigma``) dropped directions that float64
    resolves (the ill-conditioned probe of docs/oracle.md: an eigenvalue ``1.9e-11 mu_max`` of the hidden activity's Gram matrix;
    it now takes the SVD path and agrees with ``lstsq`` to 1e-12); ``rtol=None`` means :func:`default_rtol`.
    Limit, by design: a direction whose Gram eigenvalue drowns in the Gram matrix's noise
    (``sigma < sqrt(max(n, d) eps) sigma_max ~ 1e-7 sigma_max``) while every other eigenvalue is large is
    taken as null, as by every implementation that works with ``S`` (the paper's formulas, gromo); the
    SVD of ``B`` for every ill-conditioned ``S`` would cost 10-40 times the Gram path.

Interpretation note (rank and discarded energy)
    Every result reports the rank it used (the number of kept ``mu_j``) and the **discarded energy**
    ``sum_j (q_j^T N)^2 / mu_j`` over the dropped directions that the computation resolves (above its
    noise level: :func:`default_rtol` on the SVD path, ``max(n, d) eps`` on the Gram path), with
    ``N = B^T V / n``. It is the part of ``||proj_B(V)||^2 / n`` those directions carry, in the units of
    TINY's bottleneck Psi and of ``lambda^2``: how much more the bottleneck would drop with them.
    Directions below the noise level are not directions float64 can tell apart, and are not counted.
    With the default ``rtol`` nothing resolvable is dropped (discarded energy 0); a larger ``rtol``
    that drops more than ``DISCARD_WARN_RTOL * ||V||_F^2 / n`` emits a ``RuntimeWarning``
    (``warn_discarded=False`` in the public functions silences it; the value is still reported).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from refgrow._validation import all_finite, array_namespace, as_float_array, check_bool, check_int, check_real

__all__ = ["EPS", "GRAM_MIN_RATIO", "DISCARD_WARN_RTOL", "default_rtol", "gram_noise", "spectrum", "energy",
           "warn_discarded"]

EPS = float(np.finfo(np.float64).eps)
#: the Gram matrix is decomposed directly only when all its eigenvalues exceed this fraction of the largest
GRAM_MIN_RATIO = 1e-6
#: a RuntimeWarning is emitted when the discarded energy exceeds this fraction of ``||V||^2 / n``
DISCARD_WARN_RTOL = 1e-10


def default_rtol(n, d):
    """``(max(n, d) eps)^2``: numpy's pinv/lstsq rule ``sigma > max(n, d) eps sigma_max`` on ``mu = sigma^2 / n``.

    The default eigenvalue threshold (relative to ``mu_max``) of ``S = B^T B / n`` for ``B`` of shape
    (n, d) (module note).

    Examples
    --------
    >>> default_rtol(100, 6) == (100 * EPS) ** 2
    True
    """
    n, d = check_int(n, "n", low=0), check_int(d, "d", low=0)
    return float((max(n, d) * EPS) ** 2)


def gram_noise(n, d):
    """``max(n, d) eps``: relative noise level of the eigenvalues of a formed Gram matrix ``B^T B / n``."""
    n, d = check_int(n, "n", low=0), check_int(d, "d", low=0)
    return float(max(n, d) * EPS)


def spectrum(S, rtol, *, B=None, N=None):
    """Kept eigenpairs of ``S`` (PSD, (d, d)), by the Gram or the SVD path (module note).

    Parameters
    ----------
    S : ndarray (d, d), ``B^T B / n`` (symmetric)
    rtol : float or None, kept ``mu_j > rtol mu_max``; None: :func:`default_rtol` (with ``B``) or
        :func:`gram_noise` of ``S`` alone (without ``B``, only the Gram path exists); on the Gram path
        at least :func:`gram_noise`
    B : ndarray (n, d), optional, enables the SVD path
    N : ndarray (d, d_out), optional, for the discarded energy

    Returns
    -------
    mu : (r,) kept eigenvalues, ascending
    Q : (d, r) their eigenvectors
    info : dict ``rank``, ``rtol`` (used), ``path`` ("gram" / "svd"), ``discarded_energy``
    """
    S = as_float_array(S, "S", ndim=2, allow_empty=True)
    d = S.shape[0]
    if S.shape[1] != d:
        raise ValueError(f"S must be a square (d, d) matrix, got shape {tuple(S.shape)}")
    if rtol is not None:
        rtol = check_real(rtol, "rtol", low=0.0, high=1.0, high_open=True)
    if B is not None:
        B = as_float_array(B, "B", shape=(None, d), allow_empty=True)
    if N is not None:
        N = as_float_array(N, "N", shape=(d, None), allow_empty=True)
    return _spectrum(S, rtol, B=B, N=N)


def _spectrum(S, rtol, *, B=None, N=None):
    """:func:`spectrum` on validated inputs (the growth steps' inner call)."""
    xp = array_namespace(S, B)
    d = S.shape[0]
    mu, Q = xp.linalg.eigh(S)
    top = float(mu[-1]) if d else 0.0
    path, noise = "gram", gram_noise(B.shape[0] if B is not None else d, d)
    ambiguous = (mu > noise * top) & (mu <= GRAM_MIN_RATIO * top)
    if B is not None and top > 0 and bool(xp.any(ambiguous)):
        n = B.shape[0]
        if n > d:                                           # same singular values, (d, d) when n > d
            # NumPy computes R alone; the array API's qr has no mode="r", so Q is formed and dropped
            R = np.linalg.qr(B, mode="r") if xp is np else xp.linalg.qr(B)[1]
        else:
            R = B
        _, s, Wt = xp.linalg.svd(R, full_matrices=False)
        mu, Q = (xp.flip(s) ** 2) / n, xp.flip(Wt, axis=0).T
        top = float(mu[-1]) if mu.shape[0] else 0.0
        path, noise = "svd", default_rtol(n, d)
    if rtol is None:
        rtol = default_rtol(*B.shape) if B is not None else noise
    if path == "gram":
        rtol = max(rtol, noise)                            # below the Gram noise: null directions
    # mu is ascending, so the kept eigenvalues (mu > rtol top) are its last r entries and the dropped
    # resolvable ones (noise top < mu <= rtol top) the contiguous run [lo, m - r): slices, which every
    # array namespace indexes alike (the array API has no boolean index beside a slice)
    m = mu.shape[0]
    r = int(xp.count_nonzero(mu > rtol * top)) if top > 0 else 0
    energy = 0.0
    if N is not None and top > 0:
        lo = int(xp.count_nonzero(mu <= noise * top))
        if lo < m - r:
            energy = float(xp.sum((Q[:, lo:m - r].T @ N) ** 2 / mu[lo:m - r][:, None]))
    info = {"rank": r, "rtol": float(rtol), "path": path, "discarded_energy": energy}
    return mu[m - r:], Q[:, m - r:], info


def _certified_cholesky(S, rtol):
    """Inverse Cholesky factor ``L^{-1}`` of S when S is *certified* to have all eigenvalues > rtol * mu_max.

    Certificate: ``mu_min = 1 / ||L^{-1}||_2^2`` with ``||L^{-1}||_2^2 <= min(||L^{-1}||_F^2,
    ||L^{-1}||_1 ||L^{-1}||_inf)``, and ``mu_max = ||S||_2 <= min(trace(S), ||S||_inf)``: rigorous
    bounds, O(d^2) from ``L^{-1}`` and S. (The Frobenius and trace bounds alone lose up to a factor d each:
    for d = 785 they refused even a Gram matrix of condition number 3.) When the certificate holds, the
    eigenvalue threshold of the reference path would keep every eigenvalue, and any square root of S
    gives the same neurons (Prop. 3.2 depends on S only through ``S^{-1} N``), so the result is the same
    as with ``S^{-1/2}`` at a fraction of the cost of an eigendecomposition. Returns None otherwise.

    Only the namespace's own ``linalg.cholesky``, ``linalg.inv`` and products are used (:func:`_tril_inv`),
    so the shortcut runs in any array-API namespace (CuPy included) and, for NumPy, in NumPy's BLAS
    thread pool: SciPy ships a second OpenBLAS with its own pool, and a SciPy factorisation right after
    NumPy's Gram products ran while NumPy's worker threads were still spinning (measured with 2 threads
    on 2 cores, d = 785: SciPy's Cholesky + ``dtrtri`` 13-17 ms alone, 50-105 ms after a NumPy product;
    this path 19-25 ms either way).
    """
    xp = array_namespace(S)
    try:
        L = xp.linalg.cholesky(S)                          # lower: S = L L^T
        Linv = _tril_inv(L)
    except np.linalg.LinAlgError:                          # not positive definite (NumPy; CuPy gives NaN)
        return None
    if not all_finite(Linv):
        return None
    A = xp.abs(Linv)
    inv_norm_sq = min(float(xp.sum(Linv * Linv)), float(xp.max(xp.sum(A, axis=0)) * xp.max(xp.sum(A, axis=1))))
    mu_max = min(float(xp.sum(xp.linalg.diagonal(S))), float(xp.max(xp.sum(xp.abs(S), axis=1))))
    if not 1.0 / inv_norm_sq > rtol * mu_max * 10.0:                 # factor 10: rounding margin
        return None
    return Linv


def _tril_inv(L, leaf=64):
    """Inverse of a nonsingular lower-triangular ``L`` (d, d), lower-triangular, by 2 x 2 blocks.

    ``[[A, 0], [C, D]]^{-1} = [[A^{-1}, 0], [-D^{-1} C A^{-1}, D^{-1}]]``, recursively, with
    ``linalg.inv`` on blocks of at most ``leaf`` rows: the work is matrix products (LAPACK's ``dtrtri``
    is the same recursion; neither NumPy nor the array API exposes it). Exact zeros above the diagonal.
    """
    xp = array_namespace(L)
    d = L.shape[0]
    if d <= leaf:
        return xp.tril(xp.linalg.inv(L))
    k = d // 2
    Ai, Di = _tril_inv(L[:k, :k], leaf), _tril_inv(L[k:, k:], leaf)
    out = xp.zeros_like(L)
    out[:k, :k] = Ai
    out[k:, k:] = Di
    out[k:, :k] = -(Di @ (L[k:, :k] @ Ai))                      # -D^{-1} C A^{-1}
    return out


def energy(V) -> float:
    """``||V||_F^2`` as a Python float, computed in the namespace of ``V`` (any shape, finite)."""
    e = _energy(as_float_array(V, "V", allow_empty=True))
    if not math.isfinite(e):
        raise ValueError("V is too large in magnitude: ||V||_F^2 overflows float64")
    return e


def _energy(V) -> float:
    """:func:`energy` of a validated array."""
    return float(array_namespace(V).sum(V * V))


def warn_discarded(energy, goal_energy, what, warn=True):
    """``RuntimeWarning`` when resolvable dropped directions carry a non-negligible part of the goal.

    ``energy`` and ``goal_energy``: finite numbers >= 0; ``what``: the name the warning starts with.
    """
    energy = check_real(energy, "energy", low=0.0)
    goal_energy = check_real(goal_energy, "goal_energy", low=0.0)
    if not isinstance(what, str):
        raise TypeError(f"what must be a str (the name the warning starts with), got {type(what).__name__}")
    _warn_discarded(energy, goal_energy, what, check_bool(warn, "warn"), stacklevel=4)


def _warn_discarded(energy, goal_energy, what, warn=True, *, stacklevel=3):
    """:func:`warn_discarded` on validated values (the growth steps' inner call)."""
    if warn and energy > DISCARD_WARN_RTOL * goal_energy:
        warnings.warn(f"{what}: the pseudo-inverse threshold rtol drops directions that float64 resolves and "
                      f"that carry {energy:.3g} of the goal's energy {goal_energy:.3g} per sample (relative "
                      f"{energy / goal_energy:.3g}); use rtol=None (the float64 noise level) or pass "
                      "warn_discarded=False", RuntimeWarning, stacklevel=stacklevel)
