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

__all__ = ["check_sign", "check_peaks", "check_peak", "check_x", "check_scales", "check_c", "check_xy",
           "check_batch_peaks", "check_batch_sign", "check_batch_ratios", "check_batch_layers",
           "check_batch_inputs", "check_batch_cache"]


def check_sign(sign) -> int:
    """``sign`` in {-1, +1} (not bool) -> int; ValueError otherwise."""
    if isinstance(sign, bool) or not isinstance(sign, numbers.Real) or sign not in (-1, 1):
        raise ValueError(f"sign must be -1 (waves subtracted, convex) or +1 (added, concave), got {sign!r}")
    return int(sign)


#: peaks closer than this to 0 or 1 are refused: the hat slopes 1/a and 1/(1-a) of the weight-setting
#: map (App. A.1) would exceed 1e12 and the Theorem 3.1 scales underflow (interpretation note: a
#: numerical domain of the exact formulas, far outside the [c, 1-c] = [0.05, 0.95] of pretraining)
PEAK_MARGIN = 1e-12


def _any(cond) -> bool:
    """``any(cond)`` as a Python bool, in the namespace of the boolean array ``cond``."""
    return bool(array_namespace(cond).any(cond))


def _check_margin(arr, name):
    if _any(array_namespace(arr).minimum(arr, 1.0 - arr) < PEAK_MARGIN):
        raise ValueError(f"{name} must keep a distance >= {PEAK_MARGIN:g} from 0 and 1 (the hat slopes 1/a "
                         "and 1/(1-a) would overflow the network's arithmetic)")
    return arr


def check_peaks(a, name: str = "a", *, min_len: int = 2) -> np.ndarray:
    """1-D float array of at least ``min_len`` peaks, each strictly inside (0, 1) (see PEAK_MARGIN)."""
    arr = as_float_array(a, name, ndim=1)
    if arr.shape[0] < min_len:
        raise ValueError(f"{name} must hold at least {min_len} peaks, got shape {arr.shape}")
    xp = array_namespace(arr)
    if bool(xp.any(arr <= 0.0)) or bool(xp.any(arr >= 1.0)):
        host = to_numpy(arr)                                  # printing: a host copy
        bad = host[(host <= 0) | (host >= 1)]
        raise ValueError(f"{name} must lie strictly inside (0, 1) (triangle peaks), got values {bad[:5]}")
    return _check_margin(arr, name)


def check_peak(a, name: str = "a") -> float:
    """One real peak strictly inside (0, 1) -> float (TypeError for non-numbers)."""
    if isinstance(a, bool) or not isinstance(a, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 1), got {a!r}")
    a = float(a)
    if not np.isfinite(a) or not 0.0 < a < 1.0:
        raise ValueError(f"{name} must lie strictly inside (0, 1), got {a!r}")
    return float(_check_margin(np.float64(a), name))


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




# ------------------------------------------------------------------ the batched engines (R runs)
def check_batch_peaks(a, name: str = "a") -> np.ndarray:
    """``(R, H+1)`` peaks, H >= 1, every entry strictly inside (0, 1)."""
    arr = as_float_array(a, name, ndim=2)
    if arr.shape[1] < 2:
        raise ValueError(f"{name} must have shape (R, H+1) with H+1 >= 2 peaks per run, got {arr.shape}")
    if _any(arr <= 0.0) or _any(arr >= 1.0):
        raise ValueError(f"{name} must lie strictly inside (0, 1) (triangle peaks)")
    return _check_margin(arr, name)


def check_batch_sign(sign, R: int, name: str = "sign") -> np.ndarray:
    """``(R,)`` signs, each -1.0 or +1.0."""
    arr = as_float_array(sign, name, shape=(R,))
    if _any((arr != 1.0) & (arr != -1.0)):
        raise ValueError(f"{name} must hold -1 or +1 for each of the {R} runs")
    return arr


def check_batch_ratios(S, R: int, H: int, name: str = "S") -> np.ndarray:
    """``(R, H)`` strictly positive layer ratios."""
    arr = as_float_array(S, name, shape=(R, H))
    if _any(arr <= 0):
        raise ValueError(f"{name} must be strictly positive (layer ratios of Theorem 3.1)")
    return arr


def check_batch_layers(Ws, bs, names=("Ws", "bs")):
    """Stacked layers: lists of ``(R, out, in)`` weights and ``(R, out)`` biases that chain."""
    nw, nb = names
    for lst, nm in ((Ws, nw), (bs, nb)):
        if not isinstance(lst, (list, tuple)) or not lst:
            raise TypeError(f"{nm} must be a non-empty list of arrays (one per layer), got {type(lst).__name__}")
    if len(Ws) != len(bs):
        raise ValueError(f"{nw} and {nb} must have one entry per layer, got {len(Ws)} and {len(bs)}")
    W = [as_float_array(w, f"{nw}[{l}]", ndim=3) for l, w in enumerate(Ws)]
    R = W[0].shape[0]
    b = [as_float_array(v, f"{nb}[{l}]", shape=(R, W[l].shape[1])) for l, v in enumerate(bs)]
    for l in range(len(W)):
        if W[l].shape[0] != R or (l and W[l].shape[2] != W[l - 1].shape[1]):
            raise ValueError(f"{nw}[{l}] must have shape ({R}, out, {W[l - 1].shape[1] if l else 'D'}) to chain "
                             f"with the previous layer, got {W[l].shape}")
    return W, b


def check_batch_inputs(X, R: int, D: int, name: str = "X") -> np.ndarray:
    """Inputs ``(n, D)`` shared by the runs or ``(R, n, D)`` per run."""
    arr = as_float_array(X, name, ndim=(2, 3))
    if arr.shape[-1] != D or (arr.ndim == 3 and arr.shape[0] != R):
        raise ValueError(f"{name} must have shape (n, {D}) or ({R}, n, {D}), got {arr.shape}")
    return arr


def check_batch_cache(cache, Ws, name: str = "cache"):
    """The ``(inputs, masks)`` cache of ``batched_forward`` for these layers."""
    L = len(Ws)
    if (not isinstance(cache, tuple) or len(cache) != 2 or not isinstance(cache[0], list)
            or not isinstance(cache[1], list) or len(cache[0]) != L or len(cache[1]) != L - 1):
        raise TypeError(f"{name} must be the (inputs, masks) cache of batched_forward for {L} layers")
    return cache
