"""Hyperplanes ``{x : w . x + b = 0}``: orthogonal projection and signed distance.

The closed form of the folding slides (000, "Supplementary Details" 2; cited in TINY / folding
[docs/references.md#folding-slides]) used by :mod:`refgrow.geometry` for fold points.

Symbol table
------------
=========  ==========  ============  ==========================================
symbol     code        shape         meaning
=========  ==========  ============  ==========================================
x          ``x``       (D,), (n, D)  point(s), one per row
w          ``w``       (D,)          normal vector (nonzero)
b          ``b``       ()            offset
x'         (returned)  as ``x``      closest point ``x - (w.x + b) w / (w.w)``
=========  ==========  ============  ==========================================
"""
from __future__ import annotations

import math

import numpy as np

from refgrow._validation import all_finite, array_namespace, as_float_array
from refgrow.backend import ldexp, to_numpy

__all__ = ["closest_point_on_hyperplane", "signed_distance"]


def _check_hyperplane(x, w, b):
    x = as_float_array(x, "x", allow_empty=True)
    w = as_float_array(w, "w", ndim=1)
    if x.ndim not in (1, 2) or x.shape[-1] != w.shape[0]:
        raise ValueError(f"x must have shape ({w.shape[0]},) or (n, {w.shape[0]}) to match w, got {x.shape}")
    b = float(as_float_array(b, "b", ndim=0))
    xp = array_namespace(w)
    if not bool(xp.any(w != 0)):
        raise ValueError(f"w must be nonzero (the normal of {{x : w.x + b = 0}}), got {to_numpy(w).tolist()!r}")
    ww = float(w @ w)
    if not (math.isfinite(ww) and ww >= np.finfo(np.float64).tiny):
        # (w, b) and (w, b) / 2**e describe the same hyperplane: rescale exactly so w.w neither
        # overflows nor underflows (the projection and the signed distance are unchanged)
        e = math.frexp(float(xp.max(xp.abs(w))))[1]
        w, b = ldexp(xp, w, -e), float(np.ldexp(b, -e))    # b may overflow: reported below
        ww = float(w @ w)
    return x, w, b, ww


def _finite(out, names="x, w and b"):
    if not all_finite(out):
        raise ValueError(f"{names} are too large in magnitude: the result overflows float64")
    return out


def closest_point_on_hyperplane(x, w, b) -> np.ndarray:
    """Orthogonal projection of ``x`` onto the hyperplane ``{x' : w . x' + b = 0}``.

    Implements the slides' closed form (000, "Supplementary Details" 2):
    ``x' = x - (w . x + b) w / (w . w)``. Vectorised over rows.

    Parameters
    ----------
    x : ndarray, shape (D,) or (n, D)
    w : ndarray, shape (D,), nonzero
    b : float

    Returns
    -------
    ndarray, same shape as ``x``

    Examples
    --------
    >>> closest_point_on_hyperplane([3.0, 4.0], [1.0, 0.0], -1.0).tolist()
    [1.0, 4.0]
    """
    x, w, b, ww = _check_hyperplane(x, w, b)
    r = (x @ w + b) / ww
    return _finite(x - (r * w if x.ndim == 1 else r[:, None] * w[None, :]))      # x - r w, row-wise


def signed_distance(x, w, b):
    """Signed Euclidean distance ``(w . x + b) / ||w||`` of ``x`` to the hyperplane ``w.x + b = 0``.

    Positive on the side ``w`` points to. Equals ``+-||x - closest_point_on_hyperplane(x, w, b)||``.

    Parameters
    ----------
    x : ndarray, shape (D,) or (n, D)
    w : ndarray, shape (D,)
    b : float

    Returns
    -------
    float or ndarray, shape (n,)
    """
    x, w, b, ww = _check_hyperplane(x, w, b)
    d = _finite((x @ w + b) / math.sqrt(ww))
    return float(d) if x.ndim == 1 else d
