r"""Pretraining through the reparameterisation: Algorithm 1 (App. A.1) of the triangle paper
[docs/references.md#triangle].

"Network-Gradient x A-Gradient": the loss of the App. A.1 network is back-propagated to its raw
weights (:func:`refgrow.triangle.network.batched_backward`), then through the weight-setting map
(:func:`refgrow.triangle.network.batched_network_parameters_vjp`) and, when the scales are tied to
the peaks ("differentiability enforced"), through the Theorem 3.1 ratios
(:func:`refgrow.triangle.waves.theorem31_ratios_vjp`).

Symbol table
------------
=====================  ============================  ===========  ===========================================
paper                  code                          shape        meaning
=====================  ============================  ===========  ===========================================
A (Algorithm 1)        ``a``                         (m,)/(R, m)  peaks being trained
S_l                    ``S``                         (H,)/(R, H)  per-layer ratios (free in "not enforced")
s_i                    ``s``                         (m-1,)       scales, ``cumprod(S)``
x, y                   ``x, y`` / ``X, Y``           (n,)/(R,n,1) inputs in [0, 1] and targets
L                      ``loss``                      scalar/(R,)  ``mean((N_a(x) - y)^2)``
c   (App. A.4)         ``c``                         scalar       projection interval ``[c, 1-c]``
S_min                  ``S_MIN``                     scalar       free ratios kept ``>= 1e-6``
R                      leading axis                  --           independent runs (seeds x targets)
=====================  ============================  ===========  ===========================================

Results have a fixed arity: :func:`pretrain_loss_and_grad` always returns the 2-field named tuple
:class:`PretrainLossGrad` ``(loss, grad)`` (the pinned ``loss, g = ...`` unpacking of DESIGN.md);
the free-scales gradient has its own function :func:`free_scales_loss_and_grad` returning the
3-field :class:`FreeScalesLossGrad` ``(loss, grad_a, grad_s)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from refgrow._validation import (all_finite, array_namespace, as_float_array, check_bool, check_int,
                                 check_positive_int, check_real)
from refgrow.backend import copy, device_kw, to_numpy
from refgrow.optim import adam_update
from refgrow.triangle._checks import (check_batch_inputs, check_batch_peaks, check_batch_ratios, check_batch_sign,
                                      check_c, check_peaks, check_scales, check_sign, check_xy)
from refgrow.triangle.network import (batched_backward, batched_forward, batched_network_parameters,
                                      batched_network_parameters_vjp)
from refgrow.triangle.waves import DEFAULT_C, scale_ratios, theorem31_ratios, theorem31_ratios_vjp

__all__ = ["S_MIN", "PretrainLossGrad", "FreeScalesLossGrad", "pretrain_loss_and_grad",
           "free_scales_loss_and_grad", "batched_pretrain_loss_and_grad", "ArrayAdam", "PretrainResult",
           "batched_pretrain", "pretrain"]

S_MIN = 1e-6


class PretrainLossGrad(NamedTuple):
    """``(loss, grad)`` of :func:`pretrain_loss_and_grad`: MSE and ``d loss / d a`` (shape (m,))."""

    loss: float
    grad: np.ndarray


class FreeScalesLossGrad(NamedTuple):
    """``(loss, grad_a, grad_s)`` of :func:`free_scales_loss_and_grad` (shapes (), (m,), (m-1,))."""

    loss: float
    grad_a: np.ndarray
    grad_s: np.ndarray


def _check_batch_problem(a, S, sign, X, Y, free):
    """Validated ``(a, S, sign, X, Y, free)`` of the batched engines (``S`` None: Theorem 3.1's ratios)."""
    a = check_batch_peaks(a)
    R, H = a.shape[0], a.shape[1] - 1
    sign = check_batch_sign(sign, R)
    free = check_bool(free, "free")
    if S is not None:
        S = check_batch_ratios(S, R, H)
    X = check_batch_inputs(X, R, 1)
    Y = as_float_array(Y, "Y", shape=(R, X.shape[-2], None))
    return a, S, sign, X, Y, free


def batched_pretrain_loss_and_grad(a, S, sign, X, Y, *, free, check_input: bool = True):
    """Loss and gradients of Algorithm 1 for R networks at once (``check_input=False``: the engine).

    Parameters
    ----------
    a : (R, H+1) peaks;  S : (R, H) ratios (ignored and recomputed from ``a`` unless ``free``)
    sign : (R,) of +-1;  X : (n, 1) shared or (R, n, 1);  Y : (R, n, 1)
    free : bool; False: ``S = S(a)`` (Theorem 3.1) and ``grad_a`` includes the chain through ``S(a)``

    Returns
    -------
    loss : (R,);  grad_a : (R, H+1);  grad_S : (R, H) (partial derivative at the ratios used)
    """
    if check_bool(check_input, "check_input"):
        a, S, sign, X, Y, free = _check_batch_problem(a, S, sign, X, Y, free)
        res = batched_pretrain_loss_and_grad(a, S, sign, X, Y, free=free, check_input=False)
        if not all_finite(*res):
            raise ValueError("X, Y and S are too large in magnitude: the loss or its gradient overflows float64")
        return res
    if not free:
        S = theorem31_ratios(a, sign, check_input=False)
    Ws, bs = batched_network_parameters(a, S, sign, check_input=False)
    out, cache = batched_forward(Ws, bs, X, check_input=False)
    r = out - Y
    n = Y.shape[1]
    loss = array_namespace(r).mean(r * r, axis=(1, 2))
    dout = 2.0 * r / (n * Y.shape[2])
    dWs, dbs = batched_backward(Ws, cache, dout, check_input=False)
    da, dS = batched_network_parameters_vjp(a, S, sign, dWs, dbs, check_input=False)
    if not free:
        da = da + theorem31_ratios_vjp(a, sign, dS, check_input=False)
    return loss, da, dS


def _sign_array(sign, like):
    """``[float(sign)]``, shape (1,), in the namespace and on the device of ``like`` (the engines' sign)."""
    xp = array_namespace(like)
    return xp.asarray([float(sign)], dtype=xp.float64, **device_kw(xp, like))


def pretrain_loss_and_grad(a, x, y, *, s=None, sign: int = -1) -> PretrainLossGrad:
    r"""MSE of the App. A.1 network built from ``a`` and its exact gradient w.r.t. ``a`` (Algorithm 1).

    With ``s`` None the scales are the Theorem 3.1 scales ``s(a)`` ("differentiability enforced"),
    and the gradient runs through them. With ``s`` given the scales are held fixed and ``grad`` is the
    partial derivative w.r.t. ``a``; use :func:`free_scales_loss_and_grad` for the gradient w.r.t.
    ``s`` as well. The network is the paper's (no offset on the sum neuron), so if a partial sum went
    negative the ReLU of the sum neuron is part of the model being differentiated.

    Parameters
    ----------
    a : (m,) peaks in (0, 1), ``m >= 2``
    x : (n,) or (n, 1) inputs in [0, 1]
    y : (n,) or (n, 1) targets
    s : (m-1,) positive scales, optional
    sign : {-1, +1}

    Returns
    -------
    PretrainLossGrad ``(loss: float, grad: (m,))`` (unpacks as ``loss, grad``)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 1, 11); loss, g = pretrain_loss_and_grad([0.5, 0.5, 0.5], x, x ** 2)
    >>> g.shape
    (3,)
    """
    a = check_peaks(a)
    sign = check_sign(sign)
    x, y = check_xy(x, y)
    if s is not None:
        res = free_scales_loss_and_grad(a, s, x, y, sign=sign)
        return PretrainLossGrad(res.loss, res.grad_a)
    loss, da, _ = batched_pretrain_loss_and_grad(a[None, :], None, _sign_array(sign, a), x[:, None],
                                                 y[None, :, None], free=False, check_input=False)
    if not all_finite(loss, da):
        raise ValueError("y (or s) is too large in magnitude: the loss or its gradient overflows float64")
    return PretrainLossGrad(float(loss[0]), da[0, :])


def free_scales_loss_and_grad(a, s, x, y, *, sign: int = -1) -> FreeScalesLossGrad:
    r"""MSE of the App. A.1 network with free scales ``s`` and its gradients w.r.t. ``a`` and ``s``.

    "Differentiability not enforced" (App. A.1): the network's own ratios ``S_l`` are the free
    parameters; the gradient w.r.t. ``s`` follows by the chain rule through ``S_1 = s_0``,
    ``S_l = s_{l-1} / s_{l-2}``.

    Parameters
    ----------
    a : (m,) peaks in (0, 1);  s : (m-1,) positive scales
    x : (n,) or (n, 1) inputs in [0, 1];  y : (n,) or (n, 1) targets
    sign : {-1, +1}

    Returns
    -------
    FreeScalesLossGrad ``(loss: float, grad_a: (m,), grad_s: (m-1,))``
    """
    a = check_peaks(a)
    sign = check_sign(sign)
    x, y = check_xy(x, y)
    s = check_scales(s, a.shape[0])
    S = scale_ratios(s)
    loss, da, dS = batched_pretrain_loss_and_grad(a[None, :], S[None, :], _sign_array(sign, a), x[:, None],
                                                  y[None, :, None], free=True, check_input=False)
    dS = dS[0, :]
    ds = array_namespace(s).zeros_like(s)                     # chain rule through S_1 = s_0, S_l = s_{l-1}/s_{l-2}
    ds[0] += dS[0]
    ds[1:] += dS[1:] / s[:-1]
    ds[:-1] -= dS[1:] * s[1:] / s[:-1] ** 2
    if not all_finite(loss, da, ds):
        raise ValueError("y or s is too large (or s too small) in magnitude: the loss or its gradient "
                         "overflows float64")
    return FreeScalesLossGrad(float(loss[0]), da[0, :], ds)


class ArrayAdam:
    """Adam on a plain list of arrays (runs on a leading axis are independent), one step count.

    The state holder of the batched engines; the update is :func:`refgrow.optim.adam_update`, the
    single Adam rule of refgrow (the growing-network optimiser :class:`refgrow.optim.Adam` uses it
    too). No weight decay.

    Parameters
    ----------
    params : list of ndarray (the arrays ``step`` will update in place)
    lr : float;  betas : (b1, b2);  eps : float
    """

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8):
        from refgrow.optim import Adam
        opts = Adam(lr, betas=betas, eps=eps)                # validates lr, betas, eps
        if not isinstance(params, (list, tuple)) or not params:
            raise TypeError(f"params must be a non-empty list of arrays, got {type(params).__name__}")
        params = [as_float_array(p, f"params[{i}]", allow_empty=True) for i, p in enumerate(params)]
        self.lr, self.betas, self.eps = opts.lr, opts.betas, opts.eps
        self.m = [array_namespace(p).zeros_like(p) for p in params]
        self.v = [array_namespace(p).zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads, *, check_input: bool = True) -> None:
        """One Adam step on every ``params[k]`` (in place) from ``grads[k]``.

        ``check_input=False`` skips the validation (the engines' inner loops, on arrays they built).
        """
        if not check_bool(check_input, "check_input"):
            self.t += 1
            for p, g, m, v in zip(params, grads, self.m, self.v):
                adam_update(p, g, m, v, self.t, lr=self.lr, beta1=self.betas[0], beta2=self.betas[1],
                            eps=self.eps, check_input=False)
            return
        for name, lst in (("params", params), ("grads", grads)):
            if not isinstance(lst, (list, tuple)) or len(lst) != len(self.m):
                raise TypeError(f"{name} must be a list of {len(self.m)} arrays (as given to the "
                                f"constructor), got {type(lst).__name__}")
        gs = []
        for i, (p, g, m) in enumerate(zip(params, grads, self.m)):
            is_arr = isinstance(p, np.ndarray) or hasattr(p, "__array_namespace__")
            if not is_arr or p.dtype != array_namespace(p).float64 or p.shape != m.shape:
                raise TypeError(f"params[{i}] must be a float64 ndarray of shape {m.shape} (updated in "
                                f"place), got {type(p).__name__} {getattr(p, 'shape', '')}")
            as_float_array(p, f"params[{i}]", allow_empty=True)
            gs.append(as_float_array(g, f"grads[{i}]", shape=tuple(m.shape), allow_empty=True))
        self.t += 1
        for p, g, m, v in zip(params, gs, self.m, self.v):
            adam_update(p, g, m, v, self.t, lr=self.lr, beta1=self.betas[0],
                        beta2=self.betas[1], eps=self.eps, check_input=False)


@dataclass
class PretrainResult:
    """Result of :func:`pretrain`: final peaks/scales and the loss before every epoch's step."""

    a: np.ndarray
    s: np.ndarray
    loss: list = field(default_factory=list)


def batched_pretrain(a, sign, X, Y, *, epochs, lr, free, c, S=None, check_input: bool = True):
    """Algorithm 1 for R runs at once (``check_input=False`` skips the validation).

    Parameters
    ----------
    a : (R, H+1) initial peaks;  sign : (R,);  X : (n, 1) or (R, n, 1);  Y : (R, n, 1)
    epochs : int;  lr : float;  free : bool (train the ratios too);  c : float;
    S : (R, H) initial ratios for ``free`` (default Theorem 3.1)

    Returns
    -------
    a : (R, H+1);  S : (R, H);  losses : (epochs, R) (loss before each step)
    """
    if check_bool(check_input, "check_input"):
        a, S, sign, X, Y, free = _check_batch_problem(a, S, sign, X, Y, free)
        epochs = check_int(epochs, "epochs", low=0)
        lr = check_real(lr, "lr", low=0.0, low_open=True)
        c = check_c(c)
    xp = array_namespace(a, X)
    a = copy(xp, a)
    S = theorem31_ratios(a, sign, check_input=False) if S is None else copy(xp, S)
    params = [a, S] if free else [a]
    opt = ArrayAdam(params, lr)
    losses = []
    for e in range(epochs):
        loss, da, dS = batched_pretrain_loss_and_grad(a, S, sign, X, Y, free=free, check_input=False)
        losses.append(loss)
        opt.step(params, [da, dS] if free else [da], check_input=False)
        if xp is np:                                   # projections in place (params hold a and S)
            np.clip(a, c, 1.0 - c, out=a)
            if free:
                np.maximum(S, S_MIN, out=S)
        else:
            a[...] = xp.clip(a, c, 1.0 - c)
            if free:
                S[...] = xp.maximum(S, S_MIN)
    if not free:
        S = theorem31_ratios(a, sign, check_input=False)
    if not losses:                                     # epochs = 0: an empty (0, R) history
        return a, S, xp.zeros((0, a.shape[0]), dtype=xp.float64, **device_kw(xp, a))
    return a, S, xp.stack(losses, axis=0)


def pretrain(a, x, y, *, epochs: int = 1000, lr: float = 1e-3, sign: int = -1,
             free_scales: bool = False, c: float = DEFAULT_C) -> PretrainResult:
    r"""Algorithm 1 of the triangle paper: Adam on the peaks ``a`` (and free scales) through the map.

    Each epoch sets the weights from ``a`` (App. A.1), computes the full-batch MSE and its gradient
    (:func:`pretrain_loss_and_grad`), takes one Adam step and projects ``a`` onto ``[c, 1-c]``
    (free ratios onto ``[S_MIN, inf)``).

    Parameters
    ----------
    a : (m,) initial peaks in [c, 1-c]
    x, y : (n,) inputs in [0, 1] and targets
    epochs : int, lr : float (Sec. 4.1: 1000 epochs, 1e-3)
    sign : {-1, +1}
    free_scales : bool, train the per-layer ratios too ("differentiability not enforced")
    c : float in (0, 0.5)

    Returns
    -------
    PretrainResult(a (m,), s (m-1,), loss list of length ``epochs`` (loss before each step))
    """
    a = check_peaks(a)
    sign = check_sign(sign)
    x, y = check_xy(x, y)
    epochs = check_positive_int(epochs, "epochs")
    c = check_c(c)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    free_scales = check_bool(free_scales, "free_scales")
    xp = array_namespace(a, x)
    a = xp.clip(a, c, 1 - c)
    A, S, losses = batched_pretrain(a[None, :], _sign_array(sign, a), x[:, None], y[None, :, None],
                                    epochs=epochs, lr=lr, free=free_scales, c=c, check_input=False)
    if not all_finite(losses, A, S):
        raise ValueError("y is too large in magnitude (or lr too large): pretraining overflowed float64")
    # the loss history is returned as Python floats: one host copy of (epochs,) values at the end
    return PretrainResult(a=A[0, :], s=_cumprod(xp, S[0, :]), loss=to_numpy(losses[:, 0]).tolist())


def _cumprod(xp, v):
    """Running product of a 1-D array (``np.cumprod``; the same sequential products elsewhere)."""
    if xp is np:
        return np.cumprod(v)
    out = [v[0]]
    for i in range(1, v.shape[0]):
        out.append(out[-1] * v[i])
    return xp.stack(out, axis=0)
