r"""Triangle maps, composed waves, their bends and the Theorem 3.1 scales (Sec. 3 of the triangle
paper [docs/references.md#triangle]).

Symbol table
------------
=====================  ===============================  ===========  ========================================
paper                  code                             shape        meaning
=====================  ===============================  ===========  ========================================
a_i                    ``a[i]``                         (m,)         triangle peak of layer i, ``0 < a_i < 1``
T_i(x)  (Sec. 3)       ``triangle(x, a[i])``            like x       ``x/a`` on [0,a], ``(1-x)/(1-a)`` on [a,1]
T_i'(x) (Eq. 1)        ``triangle_derivative``          like x       ``1/a`` rising, ``-1/(1-a)`` falling
W_i(x)  (Eq. 2)        ``triangle_waves(x, a)[i]``      (m, *x)      ``T_i o ... o T_0 (x)``
B_i = P_i u V_i        ``triangle_breakpoints(a, i)``   (2^{i+1}+1,) bends of W_i (with the end points 0, 1)
s_i     (Eq. 3, 4)     ``differentiable_scales(a)[i]``  (m-1,)       scale of W_i in the series
S_l     (App. A.1)     ``scale_ratios(s)[l-1]``         (m-1,)       per-layer ratio ``s_{l-1}/s_{l-2}``, ``S_1 = s_0``
F(x)    (Eq. 3)        ``triangle_series``              like x       ``x + sign * sum_{i<m-1} s_i W_i(x)``
c   (App. A.4)         ``c``                            scalar       peaks are kept in ``[c, 1-c]``
R                      leading axis of batched forms    --           independent runs (seeds x targets)
=====================  ===============================  ===========  ========================================

The readable reference of Theorem 3.1 is :func:`differentiable_scales` (a loop over ``i`` reading
like Eq. (4)); :func:`theorem31_ratios` is its batched form (``np.cumprod`` of its rows gives the
scales), tested against the loop. The interpretation notes on the sign of Eq. (1) and on the first
scale are in the package docstring (:mod:`refgrow.triangle`).
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import all_finite, array_namespace, as_float_array, check_bool, check_positive_int, check_rng
from refgrow.backend import copy, device_kw, to_numpy
from refgrow.triangle._checks import (check_batch_peaks, check_batch_sign, check_c, check_peak, check_peaks, check_sign,
                                      check_x)

__all__ = ["DEFAULT_C", "triangle", "triangle_derivative", "triangle_waves", "triangle_breakpoints",
           "random_peaks", "differentiable_scales", "theorem31_ratios", "theorem31_ratios_vjp",
           "scale_ratios", "triangle_series", "yarotsky_error"]

DEFAULT_C = 0.05


def _tri(x, a):
    """T_a on [0, 1] without validation; ``a`` broadcasts against ``x``."""
    return array_namespace(x, a).where(x <= a, x / a, (1.0 - x) / (1.0 - a))


def triangle(x, a):
    r"""Triangle function ``T_a(x)`` on ``[0, 1]`` (Sec. 3, first display).

    Implements the first display of Sec. 3 of the triangle paper [docs/references.md#triangle].

    ``T_a(x) = x / a`` for ``0 <= x <= a`` and ``1 - (x - a)/(1 - a)`` for ``a <= x <= 1``.

    Parameters
    ----------
    x : array_like, any shape, values in [0, 1]
    a : float in (0, 1), the peak location (``T_a(a) = 1``)

    Returns
    -------
    ndarray, shape of ``x``

    Examples
    --------
    >>> float(triangle(0.25, 0.5)), float(triangle(0.5, 0.5)), float(triangle(1.0, 0.3))
    (0.5, 1.0, 0.0)
    """
    return _tri(check_x(x), check_peak(a))


def triangle_derivative(x, a, *, side: str = "right"):
    r"""``T_a'(x)``, Eq. (1) of the triangle paper (with the falling slope's minus sign, see Interpretation notes).

    Parameters
    ----------
    x : array_like in [0, 1]
    a : float in (0, 1)
    side : {"right", "left"}
        One-sided derivative used at the kink ``x = a`` (and at the end points, where only one side
        exists the available side is returned).

    Returns
    -------
    ndarray, shape of ``x``: ``1/a`` or ``-1/(1-a)``.
    """
    x, a = check_x(x), check_peak(a)
    if side not in ("right", "left"):
        raise ValueError(f"side must be 'right' or 'left', got {side!r}")
    rising = (x < a) if side == "right" else (x <= a)
    rising = np.where(x == 0.0, True, np.where(x == 1.0, False, rising))
    return np.where(rising, 1.0 / a, -1.0 / (1.0 - a))


def triangle_waves(x, a):
    r"""Composed triangle waves ``W_i = T_{a_i} o ... o T_{a_0}``, Eq. (2).

    Implements Eq. (2) of the triangle paper [docs/references.md#triangle].

    Parameters
    ----------
    x : array_like in [0, 1], any shape
    a : (m,) peaks in (0, 1)

    Returns
    -------
    W : ndarray, shape ``(m, *x.shape)``; ``W[i]`` has ``2^{i+1}`` linear pieces.

    Examples
    --------
    >>> triangle_waves([0.0, 0.25, 0.5], [0.5, 0.5]).tolist()
    [[0.0, 0.5, 1.0], [0.0, 1.0, 0.0]]
    """
    x = check_x(x)
    a = check_peaks(a, min_len=1)
    xp = array_namespace(x, a)
    ws, w = [], x
    for i in range(a.shape[0]):
        w = _tri(w, a[i])
        ws.append(w)
    return xp.stack(ws, axis=0)


def triangle_breakpoints(a, i: int | None = None):
    r"""Exact sorted bend locations ``B_i = P_i u V_i`` of ``W_i`` (App. A.3), end points included.

    Each linear piece of ``W_{i-1}`` runs monotonically between 0 and 1, so ``W_i`` gains one bend
    inside it, where ``W_{i-1} = a_i``: at fraction ``a_i`` of a rising piece and ``1 - a_i`` of a
    falling one (pieces alternate rising/falling, starting rising). Peaks of ``W_{i-1}`` become
    valleys of ``W_i`` (Fig. 10).

    Parameters
    ----------
    a : (m,) peaks in (0, 1)
    i : int, optional (default ``m-1``), which wave

    Returns
    -------
    B : (2^{i+1} + 1,) increasing; ``W_i(B[0::2]) = 0`` (valleys), ``W_i(B[1::2]) = 1`` (peaks).
    """
    a = check_peaks(a, min_len=1)
    i = a.shape[0] - 1 if i is None else check_positive_int(i, "i", minimum=0)
    if i >= a.shape[0]:
        raise ValueError(f"i must be < len(a) = {a.shape[0]}, got {i}")
    B = np.array([0.0, 1.0])
    for j in range(i + 1):
        p, q = B[:-1], B[1:]
        frac = np.where(np.arange(p.shape[0]) % 2 == 0, a[j], 1.0 - a[j])
        new = p + frac * (q - p)
        B2 = np.empty(2 * B.shape[0] - 1)
        B2[0::2], B2[1::2] = B, new
        B = B2
    return B


def random_peaks(m: int, *, c: float = DEFAULT_C, rng=None):
    """Initial peaks, uniform on ``[c, 1-c]`` (Algorithm 1's ``A <- Random((0,1)^n)`` with App. A.4's c).

    Parameters
    ----------
    m : int >= 2, number of peaks (``m - 1`` hidden layers)
    c : float in (0, 0.5)
    rng : Generator or seed

    Returns
    -------
    a : (m,)
    """
    m = check_positive_int(m, "m", minimum=2)
    c = check_c(c)
    return check_rng(rng).uniform(c, 1.0 - c, size=m)


def _phi0(a0, sign):
    """First factor of s_0: ``a_0`` for sign -1, ``1 - a_0`` for sign +1 (package interpretation note)."""
    return (1.0 + sign) / 2.0 - sign * a0


def theorem31_ratios(a, sign, *, check_input: bool = True):
    r"""Batched Theorem 3.1 per-layer ratios (Eq. 4): ``S_1 = phi(a_0) a_1``, ``S_l = (1 - a_{l-1}) a_l``.

    ``np.cumprod(S, axis=1)`` are the scales of :func:`differentiable_scales` for every run.
    ``check_input=False`` skips the validation (the training engines, on arrays they built).

    Parameters
    ----------
    a : (R, H+1) peaks;  sign : (R,) of +-1 (float)

    Returns
    -------
    S : (R, H)
    """
    if check_bool(check_input, "check_input"):
        a = check_batch_peaks(a)
        sign = check_batch_sign(sign, a.shape[0])
    xp = array_namespace(a, sign)
    S = xp.empty((a.shape[0], a.shape[1] - 1), dtype=a.dtype, **device_kw(xp, a))
    S[:, 0] = _phi0(a[:, 0], sign) * a[:, 1]
    S[:, 1:] = (1.0 - a[:, 1:-1]) * a[:, 2:]
    return S


def theorem31_ratios_vjp(a, sign, dS, *, check_input: bool = True):
    """Vector-Jacobian product of :func:`theorem31_ratios`: ``d/da <dS, S(a)>``, shape (R, H+1).

    Hand-written chain rule of Eq. (4) (checked against finite differences in the tests).
    ``dS`` has shape (R, H); ``check_input=False`` skips the validation.
    """
    if check_bool(check_input, "check_input"):
        a = check_batch_peaks(a)
        sign = check_batch_sign(sign, a.shape[0])
        dS = as_float_array(dS, "dS", shape=(a.shape[0], a.shape[1] - 1))
    da = array_namespace(a).zeros_like(a)
    da[:, 0] += dS[:, 0] * (-sign) * a[:, 1]
    da[:, 1] += dS[:, 0] * _phi0(a[:, 0], sign)
    da[:, 1:-1] += -dS[:, 1:] * a[:, 2:]
    da[:, 2:] += dS[:, 1:] * (1.0 - a[:, 1:-1])
    return da


def differentiable_scales(a, *, sign: int = -1):
    r"""Scales ``s_i`` of Theorem 3.1 (Eq. 4): ``s_{i+1} = s_i (1 - a_{i+1}) a_{i+2}``.

    Implements Eq. (4) of the triangle paper [docs/references.md#triangle] as a plain loop (the
    readable reference; :func:`theorem31_ratios` is the batched form used for training). The first
    scale follows the settled interpretation (package notes): ``s_0 = a_0 a_1`` for ``sign=-1`` and
    ``s_0 = (1 - a_0) a_1`` for ``sign=+1``. In closed form (Eq. 7)
    ``s_n = s_0 prod_{j=1}^{n} (1-a_j) a_{j+1}``.

    Parameters
    ----------
    a : (m,) peaks in (0, 1), ``m >= 2``
    sign : {-1, +1}

    Returns
    -------
    s : (m-1,)

    Examples
    --------
    >>> differentiable_scales([0.5, 0.5, 0.5]).tolist()   # Yarotsky: 1/4, 1/16
    [0.25, 0.0625]
    """
    a = check_peaks(a)
    sign = check_sign(sign)
    xp = array_namespace(a)
    s = xp.empty(a.shape[0] - 1, dtype=a.dtype, **device_kw(xp, a))
    s[0] = _phi0(a[0], sign) * a[1]                       # s_0 (first-scale interpretation)
    for i in range(a.shape[0] - 2):
        s[i + 1] = s[i] * ((1.0 - a[i + 1]) * a[i + 2])   # Eq. (4)
    return s


def scale_ratios(s):
    r"""Per-layer ratios ``S_1 = s_0``, ``S_l = s_{l-1} / s_{l-2}`` (App. A.1, index-shifted).

    Parameters
    ----------
    s : (H,) positive scales

    Returns
    -------
    S : (H,); ``np.cumprod(S) == s``.
    """
    s = as_float_array(s, "s", ndim=1)
    xp = array_namespace(s)
    if bool(xp.any(s <= 0)):
        host = to_numpy(s)                                    # printing: a host copy
        raise ValueError(f"s must be strictly positive, got {host[host <= 0][:5]}")
    S = copy(xp, s)
    S[1:] = s[1:] / s[:-1]
    if not all_finite(S):
        raise ValueError("s spans too many orders of magnitude: the ratios s_i / s_{i-1} overflow float64")
    return S


def triangle_series(x, a, s, *, sign: int = -1):
    r"""Truncated series ``F(x) = x + sign * sum_{i=0}^{m-2} s_i W_i(x)`` (Eq. 3 added to ``y = x``, Sec. 4.1).

    Parameters
    ----------
    x : array_like in [0, 1]
    a : (m,) peaks, ``m >= 2``
    s : (m-1,) scales (any finite values here; :func:`differentiable_scales` for Theorem 3.1)
    sign : {-1, +1}

    Returns
    -------
    ndarray, shape of ``x``

    Examples
    --------
    >>> float(triangle_series(0.5, [0.5, 0.5], [0.25]))   # x - T(x)/4 = x^2 at the grid point 1/2
    0.25
    """
    x = check_x(x)
    a = check_peaks(a)
    s = as_float_array(s, "s", ndim=1)
    if s.shape[0] != a.shape[0] - 1:
        raise ValueError(f"s must have shape ({a.shape[0] - 1},) (len(a)-1), got {s.shape}")
    sign = check_sign(sign)
    W = triangle_waves(x, a[:-1])
    return x + sign * array_namespace(x, s).tensordot(s, W, axes=([0], [0]))


def yarotsky_error(n: int) -> float:
    r"""Exact sup-error ``2^{-2n-2}`` of ``f_n = x - sum_{i<n} 4^{-(i+1)} W_i`` (all ``a_i = 1/2``) to ``x^2``.

    ``f_n`` is the piecewise-linear interpolant of ``x^2`` on the grid ``k 2^{-n}`` (Yarotsky 2017,
    Sec. 2.1 of the triangle paper); the interpolation error of ``x^2`` on a cell of width ``h`` peaks at its
    midpoint with value ``h^2/4``.
    """
    n = check_positive_int(n, "n", minimum=1)
    return 2.0 ** (-2 * n - 2)


