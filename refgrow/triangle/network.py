r"""The width-4 ReLU network of App. A.1 of the triangle paper [docs/references.md#triangle], its
parameter map ``a -> (W, b)`` with its vector-Jacobian product, and the batched forward/backward engine.

Symbol table
------------
=====================  =====================================  ==================  =========================
paper                  code                                   shape               meaning
=====================  =====================================  ==================  =========================
a_i                    ``a``                                  (m,) / (R, m)       peaks, ``H = m-1`` layers
S_l     (App. A.1)     ``S``                                  (H,) / (R, H)       per-layer ratios
sign                   ``sign``                               +-1 / (R,)          -1 convex, +1 concave
[sum, t1, t2, bias]    hidden neurons, in this order          4 per layer         Fig. 2
W_l, b_l               ``weights[l]``, ``biases[l]``          (out, in), (out,)   ``(4,1), (4,4).., (1,4)``
offset                 ``info["offset"]`` / ``offset``        scalar / (R,)       added to the sum neuron
R                      leading axis of the batched forms      --                  independent runs
n                      samples                                --                  rows of X
=====================  =====================================  ==================  =========================

One engine: :func:`batched_forward` / :func:`batched_backward` are the batched form of
:meth:`refgrow.mlp.MLP.forward` / :meth:`refgrow.mlp.MLP.backward` for ReLU networks stored with a
leading run axis (affine ``Z = X W^T + b`` and ReLU'(0) = 0 exactly as :mod:`refgrow.layers`); the
tests check them equal to ``MLP`` network by network to 1e-12. They lay activations out as
``(R, features, n)`` so every product is a batch of ``(out, in) @ (in, n)`` with a long contiguous
last axis (several times faster for width 4 than ``(R, n, features)``).

The readable reference of App. A.1 is :func:`network_parameters` (one network, layer by layer);
:func:`batched_network_parameters` is the batched form (tested equal). The interpretation notes
(index shift, the non-negative sum neuron and its offset, positive scales) are in the package
docstring (:mod:`refgrow.triangle`).
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import all_finite, array_namespace
from refgrow.backend import astype, device_kw, from_numpy, matrix_transpose, to_numpy
from refgrow.mlp import MLP
from refgrow._validation import as_float_array, check_bool
from refgrow.triangle._checks import (check_batch_cache, check_batch_inputs, check_batch_layers, check_batch_peaks,
                                      check_batch_ratios, check_batch_sign, check_peaks, check_scales, check_sign)
from refgrow.triangle.waves import differentiable_scales, scale_ratios, triangle_breakpoints, triangle_waves

__all__ = ["batched_network_parameters", "batched_network_parameters_vjp", "batched_forward",
           "batched_backward", "network_parameters", "triangle_network"]


def batched_network_parameters(a, S, sign, offset=None, *, check_input: bool = True):
    r"""Batched weight-setting map of App. A.1 (index-shifted; package notes): R networks at once.

    The batched form of :func:`network_parameters` (tested equal to it). ``check_input=False`` skips
    the validation (the training engines, on arrays they built).

    Parameters
    ----------
    a : (R, H+1) peaks;  S : (R, H) ratios;  sign : (R,) of +-1;  offset : (R,) sum-neuron offset or None.

    Returns
    -------
    Ws : list of H+1 arrays, ``Ws[0] (R,4,1)``, ``Ws[l] (R,4,4)``, ``Ws[H] (R,1,4)``
    bs : list of H+1 arrays ``(R, out)``

    Neuron order in every hidden layer: ``[sum, t1, t2, bias]``. Hidden layer ``l`` (1-based)
    holds ``sum = x + sign sum_{i<l-1} s_i W_i + offset``, ``t1 = c_l W_{l-2}``, ``t2 = c_l ReLU(W_{l-2} - a_{l-1})``,
    ``bias = c_l`` with ``W_{-1} = x``, ``c_1 = 1``, ``c_{l+1} = s_{l-1}``.
    """
    if check_bool(check_input, "check_input"):
        a = check_batch_peaks(a)
        S = check_batch_ratios(S, a.shape[0], a.shape[1] - 1)
        sign = check_batch_sign(sign, a.shape[0])
        if offset is not None:
            offset = as_float_array(offset, "offset", shape=(a.shape[0],))
        Ws, bs = batched_network_parameters(a, S, sign, offset, check_input=False)
        if not all_finite(*(Ws + bs)):
            raise ValueError("S (or offset) is too large in magnitude: the weights overflow float64")
        return Ws, bs
    R, m = a.shape
    H = m - 1
    xp = array_namespace(a, S, sign)
    dev = device_kw(xp, a)
    Ws, bs = [], []
    W0 = xp.zeros((R, 4, 1), dtype=a.dtype, **dev)
    W0[:, :3, 0] = 1.0
    b0 = xp.zeros((R, 4), dtype=a.dtype, **dev)
    b0[:, 2] = -a[:, 0]
    b0[:, 3] = 1.0
    if offset is not None:
        b0[:, 0] = offset
    Ws.append(W0)
    bs.append(b0)
    for l in range(1, H + 1):
        al = a[:, l - 1]
        g = 1.0 / al
        h = -1.0 / (al - al * al)
        Sl = S[:, l - 1]
        if l < H:
            W = xp.zeros((R, 4, 4), dtype=a.dtype, **dev)
            W[:, 0, 0] = 1.0
            W[:, 0, 1] = sign * Sl * g
            W[:, 0, 2] = sign * Sl * h
            W[:, 1:3, 1] = (Sl * g)[:, None]
            W[:, 1:3, 2] = (Sl * h)[:, None]
            W[:, 2, 3] = -Sl * a[:, l]
            W[:, 3, 3] = Sl
            b = xp.zeros((R, 4), dtype=a.dtype, **dev)
        else:
            W = xp.zeros((R, 1, 4), dtype=a.dtype, **dev)
            W[:, 0, 0] = 1.0
            W[:, 0, 1] = sign * Sl * g
            W[:, 0, 2] = sign * Sl * h
            b = xp.zeros((R, 1), dtype=a.dtype, **dev) if offset is None else \
                -astype(xp, offset[:, None], xp.float64)
        Ws.append(W)
        bs.append(b)
    return Ws, bs


def batched_network_parameters_vjp(a, S, sign, dWs, dbs, *, check_input: bool = True):
    """Vector-Jacobian product of :func:`batched_network_parameters`: returns ``(da (R,H+1), dS (R,H))``.

    Chain rule through ``g = 1/a`` (``dg/da = -1/a^2``) and ``h = -1/(a - a^2)``
    (``dh/da = (1 - 2a)/(a - a^2)^2``), entry by entry of the App. A.1 listing.
    ``dWs``, ``dbs`` are shaped like the output of :func:`batched_network_parameters`.
    """
    if check_bool(check_input, "check_input"):
        a = check_batch_peaks(a)
        S = check_batch_ratios(S, a.shape[0], a.shape[1] - 1)
        sign = check_batch_sign(sign, a.shape[0])
        Ws0, bs0 = batched_network_parameters(a, S, sign, check_input=False)
        dWs, dbs = check_batch_layers(dWs, dbs, names=("dWs", "dbs"))
        if [w.shape for w in dWs] != [w.shape for w in Ws0]:
            raise ValueError(f"dWs must have the shapes {[w.shape for w in Ws0]} of the network's weights, "
                             f"got {[w.shape for w in dWs]}")
        res = batched_network_parameters_vjp(a, S, sign, dWs, dbs, check_input=False)
        if not all_finite(*res):
            raise ValueError("S, dWs and dbs are too large in magnitude: the products overflow float64")
        return res
    R, m = a.shape
    H = m - 1
    xp = array_namespace(a, S)
    da = xp.zeros_like(a)
    dS = xp.zeros_like(S)
    da[:, 0] -= dbs[0][:, 2]
    for l in range(1, H + 1):
        G = dWs[l]
        al = a[:, l - 1]
        g = 1.0 / al
        h = -1.0 / (al - al * al)
        dg = -1.0 / (al * al)
        dh = (1.0 - 2.0 * al) / (al - al * al) ** 2
        Sl = S[:, l - 1]
        if l < H:
            u = sign * G[:, 0, 1] + G[:, 1, 1] + G[:, 2, 1]
            v = sign * G[:, 0, 2] + G[:, 1, 2] + G[:, 2, 2]
            dS[:, l - 1] = u * g + v * h - a[:, l] * G[:, 2, 3] + G[:, 3, 3]
            da[:, l] += -Sl * G[:, 2, 3]
        else:
            u = sign * G[:, 0, 1]
            v = sign * G[:, 0, 2]
            dS[:, l - 1] = u * g + v * h
        da[:, l - 1] += Sl * (u * dg + v * dh)
    return da, dS


def batched_forward(Ws, bs, X, *, check_input: bool = True):
    """Batched form of :meth:`refgrow.mlp.MLP.forward` (ReLU): R networks of the same sizes at once.

    ``out[r] == MLP(Ws[r], bs[r]).forward(X[r])[0]`` for every run ``r`` (tested to 1e-12): the same
    affine maps ``z_l = a_l W_l^T + b_l`` and ReLU of :mod:`refgrow.layers`, on stacked parameters.

    Parameters
    ----------
    Ws, bs : lists of (R, out, in) / (R, out) arrays (run axis first)
    X : (R, n, D) per-run inputs or (n, D) shared inputs

    Returns
    -------
    out : (R, n, K_out)
    cache : ``(inputs, masks)`` for :func:`batched_backward`

    Internally the layout is transposed, ``(R, features, n)``, so that every product is a batch of
    ``(out, in) @ (in, n)`` with a long contiguous last axis (several times faster for width 4).
    ``check_input=False`` skips the validation (training loops, on arrays they built).
    """
    if check_bool(check_input, "check_input"):
        Ws, bs = check_batch_layers(Ws, bs)
        X = check_batch_inputs(X, Ws[0].shape[0], Ws[0].shape[2])
        out, cache = batched_forward(Ws, bs, X, check_input=False)
        if not all_finite(out):
            raise ValueError("X is too large in magnitude for these networks: their outputs overflow float64")
        return out, cache
    xp = array_namespace(Ws[0], X)
    A = X.T[None, ...] if X.ndim == 2 else matrix_transpose(xp, X)
    inputs, masks = [], []
    L = len(Ws)
    for l in range(L):
        inputs.append(A)
        if Ws[l].shape[2] == 1:
            Z = Ws[l] * A
        else:
            Z = xp.matmul(Ws[l], A)
        Z += bs[l][:, :, None]
        if l < L - 1:
            mask = Z > 0
            masks.append(mask)
            A = xp.maximum(Z, 0.0)
        else:
            A = Z
    return matrix_transpose(xp, A), (inputs, masks)


def batched_backward(Ws, cache, dout, *, check_input: bool = True):
    """Batched form of :meth:`refgrow.mlp.MLP.backward` (ReLU'(0) = 0, as :mod:`refgrow.layers`).

    ``dW_l = dZ_l^T a_l``, ``db_l = sum_i dZ_l[i]``, ``dZ_{l-1} = (dZ_l W_l) * 1[z_{l-1} > 0]`` for every
    run; equals ``MLP.backward`` of each network (tested to 1e-12).

    Parameters
    ----------
    Ws : list of (R, out, in);  cache : from :func:`batched_forward`;  dout : (R, n, K_out) ``dL/dout``

    Returns
    -------
    dWs, dbs : lists shaped like ``Ws`` and the biases
    """
    if check_bool(check_input, "check_input"):
        if not isinstance(Ws, (list, tuple)) or not Ws:
            raise TypeError(f"Ws must be a non-empty list of (R, out, in) arrays, got {type(Ws).__name__}")
        Ws = [as_float_array(w, f"Ws[{l}]", ndim=3) for l, w in enumerate(Ws)]
        inputs, _ = check_batch_cache(cache, Ws)
        dout = as_float_array(dout, "dout", shape=(Ws[-1].shape[0], inputs[0].shape[2], Ws[-1].shape[1]))
        res = batched_backward(Ws, cache, dout, check_input=False)
        if not all_finite(*(res[0] + res[1])):
            raise ValueError("dout is too large in magnitude: the gradients overflow float64")
        return res
    inputs, masks = cache
    L = len(Ws)
    dWs, dbs = [None] * L, [None] * L
    xp = array_namespace(dout)
    dZ = matrix_transpose(xp, dout)                       # (R, K_out, n)
    for l in range(L - 1, -1, -1):
        A = inputs[l]                                 # (R or 1, in, n)
        dWs[l] = xp.matmul(dZ, matrix_transpose(xp, A)) if A.shape[0] == dZ.shape[0] else \
            xp.matmul(dZ, xp.broadcast_to(matrix_transpose(xp, A), (dZ.shape[0],) + A.shape[2:0:-1]))
        dbs[l] = dZ.sum(axis=2) if xp is np else xp.sum(dZ, axis=2)
        if l > 0:
            dA = xp.matmul(matrix_transpose(xp, Ws[l]), dZ)
            if xp is np:
                dA[~masks[l - 1]] = 0.0
            else:                                     # same values without a boolean scatter
                dA = xp.where(masks[l - 1], dA, 0.0)
            dZ = dA
    return dWs, dbs


def _partial_sum_min(a, s, sign):
    """Exact min over [0, 1] of the sum-neuron signals ``x + sign sum_{i<k} s_i W_i``, k < H."""
    H = a.shape[0] - 1
    if H == 1:
        return 0.0
    B = triangle_breakpoints(a, H - 2)       # all partial sums are linear between these
    W = triangle_waves(B, a[:H - 1])          # (H-1, nB)
    partial = B[None, :] + sign * np.cumsum(s[:H - 1, None] * W, axis=0)
    return float(min(0.0, partial.min()))


def network_parameters(a, s=None, *, sign: int = -1):
    r"""Weights and biases of the width-4 network of App. A.1 (index-shifted; package notes).

    Implements the App. A.1 listing of the triangle paper [docs/references.md#triangle], layer by
    layer (the readable reference; :func:`batched_network_parameters` is the batched form, tested
    equal). Neurons ``[sum, t1, t2, bias]``; weight matrix ``l`` folds with ``a_{l-1}`` (slopes
    ``g = 1/a_{l-1}``, ``h = -1/(a_{l-1} - a_{l-1}^2)``) and cuts at ``a_l``, scaled by ``S_l``.

    Parameters
    ----------
    a : (m,) peaks, ``m >= 2`` (``H = m-1`` hidden layers)
    s : (m-1,) positive scales, optional (default :func:`differentiable_scales`)
    sign : {-1, +1}

    Returns
    -------
    weights : list of (out, in) arrays, shapes ``(4,1), (4,4) x (H-1), (1,4)``
    biases : list of (out,) arrays
    info : dict with ``S`` (per-layer ratios), ``s``, ``offset`` (the constant ``>= 0`` added to the
        sum neuron, 0 unless a partial sum would go negative)
    """
    a = check_peaks(a)
    sign = check_sign(sign)
    s = differentiable_scales(a, sign=sign) if s is None else check_scales(s, a.shape[0])
    xp = array_namespace(a, s)
    if xp is not np:
        # documented host fallback: this readable listing of O(m) scalars (and the exact breakpoint
        # minimum) is built on the host from the peaks' values, then the arrays are moved back
        W, b, info = network_parameters(to_numpy(a), to_numpy(s), sign=sign)
        back = [from_numpy(xp, v, a) for v in W + b + [info["S"], info["s"]]]
        H1 = len(W)
        return back[:H1], back[H1:2 * H1], {"S": back[-2], "s": back[-1], "offset": info["offset"]}
    S = scale_ratios(s)
    offset = -_partial_sum_min(a, s, sign)
    H = a.shape[0] - 1
    # input layer: sum = x + offset, t1 = x, t2 = x - a_0, bias = 1
    weights = [np.array([[1.0], [1.0], [1.0], [0.0]])]
    biases = [np.array([offset, 0.0, -a[0], 1.0])]
    for l in range(1, H + 1):
        g = 1.0 / a[l - 1]                            # rising slope of T_{a_{l-1}}
        h = -1.0 / (a[l - 1] - a[l - 1] * a[l - 1])   # change of slope at the peak
        Sl = S[l - 1]
        fold = [sign * Sl * g, sign * Sl * h]         # sum += sign * s_{l-1} W_{l-1}
        if l < H:
            weights.append(np.array([[1.0, fold[0], fold[1], 0.0],          # sum
                                     [0.0, Sl * g, Sl * h, 0.0],            # t1 = S_l W_{l-1}
                                     [0.0, Sl * g, Sl * h, -Sl * a[l]],     # t2 = t1 - S_l a_l
                                     [0.0, 0.0, 0.0, Sl]]))                 # bias = S_l c_l
            biases.append(np.zeros(4))
        else:
            weights.append(np.array([[1.0, fold[0], fold[1], 0.0]]))
            biases.append(np.array([-offset]))
    return weights, biases, {"S": S, "s": s, "offset": offset}


def triangle_network(a, s=None, *, sign: int = -1):
    r"""The width-4 ReLU MLP of App. A.1 whose output equals :func:`triangle_series` on ``[0, 1]``.

    Hidden neurons ``[sum, t1, t2, bias]`` (Fig. 2): ``t1`` and ``t2`` fold the wave with shared
    weights ``S_l/a`` and ``-S_l/(a - a^2)``; ``t2`` is cut at the next peak by the bias neuron;
    "sum" accumulates ``sign * s_i W_i`` with weight 1 on its own past; the bias neuron carries the
    decaying constant ``c_l``. See :func:`network_parameters` for the exact listing and the
    non-negativity condition on the partial sums.

    Parameters
    ----------
    a : (m,) peaks in (0, 1), ``m >= 2``
    s : (m-1,) positive scales or None (Theorem 3.1 scales)
    sign : {-1, +1}

    Returns
    -------
    refgrow.mlp.MLP with sizes ``[1, 4, ..., 4, 1]`` (``m-1`` hidden layers), ReLU.

    Examples
    --------
    >>> import numpy as np
    >>> from refgrow.triangle import triangle_series
    >>> a = np.array([0.3, 0.6, 0.5]); x = np.linspace(0, 1, 5)
    >>> net = triangle_network(a)
    >>> bool(np.allclose(net.predict(x[:, None])[:, 0], triangle_series(x, a, differentiable_scales(a))))
    True
    """
    W, b, _ = network_parameters(a, s, sign=sign)
    return MLP(W, b, activation="relu")


