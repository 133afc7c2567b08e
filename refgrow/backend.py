"""Array-namespace seam: NumPy by default, CuPy when selected, any array-API namespace by input.

The core computations (MLP step, losses, optimisers, TINY, GradMax, weighted k-means, geometry,
triangle pretraining) run in the **namespace of their inputs**:
:func:`refgrow._validation.array_namespace` returns the inputs' ``__array_namespace__()`` (the
array-API standard's protocol, as scikit-learn's array-API dispatch uses), else the backend selected
here with :func:`set_backend` (``"numpy"`` by default, ``"cupy"`` on request or with the environment
variable ``REFGROW_BACKEND=cupy`` set before import). Nothing else in refgrow imports cupy, and
``import refgrow`` never does.

The bodies use the functions NumPy, CuPy and the array-API standard share (``xp.matmul``/``@``,
``xp.sum``, ``xp.where``, ``xp.linalg.svd``, ``xp.linalg.eigh``, ...) plus the few helpers below
for what they spell differently (:func:`astype`, :func:`concat`, :func:`device_kw`). Host copies
happen only where a function says so (plotting, I/O, printing, and the documented host fallbacks,
which go through :func:`to_numpy` / :func:`from_numpy` explicitly, so the strict test namespace
catches any implicit conversion: ``tests/test_array_namespace.py``).

Symbol table
------------
==========  ===============  ===========================================
symbol      code             meaning
==========  ===============  ===========================================
xp          ``get_xp()``     the active array module (numpy or cupy)
==========  ===============  ===========================================
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["get_xp", "set_backend", "backend_name", "to_numpy", "from_numpy", "xp", "is_numpy",
           "device_kw", "astype", "concat", "copy", "column_signs", "matrix_transpose", "ldexp"]

_SUPPORTED = ("numpy", "cupy")
_state = {"name": "numpy", "xp": np}


def set_backend(name: str) -> None:
    """Select the array namespace: ``"numpy"`` (default) or ``"cupy"``.

    Raises
    ------
    ValueError
        If ``name`` is not one of ``"numpy"``, ``"cupy"``.
    ImportError
        If ``"cupy"`` is requested but cannot be imported (install ``refgrow[gpu]``).
    """
    if not isinstance(name, str) or name.lower() not in _SUPPORTED:
        raise ValueError(f"set_backend: name must be one of {_SUPPORTED}, got {name!r}")
    name = name.lower()
    if name == "cupy":
        import cupy  # noqa: PLC0415  (the only cupy import in refgrow)
        _state.update(name="cupy", xp=cupy)
    else:
        _state.update(name="numpy", xp=np)


def get_xp():
    """The active array module (``numpy`` unless :func:`set_backend` selected ``cupy``)."""
    return _state["xp"]


def backend_name() -> str:
    """``"numpy"`` or ``"cupy"``."""
    return _state["name"]


def to_numpy(a):
    """Return ``a`` as a NumPy array: an explicit host copy (``.get()`` from the GPU for a CuPy array,
    DLPack for other array-API arrays); NumPy arrays and Python scalars go through ``np.asarray``."""
    if hasattr(a, "get") and type(a).__module__.startswith("cupy"):
        return a.get()
    if isinstance(a, (np.ndarray, np.generic)) or not hasattr(a, "__dlpack__"):
        return np.asarray(a)
    return np.from_dlpack(a)


def from_numpy(xp, a, like=None):
    """The NumPy array ``a`` in namespace ``xp`` (on the device of ``like``): the way back from a
    documented host fallback (:func:`to_numpy`)."""
    if is_numpy(xp):
        return a
    return xp.asarray(a, **device_kw(xp, like))


def is_numpy(xp) -> bool:
    """Whether ``xp`` is NumPy itself (the reference namespace; NumPy-only fast paths test this)."""
    return xp is np


def device_kw(xp, like) -> dict:
    """``{"device": like.device}`` for array-API namespaces whose creation functions take it, ``{}`` for
    NumPy and CuPy (which create on the current device) or when ``like`` is None."""
    if like is None or xp is np or getattr(xp, "__name__", "").startswith("cupy"):
        return {}
    return {"device": like.device}


def astype(xp, a, dtype):
    """``a`` cast to ``dtype`` (``xp.astype`` of the array-API standard, ``a.astype`` where the
    namespace predates it: NumPy < 2.1, CuPy)."""
    f = getattr(xp, "astype", None)
    return f(a, dtype) if f is not None else a.astype(dtype)


def copy(xp, a):
    """An owned copy of ``a`` in its namespace (``np.array`` for NumPy, ``.copy()`` for CuPy,
    ``xp.asarray(a, copy=True)`` for array-API namespaces)."""
    if xp is np:
        return np.array(a)
    if hasattr(a, "copy"):
        return a.copy()
    return xp.asarray(a, copy=True)


def column_signs(xp, M):
    """``sign(M[argmax_i |M[i, j]|, j])`` for every column j as ``-1.0``/``+1.0`` (shape (k,); ``+1`` for a
    zero pivot): multiplying column j by it makes its largest-magnitude entry positive, the
    deterministic sign of singular vectors (TINY, GradMax). NumPy indexes the pivots directly; other
    namespaces go through ``take_along_axis`` (the array API has no paired integer indexing); same values.
    """
    piv = xp.argmax(xp.abs(M), axis=0)
    if xp is np:
        return np.where(M[piv, np.arange(M.shape[1])] < 0, -1.0, 1.0)
    p = xp.take_along_axis(M, piv[None, :], axis=0)[0, :]
    one = xp.ones_like(p)
    return xp.where(p < 0, -one, one)


def matrix_transpose(xp, a):
    """``a`` with its last two axes swapped (``a.mT`` of the array API / NumPy >= 2, ``swapaxes(a, -1, -2)``
    where the namespace predates it)."""
    mT = getattr(a, "mT", None)                   # the array API's attribute (NumPy >= 2): no call overhead
    return mT if mT is not None else xp.swapaxes(a, -1, -2)


def concat(xp, arrays, axis=0):
    """``xp.concat`` (array API) or ``xp.concatenate`` (NumPy < 2, CuPy)."""
    f = getattr(xp, "concat", None)
    return f(list(arrays), axis=axis) if f is not None else xp.concatenate(list(arrays), axis=axis)


def ldexp(xp, a, e: int):
    """``a * 2**e``, exact (no rounding unless the result is subnormal): ``np.ldexp`` for NumPy, two
    power-of-two products elsewhere (the array API has no ``ldexp``; each factor stays finite)."""
    if xp is np:
        return np.ldexp(a, e)
    h = e // 2
    return (a * 2.0 ** h) * 2.0 ** (e - h)


def __getattr__(attr):  # ``backend.xp`` always reflects the current selection
    if attr == "xp":
        return _state["xp"]
    raise AttributeError(attr)


_env = os.environ.get("REFGROW_BACKEND")
if _env:
    set_backend(_env)
