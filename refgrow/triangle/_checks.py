"""Argument validation shared by the modules of :mod:`refgrow.triangle` (one place, public names).

Every public function of the package validates its arguments once, with these helpers, and passes
plain float64 arrays to the private mathematics. Messages name the argument, quote the value and
state the rule (the project's error style).
"""
from __future__ import annotations

import numbers

import numpy as np

import math

from refgrow._validation import array_namespace, as_float_array
from refgrow.backend import to_numpy

__all__ = ["check_sign", "check_peaks", "check_peak", "check_x", "check_scales", "check_c", "check_xy"]


def check_sign(sign) -> int:
    """``sign`` in {-1, +1} (not bool) -> int; ValueError otherwise."""
    if isinstance(sign, bool) or not isinstance(sign, numbers.Real) or sign not in (-1, 1):
        raise ValueError(f"sign must be -1 (waves subtracted, convex) or +1 (added, concave), got {sign!r}")
    return int(sign)


def check_peaks(a, name: str = "a", *, min_len: int = 2) -> np.ndarray:
    """1-D float array of at least ``min_len`` peaks, each strictly inside (0, 1)."""
    arr = as_float_array(a, name, ndim=1)
    if arr.shape[0] < min_len:
        raise ValueError(f"{name} must hold at least {min_len} peaks, got shape {arr.shape}")
    xp = array_namespace(arr)
    if bool(xp.any(arr <= 0.0)) or bool(xp.any(arr >= 1.0)):
        host = to_numpy(arr)                                  # printing: a host copy
        bad = host[(host <= 0) | (host >= 1)]
        raise ValueError(f"{name} must lie strictly inside (0, 1) (triangle peaks), got values {bad[:5]}")
    return arr


def check_peak(a, name: str = "a") -> float:
    """One real peak strictly inside (0, 1) -> float (TypeError for non-numbers)."""
    if isinstance(a, bool) or not isinstance(a, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 1), got {a!r}")
    a = float(a)
    if not np.isfinite(a) or not 0.0 < a < 1.0:
        raise ValueError(f"{name} must lie strictly inside (0, 1), got {a!r}")
    return a


def check_x(x, name: str = "x") -> np.ndarray:
    """Finite float array (any shape, may be empty) with values in [0, 1], the triangle domain."""
    arr = as_float_array(x, name, allow_empty=True)
    xp = array_namespace(arr)
    if math.prod(arr.shape) and (float(xp.min(arr)) < 0.0 or float(xp.max(arr)) > 1.0):
        raise ValueError(f"{name} must lie in [0, 1] (the triangle domain), got values in "
                         f"[{float(xp.min(arr))}, {float(xp.max(arr))}]")
    return arr


def check_scales(s, m: int, name: str = "s") -> np.ndarray:
    """``(m-1,)`` strictly positive scales for ``m`` peaks."""
    arr = as_float_array(s, name, ndim=1)
    if arr.shape[0] != m - 1:
        raise ValueError(f"{name} must have shape ({m - 1},) (one scale per wave, len(a)-1), got {arr.shape}")
    if bool(array_namespace(arr).any(arr <= 0)):
        host = to_numpy(arr)                                  # printing: a host copy
        raise ValueError(f"{name} must be strictly positive (t1 carries s_i W_i through a ReLU), got "
                         f"{host[host <= 0][:5]}")
    return arr


def check_c(c) -> float:
    """Projection margin ``c`` in (0, 0.5) -> float."""
    if isinstance(c, bool) or not isinstance(c, numbers.Real) or not 0.0 < float(c) < 0.5:
        raise ValueError(f"c must be a number in (0, 0.5) (peaks kept in [c, 1-c]), got {c!r}")
    return float(c)


def check_xy(x, y):
    """Inputs ``x`` (n,) or (n, 1) in [0, 1] and targets ``y`` of the same length -> two (n,) arrays."""
    x = check_x(x)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"x must have shape (n,) or (n, 1), got {x.shape}")
    y = as_float_array(y, "y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != x.shape:
        raise ValueError(f"y must have shape ({x.shape[0]},) or ({x.shape[0]}, 1) to match x, got {y.shape}")
    return x, y


