"""Fold point and fold neuron: Thm. 3 and Algorithm 1 of folding [docs/references.md#folding].

:func:`fold_objective` (Alg. 1's initialisation objective and its hand-written gradient),
:func:`_sphere_ascent` (its maximisation on the sphere ``||w|| = rho``), :func:`fold_neuron` (the new
neuron: ``b = -w . x_fold`` puts its hyperplane through the fold point, Thm. 3) and
:func:`classification_fold` (the fold point of a classification mistake, with
:func:`refgrow.geometry.fold_point`). Interpretation notes "Objective of the fold neuron" and
"Flat objective for softmax" in :mod:`refgrow.growth.folding`.

Symbol table
------------
=====================  ==============  ===========  ========================================
paper symbol           code name       shape        meaning
=====================  ==============  ===========  ========================================
x_mistake              ``x_m``         (D,)         typical mis-predicted instance
x_fold                 ``x_f``         (D,)         fold point
w_A^new, b_A^new       ``w``, ``b``    (D,), ()     new neuron's fan-in and bias
w_B^new                ``v``           (K,)         new neuron's fan-out (``w_out``)
s                      ``s``           (n,)         new pre-activation ``w.(x - x_fold)``
dL/dx                  ``g``           (D,)         input-space loss gradient at x_mistake
rho                    ``radius``      scalar       ``||w_A^new||``
=====================  ==============  ===========  ========================================
"""
from __future__ import annotations

import numpy as np

from refgrow import geometry
from refgrow._validation import all_finite, as_float_array, check_bool, check_index, check_int, check_real
from refgrow.growth.folding._common import (OUT_INITS, _check_data, _check_loss, _check_shallow, _clean_dot,
                                            _hess_vec, _per_sample, _rng)
from refgrow.growth.proposals import NewNeurons

__all__ = ["fold_objective", "fold_neuron", "classification_fold", "OUT_INITS"]


def _check_point(mlp, x, name):
    """One input of the network: a finite (D,) vector."""
    return as_float_array(x, name, shape=(mlp.sizes[0],))


def _check_y_mistake(mlp, y_mistake, loss):
    """The mistake's label: a class index in [0, K) (CE) or a (K,) target (MSE)."""
    K = mlp.sizes[-1]
    if loss == "ce":
        return check_index(y_mistake, "y_mistake", K, size_name="K")
    return as_float_array(y_mistake, "y_mistake", ndim=(0, 1)).reshape(-1)


def _finite_objective(res, names):
    value, grad, parts = res
    if not (np.isfinite(value) and all_finite(grad)):
        raise ValueError(f"{names} are too large in magnitude: the fold objective overflows float64")
    return res


def fold_objective(mlp, w, X, y, x_mistake, y_mistake, x_fold, w_out, *, loss="ce"):
    """Algorithm 1's initialisation objective of 002 and its gradient with respect to ``w``.

    ``J(w) = cos(g(w), x_fold - x_mistake) + (1/n) sum_n ||d l_n / d w_A^new||`` for the network grown
    with ``(w, b = -w.x_fold, w_out)``, where ``g = dl/dx`` at ``x_mistake`` (002 Thm. 5):

    * ``s_n = w.(x_n - x_fold)``, ``a_n = 1[s_n > 0]``, ``f_n = f_old(x_n) + w_out relu(s_n)``,
      ``delta_n = dl_n/df_n``, ``c_n = w_out . delta_n``;
    * ``g = A_m^T delta_m + c_m a_m w`` (``A_m``: local affine map of the old network at ``x_mistake``);
    * ``||d l_n / d w_A^new|| = |c_n| a_n ||x_n||``;

    and, with ``H_n`` the Hessian of ``l_n`` w.r.t. ``f_n`` and ``r = x_mistake - x_fold``,

    * ``dg/dw = a_m [A_m^T (H_m w_out) r^T + (w_out^T H_m w_out) w r^T + c_m I]``;
    * ``dcos/dw = (dg/dw)^T (d/(|g||d|) - cos g/|g|^2)`` with ``d = x_fold - x_mistake``;
    * ``d||.||_n/dw = a_n sign(c_n) ||x_n|| (w_out^T H_n w_out) (x_n - x_fold)``.

    (``a`` is piecewise constant; the gradient is exact away from ``s = 0``.) If ``g = 0`` the cosine
    is taken as 0 with zero gradient.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
        The network *before* growth (single hidden layer, ReLU).
    w : ndarray (D,)
    X : ndarray (n, D); y : labels (n,) or targets (n, K)
    x_mistake : ndarray (D,); y_mistake : int label or (K,) target
    x_fold : ndarray (D,)
    w_out : ndarray (K,)
    loss : {"ce", "mse"}

    Returns
    -------
    value : float
    grad : ndarray (D,)
    parts : dict
        ``cos``, ``norm_term``, ``g`` (the input gradient, list).
    """
    _check_shallow(mlp)
    loss = _check_loss(loss)
    X, y = _check_data(mlp, X, y, loss)
    D, K = mlp.sizes[0], mlp.sizes[-1]
    w = as_float_array(w, "w")
    v = as_float_array(w_out, "w_out")
    x_m = _check_point(mlp, x_mistake, "x_mistake")
    x_f = _check_point(mlp, x_fold, "x_fold")
    if w.shape != (D,) or v.shape != (K,):
        raise ValueError(f"w, w_out: expected shapes ({D},) and ({K},) for a {mlp.sizes} network, got "
                         f"{w.shape} and {v.shape}")
    y_mistake = _check_y_mistake(mlp, y_mistake, loss)
    names = "X, w, w_out, x_mistake and x_fold"
    try:
        res = _fold_objective(mlp, w, X, y, x_m, y_mistake, x_f, v, loss)
    except ValueError:                             # the arguments were valid: float64 overflowed
        raise ValueError(f"{names} are too large in magnitude: the fold objective overflows float64") from None
    return _finite_objective(res, names)


def _fold_objective(mlp, w, X, y, x_m, y_mistake, x_f, v, loss):
    """Pure math of :func:`fold_objective` (validated inputs)."""
    ym = np.asarray([y_mistake]) if loss == "ce" else np.asarray(y_mistake, dtype=np.float64)[None, :]
    # mistake terms
    A_m, _ = geometry.local_affine_map(mlp, x_m)
    out_m = mlp.forward(x_m[None, :], check_input=False)[0]
    r = x_m - x_f
    s_m = float(w @ r)
    a_m = 1.0 if s_m > 0 else 0.0
    f_m = out_m + v * max(s_m, 0.0)
    _, delta_m = _per_sample(f_m, ym, loss)
    delta_m = delta_m[0]
    c_m = _clean_dot(v, delta_m[None, :])[0]
    g = A_m.T @ delta_m + c_m * a_m * w
    d = x_f - x_m
    ng, nd = np.linalg.norm(g), np.linalg.norm(d)
    if ng == 0.0 or nd == 0.0:
        cos, dcos = 0.0, np.zeros_like(w)
    else:
        cos = float(g @ d / (ng * nd))
        dC_dg = d / (ng * nd) - cos * g / ng**2
        Hv_m = _hess_vec(f_m, v, loss)[0]
        vHv_m = float(v @ Hv_m)
        # (dg/dw)^T u = a_m [ r (Hv_m . A_m u) + r (vHv_m w . u) + c_m u ]
        dcos = a_m * (r * float(Hv_m @ (A_m @ dC_dg)) + r * vHv_m * float(w @ dC_dg) + c_m * dC_dg)
    # expected gradient-norm term over the training set
    out, _ = mlp.forward(X, check_input=False)
    S = X - x_f
    s = S @ w
    a = (s > 0).astype(np.float64)
    f = out + np.outer(np.maximum(s, 0.0), v)
    _, delta = _per_sample(f, y, loss)
    c = _clean_dot(v, delta)
    xn = np.linalg.norm(X, axis=1)
    n = X.shape[0]
    norm_term = float(np.sum(a * np.abs(c) * xn) / n)
    vHv = _hess_vec(f, v, loss) @ v
    coef = a * np.sign(c) * xn * vHv
    dnorm = (coef @ S) / n
    return cos + norm_term, dcos + dnorm, {"cos": cos, "norm_term": norm_term, "g": g.tolist()}


def _out_weights(mlp, out_init, delta_m):
    WB = mlp.weights[1]
    K = WB.shape[0]
    if out_init == "uniform":
        return np.full(K, float(np.mean(WB)))
    if out_init == "zero":
        return np.zeros(K)
    rho_B = float(np.mean(np.linalg.norm(WB, axis=0)))
    nd = np.linalg.norm(delta_m)
    if nd == 0.0:
        return np.zeros(K)
    return -rho_B * delta_m / nd


def _sphere_ascent(J, u, max_iter):
    """Riemannian gradient ascent of ``J`` on the unit sphere from ``u`` (002 Alg. 1, fold-neuron init).

    ``J(u) -> (value, riemannian_gradient, parts)``. Each iteration tries the retraction
    ``u <- (u + t g) / ||u + t g||`` and accepts the first step (halving ``t`` from its current value,
    down to 1e-10) that increases ``J``; an accepted step doubles ``t`` (capped at 4). Stops when the
    Riemannian gradient is ``<= 1e-12 (1 + |J|)``, when no step increases ``J``, or after ``max_iter``
    iterations.

    Returns
    -------
    u : ndarray (D,), unit norm
    value : float
    parts : the last accepted ``parts``
    trace : list of (value, ||gradient||)
        At the start and after every accepted step.
    n_evals : int
        Evaluations of ``J``.
    """
    val, rg, parts = J(u)
    n_evals = 1
    trace = [(val, np.linalg.norm(rg))]
    t = 1.0
    for _ in range(int(max_iter)):
        if np.linalg.norm(rg) <= 1e-12 * (1 + abs(val)):
            break
        improved = False
        while t > 1e-10:
            un = u + t * rg
            un /= np.linalg.norm(un)
            vn, rgn, pn = J(un)
            n_evals += 1
            if vn > val:
                u, val, rg, parts = un, vn, rgn, pn
                trace.append((val, np.linalg.norm(rg)))
                t = min(2.0 * t, 4.0)
                improved = True
                break
            t *= 0.5
        if not improved:
            break
    return u, val, parts, trace, n_evals


def fold_neuron(mlp, X, y, x_mistake, y_mistake, x_fold, *, loss="ce", out_init="uniform",
                radius=None, n_restarts=4, max_iter=100, flat_tol=1e-9, rng=None) -> NewNeurons:
    """Initialise the fold neuron of 002 Algorithm 1.

    ``w_A^new`` maximises :func:`fold_objective` on the sphere ``||w|| = radius``;
    ``b_A^new = -(w_A^new . x_fold)`` (computed exactly so, 002 Alg. 1 / Thm. 3);
    ``w_B^new`` per ``out_init`` (``"uniform"``: ``mean(W_B) 1``, 002 Alg. 1; ``"zero"``: 000
    "Hidden Layer Broaden"; ``"descent"``: see module notes).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
        Single-hidden-layer ReLU network before growth.
    X, y : training set (the expectation of the norm term runs over it)
    x_mistake : ndarray (D,); y_mistake : int label (CE) or (K,) target (MSE)
    x_fold : ndarray (D,)
    loss : {"ce", "mse"}
    out_init : {"uniform", "zero", "descent"}
    radius : float, optional
        ``||w_A^new||``; default the mean row norm of ``W_A`` (1 if that is 0).
    n_restarts : int >= 0
        Random starting directions in addition to ``(x_mistake - x_fold)/||.||``.
    max_iter : int
        Riemannian gradient-ascent iterations per start.
    flat_tol : float
        The objective is declared flat when its spread over all evaluated points and every
        Riemannian gradient norm are ``<= flat_tol * (1 + |J|)``.
    rng : seed or Generator

    Returns
    -------
    NewNeurons
        ``k = 1``; ``info`` holds ``objective_before`` (at the first start), ``objective_after``,
        ``cos_after``, ``norm_term_after``, ``flat``, ``out_init``, ``radius``, ``n_evals``.
    """
    _check_shallow(mlp)
    loss = _check_loss(loss)
    X, y = _check_data(mlp, X, y, loss)
    if out_init not in OUT_INITS:
        raise ValueError(f"out_init: expected one of {OUT_INITS}, got {out_init!r}")
    x_m = _check_point(mlp, x_mistake, "x_mistake")
    x_f = _check_point(mlp, x_fold, "x_fold")
    n_restarts = check_int(n_restarts, "n_restarts", low=0)
    max_iter = check_int(max_iter, "max_iter", low=0)
    flat_tol = check_real(flat_tol, "flat_tol", low=0.0)
    ym = _check_y_mistake(mlp, y_mistake, loss)
    rng = _rng(rng)
    WA = mlp.weights[0]
    if radius is None:
        radius = float(np.mean(np.linalg.norm(WA, axis=1))) or 1.0
    radius = check_real(radius, "radius", low=0.0, low_open=True)
    D = x_m.shape[0]
    out_m = mlp.forward(x_m[None, :], check_input=False)[0]
    _, dm = _per_sample(out_m, np.asarray([ym]) if loss == "ce" else ym[None, :], loss)
    v = _out_weights(mlp, out_init, dm[0])

    def J(u):
        val, grad, parts = _fold_objective(mlp, radius * u, X, y, x_m, ym, x_f, v, loss)
        grad = grad * radius                         # chain rule: w = radius * u
        rg = grad - (grad @ u) * u                   # Riemannian gradient on the unit sphere
        return val, rg, parts

    r = x_m - x_f
    starts = []
    if np.linalg.norm(r) > 0:
        starts.append(r / np.linalg.norm(r))
    for _ in range(int(n_restarts) + (0 if starts else 1)):
        z = rng.normal(size=D)
        starts.append(z / np.linalg.norm(z))
    vals, gnorms, n_evals = [], [], 0
    best = None
    first_val = None
    for u in starts:
        u, val, parts, trace, ne = _sphere_ascent(J, u, max_iter)
        n_evals += ne
        if first_val is None:
            first_val = trace[0][0]
        vals.extend(tv for tv, _ in trace)
        gnorms.extend(tg for _, tg in trace)
        if best is None or val > best[1]:
            best = (u, val, parts)
    u, val, parts = best
    scale = 1.0 + abs(val)
    flat = bool((max(vals) - min(vals)) <= flat_tol * scale and max(gnorms) <= flat_tol * scale)
    if flat:                                         # literal algorithm: nothing to maximise
        u = starts[0]
        val, _, parts = J(u)
    w = radius * u
    b = -(w @ x_f)
    info = {"objective_before": float(first_val), "objective_after": float(val),
            "cos_after": parts["cos"], "norm_term_after": parts["norm_term"], "flat": flat,
            "out_init": out_init, "radius": float(radius), "n_evals": n_evals, "method": "folding"}
    return NewNeurons(w_in=w[None, :], b_in=np.array([b]), w_out=v[:, None], info=info)


def classification_fold(mlp, X, tm, *, refine=True):
    """Fold point of a classification mistake (002 Alg. 1 "fold point", Thm. 3; slides "Fold Point Search").

    The closest point of the mistake's local decision boundary between the predicted and the true class
    (:func:`refgrow.geometry.fold_point`). Interpretation note: when the mistake's linear region has no
    such boundary (zero normal, e.g. every hidden unit off), the point is found by bisection on the
    segment to the nearest training instance predicted as the true class
    (:func:`refgrow.geometry.boundary_point_on_segment`); with no such instance the mistake itself is
    returned (``method="none"``).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    X : ndarray, shape (n, D)
        Training inputs (candidates of the bisection fallback).
    tm : TypicalMistake
    refine : bool
        Refine the fold point onto the real decision boundary.

    Returns
    -------
    x_fold : ndarray (D,)
    x_linear : ndarray (D,)
        The fold point of the mistake's linear piece before refinement.
    in_region : bool
    converged : bool
    distance : float
        ``||x_fold - x_mistake||``.
    method : {"projection", "bisection", "none"}
    """
    from refgrow.growth.folding.mistakes import TypicalMistake
    _check_shallow(mlp)
    X = as_float_array(X, "X", shape=(None, mlp.sizes[0]))
    if not isinstance(tm, TypicalMistake):
        raise TypeError(f"tm must be the TypicalMistake of typical_mistake, got {type(tm).__name__}")
    refine = check_bool(refine, "refine")
    w, _ = geometry.decision_boundary(mlp, tm.x, tm.y_pred, tm.y_true)
    if np.any(w):
        fp = geometry.fold_point(mlp, tm.x, tm.y_pred, tm.y_true, refine=refine)
        return fp.x_fold, fp.x_linear, fp.in_region, fp.converged, fp.distance, "projection"
    # flat region (e.g. all hidden units off): bisect towards the nearest instance predicted y_true
    pred = np.argmax(mlp.forward(X, check_input=False)[0], axis=1)
    cand = np.flatnonzero(pred == tm.y_true)
    if cand.size == 0:
        return tm.x.copy(), tm.x.copy(), True, False, 0.0, "none"
    t = cand[np.argmin(np.sum((X[cand] - tm.x) ** 2, axis=1))]
    xf = geometry.boundary_point_on_segment(mlp, tm.x, X[t], tm.y_pred, tm.y_true)
    same = all(np.array_equal(p, q) for p, q in zip(geometry.activation_pattern(mlp, xf),
                                                    geometry.activation_pattern(mlp, tm.x)))
    out = mlp.forward(xf[None, :], check_input=False)[0][0]
    conv = abs(out[tm.y_pred] - out[tm.y_true]) <= 1e-10 * max(1.0, float(np.max(np.abs(out))))
    return xf, xf.copy(), bool(same), bool(conv), float(np.linalg.norm(xf - tm.x)), "bisection"


_classification_fold = classification_fold       # former private name (tutorial 04)
