r"""TINY on a network: the goal from a model, one growth step, the proposal (TINY [docs/references.md#tiny]).

:func:`tiny_step` (Algorithm 2, TINY branch, with Algorithms 3-4 of App. E.4: all matrices of one
growth step of an :class:`refgrow.mlp.MLP`), :func:`apply_tiny` (best update + new neurons with
amplitude gamma, Sec. 3.2) and :func:`propose_tiny` (the ``propose`` function of
:func:`refgrow.growth.loop.grow`; Eq. 14 line search). The mathematics is in
:mod:`refgrow.growth.tiny.linalg`; the desired move :func:`refgrow.growth.proposals.v_goal` and the
amplitude line search are shared with the other methods (:mod:`refgrow.growth.proposals`).

Symbol table
------------
=====================  ======================  ====================  ====================================
paper (TINY)           code                    shape                 meaning
=====================  ======================  ====================  ====================================
h (0-based)            ``hidden_layer``        int                   grown hidden layer
B_{l-2}^T              ``TinyStep.B_in``       (n, d_prev [+ 1])     with_ones(inputs[h]) (ones iff has_bias[h])
B_{l-1}^T              ``TinyStep.B``          (n, width [+ 1])      with_ones(inputs[h + 1]) (iff has_bias[h+1])
(V_goal^l)^T           ``TinyStep.V_goal``     (n, d_next)           at preacts[h + 1]
delta W_l^*            ``TinyStep.dW``         (d_next, width + 1)   best update of weights[h+1] | bias
alpha_k, omega_k       ``TinyStep.neurons``    (K, d_prev+1), (d_next, K)
gamma                  ``gamma``               scalar                amplitude factor (Sec. 3.2, Eq. 14)
=====================  ======================  ====================  ====================================

Interpretation notes
--------------------
* **Layers without bias** (``MLP.has_bias``, like ``nn.Linear(bias=False)``). The ones column is the bias
  input: ``B_in`` carries it only when hidden layer ``h`` (``weights[h]``) has a bias, ``B`` only when
  ``weights[h+1]`` has one. So ``alpha`` is (K, d_prev) without a bias column for a bias-free grown layer
  (the new neurons get no bias, as the layer cannot hold one) and ``dW`` is (d_next, width) without a
  bias column for a bias-free next layer. Prop. 3.1 and 3.2 are unchanged: they project on the column
  space of whatever ``B`` the layer really sees.
* **Amplitude (sqrt vs linear).** Sec. 3.2 and the proof of Prop. 3.3 add ``(sqrt(g) alpha, sqrt(g) omega)``
  together with ``g dW``: the linearised move of the neurons is then ``g * V(theta)`` and the loss changes
  at first order in ``g`` (Eq. 10). Eq. (14) (Sec. 5.2, the line search of Fig. 8) writes
  ``(g alpha, g omega)``. Both are available: ``scaling="sqrt"`` (default, Prop. 3.3) and
  ``scaling="linear"`` (Eq. 14). For ReLU the two coincide up to ``g -> g**2`` on the neurons because
  ``omega relu(c alpha.b) = c omega relu(alpha.b)`` for ``c >= 0``.
* **Completed-TINY** (Sec. 4). :func:`propose_tiny` returns None when TINY finds no direction
  (rank 0) or no amplitude that decreases the loss; the random fallback is composed by the loop:
  ``grow(propose=propose_tiny, fallback=partial(propose_random, L=L))``. It never modifies its
  ``mlp``: the best update ``gamma dW`` travels in ``NewNeurons.dW_next`` / ``db_next`` and
  :func:`refgrow.growth.proposals.apply_proposal` adds it together with the neurons.
"""
from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from refgrow._validation import (array_namespace, as_float_array, check_bool, check_choice, check_int,
                                 check_positive_int, check_real, check_rng)
from refgrow.backend import device_kw
from refgrow.growth.proposals import NewNeurons, amplitude_loss, line_search, v_goal
from refgrow.growth.tiny.first_order import first_order_decrease, relu_first_order
from refgrow.growth.tiny.linalg import (RTOL, TinyNeurons, _append_ones, _check_msv, _check_range, _check_rtol,
                                       _tiny_core)
from refgrow.growth.tiny.spectrum import _energy as energy
from refgrow.losses import get_loss
from refgrow.mlp import MLP
from refgrow.train import check_dataset

__all__ = ["TinyStep", "tiny_step", "apply_tiny", "propose_tiny", "v_goal", "amplitude_loss", "line_search"]


class TinyStep(NamedTuple):
    """All matrices of one TINY growth step at hidden layer ``h`` (see :func:`tiny_step`).

    ``update_rank`` / ``update_discarded_energy``: rank used by the pseudo-inverse of Prop. 3.1 and the
    energy of resolvable directions it dropped (0 with the default threshold); the neurons carry theirs
    (``neurons.S_rank``, ``neurons.discarded_energy``; :mod:`refgrow.growth.tiny.linalg`).
    """

    B_in: np.ndarray          # (n, d_prev [+ 1])  inputs[h], ones column iff has_bias[h]
    B: np.ndarray             # (n, width [+ 1])   inputs[h + 1], ones column iff has_bias[h + 1]
    V_goal: np.ndarray        # (n, d_next)      at preacts[h + 1]
    dW: np.ndarray            # (d_next, width [+ 1])  best update of weights[h+1] | biases[h+1]
    V_goal_proj: np.ndarray   # (n, d_next)
    neurons: TinyNeurons      # alpha (K, d_prev [+ 1]), omega (d_next, K)
    rank: int                 # R = K*
    bottleneck: float         # Psi before anything (V = 0): ||V_goal||^2 / n
    bottleneck_proj: float    # Psi after the best update: ||V_goal_proj||^2 / n
    loss: float               # mean loss of the network on (X, y)
    update_rank: int = -1     # eigen-directions of S_B kept by the pseudo-inverse of Prop. 3.1
    update_discarded_energy: float = 0.0   # energy of resolvable directions that threshold dropped


def _bias_input(mlp, layer, A):
    """The input of ``weights[layer]`` as TINY's ``B``: ``A`` with a ones column iff that layer has a bias."""
    return _append_ones(A) if mlp.has_bias[layer] else A


def _split(mlp, layer, M):
    """``(weights part, bias part)`` of a matrix whose columns follow :func:`_bias_input` (zeros if no bias)."""
    if mlp.has_bias[layer]:
        return M[:, :-1], M[:, -1]
    xp = array_namespace(M)
    return M, xp.zeros(M.shape[0], dtype=M.dtype, **device_kw(xp, M))


def tiny_step(mlp, X, y, *, hidden_layer=0, loss="ce", max_neurons=None, min_singular_value=None,
              rtol=RTOL, cholesky=True, warn_discarded=True):
    """Compute v_goal, the best update and the new neurons of hidden layer ``hidden_layer``.

    Implements Algorithm 2 (TINY branch) with Algorithms 3-4 of 001 (App. E.4): one forward and one
    backward pass, ``dW* = BestUpdate`` (Prop. 3.1) of ``weights[h+1]``, ``V_goal_proj = V_goal - B dW^T``,
    then Prop. 3.2 on ``B_in = with_ones(inputs[h])`` (no ones column for a layer without bias, module
    note). Every Gram/cross product is one BLAS call and nothing is recomputed.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    X, y : data (rows = samples)
    hidden_layer : int
        0-based hidden layer h (between ``weights[h]`` and ``weights[h+1]``).
    loss : {"ce", "mse"}
    max_neurons, min_singular_value, rtol, cholesky, warn_discarded : see
        :func:`refgrow.growth.tiny.linalg.new_neurons` (``rtol=None``: the float64 noise level
        ``max(n, d) eps`` of each Gram matrix; the certified Cholesky shortcut is the default here;
        ``cholesky=False`` gives the formula as written)

    Returns
    -------
    TinyStep
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    h = mlp.check_hidden_layer(hidden_layer)
    if max_neurons is not None:
        max_neurons = check_positive_int(max_neurons, "max_neurons")
    rtol = _check_rtol(rtol)
    min_singular_value = _check_msv(min_singular_value)
    cholesky = check_bool(cholesky, "cholesky")
    warn_discarded = check_bool(warn_discarded, "warn_discarded")
    X, y = check_dataset(X, y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1])
    out, cache = mlp.forward(X)
    value, d_out = get_loss(loss, validate=False)(out, y, reduction="sum")
    V = -mlp.backward(cache, d_out, check_input=False).preacts[h + 1]        # v_goal (Sec. 2.3)
    n = X.shape[0]
    B_in = _bias_input(mlp, h, cache.inputs[h])                              # bias input (with_ones)
    B = _bias_input(mlp, h + 1, cache.inputs[h + 1])
    for arr in (B_in, B, V):
        _check_range(arr, "X")                                               # moments stay finite
    dW, Vp, nn, R, upd = _tiny_core(B_in, B, V, max_neurons, min_singular_value, rtol, cholesky,
                                    warn_discarded)
    return TinyStep(B_in, B, V, dW, Vp, nn, R, energy(V) / n, energy(Vp) / n,
                    float(value) / n, upd["rank"], upd["discarded_energy"])


def apply_tiny(mlp, hidden_layer, alpha, omega, dW=None, gamma=1.0, *, scaling="sqrt"):
    """A new MLP with the best update and the new neurons added with amplitude ``gamma``.

    ``scaling="sqrt"``: ``weights[h+1] += gamma dW`` and neurons ``(sqrt(gamma) alpha, sqrt(gamma) omega)``
    (Sec. 3.2 and Prop. 3.3 of 001, TINY). ``scaling="linear"``: neurons ``(gamma alpha, gamma omega)`` and
    ``gamma dW`` (Eq. 14). ``gamma`` must be >= 0 for ``"sqrt"``.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP (not modified)
    hidden_layer : int
    alpha : array_like, shape (K, d_prev + 1), or (K, d_prev) for a layer without bias
        Fan-in with the bias as last column.
    omega : array_like, shape (d_next, K)
    dW : array_like, shape (d_next, width + 1) (width for a bias-free next layer), optional
        Best update of ``weights[h+1]`` (last column: bias). None: existing weights unchanged.
    gamma : float
    scaling : {"sqrt", "linear"}

    Returns
    -------
    refgrow.mlp.MLP
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    h = mlp.check_hidden_layer(hidden_layer)
    gamma = check_real(gamma, "gamma")
    if scaling == "sqrt":
        if gamma < 0:
            raise ValueError(f"gamma must be >= 0 with scaling='sqrt', got {gamma}")
        s = np.sqrt(gamma)
    elif scaling == "linear":
        s = gamma
    else:
        raise ValueError(f"scaling must be 'sqrt' or 'linear', got {scaling!r}")
    d_prev, width, d_next = mlp.sizes[h], mlp.sizes[h + 1], mlp.sizes[h + 2]
    alpha = as_float_array(alpha, "alpha", ndim=2, allow_empty=True)
    a_cols = d_prev + int(mlp.has_bias[h])
    if alpha.shape[1] != a_cols:
        raise ValueError(f"alpha must have shape (K, {a_cols}) ({'bias last' if mlp.has_bias[h] else 'no bias'}"
                         f" column: has_bias[{h}] is {mlp.has_bias[h]}), got {alpha.shape}")
    omega = as_float_array(omega, "omega", shape=(d_next, alpha.shape[0]), allow_empty=True)
    new = mlp.copy()
    if dW is not None:
        dW = as_float_array(dW, "dW", shape=(d_next, width + int(mlp.has_bias[h + 1])))
        dw, db = _split(mlp, h + 1, dW)
        new.weights[h + 1] = new.weights[h + 1] + gamma * dw
        if mlp.has_bias[h + 1]:
            new.biases[h + 1] = new.biases[h + 1] + gamma * db
    if alpha.shape[0] == 0:
        return new
    w, b = _split(mlp, h, alpha)
    return new.add_neurons(h, s * w, s * b, s * omega)


_FALLBACK_UNSET = object()


def propose_tiny(mlp, X, y, *, hidden_layer=0, k=1, rng=None, loss="ce", amplitude="line_search",
                 L=2.0, scaling="sqrt", update_existing=True, n_grid=21,
                 min_singular_value=None, X_search=None, y_search=None, fallback=_FALLBACK_UNSET):
    """TINY proposal for :func:`refgrow.growth.loop.grow` (Prop. 3.2 + Prop. 3.1 + Eq. 14 of TINY).

    Computes :func:`tiny_step` on ``(X, y)``, keeps ``k`` neurons, chooses the amplitude ``gamma`` and
    returns the (already scaled) neurons. ``mlp`` is **not modified**: with ``update_existing=True``
    the best update ``gamma dW`` (Prop. 3.1, the protocol the paper follows in practice, Sec. 4) is
    returned in ``dW_next`` / ``db_next`` and added with the neurons by
    :func:`refgrow.growth.proposals.apply_proposal` (which the loop uses).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP (not modified)
    X, y : data used for the statistics (and for the line search unless ``X_search`` is given)
    hidden_layer, k : layer (0-based) and number of neurons
    rng : seed or Generator (unused: TINY is deterministic; accepted for the loop's interface)
    loss : {"ce", "mse"}
    amplitude : "line_search" or float
        ``"line_search"``: ``gamma* = argmin_{[0, L]}`` of the real loss (Eq. 14, interval [0, L] as
        Sec. 5.2 allows for TINY); None is returned when no gamma > 0 decreases the loss.
        A float: that fixed gamma, always applied (e.g. a small one as in App. E.3.1).
    L : float > 0
    scaling : {"sqrt", "linear"}  (module note)
    update_existing : bool
    n_grid : int, grid size of the line search
    min_singular_value : float, optional
    X_search, y_search : optional separate batch for the line search (App. E.3.2)
    fallback : deprecated
        The completed-TINY fallback is composed by the loop (module note): pass
        ``fallback=functools.partial(propose_random, L=L)`` to :func:`refgrow.growth.loop.grow`.
        ``fallback=None`` is accepted (the behaviour now) with a ``DeprecationWarning``; any other value
        raises ``TypeError``.

    Returns
    -------
    NewNeurons or None
        None when TINY finds no direction (rank 0) or no decrease of the loss. ``info`` holds
        ``singular_values``, ``gain`` (sum lambda^2 of the kept neurons), ``rank``, ``S_rank``,
        ``update_rank``, ``discarded_energy`` (best update and neurons together), ``bottleneck``,
        ``bottleneck_proj``, ``gamma``, ``first_order`` (exact first-order coefficient), ``loss_before``,
        ``loss_after_search``, ``method``, ``fallback`` (False), ``scaling`` and, with the update,
        ``updated_existing``.
    """
    if fallback is not _FALLBACK_UNSET:
        if fallback is not None:
            raise TypeError("propose_tiny(fallback=...) was removed: compose completed-TINY with "
                            "grow(propose=propose_tiny, fallback=partial(propose_random, L=...)); got "
                            f"fallback={fallback!r}")
        warnings.warn("propose_tiny(fallback=None) is the only behaviour now; drop the argument",
                      DeprecationWarning, stacklevel=2)
    k = check_positive_int(k, "k")
    check_rng(rng)
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    mlp.check_hidden_layer(hidden_layer)
    scaling = check_choice(scaling, "scaling", ("sqrt", "linear"))
    update_existing = check_bool(update_existing, "update_existing")
    n_grid = check_int(n_grid, "n_grid", low=2)
    if isinstance(amplitude, str):
        check_choice(amplitude, "amplitude", ("line_search",))
        L = check_real(L, "L", low=0.0, low_open=True)
    else:
        amplitude = check_real(amplitude, "amplitude", low=0.0 if scaling == "sqrt" else None)
    if (X_search is None) != (y_search is None):
        raise ValueError("X_search and y_search must be given together")
    if X_search is not None:
        check_dataset(X_search, y_search, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1],
                      names=("X_search", "y_search"))
    st = tiny_step(mlp, X, y, hidden_layer=hidden_layer, loss=loss, max_neurons=k,
                   min_singular_value=min_singular_value)
    h = int(hidden_layer)
    nn = st.neurons
    K = nn.alpha.shape[0]
    Xs, ys = (X, y) if X_search is None else (X_search, y_search)
    dW = st.dW if update_existing else None
    info = {"method": "tiny", "rank": st.rank, "S_rank": nn.S_rank, "update_rank": st.update_rank,
            "discarded_energy": st.update_discarded_energy + nn.discarded_energy,
            "singular_values": [float(v) for v in nn.singular_values],
            "gain": energy(nn.singular_values), "bottleneck": st.bottleneck,
            "bottleneck_proj": st.bottleneck_proj, "fallback": False, "scaling": scaling}
    base = float(mlp.loss(Xs, ys, loss))
    info["loss_before"] = base
    if K == 0:
        return None
    if mlp.activation == "relu":
        fo = relu_first_order(st.V_goal, st.B, st.dW, st.B_in, nn, update_applied=update_existing)
    else:
        fo = first_order_decrease(st.V_goal, st.B, st.dW, st.B_in, nn, update_applied=update_existing)
    info["first_order"] = fo["exact"]
    f = amplitude_loss(mlp, h, nn.alpha, nn.omega, dW, Xs, ys, loss=loss, scaling=scaling)
    if amplitude == "line_search":
        gamma, best = line_search(f, (0.0, L), n_grid=n_grid)
        if not (gamma > 0 and best < base):
            return None
    else:
        gamma = amplitude
        best = f(gamma)                          # a fixed amplitude is applied as asked
    info["gamma"], info["loss_after_search"] = gamma, best
    s = np.sqrt(gamma) if scaling == "sqrt" else gamma
    dW_next = db_next = None
    if dW is not None:
        dw, db = _split(mlp, h + 1, dW)
        dW_next, db_next = gamma * dw, gamma * db
        info["updated_existing"] = True
    w, b = _split(mlp, h, nn.alpha)
    return NewNeurons(s * w, s * b, s * nn.omega, info, dW_next=dW_next, db_next=db_next)
