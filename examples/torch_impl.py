"""A small PyTorch implementation of some pinned functions, checked against refgrow with one command.

    python -m refgrow oracle export --out golden/
    PYTHONPATH=examples python -m refgrow oracle check golden/ --impl torch_impl

``oracle check`` calls every function this module defines whose name is a pinned function (same
argument order as refgrow, NumPy float64 arrays in; tensors or arrays out) and reports per case.
Functions: the triangle wave and series of the triangle paper [docs/references.md#triangle], the fold
geometry of the folding slides [docs/references.md#folding-slides] and TINY's best update
[docs/references.md#tiny].
"""
import numpy as np
import torch


def _t(a):
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def triangle(x, a):
    """T_a(x) = x / a on [0, a], (1 - x) / (1 - a) on [a, 1]."""
    x = _t(x)
    return torch.where(x <= a, x / a, (1 - x) / (1 - a))


def triangle_waves(x, a):
    """Row i = W_i = T_{a_i} o ... o T_{a_0}."""
    w, rows = _t(x), []
    for ai in np.asarray(a, dtype=np.float64):
        w = triangle(w, float(ai))
        rows.append(w)
    return torch.stack(rows)


def triangle_series(x, a, s, *, sign=-1):
    """x + sign * sum_i s_i W_i(x), with one scale per wave after the first (s has len(a) - 1 entries)."""
    W = triangle_waves(x, a)
    return _t(x) + sign * (_t(s)[:, None] * W[:-1]).sum(0)


def closest_point_on_hyperplane(x, w, b):
    """x - (w.x + b) w / (w.w), for one point or rows of points."""
    x, w = _t(x), _t(w)
    return x - ((x @ w + b) / (w @ w))[..., None] * w


def fold_regularizer(w, b, p_mistake, p_fold):
    """(|w.p_m + b| + |w.p_f + b|) / ||w|| and its gradient by autograd."""
    w = _t(w).requires_grad_(True)
    b = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    val = ((w @ _t(p_mistake) + b).abs() + (w @ _t(p_fold) + b).abs()) / w.norm()
    val.backward()
    return val.detach(), w.grad, b.grad


def best_update(B, V_goal):
    """dW = (B^+ V_goal)^T: the least-squares solution, minimum norm when B is rank deficient."""
    return (torch.linalg.pinv(_t(B), rtol=max(B.shape) * np.finfo(float).eps) @ _t(V_goal)).T   # (d_out, d)
