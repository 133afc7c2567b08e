"""Local geometry of ReLU networks: activation patterns, local affine maps, decision boundaries,
closest points on hyperplanes and the fold point of papers 002 / 000.

A ReLU MLP is piecewise affine: on the activation region of an input ``x`` (the set of inputs with
the same on/off pattern of every hidden unit) it equals an affine map ``f(x') = A x' + c``
(slides 000, "Local Linearity of ReLU-based MLP", Proposition 1; "Activated Linear Segment").
The decision boundary between the wrongly predicted class ``i`` and the true class ``j`` on that
region is the hyperplane ``(A[i] - A[j]) . x + (c[i] - c[j]) = 0`` (000, "Definition (Decision
Boundary)"), and the fold point is the point of that boundary closest to the mistake (000,
"Fold Point Search" and its closed form ``x - (w.x + b) w / (w.w)``; 002, Algorithm 1, line
"x_fold <- find the closest point ...").

Single concern: the local affine geometry of a ReLU network around one point, as a chain in which
each step uses the previous one (pattern -> local affine map -> decision boundary -> fold point, and
the regression variant mirroring the classification one); the hyperplane projection itself lives
in :mod:`refgrow.hyperplane`. Papers: folding slides [docs/references.md#folding-slides], folding
[docs/references.md#folding].

Symbol table
------------
=====================  ===========================  ============  =====================================
paper symbol           code name                    shape         meaning
=====================  ===========================  ============  =====================================
x, x_t, x_mistake      ``x``                        (D,)          input (typical mis-predicted instance)
W_activated            ``A``                        (K, D)        local affine map, linear part
b_activated            ``c``                        (K,)          local affine map, offset
w_{i-j}, b_{i-j}       ``w``, ``b``                 (D,), ()      decision boundary between classes i, j
x_f, x_fold            ``x_fold``                   (D,)          fold point
(activation pattern)   ``pattern``                  list of (h_l,) bool per hidden layer
(signed distance)      ``signed_distance``          () or (n,)    (w.x + b) / ||w||
=====================  ===========================  ============  =====================================

Conventions: rows are samples, weights are (out, in), a layer computes ``Z = X @ W.T + b``; the
hidden activation is ``mlp.activation`` and the last layer is affine. ``ReLU'(0) = 0`` (a unit
with pre-activation exactly 0 counts as off), as in :mod:`refgrow.layers`.

Interpretation notes
--------------------
* **Smooth activations.** For ``tanh`` the network is not piecewise affine; :func:`local_affine_map`
  then returns the tangent (first-order Taylor) map at ``x`` -- exact for ReLU and identity, an
  approximation for tanh. The pattern-based functions require ReLU.
* **Fold point outside the region.** The closed-form projection uses the affine map of the
  mistake's region, but the projected point may lie in a different region (000, "Next
  Milestones" 2). :func:`fold_point` records whether it does (``in_region``) and, if asked,
  refines it: re-linearise at the current point and project the current point onto that region's
  boundary hyperplane, until the two logits tie within ``tol``. On a piecewise-linear logit gap
  ``g = f_i - f_j`` this is Newton's minimum-norm step ``x <- x - g(x) grad g(x) / ||grad g(x)||^2``;
  once an iterate's region contains part of the zero set reached by the step it lands exactly.
  The refined point lies on the real boundary but need not be the globally closest boundary point.
* **Regression.** The "hyperplane of the local region of the learned manifold" (002 Alg. 1) for a
  regression output ``o`` is the graph of the local affine map in input x output space,
  ``{(x', y') : A[o] . x' - y' + c[o] = 0}`` with normal ``(A[o], -1)``. The fold point is the
  projection of ``(x_mistake, y_mistake)`` onto it (:func:`regression_fold_point`).
"""
from __future__ import annotations

import math

from dataclasses import dataclass, fields

import numpy as np

from refgrow._validation import (all_finite, array_namespace, as_float_array, check_bool, check_index, check_int,
                                 check_real)
from refgrow.backend import astype, concat, copy, device_kw, to_numpy
from refgrow.hyperplane import closest_point_on_hyperplane, signed_distance
from refgrow.jsonio import to_jsonable
from refgrow.layers import ACTIVATIONS
from refgrow.mlp import MLP, as_mlp

__all__ = [
    "activation_pattern", "local_affine_map", "affine_map_of_pattern", "decision_boundary",
    "closest_point_on_hyperplane", "signed_distance", "logit_gap", "fold_point", "FoldPoint",
    "regression_hyperplane", "regression_fold_point", "RegressionFoldPoint", "boundary_point_on_segment",
]


# ----------------------------------------------------------------------------------------------
# validation helpers (public boundary only)
# ----------------------------------------------------------------------------------------------
def _check_mlp(mlp, name: str = "mlp") -> MLP:
    """``mlp`` as an :class:`~refgrow.mlp.MLP` (duck-typed ``weights``/``biases`` objects are wrapped)."""
    return as_mlp(mlp, name)


def _preacts(mlp: MLP, X: np.ndarray) -> list:
    """Pre-activations ``[z_0, ..., z_{L-1}]`` of validated ``X`` (n, D): the network's own forward."""
    return mlp.preacts_and_patterns(X, check_input=False)[0]


def _check_classes(i, j, K: int) -> tuple:
    """Two different class indices in [0, K) (no wrap-around of negative indices)."""
    i, j = check_index(i, "i", K, size_name="K"), check_index(j, "j", K, size_name="K")
    if i == j:
        raise ValueError(f"i and j must differ (two classes), got i = j = {i}")
    return i, j


def _check_search(tol, max_iter, refine=True):
    """``tol`` > 0 finite, ``max_iter`` int >= 0, ``refine`` bool (the iterative searches' options)."""
    return (check_real(tol, "tol", low=0.0, low_open=True), check_int(max_iter, "max_iter", low=0),
            check_bool(refine, "refine"))


def _safe_norm(v) -> float:
    """Euclidean norm without intermediate overflow (scaled by the largest entry), in ``v``'s namespace."""
    xp = array_namespace(v)
    if xp is np:
        s = float(np.max(np.abs(v))) if v.size else 0.0
        return 0.0 if s == 0.0 else s * float(np.linalg.norm(v / s))
    s = float(xp.max(xp.abs(v))) if math.prod(v.shape) else 0.0
    return 0.0 if s == 0.0 else s * math.sqrt(float(xp.sum((v / s) * (v / s))))


def _finite_result(res, name):
    """Raise when finite inputs gave non-finite geometry (float64 overflow)."""
    ok = True
    for f in fields(res):
        v = getattr(res, f.name)
        if isinstance(v, float):
            ok = ok and math.isfinite(v)
        elif hasattr(v, "__array_namespace__") or isinstance(v, np.ndarray):
            xp = array_namespace(v)
            ok = ok and bool(xp.all(xp.isfinite(v)))
    if not ok:
        raise ValueError(f"{name} is too large in magnitude: the fold-point geometry overflows float64")
    return res


def _check_point(mlp, x, name: str = "x") -> np.ndarray:
    D = mlp.weights[0].shape[1]
    return as_float_array(x, name, shape=(D,))


# ----------------------------------------------------------------------------------------------
# activation patterns and local affine maps
# ----------------------------------------------------------------------------------------------
def activation_pattern(mlp, x) -> list:
    """On/off pattern of every hidden unit at ``x``.

    Implements the "specific activation pattern of ReLU units" that indexes an activated linear
    segment (000, Definition (Activated Linear Segment)).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    x : ndarray, shape (D,) or (n, D)

    Returns
    -------
    list of ndarray of bool
        One entry per hidden layer, shape (h_l,) for a single point or (n, h_l) for a batch;
        ``True`` where the pre-activation is > 0 (``ReLU'(0) = 0`` convention).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(weights=[np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])],
    ...                       biases=[np.zeros(2), np.zeros(1)], activation="relu")
    >>> [p.tolist() for p in activation_pattern(net, np.array([2.0]))]
    [[True, False]]
    """
    mlp = _check_mlp(mlp)
    x = as_float_array(x, "x", ndim=(1, 2))
    D = mlp.weights[0].shape[1]
    if x.shape[-1] != D:
        raise ValueError(f"x must have shape ({D},) or (n, {D}) (inputs of the network), got {x.shape}")
    pats = mlp.preacts_and_patterns(x[None, :] if x.ndim == 1 else x, check_input=False)[1]
    return [p[0, :] for p in pats] if x.ndim == 1 else pats


def affine_map_of_pattern(mlp, pattern) -> tuple:
    """Affine map ``f(x) = A x + c`` of the activation region with the given ReLU pattern.

    Implements the composition of affine maps "governed by a specific activation pattern"
    (000, Definition (Activated Linear Segment)):
    ``A = W_L D_{L-1} W_{L-1} ... D_1 W_1`` with ``D_l = diag(pattern_l)``, and ``c`` from the
    same recursion on the biases (``c_l = W_l D_{l-1} c_{l-1} + b_l``).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
        ReLU (or identity) network.
    pattern : list of array_like of bool
        One (h_l,) mask per hidden layer.

    Returns
    -------
    A : ndarray, shape (K, D)
    c : ndarray, shape (K,)
    """
    mlp = _check_mlp(mlp)
    act = mlp.activation
    if act == "tanh":
        raise ValueError("mlp.activation must be piecewise linear ('relu' or 'identity') for "
                         "affine_map_of_pattern, got 'tanh'")
    L = len(mlp.weights)
    if not isinstance(pattern, (list, tuple)):
        raise TypeError(f"pattern must be a list of boolean masks (one per hidden layer), got "
                        f"{type(pattern).__name__}")
    if len(pattern) != L - 1:
        raise ValueError(f"pattern must hold {L - 1} masks (one per hidden layer), got {len(pattern)}")
    for l, p in enumerate(pattern):
        h = mlp.weights[l].shape[0]
        if hasattr(p, "__array_namespace__") and not isinstance(p, np.ndarray):   # checked in its namespace
            xq = array_namespace(p)
            ok = tuple(p.shape) == (h,) and (p.dtype == xq.bool or (
                xq.isdtype(p.dtype, "integral") and not bool(xq.any((p != 0) & (p != 1)))))
            if ok:
                continue
            p = None
        else:
            p = np.asarray(p) if isinstance(p, (list, tuple, np.ndarray)) else None
        if p is None or p.dtype.kind not in "bi" or p.shape != (h,) or (
                p.dtype.kind == "i" and np.any((p != 0) & (p != 1))):
            raise TypeError(f"pattern[{l}] must be a boolean mask of shape ({mlp.weights[l].shape[0]},), got "
                            f"{pattern[l]!r}"[:200])
    xp = array_namespace(*mlp.weights)
    dev = device_kw(xp, mlp.weights[0])
    A = xp.eye(mlp.weights[0].shape[1], dtype=xp.float64, **dev)
    c = xp.zeros(mlp.weights[0].shape[1], dtype=xp.float64, **dev)
    for l, (W, b) in enumerate(zip(mlp.weights, mlp.biases)):
        A = W @ A
        c = W @ c + (b if b is not None else 0.0)      # a bias-free layer has biases[l] = None
        if l < L - 1:
            m = pattern[l] if hasattr(pattern[l], "__array_namespace__") and xp is not np else \
                np.asarray(pattern[l], dtype=bool)
            if tuple(m.shape) != (W.shape[0],):
                raise ValueError(f"pattern[{l}] must have shape ({W.shape[0]},), got {tuple(m.shape)}")
            if act == "relu" and xp is np:
                A = A * m[:, None]
                c = c * m
            elif act == "relu":                        # the array API has no float * bool
                m = astype(xp, m, xp.float64)
                A = A * m[:, None]
                c = c * m
    return A, c


def local_affine_map(mlp, x) -> tuple:
    """Local affine map of the network on the activation region of ``x``.

    Implements 000's Proposition 1 (a ReLU MLP is affine on each activation region): returns
    ``A, c`` with ``f(x') = A x' + c`` for every ``x'`` with the same activation pattern as ``x``.
    ``A`` is the input Jacobian ``W_L D_{L-1}(x) ... D_1(x) W_1`` and ``c = f(x) - A x``
    (computed by the bias recursion, not by subtraction, so that ``c`` is exact).

    For ``activation="tanh"`` the result is the tangent map at ``x`` (``D_l = diag(1 - tanh^2)``),
    exact only at ``x`` (see the module's interpretation notes).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    x : ndarray, shape (D,)

    Returns
    -------
    A : ndarray, shape (K, D)
    c : ndarray, shape (K,)

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(weights=[np.array([[2.0], [-1.0]]), np.array([[1.0, 3.0]])],
    ...                       biases=[np.array([1.0, 0.0]), np.array([0.5])], activation="relu")
    >>> A, c = local_affine_map(net, np.array([1.0]))
    >>> A.tolist(), c.tolist()
    ([[2.0]], [1.5])
    """
    mlp = _check_mlp(mlp)
    x = _check_point(mlp, x)
    if mlp.activation != "tanh":
        return affine_map_of_pattern(mlp, activation_pattern(mlp, x))
    Zs = _preacts(mlp, x[None, :])
    sigma_prime = ACTIVATIONS[mlp.activation][3]
    xp = array_namespace(x)
    A = xp.eye(x.shape[0], dtype=xp.float64, **device_kw(xp, x))
    L = len(mlp.weights)
    for l, W in enumerate(mlp.weights):
        A = W @ A
        if l < L - 1:
            A = A * sigma_prime(Zs[l][0, :])[:, None]
    c = Zs[-1][0, :] - A @ x
    return A, c


def decision_boundary(mlp, x, i, j) -> tuple:
    """Local decision boundary between classes ``i`` and ``j`` on the activation region of ``x``.

    Implements 000's "Definition (Decision Boundary)": ``w_{i-j} . x + b_{i-j} = 0`` with
    ``w_{i-j} = A[i] - A[j]`` and ``b_{i-j} = c[i] - c[j]`` from :func:`local_affine_map`.
    On the region, ``w . x' + b = f_i(x') - f_j(x')`` (the logit gap), so the zero set is
    where logits ``i`` and ``j`` tie.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    x : ndarray, shape (D,)
    i, j : int
        Class indices (0 <= i, j < K, i != j); 002 uses i = predicted, j = true class.

    Returns
    -------
    w : ndarray, shape (D,)
    b : float
    """
    A, c = local_affine_map(mlp, x)
    i, j = _check_classes(i, j, A.shape[0])
    return A[i, :] - A[j, :], float(c[i] - c[j])


def logit_gap(mlp, X, i, j):
    """``f_i(X) - f_j(X)`` of the network (the true, piecewise-linear decision function).

    Parameters
    ----------
    X : ndarray, shape (D,) or (n, D)

    Returns
    -------
    float or ndarray, shape (n,)
    """
    mlp = _check_mlp(mlp)
    X = as_float_array(X, "X", ndim=(1, 2))
    if X.shape[-1] != mlp.sizes[0]:
        raise ValueError(f"X must have shape ({mlp.sizes[0]},) or (n, {mlp.sizes[0]}), got {X.shape}")
    i, j = _check_classes(i, j, mlp.sizes[-1])
    out = _preacts(mlp, X[None, :] if X.ndim == 1 else X)[-1]
    g = out[:, i] - out[:, j]
    if not all_finite(g):
        raise ValueError("X is too large in magnitude: the logit gap overflows float64")
    return float(g[0]) if X.ndim == 1 else g


# ----------------------------------------------------------------------------------------------
# fold point (classification)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FoldPoint:
    """Result of :func:`fold_point`.

    Attributes
    ----------
    x_fold : ndarray, shape (D,)
        The fold point returned (refined if ``refine=True``, else the first projection).
    x_linear : ndarray, shape (D,)
        The first projection of the mistake onto its own region's boundary hyperplane
        (the slides' closed form).
    w, b : ndarray (D,), float
        The mistake region's decision boundary ``w = A[i] - A[j]``, ``b = c[i] - c[j]``.
    in_region : bool
        Whether ``x_fold`` has the same activation pattern as the mistake.
    linear_in_region : bool
        Whether ``x_linear`` has the same activation pattern as the mistake (then it lies on the
        real boundary and is the closest point of the region's boundary piece).
    gap : float
        ``f_i(x_fold) - f_j(x_fold)`` of the real network.
    converged : bool
        ``|gap| <= tol * max(1, max|f(x_fold)|)``.
    n_iter : int
        Number of re-linearisation steps after the first projection.
    distance : float
        ``||x_fold - x_mistake||``.
    """

    x_fold: np.ndarray
    x_linear: np.ndarray
    w: np.ndarray
    b: float
    in_region: bool
    linear_in_region: bool
    gap: float
    converged: bool
    n_iter: int
    distance: float

    def to_dict(self) -> dict:
        """JSON-friendly dict of the fields (:func:`refgrow.jsonio.to_jsonable`)."""
        return to_jsonable({f.name: getattr(self, f.name) for f in fields(self)})


def _same_pattern(p, q) -> bool:
    return all(tuple(a.shape) == tuple(b.shape) and bool(array_namespace(a, b).all(a == b)) for a, b in zip(p, q))


def fold_point(mlp, x_mistake, i, j, *, refine=True, tol=1e-10, max_iter=50) -> FoldPoint:
    """Fold point of a mis-predicted instance: closest point on the local decision boundary.

    Implements 000's "Fold Point Search" (closest point of the decision boundary of the
    mistake's activated linear segment, closed form ``x - (w.x+b) w / (w.w)``) and the
    ``x_fold`` line of 002's Algorithm 1, plus the refinement of the interpretation note
    (000 "Next Milestones" 2: the fold point may leave the activation region).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
        ReLU network with K >= 2 outputs (logits).
    x_mistake : ndarray, shape (D,)
    i, j : int
        Predicted class and true class.
    refine : bool
        If True and the first projection is not on the real boundary (logits ``i`` and ``j`` do
        not tie within ``tol``), iterate Newton's minimum-norm step on the logit gap
        (re-linearise at the current point, project it onto that region's boundary).
    tol : float
        Relative tie tolerance: ``|f_i - f_j| <= tol * max(1, max_k |f_k|)``.
    max_iter : int
        Maximum number of refinement steps.

    Returns
    -------
    FoldPoint
    """
    mlp = _check_mlp(mlp)
    x_mistake = _check_point(mlp, x_mistake, "x_mistake")
    tol, max_iter, refine = _check_search(tol, max_iter, refine)
    i, j = _check_classes(i, j, mlp.sizes[-1])
    w, b = decision_boundary(mlp, x_mistake, i, j)
    xp = array_namespace(w)
    if not bool(xp.any(w != 0)):
        raise ValueError(f"x_mistake must have a local decision boundary between classes {i} and {j}, got "
                         f"{to_numpy(x_mistake).tolist()!r} where it is undefined "
                         "(zero normal A[i] - A[j], e.g. every hidden unit is off); use "
                         "boundary_point_on_segment towards an instance predicted as the other class")
    try:
        return _fold_point(mlp, x_mistake, i, j, w, b, refine, tol, max_iter)
    except ValueError as exc:                      # the arguments were valid: float64 overflowed
        raise ValueError(f"x_mistake is too large in magnitude for the fold-point search: {exc}") from None


def _fold_point(mlp, x_mistake, i, j, w, b, refine, tol, max_iter):
    """Body of :func:`fold_point` on validated arguments, from the mistake's boundary ``(w, b)``."""
    xp = array_namespace(w)
    pat0 = activation_pattern(mlp, x_mistake)
    x_lin = closest_point_on_hyperplane(x_mistake, w, b)

    def tie(x):
        out = _preacts(mlp, x[None, :])[-1][0, :]
        g = float(out[i] - out[j])
        return g, abs(g) <= tol * max(1.0, float(xp.max(xp.abs(out))))

    x = x_lin
    g, ok = tie(x)
    n_iter = 0
    if refine:
        while not ok and n_iter < max_iter:
            wk, bk = decision_boundary(mlp, x, i, j)
            if not bool(xp.any(wk != 0)):
                break  # flat gap on this region: no boundary to project onto
            x = closest_point_on_hyperplane(x, wk, bk)
            n_iter += 1
            g, ok = tie(x)
    in_region = _same_pattern(activation_pattern(mlp, x), pat0)
    lin_in = _same_pattern(activation_pattern(mlp, x_lin), pat0)
    return _finite_result(FoldPoint(x_fold=x, x_linear=x_lin, w=w, b=b, in_region=bool(in_region),
                     linear_in_region=bool(lin_in), gap=g, converged=bool(ok), n_iter=n_iter,
                     distance=_safe_norm(x - x_mistake)), "x_mistake")


def boundary_point_on_segment(mlp, x0, x1, i, j, *, tol=1e-12, max_iter=200) -> np.ndarray:
    """A point of the real decision boundary between classes ``i`` and ``j`` on the segment [x0, x1].

    Fallback for :func:`fold_point` when the mistake's region has no local boundary (zero normal).
    The logit gap ``g = f_i - f_j`` is continuous; if ``g(x0) >= 0 >= g(x1)`` (or the reverse),
    bisection returns ``x0 + t (x1 - x0)`` with ``|g| <= tol * max(1, max|f|)`` or after
    ``max_iter`` halvings of ``t``.

    Parameters
    ----------
    x0, x1 : ndarray (D,)
        E.g. the mistake (predicted ``i``) and the nearest instance predicted as ``j``.

    Returns
    -------
    ndarray (D,)
    """
    mlp = _check_mlp(mlp)
    x0 = _check_point(mlp, x0, "x0")
    x1 = _check_point(mlp, x1, "x1")
    tol, max_iter, _ = _check_search(tol, max_iter)
    i, j = _check_classes(i, j, mlp.sizes[-1])
    for x, name in ((x0, "x0"), (x1, "x1")):
        out = _preacts(mlp, x[None, :])[-1][0, :]
        if not all_finite(out, out[i] - out[j]):
            raise ValueError(f"{name} is too large in magnitude: the network's logit gap overflows float64")
    if not all_finite(x1 - x0):
        raise ValueError("x0 and x1 are too far apart: x1 - x0 overflows float64")
    g0, g1 = logit_gap(mlp, x0, i, j), logit_gap(mlp, x1, i, j)
    if g0 * g1 > 0:
        raise ValueError(f"x0 and x1 must lie on both sides of the boundary (bisection needs a sign change of "
                         f"the logit gap f_{i} - f_{j}), got the same sign at both ends "
                         f"({g0:.3g}, {g1:.3g})")
    lo, hi = 0.0, 1.0
    x = x0
    for _ in range(int(max_iter)):
        t = 0.5 * (lo + hi)
        x = x0 + t * (x1 - x0)
        out = _preacts(mlp, x[None, :])[-1][0, :]
        g = float(out[i] - out[j])
        if abs(g) <= tol * max(1.0, float(array_namespace(out).max(array_namespace(out).abs(out)))):
            break
        if (g > 0) == (g0 > 0):
            lo = t
        else:
            hi = t
    return x


# ----------------------------------------------------------------------------------------------
# regression variant
# ----------------------------------------------------------------------------------------------
def regression_hyperplane(mlp, x, output=0) -> tuple:
    """Local regression hyperplane of output ``output`` in input x output space.

    On the activation region of ``x``, ``f_o(x') = A[o] . x' + c[o]``; its graph is the
    hyperplane ``{z = (x', y') in R^{D+1} : (A[o], -1) . z + c[o] = 0}`` (002 Alg. 1,
    "regression surface"; 000 Definition (Activated Linear Segment), "regression curves").

    Returns
    -------
    w : ndarray, shape (D + 1,)
        ``(A[o], -1)``.
    b : float
        ``c[o]``.
    """
    A, c = local_affine_map(mlp, x)
    output = check_index(output, "output", A.shape[0])
    xp = array_namespace(A)
    return concat(xp, [A[output, :], xp.asarray([-1.0], dtype=A.dtype, **device_kw(xp, A))]), float(c[output])


@dataclass(frozen=True)
class RegressionFoldPoint:
    """Result of :func:`regression_fold_point`.

    Attributes
    ----------
    z_fold : ndarray, shape (D + 1,)
        Fold point in input x output space.
    x_fold : ndarray, shape (D,)
        Its input part (where the new neuron's hyperplane passes).
    w, b : the mistake region's regression hyperplane.
    in_region, residual, converged, n_iter, distance : as in :class:`FoldPoint`
        (``residual = f_o(x_fold) - y_fold`` of the real network).
    """

    z_fold: np.ndarray
    x_fold: np.ndarray
    w: np.ndarray
    b: float
    in_region: bool
    residual: float
    converged: bool
    n_iter: int
    distance: float

    def to_dict(self) -> dict:
        """JSON-friendly dict of the fields (:func:`refgrow.jsonio.to_jsonable`)."""
        return to_jsonable({f.name: getattr(self, f.name) for f in fields(self)})


def regression_fold_point(mlp, x_mistake, y_mistake, *, output=0, refine=True, tol=1e-10,
                          max_iter=50) -> RegressionFoldPoint:
    """Fold point for regression: closest point of the local regression hyperplane to the
    mistake ``(x_mistake, y_mistake)`` in input x output space.

    Implements the regression reading of 002 Algorithm 1's ``x_fold`` line (see the module's
    interpretation notes). Refinement re-linearises at the input part of the current point and
    projects the current point again, until ``|f_o(x) - y| <= tol * max(1, |y|)``.

    Parameters
    ----------
    x_mistake : ndarray, shape (D,)
    y_mistake : float
        Target value of output ``output`` at the mistake.

    Returns
    -------
    RegressionFoldPoint
    """
    mlp = _check_mlp(mlp)
    x_mistake = _check_point(mlp, x_mistake, "x_mistake")
    tol, max_iter, refine = _check_search(tol, max_iter, refine)
    output = check_index(output, "output", mlp.sizes[-1])
    y = as_float_array(y_mistake, "y_mistake")
    if math.prod(y.shape) != 1:
        raise ValueError(f"y_mistake must be a scalar target, got shape {tuple(y.shape)}")
    xp = array_namespace(x_mistake)
    yv = float(array_namespace(y).reshape(y, ()))
    z0 = concat(xp, [x_mistake, xp.asarray([yv], dtype=x_mistake.dtype, **device_kw(xp, x_mistake))])
    w, b = regression_hyperplane(mlp, x_mistake, output)
    pat0 = activation_pattern(mlp, x_mistake)
    D = x_mistake.shape[0]

    def resid(z):
        out = _preacts(mlp, z[None, :D])[-1][0, output]
        r = float(out - z[D])
        return r, abs(r) <= tol * max(1.0, abs(float(z[D])))

    z = closest_point_on_hyperplane(z0, w, b)
    r, ok = resid(z)
    n_iter = 0
    if refine:
        while not ok and n_iter < max_iter:
            wk, bk = regression_hyperplane(mlp, z[:D], output)
            z = closest_point_on_hyperplane(z, wk, bk)
            n_iter += 1
            r, ok = resid(z)
    in_region = _same_pattern(activation_pattern(mlp, z[:D]), pat0)
    return _finite_result(RegressionFoldPoint(z_fold=z, x_fold=copy(xp, z[:D]), w=w, b=b,
                                              in_region=bool(in_region), residual=r, converged=bool(ok),
                                              n_iter=n_iter, distance=_safe_norm(z - z0)),
                          "x_mistake and y_mistake")
