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

Interpretation note (ReLU at 0)
    ReLU is not differentiable at 0. We use ReLU'(0) = 0 (the subgradient PyTorch and JAX use), so
    ``relu_backward`` passes gradient only where ``Z > 0`` strictly.
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import array_namespace
from refgrow.backend import astype

__all__ = ["affine_forward", "affine_backward", "relu_forward", "relu_backward",
           "tanh_forward", "tanh_backward", "identity_forward", "identity_backward", "ACTIVATIONS"]


def affine_forward(X, W, b):
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
    Z = X @ W.T
    Z += b                                # in place: one (n, h) array, same bits as ``X @ W.T + b``
    return Z, (X, W)


def affine_backward(dZ, cache):
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
    X, W = cache
    return dZ @ W, dZ.T @ X, array_namespace(dZ).sum(dZ, axis=0)


def relu_forward(Z):
    """``A = max(Z, 0)``; returns ``(A, cache)`` with cache the mask ``Z > 0``, shape (n, h)."""
    return _relu(Z), Z > 0


def relu_backward(dA, cache):
    """``dZ = dA * 1[Z > 0]`` (ReLU'(0) = 0, see the module note)."""
    xp = array_namespace(dA)
    return dA * cache if xp is np else xp.where(cache, dA, 0.0)   # the array API has no float * bool


def tanh_forward(Z):
    """``A = tanh(Z)``; cache holds A."""
    A = array_namespace(Z).tanh(Z)
    return A, A


def tanh_backward(dA, cache):
    """``dZ = dA (1 - tanh(Z)^2)``."""
    return dA * (1.0 - cache * cache)


def identity_forward(Z):
    """``A = Z`` (a linear network; used to test first-order statements exactly)."""
    return Z, None


def identity_backward(dA, cache):
    """``dZ = dA``."""
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
