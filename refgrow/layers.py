"""Layers as pure forward/backward pairs (CS231n style): ``*_forward(...) -> (out, cache)``,
``*_backward(dout, cache) -> gradients``; each backward sits beside its forward.

Symbol table (one alphabet for shapes: n samples, d inputs of the layer, h outputs)
-----------------------------------------------------------------------------------
=======  ========  ========  ==============================================
symbol   code      shape     meaning
=======  ========  ========  ==============================================
x        ``X``     (n, d)    layer input, one sample per row
W        ``W``     (h, d)    weight matrix, (out, in) as in ``W x + b``
b        ``b``     (h,)      bias
z        ``Z``     (n, h)    pre-activation ``Z = X W^T + b``
sigma    --        --        activation (ReLU, tanh, identity)
a        ``A``     (n, h)    post-activation ``A = sigma(Z)``
=======  ========  ========  ==============================================

Validation: every function checks its arguments (finite real arrays of matching shapes) unless
called with ``check_input=False``, which the MLP's inner loops use on arrays they built themselves.

Interpretation note (ReLU at 0)
    ReLU is not differentiable at 0. We use ReLU'(0) = 0 (the subgradient PyTorch and JAX use), so
    ``relu_backward`` passes gradient only where ``Z > 0`` strictly.
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import all_finite, array_namespace, as_float_array, check_bool
from refgrow.backend import astype

__all__ = ["affine_forward", "affine_backward", "relu_forward", "relu_backward",
           "tanh_forward", "tanh_backward", "identity_forward", "identity_backward", "ACTIVATIONS"]


def _overflow(out, names):
    """Raise when finite inputs gave a non-finite output (float64 overflow)."""
    if not all_finite(out):
        raise ValueError(f"{' and '.join(names)} are too large in magnitude: the result overflows float64")
    return out


def _check_mask(cache, shape, name="cache"):
    if getattr(cache, "shape", None) != shape or getattr(cache, "dtype", None) is None \
            or str(cache.dtype) != "bool":
        raise TypeError(f"{name} must be the boolean mask of shape {shape} returned by relu_forward, got "
                        f"{type(cache).__name__} {getattr(cache, 'shape', '')}")


def affine_forward(X, W, b, *, check_input: bool = True):
    """Affine layer ``Z = X W^T + b`` (the papers' ``W x + b`` applied to every row).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    W : ndarray, shape (h, d)
    b : ndarray, shape (h,)

    Returns
    -------
    Z : ndarray, shape (n, h)
    cache : tuple ``(X, W)``

    Examples
    --------
    >>> import numpy as np
    >>> Z, cache = affine_forward(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [1.0, 1.0], [0.0, -1.0]]),
    ...                           np.array([0.0, 0.5, 0.0]))
    >>> Z
    array([[ 1. ,  3.5, -2. ]])
    >>> relu_forward(Z)[0]
    array([[1. , 3.5, 0. ]])
    """
    if check_bool(check_input, "check_input"):
        X = as_float_array(X, "X", ndim=2, allow_empty=True)
        W = as_float_array(W, "W", shape=(None, X.shape[1]), allow_empty=True)
        b = as_float_array(b, "b", shape=(W.shape[0],), allow_empty=True)
    Z = X @ W.T
    Z += b                                # in place: one (n, h) array, same bits as ``X @ W.T + b``
    if check_input:
        return _overflow(Z, ("X", "W", "b")), (X, W)
    return Z, (X, W)


def affine_backward(dZ, cache, *, check_input: bool = True):
    """Backward of :func:`affine_forward`.

    With ``Z = X W^T + b``: ``dX = dZ W``, ``dW = dZ^T X``, ``db = sum_i dZ_i``.

    Parameters
    ----------
    dZ : ndarray, shape (n, h)
    cache : from :func:`affine_forward`

    Returns
    -------
    dX : (n, d)
    dW : (h, d)
    db : (h,)
    """
    if check_bool(check_input, "check_input"):
        if not isinstance(cache, tuple) or len(cache) != 2:
            raise TypeError(f"cache must be the (X, W) pair returned by affine_forward, got "
                            f"{type(cache).__name__}")
        X = as_float_array(cache[0], "cache[0] (X)", ndim=2, allow_empty=True)
        W = as_float_array(cache[1], "cache[1] (W)", shape=(None, X.shape[1]), allow_empty=True)
        dZ = as_float_array(dZ, "dZ", shape=(X.shape[0], W.shape[0]), allow_empty=True)
        out = dZ @ W, dZ.T @ X, dZ.sum(axis=0)
        for o in out:
            _overflow(o, ("dZ", "cache"))
        return out
    X, W = cache
    return dZ @ W, dZ.T @ X, array_namespace(dZ).sum(dZ, axis=0)


def relu_forward(Z, *, check_input: bool = True):
    """``A = max(Z, 0)``; returns ``(A, cache)`` with cache the mask ``Z > 0``, shape (n, h)."""
    if check_bool(check_input, "check_input"):
        Z = as_float_array(Z, "Z", allow_empty=True)
    return _relu(Z), Z > 0


def relu_backward(dA, cache, *, check_input: bool = True):
    """``dZ = dA * 1[Z > 0]`` (ReLU'(0) = 0, see the module note)."""
    if check_bool(check_input, "check_input"):
        dA = as_float_array(dA, "dA", allow_empty=True)
        _check_mask(cache, dA.shape)
    xp = array_namespace(dA)
    return dA * cache if xp is np else xp.where(cache, dA, 0.0)   # the array API has no float * bool


def tanh_forward(Z, *, check_input: bool = True):
    """``A = tanh(Z)``; cache holds A."""
    if check_bool(check_input, "check_input"):
        Z = as_float_array(Z, "Z", allow_empty=True)
    A = array_namespace(Z).tanh(Z)
    return A, A


def tanh_backward(dA, cache, *, check_input: bool = True):
    """``dZ = dA (1 - tanh(Z)^2)``; ``cache`` is ``A = tanh(Z)``, values in [-1, 1]."""
    if check_bool(check_input, "check_input"):
        dA = as_float_array(dA, "dA", allow_empty=True)
        cache = as_float_array(cache, "cache", shape=dA.shape, allow_empty=True)
        xp = array_namespace(cache)
        if bool(xp.any(xp.abs(cache) > 1.0)):
            raise ValueError("cache must hold tanh values in [-1, 1] (the cache of tanh_forward)")
        return _overflow(dA * (1.0 - cache * cache), ("dA",))
    return dA * (1.0 - cache * cache)


def identity_forward(Z, *, check_input: bool = True):
    """``A = Z`` (a linear network; used to test first-order statements exactly)."""
    if check_bool(check_input, "check_input"):
        Z = as_float_array(Z, "Z", allow_empty=True)
    return Z, None


def identity_backward(dA, cache, *, check_input: bool = True):
    """``dZ = dA`` (``cache`` is the ``None`` of :func:`identity_forward`)."""
    if check_bool(check_input, "check_input"):
        dA = as_float_array(dA, "dA", allow_empty=True)
        if cache is not None:
            raise TypeError(f"cache must be None (the cache of identity_forward), got {type(cache).__name__}")
    return dA


def _relu(z):
    return array_namespace(z).maximum(z, 0.0)


def _relu_prime(z):
    return astype(array_namespace(z), z > 0, z.dtype)


def _tanh(z):
    return array_namespace(z).tanh(z)


def _tanh_prime(z):
    return 1.0 - array_namespace(z).tanh(z) ** 2


#: name -> (forward, backward, sigma, sigma')  (sigma' is the derivative used in TINY's linearisation)
ACTIVATIONS = {
    "relu": (relu_forward, relu_backward, _relu, _relu_prime),
    "tanh": (tanh_forward, tanh_backward, _tanh, _tanh_prime),
    "identity": (identity_forward, identity_backward, lambda z: z, lambda z: z * 0.0 + 1.0),
}
