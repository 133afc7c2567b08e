"""A fully connected network with hand-written forward and backward passes.

Symbol table (n samples, D inputs, h_l width of hidden layer l, K outputs, L affine layers)
------------------------------------------------------------------------------------------
=============  ======================  =============  ==========================================
symbol         code                    shape          meaning
=============  ======================  =============  ==========================================
x              ``X``                   (n, D)         inputs, one sample per row
W_l, b_l       ``weights[l]``,         (h_{l+1},      affine layer l (0-based), (out, in)
               ``biases[l]``           h_l), (h_{l+1},)
z_l            ``cache.preacts[l]``    (n, h_{l+1})   pre-activation ``z_l = a_l W_l^T + b_l``
a_l            ``cache.inputs[l]``     (n, h_l)       input of layer l: ``a_0 = x``, ``a_{l+1} = sigma(z_l)``
f(x)           ``out``                 (n, K)         ``z_{L-1}``: the last layer has no activation
dL/dz_l        ``grads.preacts[l]``    (n, h_{l+1})   back-propagated error
=============  ======================  =============  ==========================================

Hidden layer ``h`` (0-based) is the output of ``weights[h]`` and the input of ``weights[h+1]``; a
*shallow* network has one hidden layer (``len(weights) == 2``).

Single concern: the MLP object. Its forward, backward, growth edits (``add_neurons``,
``remove_neurons``) and persistence share the growth-block bookkeeping below, so they stay methods
of one class; the layer arithmetic lives in :mod:`refgrow.layers`.

Interpretation note (bitwise function preservation)
    Floating-point matrix products are not invariant to appending zero terms: BLAS kernels choose
    their summation order from the inner dimension, so ``[a, a_new] @ [W, 0].T`` can differ from
    ``a @ W.T`` in the last bit. To make ``add_neurons`` with a zero fan-out preserve the outputs
    **bitwise**, the MLP remembers the growth blocks of every hidden layer (``blocks[h]``: the widths
    added by construction and by each ``add_neurons``) and evaluates a layer block by block, in order:
    ``z = (a_0 W_{:,0}^T + b) + a_1 W_{:,1}^T + ...`` (a zero block adds an exact zero), and the rows
    of new neurons with their own product. A never-grown network is one block: a single product.
    ``merge_blocks()`` returns the same network as one block per layer (faster after many growth
    steps; equal up to round-off).

Interpretation note (layers without bias)
    A layer may have no bias, like PyTorch's ``nn.Linear(..., bias=False)``: pass ``None`` as its entry of
    ``biases`` (or ``MLP.init(..., bias=False)``, or a per-layer sequence of bools). ``has_bias[l]`` records
    it. Such a layer computes ``z_l = a_l W_l^T`` and **never reads** ``biases[l]``, which is kept as a zero
    array of shape (out,) so that code indexing ``biases`` (optimisers, geometry, region counting) works
    unchanged; its gradient ``Gradients.biases[l]`` is that zero array's true gradient, zeros (so an
    optimiser leaves it at zero). ``add_neurons`` on a hidden layer without bias accepts ``b_in=None`` or an
    all-zero ``b_in`` and refuses any other value; ``n_params`` does not count absent biases; ``save``/``load``
    keep the flags (key ``has_bias``).

Back-propagation (the chain rule, layer by layer, from ``dL/dz_{L-1} = d_out``)::

    dL/dW_l = (dL/dz_l)^T a_l,   dL/db_l = sum_i dL/dz_l[i],   dL/da_l = dL/dz_l W_l,
    dL/dz_{l-1} = dL/da_l * sigma'(z_{l-1}).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from refgrow._validation import (all_finite, array_namespace, as_float_array, check_bool, check_int, check_positive_int,
                                 check_rng)
from refgrow.backend import concat, copy, device_kw, from_numpy, to_numpy
from refgrow.layers import ACTIVATIONS, affine_forward

__all__ = ["MLP", "ForwardCache", "Gradients", "INITS", "as_mlp", "check_mlp"]

INITS = ("kaiming", "torch", "zeros")


@dataclass
class ForwardCache:
    """What :meth:`MLP.forward` keeps for :meth:`MLP.backward`.

    Attributes
    ----------
    inputs : list of ndarray
        ``[a_0 = X, a_1, ..., a_{L-1}]``; ``inputs[l]`` is the input of ``weights[l]``, shape (n, h_l).
    preacts : list of ndarray
        ``[z_0, ..., z_{L-1}]``; ``preacts[l]`` has shape (n, h_{l+1}); ``preacts[-1]`` is the output.
    act_caches : list
        The activation caches of the hidden layers (ReLU masks, tanh values).
    """

    inputs: list
    preacts: list
    act_caches: list = field(default_factory=list)


@dataclass
class Gradients:
    """Gradients returned by :meth:`MLP.backward`; each has the shape of what it differentiates.

    Attributes
    ----------
    weights : list of (h_{l+1}, h_l) arrays
    biases : list of (h_{l+1},) arrays
        zeros for a layer without bias (module note "layers without bias")
    inputs : (n, D) array, ``dL/dX``
    preacts : list of (n, h_{l+1}) arrays, ``dL/dz_l`` (TINY's ``-V_goal`` up to the 1/n of a mean loss)
    """

    weights: list
    biases: list
    inputs: np.ndarray
    preacts: list


class MLP:
    """Multi-layer perceptron ``f = W_{L-1} sigma(... sigma(W_0 x + b_0) ...) + b_{L-1}``.

    Parameters
    ----------
    weights : list of ndarray
        ``weights[l]`` has shape (out, in); consecutive shapes must chain.
    biases : list of ndarray or None
        ``biases[l]`` has shape (out,); ``None`` for a layer without bias (module note).
    activation : {"relu", "tanh", "identity"}, keyword-only
        Activation of every hidden layer (the output layer is affine).

    Examples
    --------
    >>> import numpy as np
    >>> net = MLP.init([2, 3, 1], rng=0)
    >>> out, cache = net.forward(np.ones((4, 2)))
    >>> out.shape
    (4, 1)
    """

    def __init__(self, weights, biases, *, activation: str = "relu", blocks=None):
        if not isinstance(weights, (list, tuple)) or not isinstance(biases, (list, tuple)):
            raise TypeError("weights and biases must be lists of arrays, got "
                            f"{type(weights).__name__} and {type(biases).__name__}")
        if len(weights) == 0 or len(weights) != len(biases):
            raise ValueError("weights and biases must be non-empty lists of equal length, got "
                             f"{len(weights)} and {len(biases)}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        W = [as_float_array(w, f"weights[{l}]", ndim=2) for l, w in enumerate(weights)]
        has_bias = [v is not None for v in biases]
        xp = array_namespace(*W)
        b = [as_float_array(v, f"biases[{l}]", ndim=1) if hb else
             xp.zeros(W[l].shape[0], dtype=xp.float64, **device_kw(xp, W[l]))
             for l, (v, hb) in enumerate(zip(biases, has_bias))]
        for l in range(len(W)):
            if b[l].shape[0] != W[l].shape[0]:
                raise ValueError(f"biases[{l}] must have shape ({W[l].shape[0]},) to match weights[{l}] "
                                 f"{W[l].shape}, got {b[l].shape}")
            if l and W[l].shape[1] != W[l - 1].shape[0]:
                raise ValueError(f"weights[{l}] must have {W[l - 1].shape[0]} columns (the outputs of "
                                 f"weights[{l - 1}] {W[l - 1].shape}), got shape {W[l].shape}")
        self.weights = [copy(xp, w) for w in W]       # own copies, in the namespace of the weights
        self.biases = [copy(xp, v) for v in b]
        #: per affine layer, whether it has a bias (module note "layers without bias")
        self.has_bias = tuple(has_bias)
        self.activation = activation
        self.blocks = self._check_blocks(blocks)

    def _check_blocks(self, blocks):
        widths = [w.shape[0] for w in self.weights[:-1]]
        if blocks is None:
            return [[h] for h in widths]
        if isinstance(blocks, (str, bytes)) or not isinstance(blocks, (list, tuple)) or any(
                isinstance(bl, (str, bytes)) or not isinstance(bl, (list, tuple, np.ndarray)) for bl in blocks):
            raise TypeError(f"blocks must be a list (one per hidden layer) of lists of int widths, got {blocks!r}")
        blocks = [[check_int(v, f"blocks[{h}][{i}]", low=1) for i, v in enumerate(bl)]
                  for h, bl in enumerate(blocks)]
        if len(blocks) != len(widths) or any(
                sum(bl) != h or min(bl, default=0) < 1 for bl, h in zip(blocks, widths)):
            raise ValueError(f"blocks must give, per hidden layer, positive widths summing to {widths}, "
                             f"got {blocks}")
        return [[int(v) for v in bl] for bl in blocks]

    def merge_blocks(self) -> "MLP":
        """The same network with one growth block per hidden layer (see the module note)."""
        return MLP(self.weights, self._bias_list(self.biases), activation=self.activation)

    def _bias_list(self, biases):
        """``biases`` with ``None`` in place of the layers without bias (constructor input)."""
        return [v if hb else None for v, hb in zip(biases, self.has_bias)]

    # ------------------------------------------------------------------ construction
    @classmethod
    def init(cls, sizes, *, rng=None, init: str = "kaiming", activation: str = "relu",
             bias=True) -> "MLP":
        """A freshly initialised MLP with layer widths ``sizes = [D, h_1, ..., K]``.

        Parameters
        ----------
        sizes : sequence of int, length >= 2, all >= 1
        rng : None, int or numpy Generator
        init : {"kaiming", "torch", "zeros"}
            ``"kaiming"``: He normal, ``W ~ N(0, 2/fan_in)``, ``b = 0``.
            ``"torch"``: PyTorch ``nn.Linear`` default, ``W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))``.
            ``"zeros"``: all zeros.
        activation : {"relu", "tanh", "identity"}
        bias : bool or sequence of bool (one per affine layer), default True
            ``False`` gives layers without bias, like ``nn.Linear(..., bias=False)`` (module note). With
            ``init="torch"`` a layer without bias draws no bias, so its weights are the same draws as
            PyTorch would make for it.
        """
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
            raise ValueError(f"sizes must be a sequence of at least 2 layer widths, got {sizes!r}")
        sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        n_layers = len(sizes) - 1
        if isinstance(bias, (bool, np.bool_)):
            flags = [bool(bias)] * n_layers
        elif hasattr(bias, "__len__") and len(bias) == n_layers and all(
                isinstance(v, (bool, np.bool_)) for v in bias):
            flags = [bool(v) for v in bias]
        else:
            raise ValueError(f"bias must be a bool or a sequence of {n_layers} bools (one per affine "
                             f"layer), got {bias!r}")
        rng = check_rng(rng)
        weights, biases = [], []
        for fan_in, fan_out, hb in zip(sizes[:-1], sizes[1:], flags):
            if init == "kaiming":
                weights.append(rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in)))
                biases.append(np.zeros(fan_out) if hb else None)
            elif init == "torch":
                bound = 1.0 / np.sqrt(fan_in)
                weights.append(rng.uniform(-bound, bound, size=(fan_out, fan_in)))
                biases.append(rng.uniform(-bound, bound, size=fan_out) if hb else None)
            else:
                weights.append(np.zeros((fan_out, fan_in)))
                biases.append(np.zeros(fan_out) if hb else None)
        return cls(weights, biases, activation=activation)

    def copy(self) -> "MLP":
        """A deep copy."""
        return MLP(self.weights, self._bias_list(self.biases), activation=self.activation,
                   blocks=self.blocks)

    # ------------------------------------------------------------------ properties
    @property
    def sizes(self) -> list:
        """Layer widths ``[D, h_1, ..., K]``."""
        return [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]

    @property
    def n_hidden(self) -> int:
        """Number of hidden layers (``len(weights) - 1``)."""
        return len(self.weights) - 1

    @property
    def n_params(self) -> int:
        """Number of scalar parameters (weights and the biases of the layers that have one)."""
        return int(sum(w.size + (b.size if hb else 0)
                       for w, b, hb in zip(self.weights, self.biases, self.has_bias)))

    def parameters(self) -> list:
        """The live parameter arrays ``[W_0, b_0, W_1, b_1, ...]`` (modifying them modifies the net).

        A layer without bias still contributes its (unused, zero) ``b_l`` so that positions match
        :class:`Gradients` (whose entry for it is zeros).
        """
        return [p for wb in zip(self.weights, self.biases) for p in wb]

    def __repr__(self) -> str:
        nb = "" if all(self.has_bias) else f", has_bias={self.has_bias}"
        return f"MLP(sizes={self.sizes}, activation={self.activation!r}{nb}, n_params={self.n_params})"

    # ------------------------------------------------------------------ forward / backward
    def _check_X(self, X):
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have {self.sizes[0]} columns (the network's input size), "
                             f"got shape {X.shape}")
        return X

    def _forward(self, X):
        """Forward pass without validation (used by training loops on validated data)."""
        fwd = ACTIVATIONS[self.activation][0]
        inputs, preacts, act_caches = [X], [], []
        a = X
        last = len(self.weights) - 1
        for l in range(last + 1):
            z = self._affine(l, a)                             # z_l = a_l W_l^T + b_l
            preacts.append(z)
            if l < last:
                a, c = fwd(z, check_input=False)               # a_{l+1} = sigma(z_l)
                inputs.append(a)
                act_caches.append(c)
        return preacts[-1], ForwardCache(inputs, preacts, act_caches)

    def forward(self, X, *, check_input: bool = True):
        """Forward pass.

        Parameters
        ----------
        X : ndarray, shape (n, D)
        check_input : bool, default True
            Validate ``X`` (finite, float64, ``D`` columns). Training loops that validated their data
            once pass ``False`` (like scikit-learn's ``check_input``); the arithmetic is identical.

        Returns
        -------
        out : ndarray, shape (n, K)
        cache : ForwardCache
        """
        if not check_bool(check_input, "check_input"):
            return self._forward(X)
        out, cache = self._forward(self._check_X(X))
        self._check_overflow(out, "X")
        return out, cache

    def _check_overflow(self, out, name):
        """A finite network and finite inputs must give finite outputs: else float64 overflowed."""
        if not all_finite(out) and all_finite(*self.parameters()):
            raise ValueError(f"{name} is too large in magnitude for this network: its outputs overflow float64")

    def backward(self, cache: ForwardCache, d_out, *, check_input: bool = True,
                 input_grad: bool = True) -> Gradients:
        """Back-propagate ``d_out = dL/df`` (shape (n, K)) through the cached forward pass.

        Returns
        -------
        Gradients
            ``weights[l]`` (h_{l+1}, h_l), ``biases[l]`` (h_{l+1},), ``inputs`` (n, D) and
            ``preacts[l]`` (n, h_{l+1}) = ``dL/dz_l``.

        ``check_input=False`` skips the validation of ``cache`` and ``d_out`` (trusted callers only).
        ``input_grad=False`` skips ``dL/dX`` (``inputs`` is then None): a training step does not need
        it, and it is one of the three large products of the backward pass; the other gradients are
        bit-identical.
        """
        input_grad = check_bool(input_grad, "input_grad")
        if not check_bool(check_input, "check_input"):
            return self._backward(cache, d_out, input_grad=input_grad)
        if not isinstance(cache, ForwardCache):
            raise TypeError(f"cache must be the ForwardCache returned by forward, got {type(cache).__name__}")
        L = len(self.weights)
        width = lambda v: getattr(v, "shape", (None, None))[1:]        # noqa: E731
        if (len(cache.inputs) != L or len(cache.preacts) != L or len(cache.act_caches) != L - 1
                or any(width(a) != (w.shape[1],) for a, w in zip(cache.inputs, self.weights))
                or any(width(z) != (w.shape[0],) for z, w in zip(cache.preacts, self.weights))):
            raise ValueError("cache must come from this network's forward (its layer shapes do not match "
                             f"sizes {self.sizes})")
        out = cache.preacts[-1]
        d_out = as_float_array(d_out, "d_out", shape=out.shape, allow_empty=True)
        grads = self._backward(cache, d_out, input_grad=input_grad)
        outs = grads.weights + grads.biases + ([grads.inputs] if grads.inputs is not None else [])
        if not all_finite(*outs):
            if all_finite(*self.parameters()):
                raise ValueError("d_out is too large in magnitude: the gradients overflow float64")
        return grads

    def _slices(self, l):
        """Row blocks (outputs) and column blocks (inputs) of ``weights[l]``."""
        def cuts(widths):
            edges = np.cumsum([0] + list(widths))
            return [slice(int(i), int(j)) for i, j in zip(edges[:-1], edges[1:])]
        rows = cuts(self.blocks[l]) if l < len(self.weights) - 1 else [slice(None)]
        cols = cuts(self.blocks[l - 1]) if l > 0 else [slice(None)]
        return rows, cols

    def _affine(self, l, a):
        """``z_l = a W_l^T + b_l``, summed over growth blocks in order (see the module note)."""
        W, b = self.weights[l], self.biases[l]
        rows, cols = self._slices(l)
        if not self.has_bias[l]:                               # a layer without bias: z = a W^T
            if len(rows) == 1 and len(cols) == 1:
                return a @ W.T
        elif len(rows) == 1 and len(cols) == 1:
            return affine_forward(a, W, b, check_input=False)[0]
        xp = array_namespace(a, W)
        z = xp.empty((a.shape[0], W.shape[0]), dtype=a.dtype, **device_kw(xp, a))
        for r in rows:
            zr = a[:, cols[0]] @ W[r, cols[0]].T
            if self.has_bias[l]:
                zr += b[r]
            for c in cols[1:]:
                zr += a[:, c] @ W[r, c].T
            z[:, r] = zr
        return z

    def _input_grad(self, l, dz):
        """``dL/da_l = dz_l W_l``, summed over the output blocks of layer l in order."""
        W = self.weights[l]
        rows, _ = self._slices(l)
        if len(rows) == 1:
            return dz @ W
        da = dz[:, rows[0]] @ W[rows[0], :]
        for r in rows[1:]:
            da += dz[:, r] @ W[r, :]
        return da

    def _backward(self, cache, d_out, *, input_grad: bool = True):
        """Back-propagation without validation; each product is formed once.

        ``dW_l = dz_l^T a_l`` and ``db_l`` as in :func:`refgrow.layers.affine_backward`, and
        ``dL/da_l = dz_l W_l`` from :meth:`_input_grad` (block-wise, see the module note) only, so the
        (n, h_l) x (h_l, h_{l-1}) product is not computed twice. ``input_grad=False`` skips
        ``dL/dX`` (the layer-0 ``dz_0 W_0``, one of the three large products of a step);
        ``Gradients.inputs`` is then ``None``.
        """
        bwd = ACTIVATIONS[self.activation][1]
        L = len(self.weights)
        dW, db, dZ = [None] * L, [None] * L, [None] * L
        dz, da = d_out, None
        xp = array_namespace(d_out)
        for l in range(L - 1, -1, -1):
            dZ[l] = dz
            dW[l], db[l] = dz.T @ cache.inputs[l], xp.sum(dz, axis=0)  # dW_l = dz_l^T a_l, db_l
            if not self.has_bias[l]:
                db[l] = xp.zeros_like(db[l])                   # the unused zero bias (module note)
            if l > 0 or input_grad:
                da = self._input_grad(l, dz)                           # dL/da_l = dL/dz_l W_l
            if l > 0:                                          # dL/dz_{l-1} = dL/da_l * sigma'(z_{l-1})
                if self.activation == "relu" and xp is np:     # da is ours: mask it in place (same bits)
                    dz = np.multiply(da, cache.act_caches[l - 1], out=da)
                else:
                    dz = bwd(da, cache.act_caches[l - 1], check_input=False)
        return Gradients(weights=dW, biases=db, inputs=da if input_grad else None, preacts=dZ)

    def predict(self, X):
        """Network output ``f(X)``, shape (n, K)."""
        return self.forward(X)[0]

    def loss(self, X, y, loss="ce") -> float:
        """Mean loss of the network on ``(X, y)``; ``loss`` is ``"ce"`` or ``"mse"``."""
        from refgrow.losses import get_loss
        return get_loss(loss)(self.predict(X), y)[0]

    def loss_and_grads(self, X, y, loss="ce", *, reduction="mean"):
        """``(loss, Gradients, out)`` of the loss on ``(X, y)``.

        ``reduction="mean"`` (default) differentiates the mean loss; ``"sum"`` the summed loss (TINY's
        per-sample convention: ``grads.preacts[l][i] = d l_i / d z_l(x_i)``).
        """
        from refgrow.losses import get_loss
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        out, cache = self.forward(X)
        value, d_out = get_loss(loss)(out, y, reduction=reduction)
        return value, self._backward(cache, d_out), out

    def preacts_and_patterns(self, X, *, check_input: bool = True):
        """Pre-activations of every layer and activation patterns of every hidden layer.

        The one forward pass of refgrow: :mod:`refgrow.geometry` and :mod:`refgrow.regions` read
        pre-activations and patterns through this method instead of re-implementing the forward.

        Parameters
        ----------
        X : ndarray, shape (n, D)
        check_input : bool, default True
            As in :meth:`forward`.

        Returns
        -------
        preacts : list of ndarray
            ``[z_0, ..., z_{L-1}]``, ``preacts[l]`` of shape (n, h_{l+1}); ``preacts[-1]`` is ``f(X)``.
        patterns : list of ndarray of bool
            ``[z_0 > 0, ..., z_{L-2} > 0]``, one (n, h_l) mask per hidden layer (ReLU'(0) = 0: a unit
            with pre-activation exactly 0 is off, as in :mod:`refgrow.layers`).

        Examples
        --------
        >>> net = MLP([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])
        >>> zs, pats = net.preacts_and_patterns(np.array([[2.0]]))
        >>> zs[-1].tolist(), pats[0].tolist()
        ([[2.0]], [[True, False]])
        """
        _, cache = self.forward(X, check_input=check_input)
        return cache.preacts, [z > 0 for z in cache.preacts[:-1]]

    def activation_patterns(self, X) -> list:
        """Activation pattern of every hidden layer: list of bool arrays (n, h_l), ``z > 0``.

        Two inputs with the same patterns lie in the same linear region (the slides' "activated
        linear segment"), where the network is one affine map.
        """
        return self.preacts_and_patterns(X)[1]

    # ------------------------------------------------------------------ growth
    def check_hidden_layer(self, hidden_layer) -> int:
        """Validate a 0-based hidden-layer index (an int in ``[0, n_hidden)``) and return it as int."""
        if isinstance(hidden_layer, bool) or not isinstance(hidden_layer, (int, np.integer)):
            raise TypeError(f"hidden_layer must be an int, got {hidden_layer!r}")
        if not 0 <= hidden_layer < self.n_hidden:
            raise ValueError(f"hidden_layer must be in [0, {self.n_hidden}) for a network with "
                             f"{self.n_hidden} hidden layers, got {hidden_layer}")
        return int(hidden_layer)

    def add_neurons(self, hidden_layer: int, w_in, b_in, w_out) -> "MLP":
        """A new MLP with ``k`` neurons appended to hidden layer ``hidden_layer`` (0-based).

        Hidden layer ``h`` sits between ``weights[h]`` and ``weights[h+1]``: the new rows
        ``w_in`` (k, d_prev) are appended to ``weights[h]``, ``b_in`` (k,) to ``biases[h]``, and the new
        columns ``w_out`` (d_next, k) to ``weights[h+1]``. With ``w_out = 0`` the function is unchanged.
        The original network is not modified.

        If hidden layer ``h`` has no bias (``has_bias[h]`` False), ``b_in`` must be ``None`` or all zeros
        (module note); otherwise ``b_in`` of shape (k,) is required.
        """
        h = self.check_hidden_layer(hidden_layer)
        d_prev, d_next = self.weights[h].shape[1], self.weights[h + 1].shape[0]
        w_in = as_float_array(w_in, "w_in", ndim=2)
        k = w_in.shape[0]
        if w_in.shape[1] != d_prev:
            raise ValueError(f"w_in must have shape (k, {d_prev}), got {w_in.shape}")
        if b_in is None:
            if self.has_bias[h]:
                raise ValueError(f"b_in must be an array of shape ({k},): hidden layer {h} has a bias, got None")
            b_in = array_namespace(w_in).zeros(k, dtype=w_in.dtype, **device_kw(array_namespace(w_in), w_in))
        b_in = as_float_array(b_in, "b_in", shape=(k,))
        if not self.has_bias[h] and bool(array_namespace(b_in).any(b_in != 0)):
            raise ValueError(f"b_in must be None or zeros: hidden layer {h} has no bias (has_bias[{h}] is "
                             f"False), got max |b_in| = {float(np.max(np.abs(to_numpy(b_in)))):.3g}")
        w_out = as_float_array(w_out, "w_out", shape=(d_next, k))
        xp = array_namespace(*self.weights)
        W, b = list(self.weights), list(self.biases)           # MLP(...) below copies them
        W[h] = concat(xp, [W[h], w_in], axis=0)
        b[h] = concat(xp, [b[h], b_in], axis=0)
        W[h + 1] = concat(xp, [W[h + 1], w_out], axis=1)
        blocks = [list(bl) for bl in self.blocks]
        blocks[h].append(k)
        return MLP(W, self._bias_list(b), activation=self.activation, blocks=blocks)

    def remove_neurons(self, hidden_layer: int, idx) -> "MLP":
        """A new MLP without the neurons ``idx`` (int or sequence) of hidden layer ``hidden_layer``."""
        h = self.check_hidden_layer(hidden_layer)
        idx = np.atleast_1d(np.asarray(idx))
        width = self.weights[h].shape[0]
        if idx.dtype.kind not in "iu" or idx.size == 0 or idx.min() < 0 or idx.max() >= width:
            raise ValueError(f"idx must be integer indices in [0, {width}), got {idx.tolist()}")
        if np.unique(idx).size >= width:
            raise ValueError(f"idx must leave at least one of the {width} neurons of hidden layer {h}, "
                             f"got {idx.tolist()}")
        keep = np.setdiff1d(np.arange(width), idx)
        W, b = list(self.weights), list(self.biases)           # MLP(...) below copies them
        xp = array_namespace(*W)
        kp = from_numpy(xp, keep, W[h])
        W[h], b[h], W[h + 1] = xp.take(W[h], kp, axis=0), xp.take(b[h], kp, axis=0), xp.take(W[h + 1], kp, axis=1)
        owner = np.repeat(np.arange(len(self.blocks[h])), self.blocks[h])[keep]   # block of each kept unit
        blocks = [list(bl) for bl in self.blocks]
        blocks[h] = [int(c) for c in np.bincount(owner) if c > 0]
        return MLP(W, self._bias_list(b), activation=self.activation, blocks=blocks)

    # ------------------------------------------------------------------ persistence
    def save(self, path) -> None:
        """Save as ``.npz`` (no pickle): keys ``W0, b0, ..., blocks0, ..., activation, n_layers, has_bias``.

        ``has_bias`` (bool, one per layer) is written only when some layer has no bias, so files of
        networks with all biases are unchanged; ``b{l}`` of a layer without bias holds its zeros.
        ``path`` gets the extension ``.npz`` appended when it has none (as :func:`numpy.savez` does);
        :meth:`load` accepts the path with or without it. Its folder must exist, and ``path`` must not
        be a folder.
        """
        path = _npz_path(path, "path")
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise ValueError(f"path {path!r}: the folder {parent!r} does not exist")
        arrays = {f"W{l}": to_numpy(w) for l, w in enumerate(self.weights)}      # I/O: host copies
        arrays.update({f"b{l}": to_numpy(v) if hb else np.zeros(v.shape[0])     # an absent bias is saved as zeros
                       for l, (v, hb) in enumerate(zip(self.biases, self.has_bias))})
        arrays.update({f"blocks{h}": np.asarray(bl, dtype=np.int64) for h, bl in enumerate(self.blocks)})
        if not all(self.has_bias):
            arrays["has_bias"] = np.asarray(self.has_bias, dtype=bool)
        np.savez(path, n_layers=np.int64(len(self.weights)), activation=np.str_(self.activation),
                 **arrays)

    @classmethod
    def load(cls, path) -> "MLP":
        """Load a network written by :meth:`save` (``path`` with or without its ``.npz`` extension).

        Raises ``ValueError`` naming the file on a missing file, a folder, a file that is not an
        ``.npz`` archive (text, gzip, random bytes, ``.npy``), missing or extra keys (``n_layers``
        must match the stored layers), wrong shapes, non-numeric or object (pickled) arrays.
        """
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(f"path must be a file path, got {type(path).__name__}")
        path = os.fspath(path)
        path = path.decode() if isinstance(path, bytes) else path
        if not os.path.exists(path) and not path.endswith(".npz") and os.path.isfile(path + ".npz"):
            path = path + ".npz"
        if not os.path.exists(path):
            raise ValueError(f"path {path!r} does not exist")
        if os.path.isdir(path):
            raise ValueError(f"path {path!r} is a folder, not a saved MLP (.npz file)")
        with open(path, "rb") as fh:
            magic = fh.read(6)
        if not magic.startswith(b"PK\x03\x04") and not magic.startswith(b"PK\x05\x06"):
            what = ("a .npy array" if magic.startswith(b"\x93NUMPY") else
                    "a gzip file" if magic.startswith(b"\x1f\x8b") else
                    "empty" if not magic else "not a zip archive")
            raise ValueError(f"{path}: not a refgrow MLP file (an .npz archive written by MLP.save); the file "
                             f"is {what}")
        try:
            with np.load(path, allow_pickle=False) as f:
                data = {k: f[k] for k in f.files}
        except ValueError as exc:
            raise ValueError(f"{path}: not a refgrow MLP file (object/pickled arrays are refused): {exc}") from None
        except Exception as exc:  # zipfile/OS errors: not a valid npz file
            raise ValueError(f"{path}: not a readable .npz file: {exc}") from None
        for key in ("n_layers", "activation"):
            if key not in data:
                raise ValueError(f"{path}: missing key {key!r} (not a file written by MLP.save)")
        if data["n_layers"].dtype.kind not in "iu" or data["n_layers"].ndim != 0 or int(data["n_layers"]) < 1:
            raise ValueError(f"{path}: n_layers must be an integer scalar >= 1")
        L = int(data["n_layers"])
        if data["activation"].dtype.kind != "U" or data["activation"].ndim != 0 \
                or str(data["activation"]) not in ACTIVATIONS:
            raise ValueError(f"{path}: activation must be one of {sorted(ACTIVATIONS)}")
        expected = {"n_layers", "activation"} | {f"{p}{l}" for l in range(L) for p in "Wb"} \
            | {f"blocks{h}" for h in range(L - 1)} | {"has_bias"}
        extra = sorted(set(data) - expected)
        if extra:
            raise ValueError(f"{path}: keys {extra} do not belong to a network with n_layers={L} (a file "
                             "whose n_layers disagrees with the layers it holds is refused)")
        weights, biases = [], []
        for l in range(L):
            for key in (f"W{l}", f"b{l}"):
                if key not in data:
                    raise ValueError(f"{path}: missing key {key!r} (n_layers={L})")
                if data[key].dtype.kind not in "fiu":
                    raise ValueError(f"{path}: {key} must be numeric, got dtype {data[key].dtype}")
            weights.append(data[f"W{l}"])
            biases.append(data[f"b{l}"])
        blocks = None
        present = [f"blocks{h}" in data for h in range(L - 1)]
        if any(present) and not all(present):
            raise ValueError(f"{path}: growth blocks are stored for some hidden layers only")
        if all(present) and L > 1:
            if any(data[f"blocks{h}"].dtype.kind not in "iu" or data[f"blocks{h}"].ndim != 1
                   for h in range(L - 1)):
                raise ValueError(f"{path}: blocks must be 1-D integer arrays")
            blocks = [data[f"blocks{h}"].tolist() for h in range(L - 1)]
        if "has_bias" in data:
            hb = data["has_bias"]
            if hb.dtype != bool or hb.shape != (L,):
                raise ValueError(f"{path}: has_bias must be a bool array of shape ({L},), got dtype "
                                 f"{hb.dtype} and shape {hb.shape}")
            for l in range(L):
                if not hb[l]:
                    if np.any(biases[l] != 0):
                        raise ValueError(f"{path}: b{l} must be zeros since has_bias[{l}] is False")
                    biases[l] = None
        try:
            return cls(weights, biases, activation=str(data["activation"]), blocks=blocks)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from None


def _npz_path(path, name: str) -> str:
    """``path`` as a string ending in ``.npz`` (appended when missing); folders are refused."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path, got {type(path).__name__}")
    path = os.fspath(path)
    if not path or os.path.isdir(path) or path.endswith(os.sep):
        raise ValueError(f"{name} {path!r} is a folder; give a file name (e.g. {os.path.join(path, 'model.npz')!r})")
    return path if path.endswith(".npz") else path + ".npz"


def check_mlp(mlp, name: str = "mlp") -> MLP:
    """``mlp`` itself when it is an :class:`MLP`; ``TypeError`` naming ``name`` otherwise."""
    if not isinstance(mlp, MLP):
        r = repr(mlp)
        raise TypeError(f"{name} must be a refgrow.mlp.MLP, got {type(mlp).__name__} "
                        f"{r if len(r) <= 60 else r[:57] + '...'}")
    return mlp


def as_mlp(net, name: str = "net", *, activation=None) -> MLP:
    """``net`` as an :class:`MLP`: an MLP is returned as is; any object with ``weights`` and ``biases``
    (and optionally ``activation``) or a ``(weights, biases)`` pair is wrapped (arrays validated).

    Lets the geometry and region-counting functions accept plain parameter lists while computing
    with the one forward pass of :meth:`MLP.preacts_and_patterns`.

    Parameters
    ----------
    net : MLP, object with ``.weights``/``.biases``, or ``(weights, biases)``
    name : str
        Argument name used in error messages.
    activation : str or None
        Required activation (e.g. ``"relu"``); ``None`` accepts any of :data:`refgrow.layers.ACTIVATIONS`.
    """
    if isinstance(net, MLP):
        mlp = net
    elif hasattr(net, "weights") and hasattr(net, "biases"):
        act = getattr(net, "activation", "relu")
        if act not in ACTIVATIONS:
            raise ValueError(f"{name}.activation must be one of {sorted(ACTIVATIONS)}, got {act!r}")
        mlp = MLP(list(net.weights), list(net.biases), activation=act)
    elif isinstance(net, (tuple, list)) and len(net) == 2:
        mlp = MLP(list(net[0]), list(net[1]))
    else:
        raise TypeError(f"{name} must be an MLP, an object with weights and biases, or a (weights, biases) "
                        f"pair, got {type(net).__name__}")
    if activation is not None and mlp.activation != activation:
        raise ValueError(f"{name} must be a {activation} network, got activation {mlp.activation!r}")
    return mlp
