r"""TINY's mathematics on activity matrices: Props. 3.1-3.4 and Def. 3.1 of TINY [docs/references.md#tiny].

Pure functions of arrays (no network): :func:`with_ones`, :func:`second_moments` (S, N),
:func:`best_update` (Prop. 3.1), :func:`projected_goal`, :func:`expressivity_bottleneck`
(Def. 3.1 / Eq. 4), :func:`new_neurons` (Prop. 3.2, Eq. 9), :func:`new_neurons_geig` (Prop. 3.4),
:func:`tiny_from_activations` (Algorithm 2 without the network). The use on
a network is in :mod:`refgrow.growth.tiny.network`. All run in the namespace of their inputs (``docs/gpu.md``).

Single concern: TINY's propositions on activity matrices, one formula per function (over 500 lines with
the array-namespace forms; the spectrum and its thresholds already live in :mod:`.spectrum`).

Conventions (``DESIGN.md``)
---------------------------
Rows are samples: the paper's column-stacked matrices are transposed here, ``B_paper = B.T``
(d x n) and ``V_paper = V.T``. ``B`` arguments already carry a trailing column of ones when a bias is
wanted (:func:`with_ones`); the last column of ``alpha`` (resp. of ``dW``) is then a bias.
``V_goal`` holds **per-sample** desired moves ``v_goal(x_i) = -d l_i / d a(x_i)`` (the loss is not
averaged over the batch, TINY Sec. 2.3); statistics divide by ``n``.

Symbol table
------------
=====================  ======================  ==============  ==========================================
paper (001)            code                    shape           meaning
=====================  ======================  ==============  ==========================================
B_{l-1}^T              ``B``                   (n, d)          input of layer l (with ones column)
B_{l-2}^T              ``B_in``                (n, d_in)       input of layer l-1 (new neurons' fan-in)
(V_goal^l)^T           ``V_goal``              (n, d_out)      -d l_i / d a_l(x_i), row i
delta W_l^*            ``dW``                  (d_out, d)      best update of layer l (Prop. 3.1)
(V_goal proj^l)^T      ``V_goal_proj``         (n, d_out)      V_goal - B dW^T
S                      ``S``                   (d_in, d_in)    B_in^T B_in / n
N                      ``N``                   (d_in, d_out)   B_in^T V_goal_proj / n
S^{-1/2}               ``pinv_sqrt(S)``        (d_in, d_in)    pseudo-inverse square root
lambda_k               ``singular_values[k]``  (K,)            singular values of S^{-1/2} N (descending)
u_k, v_k               ``U[:, k]``, ``Vt[k]``  (d_in,),(d_out,) singular vectors of S^{-1/2} N
alpha_k                ``alpha[k]``            (K, d_in)       fan-in of neuron k, sqrt(lam_k) S^{-1/2} u_k
omega_k                ``omega[:, k]``         (d_out, K)      fan-out of neuron k, sqrt(lam_k) v_k
Psi^l                  ``expressivity_bottleneck`` scalar      (1/n) ||V - V_goal||_F^2 (Def. 3.1)
=====================  ======================  ==============  ==========================================

Interpretation notes
--------------------
* **Pseudo-inverse threshold and rank** (:mod:`refgrow.growth.tiny.spectrum`). Eigenvalues of ``S``
  ``<= rtol * mu_max`` count as 0 (paper: "the inverse of 0 eigenvalues is 0"). ``rtol=None`` (default)
  is numpy's ``lstsq`` rule ``sigma > max(n, d) eps sigma_max`` on the singular values of ``B``, taken
  through the SVD of ``B`` when the Gram matrix resolves a small direction poorly (the former ``1e-10``
  dropped real directions). Results report the rank used and the energy a larger ``rtol``
  discarded, with a ``RuntimeWarning`` (``warn_discarded=False`` silences it).
  For the new neurons, ``cholesky=True`` (the default
  of :func:`tiny_from_activations` and of the network-level steps; :func:`new_neurons` defaults to the
  formula as written) takes a faster path when it provably gives the same result: if
  ``1/||L^{-1}||_F^2 > 10 rtol trace(S)`` (``S = L L^T``), no eigenvalue can fall below the
  threshold, and since Prop. 3.2's neurons depend on ``S`` only through ``S^{-1} N``
  (``alpha_k = S^{-1} N v_k / sqrt(lambda_k)``), ``L^{-1} N`` replaces ``S^{-1/2} N``.
* **Number of neurons.** ``K* = R = rank(S^{-1/2} N)``, the rank being the number of singular values
  ``> SV_RTOL * lambda_1`` (``SV_RTOL = 1e-8``); ``max_neurons`` and ``min_singular_value`` select fewer.
* **First-order terms (Prop. 3.3)** and the ReLU measurement: :mod:`refgrow.growth.tiny.first_order`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from refgrow._validation import (all_finite, array_namespace, as_float_array, as_sample_pair, check_bool, check_moment_range,
                                 check_positive_int, check_real)
from refgrow.backend import column_signs, concat, copy, device_kw, from_numpy, to_numpy
from refgrow.growth.tiny.spectrum import (DISCARD_WARN_RTOL, GRAM_MIN_RATIO, _certified_cholesky, default_rtol,
                                          _energy, _spectrum, _warn_discarded as _warn)

__all__ = [
    "RTOL", "SV_RTOL", "DISCARD_WARN_RTOL", "GRAM_MIN_RATIO", "default_rtol", "TinyNeurons", "with_ones",
    "second_moments", "pinv_sqrt", "best_update", "projected_goal", "expressivity_bottleneck", "new_neurons",
    "new_neurons_geig", "tiny_from_activations",
]

#: default eigenvalue threshold of S^+ and S^{-1/2}: None = automatic (module note; it was 1e-10)
RTOL = None
#: relative singular-value threshold defining the rank R = K* of S^{-1/2} N
SV_RTOL = 1e-8


class _TinyNeuronsTuple(NamedTuple):
    alpha: np.ndarray
    omega: np.ndarray
    singular_values: np.ndarray


class TinyNeurons(_TinyNeuronsTuple):
    """New neurons of Prop. 3.2: the tuple ``(alpha, omega, singular_values)`` plus what was used.

    Attributes
    ----------
    alpha : ndarray, shape (K, d_in), fan-in (last column = bias when ``B_in`` carried a ones column)
    omega : ndarray, shape (d_out, K), fan-out
    singular_values : ndarray, shape (K,), lambda_1 >= ... > 0; gain ``sum(singular_values**2)`` (Eq. 9)
    rank, S_rank : int, ``R = K*`` (singular values ``> SV_RTOL lambda_1``) and eigen-directions of S kept
    rtol, discarded_energy : float, the threshold used and the energy of resolvable directions it dropped
        (:mod:`refgrow.growth.tiny.spectrum`; 0 with the default). Not tuple fields: ``alpha, omega, sv = nn``
        still unpacks three values; None when built by hand.
    """

    rank = S_rank = rtol = discarded_energy = None

    def _with(self, **attrs):
        for k, v in attrs.items():
            setattr(self, k, v)
        return self


# ---------------------------------------------------------------------------- validation helpers
def _check_range(arr, name):
    """See :func:`refgrow._validation.check_moment_range` (moments of huge entries overflow)."""
    return check_moment_range(arr, name)


def _matrix(a, name):
    arr = as_float_array(a, name, ndim=2)
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must have at least one sample (row), got shape {arr.shape}")
    return _check_range(arr, name)


def _pair(B, V, nb="B", nv="V_goal"):
    A, C = as_sample_pair(B, V, (nb, nv))
    return _check_range(A, nb), _check_range(C, nv)


def _check_rtol(rtol, name="rtol", allow_none=True):
    """``rtol`` validated: None (automatic, module note) or a finite number in [0, 1)."""
    if rtol is None and allow_none:
        return None
    if rtol is None:
        raise ValueError(f"{name} must be a finite number in [0, 1), got None")
    return check_real(rtol, name, low=0.0, high=1.0, high_open=True)


def _check_msv(min_singular_value):
    """``min_singular_value``: None or a finite number >= 0."""
    if min_singular_value is None:
        return None
    return check_real(min_singular_value, "min_singular_value", low=0.0)


# ---------------------------------------------------------------------------- pure linear algebra
def with_ones(B):
    """Append a column of ones (the bias input) to an activity matrix.

    Implements the ``b(x) = (x, 1)`` convention of Sec. 2.1 (Fig. 1) of 001 (TINY).

    Parameters
    ----------
    B : array_like, shape (n, d)

    Returns
    -------
    ndarray, shape (n, d + 1)

    Examples
    --------
    >>> with_ones(np.zeros((2, 1)))
    array([[0., 1.],
           [0., 1.]])
    """
    return _append_ones(_matrix(B, "B"))


def _append_ones(B):
    """``[B, 1]`` on a validated (n, d) array: the bias input of the growth steps (one place for it)."""
    xp = array_namespace(B)
    return concat(xp, [B, xp.ones((B.shape[0], 1), dtype=B.dtype, **device_kw(xp, B))], axis=1)


def second_moments(B, V):
    """``S = B^T B / n`` and ``N = B^T V / n`` (Sec. 3.2 of 001, with rows = samples).

    Parameters
    ----------
    B : array_like, shape (n, d)
    V : array_like, shape (n, d_out)

    Returns
    -------
    S : ndarray, shape (d, d)
    N : ndarray, shape (d, d_out)
    """
    B, V = _pair(B, V, "B", "V")
    n = B.shape[0]
    return (B.T @ B) / n, (B.T @ V) / n


def pinv_sqrt(S, *, rtol=RTOL):
    """Pseudo-inverse square root ``S^{-1/2} = O sqrt(Sigma)^{-1} O^T`` of a symmetric PSD matrix.

    Implements the definition above Prop. 3.2 of 001 (TINY): "with the convention that the inverse of
    0 eigenvalues is 0"; eigenvalues ``<= rtol * max eigenvalue`` count as 0.

    Parameters
    ----------
    S : array_like, shape (d, d), symmetric positive semi-definite
    rtol : float in [0, 1), or None
        None: ``d * eps``, the noise level of ``eigh`` on ``S`` (only ``S`` is known here, so the accurate
        path through ``B`` is not available; :func:`new_neurons` takes it).

    Returns
    -------
    ndarray, shape (d, d)
    """
    S = _matrix(S, "S")
    if S.shape[0] != S.shape[1]:
        raise ValueError(f"S must be square, got shape {S.shape}")
    return _pinv_sqrt_psd((S + S.T) / 2, _check_rtol(rtol))


def _best_update_from_moments(S, N, rtol, B=None):
    """``dW = N^T S^+`` (d_out, d) over the kept spectrum, and the spectrum's info (rank, discarded energy)."""
    mu, Q, info = _spectrum(S, rtol, B=B, N=N)
    return ((Q / mu) @ (Q.T @ N)).T, info


def best_update(B, V_goal, *, rtol=RTOL, return_info=False, warn_discarded=True):
    """Best update of the existing weights of a layer, ``dW* = N^T S^+`` (Prop. 3.1 of 001, TINY).

    In the paper's column notation ``dW* = (1/n) V_goal B^T ((1/n) B B^T)^+``; with rows = samples this is
    ``(V_goal^T B / n) (B^T B / n)^+``. ``B @ dW.T`` is the orthogonal projection of ``V_goal`` onto the
    column space of ``B`` (the minimiser of Eq. 5).

    Parameters
    ----------
    B : array_like, shape (n, d)
        Layer input (with a ones column for the bias: :func:`with_ones`).
    V_goal : array_like, shape (n, d_out)
        Desired pre-activation moves, one row per sample.
    rtol : float or None
        Relative eigenvalue threshold of the pseudo-inverse; None (default): numpy's ``lstsq`` rule,
        ``(max(n, d) eps)^2`` on ``mu`` (module note "Pseudo-inverse threshold").
    return_info : bool
        Also return ``{"rank", "rtol", "path", "discarded_energy"}`` (module note).
    warn_discarded : bool
        Emit a ``RuntimeWarning`` when a larger ``rtol`` drops resolvable directions carrying a
        non-negligible part of ``V_goal``.

    Returns
    -------
    dW : ndarray, shape (d_out, d)
    info : dict, only with ``return_info=True``

    Examples
    --------
    >>> B = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]); V = B @ np.array([[2.0], [-1.0]])
    >>> np.round(best_update(B, V), 12)
    array([[ 2., -1.]])
    """
    B, V = _pair(B, V_goal)
    rtol = _check_rtol(rtol)
    return_info = check_bool(return_info, "return_info")
    warn_discarded = check_bool(warn_discarded, "warn_discarded")
    n = B.shape[0]
    dW, info = _best_update_from_moments((B.T @ B) / n, (B.T @ V) / n, rtol, B)
    _warn(info["discarded_energy"], _energy(V) / n, "best_update", warn_discarded)
    return (dW, info) if return_info else dW


def projected_goal(B, V_goal, dW):
    """``V_goal_proj = V_goal - B dW^T`` (Sec. 3.2 of 001, TINY: what the layer cannot do yet).

    Parameters
    ----------
    B : array_like, shape (n, d)
    V_goal : array_like, shape (n, d_out)
    dW : array_like, shape (d_out, d)

    Returns
    -------
    ndarray, shape (n, d_out)
    """
    B, V = _pair(B, V_goal)
    dW = as_float_array(dW, "dW", shape=(V.shape[1], B.shape[1]))
    out = V - B @ dW.T
    if not all_finite(out):
        raise ValueError("B, V_goal and dW are too large in magnitude: the projected goal overflows float64")
    return out


def expressivity_bottleneck(V_goal, V):
    """``Psi = ||V - V_goal||_F^2 / n`` for a given realisable move ``V`` (Def. 3.1 / Eq. 4 of 001, TINY).

    Definition 3.1 minimises this over the realisable moves; evaluate it at ``V = B @ best_update(B, V_goal).T``
    for the bottleneck of a layer, or at any other move to measure its distance to the goal.

    Parameters
    ----------
    V_goal : array_like, shape (n, d_out)
    V : array_like, shape (n, d_out)

    Returns
    -------
    float
    """
    Vg, V = _pair(V_goal, V, "V_goal", "V")
    if Vg.shape != V.shape:
        raise ValueError(f"V must have the shape of V_goal {Vg.shape}, got {V.shape}")
    return _energy(V - Vg) / Vg.shape[0]


def _pinv_sqrt_psd(S, rtol):
    """``S^{-1/2} = Q diag(mu^{-1/2}) Q^T`` over the eigenvalues kept by the threshold (validated S)."""
    mu, Q, _ = _spectrum(S, rtol)
    return (Q / array_namespace(S).sqrt(mu)) @ Q.T


def _neurons_from_moments(S, N, *, max_neurons, min_singular_value, rtol, sv_rtol, cholesky=False, B=None):
    """Prop. 3.2 of TINY from S (d, d) and N (d, d_out); returns TinyNeurons and the rank R.

    Reference path (``cholesky=False``), the paper's formula: ``M = S^{-1/2}`` (pseudo-inverse square
    root with the documented threshold), SVD ``M N = U diag(lam) V^T``, ``alpha_k = sqrt(lam_k) M u_k``,
    ``omega_k = sqrt(lam_k) v_k``. Shortcut (``cholesky=True``), taken only when the threshold provably
    removes nothing (:func:`_certified_cholesky`; otherwise the reference path runs): ``M = L^{-1}`` with
    ``S = L L^T``. ``L^{-1} N`` has the singular values of ``S^{-1/2} N`` and its neurons
    ``alpha_k = sqrt(lam_k) L^{-T} u_k = S^{-1} N v_k / sqrt(lam_k)`` are the same (module note
    "Pseudo-inverse threshold"), up to rounding. The certificate asks ``mu_min > GRAM_MIN_RATIO mu_max``
    at least, so the shortcut never runs where the Gram matrix is ill conditioned (module
    :mod:`refgrow.growth.tiny.spectrum`); ``B`` (the activity matrix) enables the accurate SVD path there.
    """
    xp = array_namespace(S, N)
    Linv = _certified_cholesky(S, max(GRAM_MIN_RATIO, rtol or 0.0)) if cholesky else None
    if Linv is not None:
        def M(X):
            return Linv @ X                               # L^{-1} X

        def MT(X):
            return Linv.T @ X                             # L^{-T} X
        info = {"rank": S.shape[0], "rtol": rtol if rtol is not None else 0.0, "path": "cholesky",
                "discarded_energy": 0.0}                  # certified: nothing dropped
    else:
        mu, Q, info = _spectrum(S, rtol, B=B, N=N)
        P = Q / xp.sqrt(mu)                               # S^{-1/2} = Q diag(mu^{-1/2}) Q^T = P Q^T

        def M(X):                                         # S^{-1/2} X, applied as P (Q^T X): the (d, d)
            return P @ (Q.T @ X)                          # matrix S^{-1/2} is never formed

        MT = M                                            # S^{-1/2} is symmetric
    C = M(N)                                              # S^{-1/2} N (Prop. 3.2), or L^{-1} N, (d, d_out)
    Uc, lam, Vt = xp.linalg.svd(C, full_matrices=False)

    def fan_in(Uk):
        return MT(Uk)                                     # S^{-1/2} u_k (or L^{-T} u_k)

    R = int(xp.count_nonzero(lam > sv_rtol * lam[0])) if lam.shape[0] and float(lam[0]) > 0 else 0
    K = R
    if min_singular_value is not None:
        K = min(K, int(xp.count_nonzero(lam > min_singular_value)))
    if max_neurons is not None:
        K = min(K, max_neurons)
    lam_k = lam[:K]
    sq = xp.sqrt(lam_k)
    alpha = fan_in(Uc[:, :K]) * sq                           # sqrt(lam) S^{-1/2} u_k, (d, K)
    omega = Vt[:K, :].T * sq                                 # sqrt(lam) v_k, (d_out, K)
    # deterministic sign: the largest-magnitude entry of each omega column is positive
    if K:
        sgn = column_signs(xp, omega)
        alpha, omega = alpha * sgn, omega * sgn
    nn = TinyNeurons(np.ascontiguousarray(alpha.T) if xp is np else alpha.T, omega, copy(xp, lam_k))
    return nn._with(rank=R, S_rank=info["rank"], rtol=info["rtol"], discarded_energy=info["discarded_energy"]), R


def new_neurons(B_in, V_goal_proj, *, max_neurons=None, min_singular_value=None, rtol=RTOL,
                sv_rtol=SV_RTOL, cholesky=False, warn_discarded=True):
    """Optimal new neurons from one SVD (Prop. 3.2 of 001, TINY).

    With ``S = B_in^T B_in / n``, ``N = B_in^T V_goal_proj / n`` and the SVD
    ``S^{-1/2} N = sum_k lambda_k u_k v_k^T``, the solution of Problem (8) is ``K* = R = rank`` neurons
    ``alpha_k = sqrt(lambda_k) S^{-1/2} u_k`` and ``omega_k = sqrt(lambda_k) v_k``; the first ``K`` of
    them reduce the bottleneck by ``sum_{k<=K} lambda_k^2`` (Eq. 9).

    Parameters
    ----------
    B_in : array_like, shape (n, d_in)
        Input of the layer that receives the new neurons (with a ones column for their bias).
    V_goal_proj : array_like, shape (n, d_out)
        Projected goal at the layer after the new neurons (:func:`projected_goal`).
    max_neurons : int >= 1, optional
        Keep at most this many neurons (the largest singular values).
    min_singular_value : float >= 0, optional
        Keep only neurons with ``lambda_k > min_singular_value`` (a selection threshold, Sec. 3.2).
    rtol : float or None
        Eigenvalue threshold of ``S^{-1/2}``; None (default): numpy's ``lstsq`` rule ``(max(n, d_in) eps)^2``
        on ``mu``, through the SVD of ``B_in`` when ``S`` is ill conditioned (module note).
    sv_rtol : float
        Singular values ``<= sv_rtol * lambda_1`` count as 0 (rank R).
    cholesky : bool, default False
        False: the formula of Prop. 3.2 as written (``S^{-1/2}`` from an eigendecomposition, then one
        SVD). True: the Cholesky shortcut ``L^{-1} N`` (``S = L L^T``), used only when it is certified
        to give the same neurons (every eigenvalue above the threshold; module note), else the
        reference path. Same neurons up to rounding and the signs fixed below; faster for large ``d_in``.
    warn_discarded : bool
        ``RuntimeWarning`` when a larger ``rtol`` drops resolvable directions carrying a non-negligible
        part of ``V_goal_proj``'s projection (module note "Rank and discarded energy").

    Returns
    -------
    TinyNeurons
        ``alpha`` (K, d_in), ``omega`` (d_out, K), ``singular_values`` (K,) descending; K may be 0
        when the projected goal is not correlated with ``B_in`` at all. Also ``rank``, ``S_rank``,
        ``rtol`` and ``discarded_energy``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> B = with_ones(rng.standard_normal((50, 3))); V = rng.standard_normal((50, 2))
    >>> nn = new_neurons(B, V)
    >>> nn.alpha.shape, nn.omega.shape, nn.singular_values.shape
    ((2, 4), (2, 2), (2,))
    """
    B, V = _pair(B_in, V_goal_proj, "B_in", "V_goal_proj")
    if max_neurons is not None:
        max_neurons = check_positive_int(max_neurons, "max_neurons")
    min_singular_value = _check_msv(min_singular_value)
    n = B.shape[0]
    nn = _neurons_from_moments((B.T @ B) / n, (B.T @ V) / n, max_neurons=max_neurons,
                               min_singular_value=min_singular_value, rtol=_check_rtol(rtol),
                               sv_rtol=_check_rtol(sv_rtol, "sv_rtol", allow_none=False),
                               cholesky=check_bool(cholesky, "cholesky"), B=B)[0]
    _warn(nn.discarded_energy, _energy(V) / n, "new_neurons", check_bool(warn_discarded, "warn_discarded"))
    return nn


def new_neurons_geig(B_in, V_goal_proj, *, max_neurons=None, rtol=RTOL):
    """New neurons by the generalized eigenproblem ``N N^T alpha = lambda S alpha`` (Prop. 3.4 of 001, TINY).

    Requires ``S`` positive definite. ``scipy.linalg.eigh(N N^T, S)`` returns eigenvectors with
    ``alpha^T S alpha = 1`` and eigenvalues ``lambda_k^2`` (squares of Prop. 3.2's singular values,
    proof of Prop. C.3). They are rescaled to Prop. 3.2's normalisation: ``alpha_k <- lambda_k^{1/2} a_k``,
    ``omega_k = N^T a_k / lambda_k^{1/2}`` (the paper's ``omega_k = N alpha_k`` up to that scale, with
    ``N`` transposed to our (d_in, d_out) layout). Same neurons as :func:`new_neurons` up to sign.

    Parameters
    ----------
    B_in : array_like, shape (n, d_in)
    V_goal_proj : array_like, shape (n, d_out)
    max_neurons : int, optional
    rtol : float or None
        ``S`` must have all eigenvalues ``> rtol * max`` (None: ``GRAM_MIN_RATIO = 1e-6``: the generalized
        eigensolver works on the Gram matrix, so it needs it well conditioned); otherwise ``ValueError``.

    Returns
    -------
    TinyNeurons
    """
    import scipy.linalg

    B, V = _pair(B_in, V_goal_proj, "B_in", "V_goal_proj")
    xp = array_namespace(B, V)
    if xp is not np:   # host fallback (docs/gpu.md): no generalized symmetric eigensolver in the array API
        nn = new_neurons_geig(to_numpy(B), to_numpy(V), max_neurons=max_neurons, rtol=rtol)
        return TinyNeurons(*(from_numpy(xp, v, B) for v in nn))._with(
            rank=nn.rank, S_rank=nn.S_rank, rtol=nn.rtol, discarded_energy=nn.discarded_energy)
    n = B.shape[0]
    S, N = (B.T @ B) / n, (B.T @ V) / n
    mu = np.linalg.eigvalsh(S)
    rtol = _check_rtol(rtol)
    rtol = GRAM_MIN_RATIO if rtol is None else rtol
    if not mu[0] > rtol * mu[-1]:
        raise ValueError("new_neurons_geig needs S = B_in^T B_in / n positive definite (Prop. 3.4); got "
                         f"eigenvalues in [{mu[0]:.3g}, {mu[-1]:.3g}]; use new_neurons instead")
    ev, A = scipy.linalg.eigh(N @ N.T, S)
    order = np.argsort(ev)[::-1]
    ev, A = ev[order], A[:, order]
    lam = np.sqrt(np.clip(ev, 0.0, None))
    # rank(N N^T) <= d_out; the eigenvalues lambda^2 carry absolute errors ~ eps * lambda_1^2 * cond(S),
    # so the rank threshold is taken on lambda^2 (relative 1e-12, i.e. lambda > 1e-6 lambda_1)
    R = min(int(np.count_nonzero(ev > 1e-12 * ev[0])), N.shape[1]) if ev[0] > 0 else 0
    K = R if max_neurons is None else min(R, check_positive_int(max_neurons, "max_neurons"))
    lam, A = lam[:K], A[:, :K]
    alpha = A * np.sqrt(lam)
    omega = (N.T @ A) / np.sqrt(lam)
    nn = TinyNeurons(np.ascontiguousarray(alpha.T), omega, lam)
    return nn._with(rank=R, S_rank=B.shape[1], rtol=rtol, discarded_energy=0.0)


def _tiny_core(B_in, B, V, max_neurons, min_singular_value, rtol, cholesky, warn_discarded=True):
    """Prop. 3.1 then Prop. 3.2 of TINY on validated activity matrices.

    ``rtol`` None: the automatic threshold of :mod:`refgrow.growth.tiny.spectrum` for each matrix. Returns
    (dW, V_goal_proj, neurons, R, update_info) with ``update_info = {"rank", "rtol", "path",
    "discarded_energy"}`` of the best update.
    """
    n = B.shape[0]
    dW, upd = _best_update_from_moments((B.T @ B) / n, (B.T @ V) / n, rtol, B)   # Prop. 3.1
    goal = _energy(V) / n
    _warn(upd["discarded_energy"], goal, "best update (Prop. 3.1)", warn_discarded)
    Vp = V - B @ dW.T                                                     # V_goal_proj
    nn, R = _neurons_from_moments((B_in.T @ B_in) / n, (B_in.T @ Vp) / n, max_neurons=max_neurons,
                                  min_singular_value=min_singular_value, rtol=rtol, sv_rtol=SV_RTOL,
                                  cholesky=cholesky, B=B_in)
    _warn(nn.discarded_energy, goal, "new neurons (Prop. 3.2)", warn_discarded)
    return dW, Vp, nn, R, upd


def tiny_from_activations(B_in, B, V_goal, *, max_neurons=None, min_singular_value=None, rtol=RTOL,
                          cholesky=True, warn_discarded=True):
    """Best update and new neurons from the activity matrices of one layer pair (Props. 3.1 and 3.2 of 001).

    Implements Algorithm 2 (TINY branch) of 001 App. E.4 without the network: ``dW = N_B^T S_B^+`` with
    ``S_B = B^T B / n``, ``N_B = B^T V_goal / n``; ``V_goal_proj = V_goal - B dW^T``; then Prop. 3.2 with
    ``S = B_in^T B_in / n`` and ``N = B_in^T V_goal_proj / n``. The two Gram matrices and the two cross
    products are one BLAS call each; everything else is on (d x d) or smaller matrices.

    Parameters
    ----------
    B_in : array_like, shape (n, d_in)
        Input of the layer that receives the new neurons (with ones column).
    B : array_like, shape (n, d)
        Input of the layer after them (with ones column).
    V_goal : array_like, shape (n, d_out)
    max_neurons, min_singular_value, rtol, cholesky, warn_discarded : see :func:`new_neurons` (here the
        certified Cholesky shortcut is the default, as in every network-level step)

    Returns
    -------
    dW : ndarray (d_out, d)
    V_goal_proj : ndarray (n, d_out)
    neurons : TinyNeurons
    """
    B, V = _pair(B, V_goal, "B", "V_goal")
    B_in, _ = _pair(B_in, V, "B_in", "V_goal")
    if max_neurons is not None:
        max_neurons = check_positive_int(max_neurons, "max_neurons")
    rtol = _check_rtol(rtol)
    dW, Vp, nn, _, _ = _tiny_core(B_in, B, V, max_neurons, _check_msv(min_singular_value), rtol,
                                  check_bool(cholesky, "cholesky"), check_bool(warn_discarded, "warn_discarded"))
    return dW, Vp, nn

