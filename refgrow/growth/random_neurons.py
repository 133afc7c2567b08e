r"""Random new neurons with an amplitude line search: the "Random" baseline of Sec. 5.2 of 001 (TINY).

New neurons are drawn as ``(alpha_k, omega_k) ~ N(0, I)`` or ``U[-1, 1]``, normalised as in
App. E.3.2 (each array divided by the root mean square of its entries) and scaled by
``gamma* = argmin_{gamma in [-L, L]} sum_i l(f_{theta + gamma theta_K}(x_i), y_i)`` (Eq. 14), with
``gamma theta_K = (gamma alpha_k, gamma omega_k)``. This is also the auxiliary method of
*completed-TINY* (Sec. 4, App. D.3): ``grow(propose=propose_tiny, fallback=partial(propose_random, L=L))``.

Symbol table
------------
==============  ===============  ==============  ===========================================
paper (001)     code             shape           meaning
==============  ===============  ==============  ===========================================
alpha_k         ``w_in[k]``,     (k, d_prev),    fan-in (and bias) of the new neurons
                ``b_in[k]``      (k,)
omega_k         ``w_out[:, k]``  (d_next, k)     fan-out
gamma*          ``gamma``        scalar          amplitude factor (Eq. 14)
L               ``L``            scalar          half-width of the search interval
==============  ===============  ==============  ===========================================

Interpretation note: with Eq. (14)'s ``(gamma alpha, gamma omega)`` a negative ``gamma`` flips both
arrays; for ReLU this is a different neuron (``-omega relu(-alpha.b)``), which is why the interval is
symmetric for Random (Sec. 5.2) while TINY may use ``[0, L]``. If no ``gamma`` decreases the loss,
``gamma* = 0`` and the proposal adds zero neurons (recorded in ``info["gamma"]``).
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import check_bool, check_int, check_positive_int, check_real, check_rng
from refgrow.growth.proposals import NewNeurons, amplitude_loss, line_search
from refgrow.mlp import check_mlp

__all__ = ["random_directions", "propose_random"]


def random_directions(d_prev, d_next, k, *, rng=None, distribution="gaussian", bias=True):
    """Draw and normalise random neurons (Sec. 5.2 and App. E.3.2 of 001, TINY).

    Parameters
    ----------
    d_prev, d_next, k : int
        Input size, output size and number of neurons.
    rng : seed or Generator
    distribution : {"gaussian", "uniform"}
        ``N(0, 1)`` or ``U[-1, 1]`` entries.
    bias : bool
        Whether the grown layer has a bias (False: no bias column, for ``nn.Linear(bias=False)``).

    Returns
    -------
    alpha : ndarray, shape (k, d_prev + 1) (``(k, d_prev)`` with ``bias=False``)
        Fan-in with the bias as last column; entries have root mean square 1.
    omega : ndarray, shape (d_next, k)
        Fan-out; entries have root mean square 1.
    """
    d_prev = check_positive_int(d_prev, "d_prev")
    d_next = check_positive_int(d_next, "d_next")
    k = check_positive_int(k, "k")
    rng = check_rng(rng)
    bias = check_bool(bias, "bias")
    d_a = d_prev + (1 if bias else 0)
    if distribution == "gaussian":
        a, w = rng.standard_normal((k, d_a)), rng.standard_normal((d_next, k))
    elif distribution == "uniform":
        a, w = rng.uniform(-1, 1, (k, d_a)), rng.uniform(-1, 1, (d_next, k))
    else:
        raise ValueError(f"distribution must be 'gaussian' or 'uniform', got {distribution!r}")
    a /= np.sqrt(np.mean(a * a))
    w /= np.sqrt(np.mean(w * w))
    return a, w


def propose_random(mlp, X, y, *, hidden_layer=0, k=1, rng=None, loss="ce", distribution="gaussian",
                   L=2.0, n_grid=41, X_search=None, y_search=None):
    """Random baseline proposal for :func:`refgrow.growth.loop.grow` (Sec. 5.2, Eq. 14 of 001, TINY).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP (not modified)
    X, y : data for the line search (unless ``X_search`` is given)
    hidden_layer : int, 0-based
    k : int >= 1
    rng : seed or Generator
    loss : {"ce", "mse"}
    distribution : {"gaussian", "uniform"}
    L : float > 0, search interval ``[-L, L]``
    n_grid : int, grid points of :func:`refgrow.growth.proposals.line_search`
    X_search, y_search : optional separate line-search batch (App. E.3.2)

    Returns
    -------
    NewNeurons
        Already multiplied by ``gamma*``; ``info``: ``method``, ``gamma``, ``loss_before``,
        ``loss_after_search``, ``distribution``, ``fallback`` (False).
    """
    h = check_mlp(mlp).check_hidden_layer(hidden_layer)
    k = check_positive_int(k, "k")
    L = check_real(L, "L", low=0.0, low_open=True, high=1e300)   # the search interval (-L, L) has width 2L
    n_grid = check_int(n_grid, "n_grid", low=2)
    if (X_search is None) != (y_search is None):
        raise ValueError("X_search and y_search must be given together")
    rng = check_rng(rng)
    Xs, ys = (X, y) if X_search is None else (X_search, y_search)
    alpha, omega = random_directions(mlp.sizes[h], mlp.sizes[h + 2], k, rng=rng, distribution=distribution,
                                     bias=mlp.has_bias[h])
    base = float(mlp.loss(Xs, ys, loss))

    f = amplitude_loss(mlp, h, alpha, omega, None, Xs, ys, loss=loss, scaling="linear")

    gamma, best = line_search(f, (-L, L), n_grid=n_grid)
    if not best < base:
        gamma, best = 0.0, base
    info = {"method": "random", "distribution": distribution, "gamma": gamma, "loss_before": base,
            "loss_after_search": best, "fallback": False}
    if not mlp.has_bias[h]:
        return NewNeurons(gamma * alpha, np.zeros(k), gamma * omega, info)
    return NewNeurons(gamma * alpha[:, :-1], gamma * alpha[:, -1], gamma * omega, info)
