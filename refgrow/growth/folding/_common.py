"""Shared checks and per-sample loss terms of the folding modules (paper 002; private).

Symbol table
------------
==========  ================  ========  ===============================================
paper       code              shape     meaning
==========  ================  ========  ===============================================
l_n         ``losses``        (n,)      per-sample loss
delta_n     ``delta``         (n, K)    d l_n / d f(x_n), per sample
H_n v       ``_hess_vec``     (n, K)    per-sample output Hessian times a vector
==========  ================  ========  ===============================================
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import check_rng

OUT_INITS = ("uniform", "zero", "descent")
MISTAKE_METHODS = ("largest_cluster", "loss_weighted")


def _rng(rng):
    return check_rng(rng)


def _check_loss(loss):
    if loss in ("ce", "cross_entropy"):
        return "ce"
    if loss == "mse":
        return "mse"
    raise ValueError(f"loss: expected 'ce' (softmax cross-entropy) or 'mse', got {loss!r}")


def _check_shallow(mlp):
    from refgrow.mlp import MLP
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp: expected a refgrow.mlp.MLP, got {type(mlp).__name__}")
    if mlp.n_hidden != 1 or mlp.activation != "relu":
        raise ValueError("mlp: folding grows a single-hidden-layer ReLU MLP (002 Sec. 3.2); got "
                         f"sizes {mlp.sizes} with activation {mlp.activation!r}")
    _check_hidden_bias(mlp)


def _check_hidden_bias(mlp):
    """A fold neuron is a hyperplane w.x + b = 0 through the fold point x_f (002 Alg. 1), so hidden
    layer 0 must carry biases; a bias-free layer (``MLP.init(..., bias=False)``) cannot host one."""
    if not mlp.has_bias[0]:
        raise ValueError("mlp: folding needs biases on hidden layer 0 (a fold neuron's hyperplane "
                         "w.x + b = 0 passes through the fold point, 002 Alg. 1); got has_bias[0] = False "
                         "(an MLP built with bias=False)")


def _check_data(mlp, X, y, loss, names=("X", "y")):
    from refgrow.train import check_dataset
    from refgrow._validation import check_moment_range
    X, y = check_dataset(X, y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1], names=names)
    check_moment_range(X, names[0])  # the objective's gradient terms are products of activations
    mlp.forward(X)                 # raises a clear error when the outputs overflow float64
    return X, y


def _per_sample(out, y, loss):
    """Per-sample losses (n,) and gradients delta (n, K) w.r.t. the outputs."""
    from refgrow.losses import get_loss
    return get_loss(loss, validate=False)(out, y, reduction="none")


def _hess_vec(out, v, loss):
    """Per-sample Hessian-vector products ``H_n v`` (n, K) of the per-sample loss w.r.t. outputs.

    CE: ``H = diag(p) - p p^T`` with ``p = softmax(out)`` (:func:`refgrow.losses.softmax`);
    MSE (mean over K entries): ``H = (2/K) I``.
    """
    if loss == "ce":
        from refgrow.losses import softmax
        p = softmax(out)
        return p * v - p * (p @ v)[:, None]
    return np.broadcast_to(2.0 * v / out.shape[1], out.shape).copy()


def _clean_dot(v, delta):
    """``delta @ v`` with cancellation noise removed.

    ``|delta_n . v| <= 1e-12 ||delta_n|| ||v||`` is set to exactly 0: for softmax CE and a uniform
    ``v`` the exact value is 0 (``sum_k delta_nk = 0``) and the computed one is rounding noise, whose
    random sign would otherwise flip ``sign(c_n)`` and the cosine term.
    """
    c = delta @ v
    thr = 1e-12 * np.linalg.norm(delta, axis=1) * np.linalg.norm(v)
    return np.where(np.abs(c) <= thr, 0.0, c)


