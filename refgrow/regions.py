r"""Exact linear-region and activation-pattern counting for ReLU networks with a 1-D input.

Definitions follow App. A.2 of 003: an *activation pattern* is the boolean mask of active neurons
(pre-activation ``> 0``); an *activation region* is a maximal connected set of inputs with one
pattern; a *linear region* is a maximal connected set on which the output is affine (it may join
several activation regions).

For a 1-D input the network is piecewise affine on an interval and everything is computed from
its structure, not by sampling: layer by layer, on each current piece (where all earlier layers are
affine) every pre-activation of the next layer is affine, ``z(x) = z(m) + z'(m)(x - m)``; its root
``m - z(m)/z'(m)``, when strictly inside the piece, is a new breakpoint. Values and slopes are
propagated together (forward-mode derivative at the piece midpoints), vectorised over pieces.

Symbol table
------------
==================  ====================  =========  ===========================================
symbol              code                  shape      meaning
==================  ====================  =========  ===========================================
breakpoints         ``res.breakpoints``   (P+1,)     sorted piece end points (domain ends included)
activation pattern  ``res.patterns``      (P, N)     bool, per piece, all hidden neurons
f'(x) on a piece    ``res.slopes``        (P, K)     output slope on each piece
f at breakpoints    ``res.values``        (P+1, K)   output values at the breakpoints
==================  ====================  =========  ===========================================

Interpretation notes
--------------------
* A neuron whose pre-activation touches 0 at an isolated point without changing sign (the ``t1``
  neurons of the triangle network at the valleys) does not split an activation region: patterns are
  read on the open pieces between breakpoints.
* Two adjacent pieces belong to the same linear region when their output slopes agree to
  ``slope_rtol`` relative to the largest slope magnitude (default ``1e-9``): slopes are computed in
  floating point, so exact equality cannot be asked for.
* Roots closer than ``tol * (hi - lo)`` (default ``1e-12``) to an existing breakpoint are merged
  into it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from refgrow._validation import check_positive_int
from refgrow.mlp import MLP, as_mlp

__all__ = ["Regions1D", "regions_1d", "count_linear_regions", "count_activation_regions",
           "grid_patterns_2d", "count_grid_regions_2d"]


@dataclass
class Regions1D:
    """Exact piecewise-linear structure of a 1-D-input ReLU network on ``[lo, hi]``.

    Attributes
    ----------
    breakpoints : (P+1,) sorted points; pieces are ``[breakpoints[p], breakpoints[p+1]]``
    patterns : (P, N) bool activation pattern on each piece (N = all hidden neurons)
    slopes : (P, K) output slope on each piece
    values : (P+1, K) output at the breakpoints
    n_activation_regions : int, connected sets of constant pattern
    n_patterns : int, distinct patterns
    n_linear_regions : int, maximal pieces with a constant output slope
    """

    breakpoints: np.ndarray
    patterns: np.ndarray
    slopes: np.ndarray
    values: np.ndarray
    n_activation_regions: int
    n_patterns: int
    n_linear_regions: int


def _params(net) -> MLP:
    net = as_mlp(net, "net", activation="relu")
    if net.sizes[0] != 1:
        raise ValueError(f"net must have a 1-D input (weights[0] with 1 column), got {net.weights[0].shape}")
    return net


def _value_and_slope(net: MLP, x):
    """Pre-activations of every layer at points ``x (P,)``, their x-derivatives, and the patterns.

    The values and patterns come from the network's own forward (:meth:`MLP.preacts_and_patterns`);
    the slopes are the forward-mode derivative ``dz_l/dx = (dz_{l-1}/dx * 1[z_{l-1} > 0]) W_l^T``
    (chain rule through the same patterns, ``dz_0/dx = W_0^T``).
    """
    Zs, pats = net.preacts_and_patterns(x[:, None], check_input=False)
    dA = np.ones((x.shape[0], 1))
    dZs = []
    for l, W in enumerate(net.weights):
        dZ = dA @ W.T
        dZs.append(dZ)
        if l < len(pats):
            dA = dZ * pats[l]
    return Zs, dZs, pats


def regions_1d(net, lo: float = 0.0, hi: float = 1.0, *, tol: float = 1e-12,
               slope_rtol: float = 1e-9) -> Regions1D:
    r"""Exact breakpoints, activation patterns and linear regions of a 1-D ReLU network on ``[lo, hi]``.

    Parameters
    ----------
    net : refgrow.mlp.MLP (ReLU) or ``(weights, biases)`` with ``weights[0]`` of shape (h_1, 1)
    lo, hi : float, the interval (``lo < hi``)
    tol : float, relative merge distance for roots (module notes)
    slope_rtol : float, relative slope tolerance for merging linear pieces

    Returns
    -------
    Regions1D

    Examples
    --------
    >>> import numpy as np
    >>> W = [np.array([[1.0], [1.0]]), np.array([[1.0, -2.0]])]; b = [np.array([0.0, -0.5]), np.zeros(1)]
    >>> r = regions_1d((W, b)); r.breakpoints.tolist(), r.n_linear_regions
    ([0.0, 0.5, 1.0], 2)
    """
    net = _params(net)
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"lo, hi must be finite with lo < hi, got {lo}, {hi}")
    eps = tol * (hi - lo)
    B = np.array([lo, hi])
    L = len(net.weights)
    for l in range(L - 1):
        mid = 0.5 * (B[:-1] + B[1:])
        Zs, dZs, _ = _value_and_slope(net, mid)
        Z, dZ = Zs[l], dZs[l]
        with np.errstate(divide="ignore", invalid="ignore"):
            root = mid[:, None] - Z / dZ
        left, right = B[:-1, None], B[1:, None]
        ok = (dZ != 0) & (root > left + eps) & (root < right - eps)
        new = root[ok]
        if new.size:
            B = np.unique(np.concatenate([B, new]))
            keep = np.concatenate([[True], np.diff(B) > eps])
            B = B[keep]
            B[-1] = hi
    mid = 0.5 * (B[:-1] + B[1:])
    Zs, dZs, pats = _value_and_slope(net, mid)
    out, dout = Zs[-1], dZs[-1]
    patterns = np.concatenate(pats, axis=1) if pats else np.zeros((mid.shape[0], 0), bool)
    vals = out + dout * (B[:-1, None] - mid[:, None])
    last = out[-1:] + dout[-1:] * (B[-1] - mid[-1])
    values = np.concatenate([vals, last], axis=0)
    change = np.any(patterns[1:] != patterns[:-1], axis=1)
    n_act = 1 + int(change.sum())
    n_pat = int(np.unique(patterns, axis=0).shape[0]) if patterns.shape[1] else 1
    scale = max(float(np.abs(dout).max()), np.finfo(float).tiny)
    jump = np.any(np.abs(dout[1:] - dout[:-1]) > slope_rtol * scale, axis=1)
    n_lin = 1 + int(jump.sum())
    return Regions1D(B, patterns, dout, values, n_act, n_pat, n_lin)


def count_linear_regions(net, lo: float = 0.0, hi: float = 1.0, **kw) -> int:
    """Number of linear regions of a 1-D ReLU network on ``[lo, hi]`` (see :func:`regions_1d`)."""
    return regions_1d(net, lo, hi, **kw).n_linear_regions


def count_activation_regions(net, lo: float = 0.0, hi: float = 1.0, **kw) -> int:
    """Number of activation regions of a 1-D ReLU network on ``[lo, hi]`` (see :func:`regions_1d`)."""
    return regions_1d(net, lo, hi, **kw).n_activation_regions


def grid_patterns_2d(net, xlim=(-1.0, 1.0), ylim=(-1.0, 1.0), resolution: int = 200):
    r"""Activation-pattern labels of a 2-D-input ReLU network on a grid (for pictures, sampled).

    Parameters
    ----------
    net : MLP or (weights, biases) with ``weights[0]`` of shape (h_1, 2)
    xlim, ylim : (lo, hi) pairs
    resolution : int, grid points per axis

    Returns
    -------
    labels : (resolution, resolution) int, the index of the pattern of each grid point
        (row = y, column = x); equal labels = equal pattern.
    xs, ys : (resolution,) grid coordinates
    """
    net = as_mlp(net, "net", activation="relu")
    if net.sizes[0] != 2:
        raise ValueError(f"net must have a 2-D input (weights[0] with 2 columns), got {net.weights[0].shape}")
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    xs = np.linspace(xlim[0], xlim[1], resolution)
    ys = np.linspace(ylim[0], ylim[1], resolution)
    XX, YY = np.meshgrid(xs, ys)
    pats = net.preacts_and_patterns(np.stack([XX.ravel(), YY.ravel()], axis=1), check_input=False)[1]
    P = np.concatenate(pats, axis=1)
    _, labels = np.unique(P, axis=0, return_inverse=True)
    return labels.reshape(resolution, resolution), xs, ys


def count_grid_regions_2d(net, xlim=(-1.0, 1.0), ylim=(-1.0, 1.0), resolution: int = 200) -> int:
    """Number of distinct activation patterns seen on the grid (a lower bound on the true count)."""
    labels, _, _ = grid_patterns_2d(net, xlim, ylim, resolution)
    return int(np.unique(labels).shape[0])
