"""Grow by folding at typical mistakes (Algorithm 1 of folding [docs/references.md#folding]).

Slides: [docs/references.md#folding-slides].

Modules (one concern each): :mod:`~refgrow.growth.folding.mistakes` (typical mistakes, Def. 4),
:mod:`~refgrow.growth.folding.fold` (fold point and fold neuron, Thm. 3 / Alg. 1),
:mod:`~refgrow.growth.folding.regularizer` (Def. 5), :mod:`~refgrow.growth.folding.grow` (fine-tuning,
the growth driver and its records). Every name of the former single module is re-exported here.

One growth step of a single-hidden-layer ReLU MLP ``f(x) = W_B relu(W_A x + b_A) + b_B``:

1. **typical mistake** ``x_mistake`` (002 Def. 4, Hypothesis 1; two readings, see below);
2. **fold point** ``x_fold``: the closest point of the mistake's local decision boundary
   (:func:`refgrow.geometry.fold_point`; 002 Alg. 1; 000 "Fold Point Search");
3. **fold neuron** (002 Alg. 1 "Initialize new neuron's parameters"):
   ``w_A^new = argmax_{||w|| = rho} cos(dL/dx (x_mistake), x_fold - x_mistake) + E_n ||dl_n/dw_A^new||``,
   ``b_A^new = -w_A^new . x_fold`` (the new neuron's hyperplane passes through ``x_fold``, 002 Thm. 3,
   000 Thm. 3), ``w_B^new = mean(W_B) 1`` (002 Sec. 2.3);
4. **fine-tuning** on ``L + alpha L_fold-reg`` (002 Def. 5) until convergence ("when to grow",
   002 Sec. 3.1: local minimum of the training loss and ADF p < 0.05 over the last 20 epochs);
5. repeat until the validation accuracy plateaus or no mistake is found; every grown neuron keeps an
   **explanation record** (002 Sec. 3.4) and growth steps can be **rolled back** (002 Sec. 5).

Symbol table
------------
=====================  ========================  ===========  ========================================
paper symbol           code name                 shape        meaning
=====================  ========================  ===========  ========================================
W_A, b_A               ``mlp.weights[0]``, ...   (h, D), (h,) hidden layer
W_B, b_B               ``mlp.weights[1]``, ...   (K, h), (K,) output layer (002 writes W_B as (h, K))
x_mistake              ``x_mistake``             (D,)         typical mis-predicted instance
x_fold                 ``x_fold``                (D,)         fold point
w_A^new, b_A^new       ``w``, ``b``              (D,), ()     new neuron's fan-in and bias
w_B^new                ``w_out``                 (K,)         new neuron's fan-out (= v in derivations)
s                      ``s``                     (n,)         new pre-activation ``w.(x - x_fold)``
dL/dx                  ``g``                     (D,)         input-space loss gradient at x_mistake
L_fold-reg             ``fold_regularizer``      ()           002 Def. 5
alpha                  ``alpha``                 ()           regulariser weight
phi_{i-1}(x)           ``p_mistake``, ``p_fold`` (d_prev,)    layer inputs (= x for the first layer)
=====================  ========================  ===========  ========================================

Interpretation notes
--------------------
* **Typical mistake, two readings** (``method=``). ``"largest_cluster"`` (002 Alg. 1, default):
  k-means on the mis-predicted training instances, the largest cluster, the instance of that cluster
  nearest its centroid. 002 says "the closest instance in X"; we take the closest *mis-predicted*
  instance of the cluster, so that the record always points at a mistake (002 Def. 4 requires
  ``||f - g|| > tau``) and the decision boundary between predicted and true class exists.
  ``"loss_weighted"`` (000 "Find Typical Mis-Predicted Instance"): loss-weighted k-means on a
  sample of the training set, the cluster with the highest mean loss; for the same reason we take
  the highest-mean-loss cluster that contains a mistake and its mistake nearest the centroid.
  The number of clusters is not given by the papers (default 5). Regression: an instance is a
  mistake when its per-sample loss exceeds ``tau`` (002 Def. 4); default ``tau`` = mean per-sample loss.
* **Objective of the fold neuron.** ``dL/dx`` is the input gradient of the *grown* network's loss at
  ``x_mistake`` (002 Thm. 5: ``dL/dx = J^T delta + (w_B^new . delta) relu'(s) w_A^new``); the norm term is
  the mean over the training set of the per-sample gradient norm ``|w_B^new . delta_n| relu'(s_n) ||x_n||``.
  ``b`` is tied to ``w`` by ``b = -w.x_fold``, so the objective is a function of ``w`` alone; it is
  maximised over the sphere ``||w|| = rho`` (default: mean row norm of ``W_A``) by Riemannian gradient
  ascent from ``(x_mistake - x_fold)/||.||`` (the neuron is then active on the mistake's side) and
  ``n_restarts`` random directions. Hand-written gradient (derived in :func:`fold_objective`).
* **Flat objective for softmax** (DESIGN note). With ``w_B^new = beta 1`` and softmax
  cross-entropy, ``1 . delta = sum_k (p_k - y_k) = 0`` and ``H 1 = 0`` (softmax Hessian rows sum to 0):
  the logits shift uniformly, loss, predictions, ``dL/dx`` and ``dL/dw_A^new`` are unchanged/zero, so
  Algorithm 1's objective is constant in ``w``. :func:`fold_neuron` detects this (``info["flat"]``)
  and then keeps the starting direction. Documented alternatives (``out_init=``): ``"zero"`` (the
  slides' "Hidden Layer Broaden", exactly function-preserving; also flat) and ``"descent"``
  (``w_B^new = -rho_B delta_mistake / ||delta_mistake||``, the steepest-descent output direction at the
  mistake with ``rho_B`` = mean column norm of ``W_B``: the objective is no longer flat, the function
  changes on the half-space ``s > 0`` and the loss at the mistake decreases to first order).
* **Regulariser.** ``L_fold-reg = (|w.p_m + b| + |w.p_f + b|)/||w||`` is the sum of the distances of the
  two points to the new neuron's hyperplane; it is zero iff the hyperplane contains both, i.e. the
  crease runs from ``x_fold`` through ``x_mistake``. At Algorithm 1's init it equals the distance of
  ``x_mistake`` to the hyperplane. Gradient: ``sign(0) = 0`` (a subgradient) at a point on the plane.
  Fine-tuning regularises the newest fold neuron (``regularize="last"``, Alg. 1) or all of them
  (``"all"``); the recorded ``train_loss`` is the data loss ``L`` without the regulariser.
* **When to grow.** Default convergence test: :class:`refgrow.stats.ADFConvergence` (window 20,
  p < 0.05, local minimum), capped by ``max_epochs`` per phase. Growth stops when the validation
  accuracy (training accuracy if no validation set) has not improved for ``patience`` growth steps,
  when no mistake is found, or at ``target_width`` / ``max_steps``.
* **Rollback.** :meth:`FoldingGrowth.rollback` restores the network saved before the last ``k``
  growth steps and resets the optimizer state (moments of removed neurons have no meaning).
"""
from __future__ import annotations

from refgrow.growth.folding._common import MISTAKE_METHODS, OUT_INITS
from refgrow.growth.folding.fold import _classification_fold, classification_fold, fold_neuron, fold_objective
from refgrow.growth.folding.grow import (FoldingGrowth, FoldingResult, FoldRecord, fine_tune, grow_by_folding,
                                         propose_fold)
from refgrow.growth.folding.mistakes import TypicalMistake, typical_mistake
from refgrow.growth.folding.regularizer import fold_regularizer, regularizer_value

__all__ = [
    "TypicalMistake", "typical_mistake", "fold_objective", "fold_neuron", "fold_regularizer",
    "fine_tune", "FoldRecord", "FoldingGrowth", "grow_by_folding", "FoldingResult", "propose_fold",
    "OUT_INITS", "MISTAKE_METHODS", "regularizer_value", "classification_fold",
]
