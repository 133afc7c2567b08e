"""Centred finite differences: the check every hand-written gradient in refgrow must pass.

Symbol table
------------
=========  ==============  ==========  ==========================================
symbol     code            shape       meaning
=========  ==============  ==========  ==========================================
f          ``f()``         scalar      the function whose gradient is checked
theta      ``x``           any         the array differentiated (perturbed in place)
eps        ``eps``         scalar      step of the centred difference (1e-6)
e_j        --              as theta    j-th unit vector
=========  ==============  ==========  ==========================================

``df/dx_j ~ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)``, error O(eps^2) for smooth f.

Two forms of the same rule: :func:`numerical_gradient` perturbs an array **in place** and calls a
closure ``f()`` (handy for the parameters of a network); :func:`numerical_jacobian` calls ``f(x)`` on
perturbed copies and returns the Jacobian of an array-valued ``f`` (shape ``f(x).shape + x.shape``).
Tests import these instead of writing their own finite differences.

For ReLU networks the check is valid where no pre-activation lies within ``eps`` of 0 (there the
function is locally affine in every parameter); :func:`check_mlp_gradients` reports the distance of
the closest pre-activation to 0 so a caller can tell a kink from a bug.
"""
from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "numerical_jacobian", "rel_error", "check_mlp_gradients",
           "min_abs_preactivation"]


def numerical_gradient(f, x, *, eps=1e-6):
    """Centred finite-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    ``x`` is perturbed **in place** (one entry at a time) and restored; ``f`` takes no argument and
    reads ``x`` through a closure. Returns an array of ``x``'s shape.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        fp = f()
        flat[j] = old - eps
        fm = f()
        flat[j] = old
        gflat[j] = (fp - fm) / (2 * eps)
    return grad


def numerical_jacobian(f, x, *, eps=1e-6):
    """Centred finite-difference Jacobian of ``f(x)`` (array or scalar valued) at the array ``x``.

    The functional form of :func:`numerical_gradient`: ``f`` takes the array and ``x`` is not
    modified. ``J[..., j] = (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)`` with ``x``'s axes last:
    the result has shape ``np.shape(f(x)) + x.shape`` (a scalar ``f`` gives the gradient, ``x.shape``).

    Parameters
    ----------
    f : callable, ``f(x) -> float or ndarray``
    x : array_like
    eps : float, keyword-only

    Returns
    -------
    ndarray, shape ``np.shape(f(x)) + np.shape(x)``

    Examples
    --------
    >>> numerical_jacobian(lambda v: np.array([v[0] * v[1], v[0] ** 2]), np.array([2.0, 3.0])).round(6)
    array([[3., 2.],
           [4., 0.]])
    """
    x = np.array(x, dtype=np.float64)
    out_shape = np.shape(f(x.copy()))
    J = np.zeros((x.size,) + out_shape)
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = eps
        e = e.reshape(x.shape)
        J[j] = (np.asarray(f(x + e), dtype=np.float64) - np.asarray(f(x - e), dtype=np.float64)) / (2 * eps)
    return np.moveaxis(J, 0, -1).reshape(out_shape + x.shape)


def rel_error(a, b, *, floor=1e-12) -> float:
    """Norm-wise relative error ``||a - b|| / max(||a||, ||b||, floor)`` (Frobenius norms).

    Scale-free, and not dominated by entries that are zero up to round-off (as an elementwise ratio is).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    den = max(np.linalg.norm(a), np.linalg.norm(b), floor)
    return float(np.linalg.norm(a - b) / den)


def min_abs_preactivation(mlp, X) -> float:
    """Smallest ``|z|`` over all hidden pre-activations (a ReLU kink closer than eps breaks FD)."""
    _, cache = mlp.forward(X)
    zs = [np.abs(z).min() for z in cache.preacts[:-1]]
    return float(min(zs)) if zs else float("inf")


def check_mlp_gradients(mlp, X, y, *, loss="ce", eps=1e-6) -> float:
    """Largest relative error between :meth:`MLP.backward` and centred finite differences.

    Checks every weight, bias and the input gradient of the mean loss on ``(X, y)``.
    """
    from refgrow.losses import get_loss
    fn = get_loss(loss)
    X = np.array(X, dtype=np.float64)
    out, cache = mlp.forward(X)
    _, d_out = fn(out, y)
    g = mlp.backward(cache, d_out)

    def value():
        return fn(mlp.forward(X)[0], y)[0]

    errs = [rel_error(gw, numerical_gradient(value, W, eps=eps)) for W, gw in zip(mlp.weights, g.weights)]
    errs += [rel_error(gb, numerical_gradient(value, b, eps=eps)) for b, gb in zip(mlp.biases, g.biases)]
    errs.append(rel_error(g.inputs, numerical_gradient(value, X, eps=eps)))
    return max(errs)
