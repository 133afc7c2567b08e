r"""What every growth method shares: the proposal record, the desired move, the amplitude line search.

No growth method imports another; each imports what it shares from here (TINY, GradMax, Random,
folding). :func:`refgrow.growth.loop.grow` applies a :class:`NewNeurons` with :func:`apply_proposal`.

Symbol table
------------
==============  ==================  ================  ==============================================
paper           code                shape             meaning
==============  ==================  ================  ==============================================
alpha           ``w_in``            (k, d_prev)       fan-in weights of the k new neurons
(bias)          ``b_in``            (k,)              biases of the new neurons
omega           ``w_out``           (d_next, k)       fan-out weights of the new neurons
gamma dW        ``dW_next``         (d_next, h)       update of the existing fan-out weights (TINY)
gamma db        ``db_next``         (d_next,)         update of the existing fan-out biases (TINY)
V_goal          ``v_goal(...)``     (n, d_next)       -d l_i / d a(x_i) (TINY Sec. 2.3)
gamma           ``gamma``           scalar            amplitude factor (TINY Eq. 14)
==============  ==================  ================  ==============================================

Indexing (one convention)
-------------------------
``hidden_layer`` is the 0-based index of a hidden layer: ``weights[h]`` (fan-in) feeds it,
``weights[h + 1]`` (fan-out) reads it. Growing hidden layer ``h`` uses the desired move of the
pre-activations that it feeds, ``preacts[h + 1]``: :func:`v_goal` takes the same ``hidden_layer`` and
returns exactly that. (The former ``layer=`` keyword indexed ``mlp.weights``: ``layer = h + 1``;
it still works and warns.)

Apply a proposal with :func:`apply_proposal` (or, for the neurons alone,
``mlp.add_neurons(hidden_layer, nn.w_in, nn.b_in, nn.w_out)``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from refgrow._validation import as_float_array, check_bool, check_choice, check_positive_int
from refgrow.layers import ACTIVATIONS
from refgrow.losses import get_loss
from refgrow.mlp import MLP
from refgrow.train import check_dataset

__all__ = ["NewNeurons", "apply_proposal", "v_goal", "amplitude_loss", "line_search"]


@dataclass(frozen=True)
class NewNeurons:
    """k new neurons for one hidden layer, as proposed by a growth method.

    Attributes
    ----------
    w_in : ndarray, shape (k, d_prev)
        Fan-in weights (TINY's alpha without its bias column).
    b_in : ndarray, shape (k,)
        Biases of the new neurons.
    w_out : ndarray, shape (d_next, k)
        Fan-out weights (TINY's omega).
    info : dict
        Method-specific diagnostics (singular values, gains, flags...). JSON-friendly values.
    dW_next, db_next : ndarray, shapes (d_next, h) and (d_next,), optional
        An update of the *existing* fan-out weights and biases to add together with the neurons
        (TINY's ``gamma dW*``, Prop. 3.1); None for methods that only add neurons.
    """

    w_in: np.ndarray
    b_in: np.ndarray
    w_out: np.ndarray
    info: dict = field(default_factory=dict)
    dW_next: np.ndarray | None = None
    db_next: np.ndarray | None = None

    def __post_init__(self):
        for name in ("w_in", "b_in", "w_out", "dW_next", "db_next"):
            v = getattr(self, name)
            if v is not None or name in ("w_in", "b_in", "w_out"):
                object.__setattr__(self, name, as_float_array(v, name, allow_empty=True))
        if not isinstance(self.info, dict):
            raise TypeError(f"info must be a dict, got {type(self.info).__name__}")
        k = np.shape(self.b_in)[0] if np.ndim(self.b_in) == 1 else None
        if np.ndim(self.w_in) != 2 or np.ndim(self.b_in) != 1 or np.ndim(self.w_out) != 2:
            raise ValueError(
                "NewNeurons: w_in must be (k, d_prev), b_in (k,), w_out (d_next, k); got shapes "
                f"{np.shape(self.w_in)}, {np.shape(self.b_in)}, {np.shape(self.w_out)}")
        if self.w_in.shape[0] != k or self.w_out.shape[1] != k:
            raise ValueError(
                "NewNeurons: the number of neurons k must agree: w_in has "
                f"{self.w_in.shape[0]} rows, b_in has {k} entries, w_out has {self.w_out.shape[1]} columns")
        if (self.dW_next is None) != (self.db_next is None):
            raise ValueError("NewNeurons: dW_next and db_next must be given together (or both None)")
        if self.dW_next is not None and (
                np.ndim(self.dW_next) != 2 or np.shape(self.dW_next)[0] != self.w_out.shape[0]
                or np.shape(self.db_next) != (self.w_out.shape[0],)):
            raise ValueError(
                f"NewNeurons: dW_next must be (d_next={self.w_out.shape[0]}, h) and db_next (d_next,); got "
                f"shapes {np.shape(self.dW_next)} and {np.shape(self.db_next)}")

    @property
    def k(self) -> int:
        """Number of new neurons."""
        return int(self.b_in.shape[0])


def apply_proposal(mlp, hidden_layer, neurons):
    """A new MLP: ``neurons`` added to hidden layer ``hidden_layer`` (0-based); ``mlp`` is not modified.

    The update of the existing fan-out (``dW_next``, ``db_next``; TINY Prop. 3.1) is added first,
    then the neurons are appended (:meth:`refgrow.mlp.MLP.add_neurons`).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    hidden_layer : int
    neurons : NewNeurons

    Returns
    -------
    refgrow.mlp.MLP
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    if not isinstance(neurons, NewNeurons):
        raise TypeError(f"neurons must be NewNeurons, got {type(neurons).__name__}")
    h = mlp.check_hidden_layer(hidden_layer)
    base = mlp
    if neurons.dW_next is not None:
        if np.shape(neurons.dW_next) != mlp.weights[h + 1].shape:
            raise ValueError(f"neurons.dW_next must have the shape of weights[{h + 1}] "
                             f"{mlp.weights[h + 1].shape}, got {np.shape(neurons.dW_next)}")
        base = mlp.copy()
        base.weights[h + 1] = base.weights[h + 1] + neurons.dW_next
        if mlp.has_bias[h + 1]:
            base.biases[h + 1] = base.biases[h + 1] + neurons.db_next
        elif np.any(neurons.db_next != 0):
            raise ValueError(f"neurons.db_next must be zeros: weights[{h + 1}] has no bias (has_bias[{h + 1}] is False)")
    return base.add_neurons(h, neurons.w_in, neurons.b_in, neurons.w_out)


def v_goal(mlp, X, y, *, hidden_layer=None, loss="ce", cache=None, layer=None):
    """Desired pre-activation move ``V_goal = -d l_i / d a(x_i)`` fed by a hidden layer (Sec. 2.3 of TINY).

    Implements ``v_goal(x) = -grad_a l(f(x), y)`` of Sec. 2.3 of TINY [docs/references.md#tiny], per
    sample and not averaged over the batch: row ``i`` is minus the gradient of the per-sample loss
    ``l_i`` with respect to ``preacts[hidden_layer + 1]`` (the output of ``mlp.weights[hidden_layer + 1]``,
    the layer that reads hidden layer ``hidden_layer``; the last one is the network output), from the
    hand-written backward with the ``reduction="sum"`` gradient.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    X : array_like, shape (n, D)
    y : int labels (n,) for ``loss="ce"``; targets (n, K) for ``loss="mse"``
    hidden_layer : int in [0, n_hidden)
        0-based hidden layer, as everywhere in :mod:`refgrow.growth` (module note "Indexing").
    loss : {"ce", "mse"}
    cache : ForwardCache, optional
        Reuse a forward pass of ``X``.
    layer : int, deprecated
        Former index into ``mlp.weights`` (``layer = hidden_layer + 1``; ``layer=0`` gives the
        pre-activations of the first hidden layer). Emits a ``DeprecationWarning``.

    Returns
    -------
    ndarray, shape (n, mlp.sizes[hidden_layer + 2])
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    if layer is not None:
        if hidden_layer is not None:
            raise TypeError("v_goal takes hidden_layer or the deprecated layer, not both")
        warnings.warn("v_goal(layer=l) is deprecated; use hidden_layer=l - 1 (0-based hidden layer whose "
                      "fan-out produces the pre-activations)", DeprecationWarning, stacklevel=2)
        L = len(mlp.weights)
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < L:
            raise ValueError(f"layer must be an int in [0, {L}), got {layer!r}")
        idx = int(layer)
    else:
        if hidden_layer is None:
            raise TypeError("v_goal needs hidden_layer (0-based)")
        idx = mlp.check_hidden_layer(hidden_layer) + 1
    X, y = check_dataset(X, y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1])
    if cache is None:
        _, cache = mlp.forward(X, check_input=False)
    _, d_out = get_loss(loss, validate=False)(cache.preacts[-1], y, reduction="sum")
    grads = mlp.backward(cache, d_out, check_input=False, input_grad=False)
    return -grads.preacts[idx]


def amplitude_loss(mlp, hidden_layer, alpha, omega, dW, X, y, *, loss="ce", scaling="sqrt"):
    """A fast ``gamma -> loss`` function equal to ``apply_tiny(mlp, h, alpha, omega, dW, gamma).loss(X, y)``.

    Used by the line search of Eq. (14) of TINY [docs/references.md#tiny]. The layers before the grown
    one do not depend on ``gamma``: one :meth:`refgrow.mlp.MLP.forward` gives ``inputs[h]``, the new
    neurons' pre-activations ``B_in alpha^T`` and the existing pre-activations ``preacts[h + 1]``; each
    evaluation then adds the neurons' contribution and runs the layers after ``h + 1`` with
    :meth:`~refgrow.mlp.MLP.forward` of the tail network ``weights[h + 2:]``.

    ``scaling="sqrt"``: ``gamma dW`` and neurons ``(sqrt(gamma) alpha, sqrt(gamma) omega)`` (Prop. 3.3;
    ``gamma < 0`` gives ``inf``); ``scaling="linear"``: ``(gamma alpha, gamma omega)`` and ``gamma dW`` (Eq. 14).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    hidden_layer : int
    alpha : ndarray, shape (K, d_prev + 1) (bias last), or (K, d_prev) when hidden layer ``h`` has no bias
    omega : ndarray, shape (d_next, K)
    dW : ndarray, shape (d_next, width + 1) (width when ``weights[h+1]`` has no bias), or None
    X, y : data
    loss : {"ce", "mse"}
    scaling : {"sqrt", "linear"}

    Returns
    -------
    callable float -> float
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    h = mlp.check_hidden_layer(hidden_layer)
    scaling = check_choice(scaling, "scaling", ("sqrt", "linear"))
    X, y = check_dataset(X, y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1])
    d_prev, width, d_next = mlp.sizes[h], mlp.sizes[h + 1], mlp.sizes[h + 2]
    alpha = as_float_array(alpha, "alpha", shape=(None, d_prev + int(mlp.has_bias[h])), allow_empty=True)
    omega = as_float_array(omega, "omega", shape=(d_next, alpha.shape[0]), allow_empty=True)
    if dW is not None:
        dW = as_float_array(dW, "dW", shape=(d_next, width + int(mlp.has_bias[h + 1])))
    sigma = ACTIVATIONS[mlp.activation][2]
    fn = get_loss(loss, validate=False)
    _, cache = mlp.forward(X, check_input=False)
    A_in = cache.inputs[h]
    Z_new = A_in @ alpha[:, :-1].T + alpha[:, -1] if mlp.has_bias[h] else A_in @ alpha.T   # (n, K), amplitude 1
    H = cache.inputs[h + 1]
    base = cache.preacts[h + 1]                                       # H W^T + b
    if dW is None:
        dA = None
    else:
        dA = H @ dW[:, :-1].T + dW[:, -1] if mlp.has_bias[h + 1] else H @ dW.T
    tail = None
    if h + 2 < len(mlp.weights):                                      # layers after the grown one
        tail = MLP(mlp.weights[h + 2:], [b if hb else None for b, hb in zip(mlp.biases, mlp.has_bias)][h + 2:],
                   activation=mlp.activation, blocks=mlp.blocks[h + 2:])

    def f(gamma):
        gamma = float(gamma)
        if scaling == "sqrt":
            if gamma < 0:
                return np.inf
            s = np.sqrt(gamma)
        else:
            s = gamma
        a = base if dA is None else base + gamma * dA
        a = a + (s * sigma(s * Z_new)) @ omega.T
        if tail is not None:
            a = tail.forward(sigma(a), check_input=False)[0]
        return float(fn(a, y)[0])

    return f


def line_search(loss_of_gamma, interval=(0.0, 1.0), *, n_grid=21, refine=True):
    """Amplitude factor ``gamma* = argmin_{gamma in interval} loss(gamma)`` (Eq. 14 of TINY).

    Implements Eq. (14) of TINY [docs/references.md#tiny]. The loss along the amplitude is not
    unimodal in general, so a uniform grid of ``n_grid`` points (including both ends) is evaluated
    first and the best grid point is refined with bounded Brent (``scipy.optimize.minimize_scalar``)
    inside its two neighbouring cells.

    Parameters
    ----------
    loss_of_gamma : callable float -> float
    interval : (lo, hi) with lo < hi
    n_grid : int >= 2
    refine : bool

    Returns
    -------
    gamma : float
    loss : float
        Loss at ``gamma`` (never larger than the best grid value).
    """
    if not callable(loss_of_gamma):
        raise TypeError(f"loss_of_gamma must be callable gamma -> loss, got {type(loss_of_gamma).__name__}")
    lo, hi = (float(v) for v in as_float_array(interval, "interval", shape=(2,)))
    if not (lo < hi and np.isfinite(hi - lo)):
        raise ValueError(f"interval must be (lo, hi) with lo < hi and a finite width, got {interval}")
    refine = check_bool(refine, "refine")
    n_grid = check_positive_int(n_grid, "n_grid", minimum=2)
    grid = np.linspace(lo, hi, n_grid)
    vals = np.array([loss_of_gamma(g) for g in grid], dtype=float)
    vals = np.where(np.isfinite(vals), vals, np.inf)
    i = int(np.argmin(vals))
    g_best, v_best = float(grid[i]), float(vals[i])
    if refine and np.isfinite(v_best):
        from scipy.optimize import minimize_scalar
        a, b = grid[max(i - 1, 0)], grid[min(i + 1, n_grid - 1)]
        res = minimize_scalar(lambda g: (lambda v: v if np.isfinite(v) else np.inf)(loss_of_gamma(g)),
                              bounds=(a, b), method="bounded", options={"xatol": 1e-6 * (hi - lo)})
        if res.success and res.fun < v_best:
            g_best, v_best = float(res.x), float(res.fun)
    return g_best, v_best
