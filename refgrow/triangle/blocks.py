r"""Sec. 5 of the triangle paper [docs/references.md#triangle]: sums of convex triangle blocks for
non-convex targets, their pretraining (Algorithm 1 per block) and masked raw-weight training (App. A.9).

Symbol table
------------
==============  ==========================  ==========  ==============================================
paper           code                        shape       meaning
==============  ==========================  ==========  ==============================================
blocks          ``J = n_blocks``            scalar      convex blocks (index ``k``)
a_{k,i}         ``A[k, i]``                 (J, H+1)    peaks of block k
d_k             ``P[k]``, ``q[k]``          (J, D), (J,)  block input ``u_k = P[k] . x + q[k]`` in [0, 1]
F_k(u)          block series, ``sign=+1``   (n, J)      :func:`refgrow.triangle.triangle_series`
Gamma, M, beta  ``Gamma``, ``M``, ``beta``  (C, J), (C, J), (C,)  output combination
C               outputs                     scalar      targets (classes for cross-entropy)
n, D            samples, inputs             --          rows / columns of ``X``
==============  ==========================  ==========  ==============================================

The blocks run through the batched engine of :mod:`refgrow.triangle.network` (one run per block)
and train with :class:`refgrow.triangle.pretrain.ArrayAdam` (the single Adam rule
:func:`refgrow.optim.adam_update`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from refgrow._validation import (all_finite, as_float_array, as_labels, check_bool, check_choice, check_positive_int, check_real,
                                 check_rng)
from refgrow.losses import get_loss
from refgrow.mlp import MLP, check_mlp
from refgrow.train import check_dataset
from refgrow.triangle._checks import check_c
from refgrow.triangle.network import (batched_backward, batched_forward, batched_network_parameters,
                                      batched_network_parameters_vjp)
from refgrow.triangle.pretrain import ArrayAdam
from refgrow.triangle.waves import DEFAULT_C, theorem31_ratios, theorem31_ratios_vjp

__all__ = ["BlockModel", "random_blocks", "pretrain_blocks", "train_mlp_masked"]


@dataclass
class BlockModel:
    r"""Sum of convex triangle blocks (Sec. 5 of the triangle paper [docs/references.md#triangle], Figs. 7-9; App. A.9).

    ``out(x) = beta + sum_k Gamma[:, k] F_k(u_k(x)) + M[:, k] u_k(x)`` with ``u_k = P[k] . x + q[k]``
    mapped into [0, 1] on the domain and ``F_k(u) = u + sum_i s_{k,i} W_{k,i}(u)`` the block's
    :func:`triangle_series` with ``sign=+1`` and the Theorem 3.1 scales of ``A[k]``.

    Interpretation note (the paper's "two neurons are used for the sum ... so that a negative
    component may be maintained"): each block keeps its running sum in non-negative neurons only
    (``sum = u + sum s W >= 0`` and a pass-through ``lin = u >= 0``), and the *signs* live in the
    output layer (``Gamma``, ``M`` of any sign). The block therefore has width 5
    ``[sum, t1, t2, bias, lin]``; ``M`` decouples the linear part from the curvature, which one sum
    neuron cannot do. The "upside-down" waves of the paper are not needed because no block value
    is ever negative before the output layer. Blocks are encoded as one network whose hidden
    matrices are block diagonal (:meth:`to_mlp`).

    Attributes
    ----------
    A : (J, H+1) peaks;  P : (J, D) directions;  q : (J,) offsets;
    Gamma : (C, J);  M : (C, J);  beta : (C,)
    """

    A: np.ndarray
    P: np.ndarray
    q: np.ndarray
    Gamma: np.ndarray
    M: np.ndarray
    beta: np.ndarray

    @property
    def n_blocks(self) -> int:
        return self.A.shape[0]

    @property
    def depth(self) -> int:
        return self.A.shape[1] - 1

    def _check_X(self, X):
        return as_float_array(X, "X", shape=(None, self.P.shape[1]))

    def _check_Y(self, Y, n, loss):
        C = self.Gamma.shape[0]
        if loss == "ce":
            return as_labels(Y, "Y", n, C)
        Y = as_float_array(Y, "Y", ndim=(1, 2))
        Y = Y[:, None] if Y.ndim == 1 else Y
        if Y.shape != (n, C):
            raise ValueError(f"Y must have shape ({n}, {C}) (one target row per sample), got {Y.shape}")
        return Y

    def inputs(self, X):
        """``U (n, J)``: block inputs ``u_k = P[k] . x + q[k]``."""
        return self._check_X(X) @ self.P.T + self.q

    def _block_nets(self):
        sign = np.ones(self.n_blocks)
        return batched_network_parameters(self.A, theorem31_ratios(self.A, sign, check_input=False), sign,
                                          check_input=False)

    def forward(self, X):
        """``out (n, C)`` and a cache for :meth:`loss_and_grad`."""
        U = self.inputs(X)
        if not all_finite(U):
            raise ValueError("X is too large in magnitude: the block inputs overflow float64")
        Ws, bs = self._block_nets()
        F, cache = batched_forward(Ws, bs, U.T[:, :, None], check_input=False)   # (J, n, 1)
        F = F[:, :, 0].T                                       # (n, J)
        out = self.beta + F @ self.Gamma.T + U @ self.M.T
        return out, (U, F, Ws, bs, cache)

    def loss_and_grad(self, X, Y, loss: str = "mse"):
        r"""Loss and exact gradients w.r.t. ``A``, ``Gamma``, ``M``, ``beta`` (directions fixed).

        The chain rule runs through the output combination, each block's network (batched
        backward), the weight-setting map and the Theorem 3.1 scales (as :func:`pretrain_loss_and_grad`).

        Parameters
        ----------
        X : (n, D);  Y : (n, C) float targets (mse) or (n,) int labels (ce)
        loss : "mse" | "ce"

        Returns
        -------
        loss : float;  grads : dict with keys ``A, Gamma, M, beta``
        """
        loss = check_choice(loss, "loss", ("mse", "ce"))
        out, (U, F, Ws, bs, cache) = self.forward(X)
        Y = self._check_Y(Y, out.shape[0], loss)
        try:
            value, dout = get_loss(loss)(out, Y)
        except ValueError:
            raise ValueError("X or Y is too large in magnitude (or a huge lr made training diverge): the "
                             "loss overflows float64") from None
        dF = dout @ self.Gamma                                 # (n, J)
        dWs, dbs = batched_backward(Ws, cache, dF.T[:, :, None], check_input=False)
        sign = np.ones(self.n_blocks)
        S = theorem31_ratios(self.A, sign, check_input=False)
        dA, dS = batched_network_parameters_vjp(self.A, S, sign, dWs, dbs, check_input=False)
        dA = dA + theorem31_ratios_vjp(self.A, sign, dS, check_input=False)
        grads = {"A": dA, "Gamma": dout.T @ F, "M": dout.T @ U, "beta": dout.sum(0)}
        if not all_finite(*grads.values()):
            raise ValueError("X or Y is too large in magnitude: the gradients overflow float64")
        return float(value), grads

    def fit_output(self, X, Y):
        r"""Least-squares ``beta, Gamma, M`` for MSE targets ``Y (n, C)`` with the blocks fixed.

        The output is linear in ``[1, F(x), U(x)]``, so the best combination is one ``lstsq`` solve.
        (Sec. 5 randomises these weights; refgrow's experiment starts from this fit instead, see
        ``docs/triangle.md``.) Updates the model in place and returns it.
        """
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0], "mse")
        U = self.inputs(X)
        F = self.forward(X)[1][1]
        Phi = np.concatenate([np.ones((X.shape[0], 1)), F, U], axis=1)
        if not all_finite(Phi):
            raise ValueError("X is too large in magnitude: the block features overflow float64")
        coef, *_ = np.linalg.lstsq(Phi, Y, rcond=None)
        if not all_finite(coef):
            raise ValueError("X or Y is too large in magnitude: the least-squares output overflows float64")
        J = self.n_blocks
        self.beta[:] = coef[0]
        self.Gamma[:] = coef[1:J + 1].T
        self.M[:] = coef[J + 1:].T
        return self

    def to_mlp(self):
        r"""The equivalent ReLU MLP, width ``5J``, hidden matrices block diagonal (Sec. 5).

        Returns
        -------
        mlp : refgrow.mlp.MLP, sizes ``[D, 5J, ..., 5J, C]``
        mask : list of (out, in) bool arrays, True on the block-diagonal entries each layer may train
        """
        J, H = self.n_blocks, self.depth
        D, C = self.P.shape[1], self.Gamma.shape[0]
        Wb, bb = self._block_nets()
        Ws, bs, masks = [], [], []
        W0, b0 = np.zeros((5 * J, D)), np.zeros(5 * J)
        m0 = np.zeros((5 * J, D), bool)
        for k in range(J):
            r = slice(5 * k, 5 * k + 5)
            W0[r] = np.outer([1.0, 1.0, 1.0, 0.0, 1.0], self.P[k])
            b0[r] = [self.q[k], self.q[k], self.q[k] - self.A[k, 0], 1.0, self.q[k]]
            m0[r] = True
        Ws.append(W0), bs.append(b0), masks.append(m0)
        for l in range(1, H):
            W, m = np.zeros((5 * J, 5 * J)), np.zeros((5 * J, 5 * J), bool)
            for k in range(J):
                r = slice(5 * k, 5 * k + 4)
                W[r, r] = Wb[l][k]
                W[5 * k + 4, 5 * k + 4] = 1.0
                m[5 * k:5 * k + 5, 5 * k:5 * k + 5] = True
            Ws.append(W), bs.append(np.zeros(5 * J)), masks.append(m)
        WL = np.zeros((C, 5 * J))
        for k in range(J):
            WL[:, 5 * k:5 * k + 4] = np.outer(self.Gamma[:, k], Wb[H][k, 0])
            WL[:, 5 * k + 4] = self.M[:, k]
        Ws.append(WL), bs.append(self.beta.copy()), masks.append(np.ones((C, 5 * J), bool))
        return MLP(Ws, bs, activation="relu"), masks


def random_blocks(n_blocks: int, depth: int, *, D: int = 1, C: int = 1, lo=-1.0, hi=1.0,
                  c: float = DEFAULT_C, rng=None) -> BlockModel:
    r"""Random convex blocks on the box ``[lo, hi]^D`` (Sec. 5: "oriented in random directions").

    Directions ``d_k`` are uniform on the unit sphere; ``u_k = (d_k . x - m_k)/(M_k - m_k)`` with
    ``m_k, M_k`` the min / max of ``d_k . x`` over the box, so ``u_k`` covers exactly [0, 1].
    Peaks uniform on ``[c, 1-c]``; ``Gamma``, ``M`` ~ N(0, 1/J); ``beta = 0``.

    Parameters
    ----------
    n_blocks, depth : int;  D : input dimension;  C : outputs;  lo, hi : box;  c : float;  rng

    Returns
    -------
    BlockModel
    """
    J = check_positive_int(n_blocks, "n_blocks")
    H = check_positive_int(depth, "depth")
    D = check_positive_int(D, "D")
    C = check_positive_int(C, "C")
    c = check_c(c)
    lo, hi = check_real(lo, "lo"), check_real(hi, "hi")
    if not (lo < hi and np.isfinite(hi - lo)):
        raise ValueError(f"lo and hi must satisfy lo < hi with a finite width, got lo={lo}, hi={hi}")
    rng = check_rng(rng)
    d = rng.normal(size=(J, D))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    mid, half = (lo + hi) / 2.0, (hi - lo) / 2.0
    span = half * np.abs(d).sum(1)                         # max |d.(x - mid)| over the box
    P = d / (2.0 * span[:, None])
    q = 0.5 - (d @ np.full(D, mid)) / (2.0 * span)
    A = rng.uniform(c, 1 - c, size=(J, H + 1))
    G = rng.normal(0, 1 / np.sqrt(J), size=(C, J))
    Mm = rng.normal(0, 1 / np.sqrt(J), size=(C, J))
    return BlockModel(A, P, q, G, Mm, np.zeros(C))


def pretrain_blocks(model: BlockModel, X, Y, *, loss: str = "mse", epochs: int = 1000, lr: float = 1e-3,
                    c: float = DEFAULT_C, varpro: bool = False):
    """Algorithm 1 for a :class:`BlockModel`: Adam on ``A, Gamma, M, beta``, ``A`` projected on [c, 1-c].

    With ``varpro=True`` (MSE only) the linear output ``beta, Gamma, M`` is re-solved by least squares
    before every step (variable projection) and Adam moves the peaks only; at the least-squares
    optimum the partial gradient w.r.t. ``A`` is the gradient of the projected loss (envelope theorem).

    Returns the list of losses (before each step); ``model`` is updated in place.
    """
    if not isinstance(model, BlockModel):
        raise TypeError(f"model must be a BlockModel (random_blocks), got {type(model).__name__}")
    epochs = check_positive_int(epochs, "epochs")
    c = check_c(c)
    loss = check_choice(loss, "loss", ("mse", "ce"))
    X = model._check_X(X)
    Y = model._check_Y(Y, X.shape[0], loss)
    if check_bool(varpro, "varpro") and loss != "mse":
        raise ValueError(f"varpro needs loss='mse', got {loss!r}")
    saved = [p.copy() for p in (model.A, model.Gamma, model.M, model.beta)]
    try:
        return _pretrain_blocks(model, X, Y, loss, epochs, lr, c, varpro)
    except ValueError:
        for p, v in zip((model.A, model.Gamma, model.M, model.beta), saved):
            p[...] = v                          # a failed call leaves the model as it was
        raise


def _pretrain_blocks(model, X, Y, loss, epochs, lr, c, varpro):
    params = [model.A] if varpro else [model.A, model.Gamma, model.M, model.beta]
    opt = ArrayAdam(params, lr)
    hist = []
    for _ in range(epochs):
        if varpro:
            model.fit_output(X, Y)
        value, g = model.loss_and_grad(X, Y, loss)
        hist.append(value)
        opt.step(params, [g["A"]] if varpro else [g["A"], g["Gamma"], g["M"], g["beta"]], check_input=False)
        np.clip(model.A, c, 1 - c, out=model.A)
    if varpro:
        model.fit_output(X, Y)
    return hist


def train_mlp_masked(mlp, X, Y, *, loss: str = "mse", epochs: int = 1000, lr: float = 1e-3, masks=None):
    """Full-batch Adam on an MLP's raw weights; ``masks`` (list of bool (out,in)) freezes the
    off-block entries ("block diagonal" variant of App. A.9). Returns the loss list; ``mlp`` in place."""
    check_mlp(mlp)
    lf = get_loss(loss)
    epochs = check_positive_int(epochs, "epochs")
    X, Y = check_dataset(X, Y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1], names=("X", "Y"))
    mlp.forward(X)                             # raises a clear error when X overflows the network
    if masks is not None:
        if not isinstance(masks, (list, tuple)) or len(masks) != len(mlp.weights) or any(
                np.shape(m) != w.shape or np.asarray(m).dtype != bool for m, w in zip(masks, mlp.weights)):
            raise TypeError("masks must be a list of boolean arrays shaped like mlp.weights")
    saved = [p.copy() for p in mlp.parameters()]
    try:
        return _train_mlp_masked(mlp, X, Y, lf, epochs, lr, masks)
    except ValueError:
        for p, v in zip(mlp.parameters(), saved):
            p[...] = v                          # a failed call leaves the network as it was
        raise


def _train_mlp_masked(mlp, X, Y, lf, epochs, lr, masks):
    params = mlp.parameters()
    opt = ArrayAdam(params, lr)
    hist = []
    for _ in range(epochs):
        try:
            out, cache = mlp.forward(X)
            value, dout = lf(out, Y)
        except ValueError:
            raise ValueError("X or Y is too large in magnitude (or a huge lr made training diverge): the "
                             "loss overflows float64") from None
        hist.append(float(value))
        g = mlp.backward(cache, dout)
        gw = [gw * m for gw, m in zip(g.weights, masks)] if masks is not None else g.weights
        grads = []
        for w, b in zip(gw, g.biases):
            grads += [w, b]
        opt.step(params, grads, check_input=False)
    return hist
