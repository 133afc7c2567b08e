"""Exercise 01 (affine_relu): an affine layer and a ReLU, forward and backward.

Implement the four functions below with NumPy (float64), then check your work with::

    python -m refgrow check 01 01_affine_relu.py

Conventions (as everywhere in refgrow): rows are samples, X has shape (n, D); a weight matrix has
shape (out, in) = (h, D), as in the papers' ``W x + b``; the layer computes ``Z = X W^T + b``.
Backward functions follow the CS231n style: ``*_forward(...) -> (out, cache)`` and
``*_backward(dout, cache)`` returns the gradients of a scalar loss ``L`` with respect to the forward
inputs, each with the shape of that input (dX has X's shape, dW has W's shape, db has b's shape).

Reading: the chain rule for ``Z_ij = sum_k X_ik W_jk + b_j`` (write it per entry, then in matrix form);
ReLU ``max(z, 0)`` and its derivative (refgrow's convention: ReLU'(0) = 0, as in PyTorch and JAX).
"""
import numpy as np


def affine_forward(X, W, b):
    """Affine layer ``Z = X W^T + b`` (the papers' ``W x + b`` applied to every row of X).

    Parameters
    ----------
    X : ndarray, shape (n, D)
    W : ndarray, shape (h, D)
    b : ndarray, shape (h,)

    Returns
    -------
    Z : ndarray, shape (n, h)
    cache : anything your ``affine_backward`` needs (e.g. a tuple of the inputs)
    """
    raise NotImplementedError("write affine_forward")


def affine_backward(dZ, cache):
    """Backward pass of :func:`affine_forward`.

    Parameters
    ----------
    dZ : ndarray, shape (n, h)
        Upstream gradient ``dL/dZ``.
    cache : what your ``affine_forward`` returned

    Returns
    -------
    dX : ndarray, shape (n, D)   ``dL/dX``
    dW : ndarray, shape (h, D)   ``dL/dW``
    db : ndarray, shape (h,)     ``dL/db``
    """
    raise NotImplementedError("write affine_backward")


def relu_forward(Z):
    """ReLU ``A = max(Z, 0)`` elementwise (given: you may keep it as it is).

    Returns
    -------
    A : ndarray, shape of Z
    cache : the pre-activation Z
    """
    return np.maximum(Z, 0.0), Z


def relu_backward(dA, cache):
    """Backward pass of :func:`relu_forward`: ``dL/dZ`` from ``dL/dA``.

    Use the convention ReLU'(0) = 0 (a unit whose pre-activation is exactly 0 passes no gradient).

    Parameters
    ----------
    dA : ndarray, shape (n, h)
    cache : what your ``relu_forward`` returned

    Returns
    -------
    dZ : ndarray, shape (n, h)
    """
    raise NotImplementedError("write relu_backward")
