"""One validation layer for every public entry point of refgrow.

Each helper converts or checks one argument and raises ``TypeError`` (wrong kind of value) or
``ValueError`` (right kind, value breaks a rule) with a message of one style::

    <name> must <rule>, got <the value or its shape/dtype>

Arrays keep their array namespace (NumPy, CuPy, or any array-API namespace): conversion and the
finiteness scan happen in that namespace, never through a host copy. Nothing is clipped or coerced
silently: complex, boolean, string and object inputs are rejected, not cast to float.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["as_float_array", "as_labels", "check_rng", "check_positive_int", "check_finite",
           "all_finite", "check_int", "check_real", "check_index", "check_choice", "check_bool", "array_namespace",
           "as_sample_pair", "check_moment_range", "check_callbacks"]


def _short(v, limit: int = 60) -> str:
    """``repr(v)`` cut to ``limit`` characters for error messages."""
    r = repr(v)
    return r if len(r) <= limit else r[: limit - 3] + "..."


def array_namespace(*arrays):
    """The array namespace of the inputs: the namespace of the first non-NumPy array among
    ``arrays`` (via ``__array_namespace__``, as the array-API standard and scikit-learn do), else
    the backend selected with :func:`refgrow.backend.set_backend` (NumPy by default)."""
    for a in arrays:
        if isinstance(a, (np.ndarray, np.generic)) or a is None:
            continue
        ns = getattr(a, "__array_namespace__", None)
        if ns is not None:
            return ns()
    from refgrow.backend import get_xp
    return get_xp()


def _kind_of(a) -> str:
    """NumPy dtype kind of an array-like, computed without copying device arrays."""
    dt = getattr(a, "dtype", None)
    if dt is not None and not isinstance(a, (list, tuple)):
        try:
            return np.dtype(dt).kind
        except TypeError:  # an array-API dtype object numpy does not know
            s = str(dt)
            return ("c" if "complex" in s else "b" if "bool" in s else
                    "f" if "float" in s else "i" if "int" in s else "O")
    try:
        return np.asarray(a).dtype.kind
    except (TypeError, ValueError):
        return "O"


def as_float_array(a, name: str, *, ndim=None, shape=None, allow_empty: bool = False):
    """Convert ``a`` to a finite float64 array of its own namespace, checking ``ndim`` and ``shape``.

    Parameters
    ----------
    a : array_like
        Real numbers (float or integer dtype). Complex, boolean, string and object inputs raise
        ``TypeError`` rather than being cast.
    name : str
        The argument's name, quoted in every message.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    shape : tuple, optional
        Required shape; ``None`` entries are free axes.
    allow_empty : bool
        Whether an array with no entries is accepted.
    """
    if isinstance(a, (str, bytes)):
        raise TypeError(f"{name} must be a real numeric array, got a string {_short(a)}")
    kind = _kind_of(a)
    if kind == "c":
        raise TypeError(f"{name} must be a real numeric array, got complex values (take .real or "
                        "abs() explicitly if that is what you mean)")
    if kind == "b":
        raise TypeError(f"{name} must be a real numeric array, got booleans (cast with "
                        ".astype(float) if that is what you mean)")
    if kind not in "fiu":
        raise TypeError(f"{name} must be a real numeric array, got {type(a).__name__} "
                        f"{_short(a)}")
    xp = array_namespace(a)
    arr = xp.asarray(a, dtype=xp.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have ndim in {allowed}, got shape {tuple(arr.shape)}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, arr.shape)):
            want = tuple("any" if s is None else s for s in shape)
            raise ValueError(f"{name} must have shape {want}, got {tuple(arr.shape)}")
    size = math.prod(arr.shape)
    if not allow_empty and size == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(arr.shape)}")
    check_finite(arr, name)
    return arr


def all_finite(*values) -> bool:
    """Whether every entry of every value (arrays in their own namespace, or Python/NumPy scalars) is
    finite: the overflow checks' test (a finite input that gave a non-finite result)."""
    for v in values:
        if isinstance(v, (int, float, np.generic)):
            if not math.isfinite(float(v)):
                return False
            continue
        if not _is_finite(v):
            return False
    return True


def _is_finite(arr) -> bool:
    """Whether every entry of the array ``arr`` is finite, in one read.

    Large NumPy float arrays are read once without a boolean temporary in the common case: the sum
    of a finite array is finite unless it overflows, and any NaN/inf entry makes the sum NaN/inf;
    only then (and for small or non-NumPy arrays) is the entry-wise test run.
    """
    if isinstance(arr, np.ndarray) and arr.dtype.kind == "f" and arr.size > 4096:
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.add.reduce(arr, axis=None)):
                return True
    xp = array_namespace(arr)
    return bool(xp.all(xp.isfinite(arr)))


def check_finite(arr, name: str) -> None:
    """Raise ``ValueError`` if ``arr`` holds NaN or inf (one scan in the common case, see :func:`_is_finite`)."""
    if _is_finite(arr):
        return
    xp = array_namespace(arr)
    finite = xp.isfinite(arr)
    bad = int(xp.sum(xp.astype(~finite, xp.int64))) if hasattr(xp, "astype") else \
        int(np.size(arr) - np.count_nonzero(finite))
    raise ValueError(f"{name} must be finite, got {bad} NaN/inf entries")


def as_labels(y, name: str, n: int, n_classes: int):
    """Integer class labels of shape (n,) with values in [0, n_classes) (no wrap-around).

    Integer-valued floats are accepted; booleans, strings and fractional values are not.
    """
    kind = _kind_of(y)
    if kind == "b" or kind not in "fiu":
        raise TypeError(f"{name} must hold integer class labels, got "
                        f"{'booleans' if kind == 'b' else type(y).__name__ + ' ' + _short(y)}")
    xp = array_namespace(y)
    arr = xp.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) (one label per sample), got {tuple(arr.shape)}")
    if kind == "f":
        if not bool(xp.all(xp.isfinite(arr))) or bool(xp.any(arr != xp.round(arr))):
            raise TypeError(f"{name} must hold integer class labels, got non-integer floats")
    arr = xp.astype(arr, xp.int64) if hasattr(xp, "astype") else arr.astype(np.int64)
    if n and (int(xp.min(arr)) < 0 or int(xp.max(arr)) >= n_classes):
        raise ValueError(f"{name} must lie in [0, {n_classes}), got values in "
                         f"[{int(xp.min(arr))}, {int(xp.max(arr))}]")
    return arr


def check_int(v, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (Python or NumPy; bools and integral floats rejected) in ``[low, high]``."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_short(v)}")
    v = int(v)
    if low is not None and v < low:
        raise ValueError(f"{name} must be >= {low}, got {v}")
    if high is not None and v > high:
        raise ValueError(f"{name} must be <= {high}, got {v}")
    return v


def check_positive_int(v, name: str, *, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (bools rejected)."""
    return check_int(v, name, low=minimum)


def check_real(v, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, allow_inf: bool = False) -> float:
    """A finite real scalar (int or float; bools, strings, complex and NaN rejected) in the interval
    from ``low`` to ``high`` (closed unless ``low_open`` / ``high_open``)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_short(v)}")
    v = float(v)
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be a finite number, got {v}")
    if low is not None and (v < low or (low_open and v == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {v}")
    if high is not None and (v > high or (high_open and v == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {v}")
    return v


def check_index(i, name: str, n: int, *, size_name: str | None = None) -> int:
    """An index in ``[0, n)``; negative indices are rejected rather than wrapped around.

    ``size_name`` names ``n`` in the message (e.g. ``"K"``: ``i must satisfy 0 <= i < K=3``).
    """
    if n <= 0:
        raise ValueError(f"{name}: there is nothing to index (size {n})")
    v = check_int(i, name)
    if not 0 <= v < n:
        bound = f"{size_name}={n}" if size_name else str(n)
        raise ValueError(f"{name} must satisfy 0 <= {name} < {bound} (no wrap-around of negative "
                         f"indices), got {v}")
    return v


def check_choice(v, name: str, choices) -> str:
    """One of ``choices`` (compared exactly)."""
    if not isinstance(v, str) or v not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {_short(v)}")
    return v


def check_bool(v, name: str) -> bool:
    """A Python or NumPy bool (not an int or string that happens to be truthy)."""
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_short(v)}")
    return bool(v)


def check_rng(rng) -> np.random.Generator:
    """Normalise ``rng`` (None, int seed, SeedSequence or Generator) to a ``Generator``."""
    if isinstance(rng, np.random.RandomState):
        raise TypeError("rng must be a numpy Generator or a seed, not a legacy RandomState")
    if isinstance(rng, (bool, np.bool_, float, str, bytes)):
        raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {_short(rng)}")
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {_short(rng)}") from exc


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


def check_moment_range(arr, name: str):
    """``arr`` (rows = samples) small enough that second moments ``A^T B / n`` stay finite.

    Sums of ``n`` products of two entries overflow float64 beyond ``sqrt(max float64 / n)``; the
    eigen/SVD routines then fail with ``LinAlgError`` or return NaN. This raises a clear
    ``ValueError`` instead (limit ``sqrt(max float64 / n) / 4``, ~3e153 for n = 1). Likewise an
    array whose largest entry is below 1e-150 (products underflow to subnormals or zero).
    """
    xp = array_namespace(arr)
    n = max(int(arr.shape[0]) if arr.ndim else 1, 1)
    limit = math.sqrt(np.finfo(np.float64).max / n) / 4.0
    # max |entry| as max(max, -min): two reductions and no |arr| temporary (for a 10 000 x 785 activity
    # matrix the temporary cost more than both passes)
    top = max(float(xp.max(arr)), -float(xp.min(arr))) if math.prod(arr.shape) else 0.0
    if top > limit:
        raise ValueError(f"{name} is too large in magnitude for float64 second moments: entries must be "
                         f"<= {limit:.3g} for n={n} samples, got max |entry| {top:.3g} (rescale)")
    if 0.0 < top < 1e-150:
        raise ValueError(f"{name} is too small in magnitude for float64 second moments: its largest entry "
                         f"{top:.3g} is below 1e-150, so products of entries underflow (rescale)")
    return arr



def check_callbacks(callbacks, name: str = "callbacks") -> tuple:
    """An iterable of callables (not a string), returned as a tuple."""
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"{name} must be an iterable of callables, got {_short(callbacks)}")
    callbacks = tuple(callbacks)
    for i, cb in enumerate(callbacks):
        if not callable(cb):
            raise TypeError(f"{name}[{i}] must be callable, got {_short(cb)}")
    return callbacks
