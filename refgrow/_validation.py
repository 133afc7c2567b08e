"""Validation helpers used at public entry points (messages name the argument and the rule)."""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_float_array", "as_labels", "check_rng", "check_positive_int", "check_finite"]


def as_float_array(a, name: str, *, ndim=None, shape=None, allow_empty: bool = False) -> np.ndarray:
    """Convert ``a`` to a finite float64 array, checking ``ndim`` (int or tuple) and ``shape``.

    ``shape`` may contain ``None`` for free axes.
    """
    if isinstance(a, np.ndarray) and a.dtype == object:
        raise TypeError(f"{name} must be a numeric array, got an object array")
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(a).__name__}: {exc}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have ndim in {allowed}, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, arr.shape)):
            want = tuple("any" if s is None else s for s in shape)
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``arr`` holds NaN or inf."""
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, got {bad} NaN/inf entries")


def as_labels(y, name: str, n: int, n_classes: int) -> np.ndarray:
    """Integer class labels of shape (n,) with values in [0, n_classes)."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) (one label per sample), got {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError(f"{name} must hold integer class labels, got non-integer floats")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must lie in [0, {n_classes}), got values in [{arr.min()}, {arr.max()}]")
    return arr.astype(np.int64, copy=False)


def check_positive_int(v, name: str, *, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (bools rejected)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {v!r}")
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    return int(v)


def check_rng(rng) -> np.random.Generator:
    """Normalise ``rng`` (None, int seed, SeedSequence or Generator) to a ``Generator``."""
    if isinstance(rng, np.random.RandomState):
        raise TypeError("rng must be a numpy Generator or a seed, not a legacy RandomState")
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {rng!r}") from exc


def as_sample_pair(a, b, names=("B", "V_goal")):
    """Two non-empty finite 2-D float64 arrays with the same number of rows (samples).

    ``names`` are the argument names quoted in the error messages.
    """
    na, nb = names
    A = as_float_array(a, na, ndim=2)
    B = as_float_array(b, nb, ndim=2)
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"{na} and {nb} must have the same number of samples (rows), got "
                         f"{A.shape[0]} and {B.shape[0]}")
    return A, B
