"""Folding-hyperplane regulariser ``L_fold-reg`` (Def. 5 of folding [docs/references.md#folding]).

Symbol table
------------
================  ==========================  ======  ==========================================
paper             code                        shape   meaning
================  ==========================  ======  ==========================================
w_A^new, b_A^new  ``w``, ``b``                (d,)    a hidden neuron's fan-in and bias
phi_{i-1}(x)      ``p_mistake``, ``p_fold``   (d,)    layer inputs (= x for the first layer)
L_fold-reg        ``fold_regularizer``        ()      sum of the two points' distances to the plane
================  ==========================  ======  ==========================================

Interpretation note "Regulariser" in :mod:`refgrow.growth.folding`.
"""
from __future__ import annotations

import math

import numpy as np

from refgrow._validation import all_finite, as_float_array
from refgrow.growth.folding._common import _check_hidden_bias

__all__ = ["fold_regularizer", "regularizer_value"]


def fold_regularizer(w, b, p_mistake, p_fold):
    """Folding hyperplane regularisation ``L_fold-reg`` of 002 Definition 5 and its gradient.

    Implements Def. 5 of folding [docs/references.md#folding].

    ``L = (|w.p_m + b| + |w.p_f + b|) / ||w||`` (sum of the distances of ``p_m = phi(x_mistake)``
    and ``p_f = phi(x_fold)`` to the hyperplane ``w.p + b = 0``).

    ``dL/dw = (sign(u_m) p_m + sign(u_f) p_f)/||w|| - (|u_m| + |u_f|) w/||w||^3``,
    ``dL/db = (sign(u_m) + sign(u_f))/||w||`` with ``u = w.p + b`` and ``sign(0) = 0``.

    Parameters
    ----------
    w : ndarray (d,), nonzero
    b : float
    p_mistake, p_fold : ndarray (d,)

    Returns
    -------
    value : float
    grad_w : ndarray (d,)
    grad_b : float

    Examples
    --------
    >>> v, gw, gb = fold_regularizer([1.0, 0.0], 0.0, [2.0, 5.0], [0.0, 1.0])
    >>> v
    2.0
    """
    w = as_float_array(w, "w")
    p_m = as_float_array(p_mistake, "p_mistake")
    p_f = as_float_array(p_fold, "p_fold")
    b_arr = as_float_array(b, "b")
    if w.ndim != 1 or p_m.shape != w.shape or p_f.shape != w.shape or b_arr.ndim != 0:
        raise ValueError("fold_regularizer: w, p_mistake, p_fold must be (d,) vectors of one length and b "
                         f"a scalar; got shapes {w.shape}, {p_m.shape}, {p_f.shape}, {b_arr.shape}")
    if not np.any(w):
        raise ValueError("w: zero weight vector, the folding hyperplane is undefined (Def. 5 divides by ||w||)")
    # L is invariant to scaling (w, b) by 2**-e and its gradient scales by 2**-e: when ||w|| would
    # underflow or ||w||^3 overflow, evaluate at the exactly rescaled hyperplane (a power of two keeps
    # every rounding, so u = w.p + b = 0 stays exactly 0); otherwise the formula as written
    b = float(b_arr)
    top = float(np.max(np.abs(w)))                    # > 0: w is nonzero
    e = math.frexp(top)[1] if not 1e-100 < top < 1e100 else 0
    with np.errstate(over="ignore"):
        value, gw, gb = _fold_reg(np.ldexp(w, -e), float(np.ldexp(b, -e)), p_m, p_f)
        gw, gb = np.ldexp(gw, -e), float(np.ldexp(gb, -e))
    if not (np.isfinite(value) and all_finite(gw) and np.isfinite(gb)):
        raise ValueError("w, b, p_mistake and p_fold are too large (or w too small) in magnitude: "
                         "the regulariser or its gradient overflows float64")
    return value, gw, gb


def _fold_reg(w, b, p_m, p_f):
    """Pure math of :func:`fold_regularizer` (no validation; used in the training loop)."""
    nw = float(np.sqrt(w @ w))
    u_m, u_f = float(w @ p_m + b), float(w @ p_f + b)
    num = abs(u_m) + abs(u_f)
    value = num / nw
    gw = (np.sign(u_m) * p_m + np.sign(u_f) * p_f) / nw - num * w / nw**3
    gb = float((np.sign(u_m) + np.sign(u_f)) / nw)
    return value, gw, gb


def regularizer_value(mlp, fold_terms) -> float:
    """``sum_t L_fold-reg(t)`` for the current weights (002 Def. 5).

    ``fold_terms``: iterable of ``(neuron index, p_mistake, p_fold)``.
    """
    from refgrow._validation import check_index
    from refgrow.mlp import check_mlp
    check_mlp(mlp)
    _check_hidden_bias(mlp)
    if isinstance(fold_terms, (str, bytes)) or not hasattr(fold_terms, "__iter__"):
        raise TypeError(f"fold_terms must be a sequence of (neuron index, p_mistake, p_fold), got "
                        f"{type(fold_terms).__name__}")
    fold_terms = list(fold_terms)
    for t in fold_terms:
        if not isinstance(t, (tuple, list)) or len(t) != 3:
            raise TypeError(f"fold_terms must hold (neuron index, p_mistake, p_fold) triples, got {t!r}"[:200])
        check_index(t[0], "fold_terms neuron index", mlp.weights[0].shape[0])
    return float(sum(fold_regularizer(mlp.weights[0][i], mlp.biases[0][i], pm, pf)[0]
                     for i, pm, pf in fold_terms))
