r"""Triangle waves, the Theorem 3.1 scaling, the width-4 construction and pretraining: the triangle paper
[docs/references.md#triangle].

The paper: *Compelling ReLU Networks to Exhibit Exponentially Many Linear Regions at Initialization
and During Training*. A depth-``H`` ReLU network of width 4 is *re-parameterised* by triangle peaks
``a_0, ..., a_H``; whatever the peaks, its output has ``2^H`` linear regions. The peaks are trained
first (pretraining, App. A.1 Algorithm 1), then the raw weights.

Symbol table
------------
=====================  =========================  ===========  ==============================================
paper                  code                       shape        meaning
=====================  =========================  ===========  ==============================================
a_i                    ``a[i]``                   (m,)         triangle peak of layer i, ``0 < a_i < 1``
T_i(x)  (Sec. 3)       ``triangle(x, a[i])``      like x       ``x/a`` on [0,a], ``(1-x)/(1-a)`` on [a,1]
T_i'(x) (Eq. 1)        ``triangle_derivative``    like x       ``1/a`` left of the peak, ``-1/(1-a)`` right
W_i(x)  (Eq. 2)        ``triangle_waves(x,a)[i]`` (m, *x)      ``T_i o ... o T_0 (x)``
s_i     (Eq. 3, 4)     ``s[i]``                   (m-1,)       scale of W_i in the series
F(x)    (Eq. 3)        ``triangle_series``        like x       ``x + sign * sum_{i<m-1} s_i W_i(x)``
S_i     (App. A.1)     ``scale_ratios(s)``        (m-1,)       per-layer ratio ``s_i / s_{i-1}`` (``S_1=s_0``)
B_i = P_i u V_i        ``triangle_breakpoints``   (2^{i+1}+1,) bends of W_i (with the end points 0, 1)
c   (App. A.4)         ``c``                      scalar       peaks are kept in ``[c, 1-c]``
sign                   ``sign``                   +-1          -1: waves subtracted (convex targets),
                                                               +1: added (concave targets), Sec. 4.1
=====================  =========================  ===========  ==============================================

With ``m = len(a)`` peaks there are ``m-1`` scales (``s_{m-2}`` involves ``a_{m-1}``), ``m-1`` waves
``W_0..W_{m-2}`` in the series and ``H = m-1`` hidden layers in the network, so the paper's
"five hidden layers" (Sec. 4.1) means six peaks.

Interpretation notes
--------------------
* **Sign of the derivative (Eq. 1).** The paper prints ``T_i' = 1/(1-a_i)`` on ``(a_i, 1)``; the
  triangle falls there, so the slope is ``-1/(1-a_i)`` (as the proof of Lemma A.2 uses).
* **First scale and the sign** (Sec. 4.1 of the paper; pinned in DESIGN.md). Eq. (4) fixes ratios
  only. With ``sign=-1`` (waves subtracted from ``y = x``) ``s_0 = a_0 a_1`` makes ``F'(0+) -> 0``;
  with ``sign=+1`` ``s_0 = (1-a_0) a_1`` makes ``F'(1-) -> 0``. Derivation: ``W_i'(0+) =
  prod_{j<=i} 1/a_j``; with ``s_0 = a_0 a_1`` the truncation ``f_n = x - sum_{i<n} s_i W_i`` has
  ``f_n'(0+) = 1 - sum_{i<n} a_{i+1} prod_{q=1}^{i}(1-a_q) = prod_{q=1}^{n} (1-a_q)`` by Eq. (9);
  the mirrored computation at ``x = 1`` (``W_i'(1-) = -1/(1-a_0) prod_{1<=j<=i} 1/a_j``) gives the
  same product for ``sign=+1``. Both are tested.
* **Index shift in App. A.1.** The listing uses ``a_i`` in the triangle weights of ``H_i`` and
  ``a_{i+1}`` in its bias, while ``I(x)`` already subtracts ``a_0``: then ``H_1`` would fold at
  ``a_1`` a signal that was cut at ``a_0``. The self-consistent reading (used here) is: the network's
  weight matrix ``l`` (``1 <= l <= H``) folds with ``a_{l-1}`` (the offset cut by the layer before)
  and cuts the next offset ``a_l``; ``S_l = s_{l-1}/s_{l-2}`` with ``S_1 = s_0``, i.e. the paper's
  ``S_i = (1-a_i) a_{i+1}`` shifted by one. The network then equals :func:`triangle_series` exactly.
* **Non-negative sum neuron.** The "sum" neuron passes through a ReLU in every hidden layer, so the
  construction needs every partial sum ``x + sign * sum_{i<k} s_i W_i(x)`` (``k < m-1``) to be
  ``>= 0`` on ``[0, 1]``. This holds for differentiable scales (the partial sums are convex with
  value 0 and positive slope at 0, Lemma A.9) and for ``sign=+1``. For user scales that break it,
  :func:`triangle_network` adds a constant ``offset`` (the exact negative minimum, found at the bends) to
  the sum neuron's input bias and subtracts it in the output bias, so the network still equals the
  series on ``[0, 1]``; ``info["offset"]`` of :func:`network_parameters` reports it.
* **Scales must be positive**: ``t1`` carries ``s W`` through a ReLU; ``s_i <= 0`` raises ``ValueError``.
* **Keeping a inside [c, 1-c]** (App. A.4 assumes ``c <= a_i <= 1-c``): initial peaks are drawn
  uniformly from ``[c, 1-c]`` and, after every optimiser step of pretraining, projected back onto that
  interval (``np.clip``). Default ``c = 0.05`` (weights ``1/(a - a^2)`` stay below 21).
* **Free scales** ("differentiability not enforced"): App. A.1 says the ``S_i`` "can be chosen
  independently"; the free parameters trained are the per-layer ratios ``S_l`` (the network's own
  weights; well conditioned, unlike the exponentially small ``s_i``), initialised from Theorem 3.1
  and projected onto ``[S_min, inf)`` with ``S_min = 1e-6`` to keep them positive.
  :func:`free_scales_loss_and_grad` reports the gradient with respect to ``s`` (chain rule
  through ``S(s)``).

Modules (one concern each; every name below is re-exported here)
-----------------------------------------------------------------
=================================  ===========================================================
module                             paper
=================================  ===========================================================
:mod:`refgrow.triangle.waves`      Sec. 3, Thm 3.1: T_a, W_i, breakpoints, series, scales
:mod:`refgrow.triangle.network`    App. A.1: width-4 network, parameter map, batched engine
:mod:`refgrow.triangle.pretrain`   App. A.1 Algorithm 1: pretraining through the map
:mod:`refgrow.triangle.inits`      Tables 1-2 baselines: PyTorch default, RAI, RAAI (approx.)
:mod:`refgrow.triangle.blocks`     Sec. 5 / App. A.9: convex blocks for non-convex targets
=================================  ===========================================================
"""
from __future__ import annotations

from refgrow.triangle.blocks import BlockModel, pretrain_blocks, random_blocks, train_mlp_masked
from refgrow.triangle.inits import RAIInit, raai_init, rai_init, torch_default_init
from refgrow.triangle.network import (batched_backward, batched_forward, batched_network_parameters,
                                      batched_network_parameters_vjp, network_parameters, triangle_network)
from refgrow.triangle.pretrain import (S_MIN, ArrayAdam, FreeScalesLossGrad, PretrainLossGrad, PretrainResult,
                                       batched_pretrain, batched_pretrain_loss_and_grad,
                                       free_scales_loss_and_grad, pretrain, pretrain_loss_and_grad)
from refgrow.triangle.waves import (DEFAULT_C, differentiable_scales, random_peaks, scale_ratios,
                                    theorem31_ratios, theorem31_ratios_vjp, triangle, triangle_breakpoints,
                                    triangle_derivative, triangle_series, triangle_waves, yarotsky_error)

__all__ = [
    # Sec. 3, Theorem 3.1
    "DEFAULT_C", "triangle", "triangle_derivative", "triangle_waves", "triangle_breakpoints", "random_peaks",
    "differentiable_scales", "scale_ratios", "triangle_series", "yarotsky_error", "theorem31_ratios",
    "theorem31_ratios_vjp",
    # App. A.1 network and the batched engine
    "network_parameters", "triangle_network", "batched_network_parameters", "batched_network_parameters_vjp",
    "batched_forward", "batched_backward",
    # Algorithm 1
    "S_MIN", "pretrain_loss_and_grad", "PretrainLossGrad", "free_scales_loss_and_grad", "FreeScalesLossGrad",
    "pretrain", "PretrainResult", "batched_pretrain", "batched_pretrain_loss_and_grad", "ArrayAdam",
    # baselines
    "torch_default_init", "rai_init", "raai_init", "RAIInit",
    # Sec. 5 blocks
    "BlockModel", "random_blocks", "pretrain_blocks", "train_mlp_masked",
]
