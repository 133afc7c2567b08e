"""Optimisers (PyTorch's update rules) that survive network growth.

Symbol table
------------
==========  ===============  ===========  =============================================
symbol      code             shape        meaning
==========  ===============  ===========  =============================================
theta       ``p``            any          a parameter array (W_l or b_l)
g           ``g``            as theta     its gradient (plus ``weight_decay * theta``)
eta         ``lr``           scalar       learning rate
mu          ``momentum``     scalar       SGD momentum
m, v        ``state["m"]``   as theta     Adam's first and second moments
t           ``state["t"]``   scalar/as    Adam step count (per entry once the net has grown)
==========  ===============  ===========  =============================================

Updates (``torch.optim.SGD`` with dampening 0, ``torch.optim.Adam`` with L2 ``weight_decay``)::

    SGD:   g <- g + wd*theta;  buf <- mu*buf + g;  theta <- theta - eta*buf   (buf starts at 0, so the
           first step uses buf = g, as PyTorch's first step does)
    Adam:  g <- g + wd*theta;  m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  t <- t + 1
           theta <- theta - eta * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)

One Adam rule: the update above is the pure function :func:`adam_update`, called by :class:`Adam`
(networks that grow) and by :class:`refgrow.triangle.ArrayAdam` (the batched engines of the triangle
paper's experiments), so both paths move a parameter by the same bits.

Growth (``add_neurons``)
    After ``mlp.add_neurons(h, ...)`` call ``opt.add_neurons(h, k)``: the state of existing entries is
    kept, the new rows of ``W_h``/``b_h`` and new columns of ``W_{h+1}`` start with zero momentum /
    zero moments, and (Adam) a step count of 0, so each new entry follows exactly the trajectory a
    freshly created Adam would give it. The step count becomes per-entry after the first growth.
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import array_namespace, as_float_array, check_bool, check_int, check_real
from refgrow.backend import concat, device_kw

__all__ = ["SGD", "Adam", "Optimizer", "adam_update"]


def _check_lr(lr, name="lr"):
    return check_real(lr, name, low=0.0, low_open=True)


def _check_unit(v, name, *, closed_right=False):
    return check_real(v, name, low=0.0, high=1.0, high_open=not closed_right)


def adam_update(param, grad, m, v, t, *, lr, beta1=0.9, beta2=0.999, eps=1e-8,
                check_input: bool = True) -> None:
    r"""One Adam step (``torch.optim.Adam``, no amsgrad) on one array, **in place** on ``param, m, v``.

    The single Adam rule of refgrow: :class:`Adam` (networks that grow) and the batched engines of
    :mod:`refgrow.triangle` (R independent networks stacked on a leading axis) both call it::

        m <- b1 m + (1-b1) g;   v <- b2 v + (1-b2) g^2
        theta <- theta - eta * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

    Parameters
    ----------
    param : ndarray, any shape (theta), updated in place
    grad : ndarray, shape of ``param`` (g; add any L2 weight decay before calling)
    m, v : ndarray, shape of ``param``; first and second moments, updated in place
    t : int >= 1 or int array broadcasting against ``param``; the step count *including* this step
    lr, beta1, beta2, eps : float (eta > 0, b1 and b2 in [0, 1), eps > 0)
    check_input : bool, default True
        Validate every argument (finite float arrays of one shape, options in range). The optimisers,
        which validated their options once, pass ``False`` in their inner loops.

    Interpretation note (rounding): the increment of ``v`` is evaluated as ``(1-b2) * (g*g)``. The
    triangle engine's former private Adam evaluated ``((1-b2) * g) * g``, which differs in the last
    bit for some entries; neither order reproduces PyTorch's kernel bit for bit (measured), so the
    order :class:`Adam` always used was kept.

    Examples
    --------
    >>> import numpy as np
    >>> p, m, v = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> adam_update(p, np.array([2.0]), m, v, 1, lr=0.1); p     # first step moves by lr * sign(g)
    array([0.9])
    """
    if check_bool(check_input, "check_input"):
        for arr, name in ((param, "param"), (m, "m"), (v, "v")):
            ns = getattr(arr, "__array_namespace__", None)          # any array-API float64 array
            if not (isinstance(arr, np.ndarray) or ns is not None) or \
                    getattr(arr, "dtype", None) != array_namespace(arr).float64:
                raise TypeError(f"{name} must be a float64 ndarray (updated in place), got "
                                f"{type(arr).__name__} {getattr(arr, 'dtype', '')}")
            as_float_array(arr, name, allow_empty=True)
        xp = array_namespace(param)
        grad = as_float_array(grad, "grad", shape=tuple(param.shape), allow_empty=True)
        for arr, name in ((m, "m"), (v, "v")):
            if arr.shape != param.shape:
                raise ValueError(f"{name} must have the shape of param {param.shape}, got {arr.shape}")
        if bool(xp.any(v < 0)):
            raise ValueError("v must be non-negative (a second moment)")
        if hasattr(t, "shape") and hasattr(t, "dtype"):
            tn = np.asarray(t)
            if tn.dtype.kind not in "iu" or np.any(tn < 1):
                raise ValueError("t must be step counts >= 1 (an int or an int array)")
        else:
            check_int(t, "t", low=1)
        lr, eps = _check_lr(lr), _check_lr(eps, "eps")
        beta1, beta2 = _check_unit(beta1, "beta1"), _check_unit(beta2, "beta2")
    m *= beta1
    m += (1 - beta1) * grad                                  # m <- b1 m + (1-b1) g
    v *= beta2
    v += (1 - beta2) * (grad * grad)                         # v <- b2 v + (1-b2) g^2
    bc1, bc2 = 1 - beta1 ** t, 1 - beta2 ** t                # bias corrections (per entry after growth)
    param -= lr * (m / bc1) / (array_namespace(param).sqrt(v / bc2) + eps)


class Optimizer:
    """Base class: per-parameter state, keyed by position in ``mlp.parameters()``."""

    _state_keys: tuple = ()

    def __init__(self, lr, weight_decay=0.0):
        self.lr = _check_lr(lr)
        self.weight_decay = check_real(weight_decay, "weight_decay", low=0.0)
        self.state: list = []          # one dict per parameter array

    def reset(self) -> None:
        """Forget all state (moments, step counts)."""
        self.state = []

    def _grads_list(self, mlp, grads):
        gs = [g for wb in zip(grads.weights, grads.biases) for g in wb]
        params = mlp.parameters()
        if len(gs) != len(params) or any(g.shape != p.shape for g, p in zip(gs, params)):
            raise ValueError("grads do not match the network's parameter shapes: "
                             f"{[g.shape for g in gs]} vs {[p.shape for p in params]}")
        return params, gs

    def step(self, mlp, grads) -> None:
        """Update ``mlp``'s parameters in place from ``grads`` (a :class:`refgrow.mlp.Gradients`)."""
        from refgrow.mlp import MLP, Gradients
        if not isinstance(mlp, MLP):
            raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
        if not isinstance(grads, Gradients):
            raise TypeError(f"grads must be the Gradients of MLP.backward, got {type(grads).__name__}")
        params, gs = self._grads_list(mlp, grads)
        if not self.state:
            self.state = [self._init_state(p) for p in params]
        elif any(s[self._state_keys[0]].shape != p.shape for s, p in zip(self.state, params)):
            raise ValueError("optimizer state does not match the network's shapes: after "
                             "mlp.add_neurons(h, ...) call optimizer.add_neurons(h, k)")
        for p, g, s in zip(params, gs, self.state):
            if self.weight_decay:
                g = g + self.weight_decay * p
            self._update(p, g, s)

    def add_neurons(self, hidden_layer: int, k: int) -> None:
        """Pad the state after ``mlp.add_neurons(hidden_layer, ...)`` added ``k`` neurons.

        New rows of ``W_h``, ``b_h`` and new columns of ``W_{h+1}`` get zero state.
        """
        hidden_layer = check_int(hidden_layer, "hidden_layer", low=0)
        k = check_int(k, "k", low=1)
        if not self.state:
            return                       # nothing stored yet: state is created at the first step
        n_layers = len(self.state) // 2
        if not hidden_layer < n_layers - 1:
            raise ValueError(f"hidden_layer must be in [0, {n_layers - 1}), got {hidden_layer!r}")
        i = 2 * hidden_layer
        shapes = {j: self.state[j][self._state_keys[0]].shape for j in (i, i + 1, i + 2)}
        for key in self._state_keys:
            for j, axis in ((i, 0), (i + 1, 0), (i + 2, 1)):   # rows of W_h, b_h; columns of W_{h+1}
                self.state[j][key] = _pad_zeros(self.state[j][key], shapes[j], axis, k,
                                                self.state[j][self._state_keys[0]])


def _pad_zeros(arr, shape, axis, k, like):
    """``arr`` (a state array of ``shape``, or a scalar step count) with ``k`` zero slices appended
    along ``axis``, in the namespace of ``like`` (the parameter's first state array).

    A scalar step count becomes per-entry: int64 in NumPy (as always), float64 elsewhere (the array
    API does not raise a Python float to an integer array's power; ``b ** t`` has the same value)."""
    xp = array_namespace(like)
    if not hasattr(arr, "shape") or len(arr.shape) == 0:
        dtype = xp.int64 if xp is np else xp.float64
        arr = xp.full(shape, arr, dtype=dtype, **device_kw(xp, like))
    pad_shape = tuple(k if a == axis else s for a, s in enumerate(shape))
    return concat(xp, [arr, xp.zeros(pad_shape, dtype=arr.dtype, **device_kw(xp, like))], axis=axis)


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and L2 weight decay (``torch.optim.SGD``).

    Parameters
    ----------
    lr : float > 0
    momentum : float in [0, 1)
    weight_decay : float >= 0
    nesterov : bool

    Examples
    --------
    >>> import numpy as np
    >>> from refgrow.mlp import MLP
    >>> net = MLP([np.array([[1.0]])], [np.array([0.0])])
    >>> _, g, _ = net.loss_and_grads(np.array([[1.0]]), np.array([[0.0]]), "mse")   # dL/dW = 2
    >>> SGD(0.25).step(net, g); net.weights[0]
    array([[0.5]])
    """

    _state_keys = ("buf",)

    def __init__(self, lr, *, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(lr, weight_decay)
        self.momentum = _check_unit(momentum, "momentum")
        if check_bool(nesterov, "nesterov") and self.momentum == 0:
            raise ValueError("nesterov=True requires momentum > 0")
        self.nesterov = bool(nesterov)

    def _init_state(self, p):
        return {"buf": array_namespace(p).zeros_like(p)}

    def _update(self, p, g, s):
        if self.momentum:
            buf = s["buf"]
            buf *= self.momentum
            buf += g                                         # buf <- mu buf + g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g                                     # theta <- theta - eta g


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``, L2 ``weight_decay`` added to the gradient, no amsgrad).

    Parameters
    ----------
    lr : float > 0
    betas : (b1, b2), each in [0, 1)
    eps : float > 0
    weight_decay : float >= 0
    """

    _state_keys = ("m", "v", "t")

    def __init__(self, lr=1e-3, *, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise ValueError(f"betas must be a pair (b1, b2), got {betas!r}")
        self.betas = (_check_unit(betas[0], "betas[0]"), _check_unit(betas[1], "betas[1]"))
        self.eps = _check_lr(eps, "eps")

    def _init_state(self, p):
        xp = array_namespace(p)
        return {"m": xp.zeros_like(p), "v": xp.zeros_like(p), "t": 0}

    def _update(self, p, g, s):
        s["t"] = s["t"] + 1
        adam_update(p, g, s["m"], s["v"], s["t"], lr=self.lr, beta1=self.betas[0], beta2=self.betas[1],
                    eps=self.eps, check_input=False)
