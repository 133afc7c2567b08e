"""Fine-tuning and the growth driver of folding [docs/references.md#folding] (Algorithm 1), with records.

:func:`fine_tune` (training on ``L + alpha L_fold-reg``, Def. 5), :class:`FoldingGrowth` (Algorithm 1:
typical mistake, fold point, fold neuron, growth, fine-tuning, until the validation accuracy
plateaus; explanation records of Sec. 3.4 and rollback of Sec. 5), :func:`grow_by_folding` /
:class:`FoldingResult` (one call), :func:`propose_fold` (folding as a ``propose`` function of
:func:`refgrow.growth.loop.grow`). Interpretation notes "When to grow" and "Rollback" in
:mod:`refgrow.growth.folding`.

Symbol table
------------
=====================  ========================  ===========  ========================================
paper symbol           code name                 shape        meaning
=====================  ========================  ===========  ========================================
W_A, b_A               ``mlp.weights[0]``, ...   (h, D), (h,) hidden layer
W_B, b_B               ``mlp.weights[1]``, ...   (K, h), (K,) output layer (002 writes W_B as (h, K))
alpha                  ``alpha``                 ()           weight of L_fold-reg (Def. 5)
(x_mistake, x_fold)    ``fold_terms``            list         regularised neurons and their points
=====================  ========================  ===========  ========================================
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from refgrow import geometry
from refgrow.growth.folding._common import (MISTAKE_METHODS, OUT_INITS, _check_data, _check_loss,
                                            _check_shallow, _rng)
from refgrow.growth.folding.fold import classification_fold, fold_neuron
from refgrow.growth.folding.mistakes import typical_mistake
from refgrow.growth.folding.regularizer import _fold_reg, regularizer_value
from refgrow.growth.proposals import NewNeurons

__all__ = ["fine_tune", "FoldRecord", "FoldingGrowth", "grow_by_folding", "FoldingResult", "propose_fold"]


def fine_tune(mlp, X, y, *, loss="ce", optimizer, epochs, alpha=0.0, fold_terms=(), batch_size=None,
              rng=None, convergence=None, X_val=None, y_val=None, history=None, min_epochs=0):
    """Train ``mlp`` in place on ``L + alpha sum_t L_fold-reg(t)`` (002 Alg. 1, fine-tuning line).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP (single hidden layer)
    X, y : training set
    loss : {"ce", "mse"}
    optimizer : refgrow.optim optimizer
    epochs : int
        Maximum number of epochs.
    alpha : float >= 0
    fold_terms : iterable of (neuron_index, p_mistake (D,), p_fold (D,))
        Hidden neurons of layer 0 whose fold hyperplanes are regularised.
    batch_size, rng : as in :func:`refgrow.train.train`
    convergence : callable ``test(history) -> bool``
    X_val, y_val : optional validation set
    history : refgrow.train.History, optional (appended to)
    min_epochs : int
        The convergence test is consulted only from this epoch of the phase on.

    Returns
    -------
    refgrow.train.History
        ``train_loss`` is the data loss ``L`` (without the regulariser).
    """
    from refgrow.optim import Optimizer
    from refgrow.train import History, train
    _check_shallow(mlp)
    loss = _check_loss(loss)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer: expected a refgrow.optim optimizer, got {type(optimizer).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs: expected an int >= 0, got {epochs!r}")
    if not (isinstance(alpha, (int, float)) and np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"alpha: expected a finite float >= 0, got {alpha!r}")
    X, y = _check_data(mlp, X, y, loss)
    if X_val is not None:
        X_val, y_val = _check_data(mlp, X_val, y_val, loss, names=("X_val", "y_val"))
    terms = [(int(i), np.asarray(pm, dtype=np.float64), np.asarray(pf, dtype=np.float64))
             for i, pm, pf in fold_terms]

    def add_fold_reg(net, grads):
        """d/dtheta of alpha * sum_t L_fold-reg(t) (Def. 5), added to the data-loss gradient."""
        for i, pm, pf in terms:
            _, gw, gb = _fold_reg(net.weights[0][i], net.biases[0][i], pm, pf)
            grads.weights[0][i] += alpha * gw
            grads.biases[0][i] += alpha * gb

    h = history if history is not None else History()
    h = train(mlp, X, y, loss=loss, optimizer=optimizer, epochs=int(epochs), batch_size=batch_size,
              rng=_rng(rng), X_val=X_val, y_val=y_val, convergence=convergence, progress=False,
              history=h, grad_hook=add_fold_reg if alpha > 0 and terms else None,
              min_epochs=int(min_epochs))
    if h.stopped_by is None:
        h.stopped_by = "max_epochs"
    return h


@dataclass
class FoldRecord:
    """Explanation of one grown neuron (002 Sec. 3.4). All fields JSON-friendly."""

    step: int
    neuron_index: int
    mistake_index: int
    y_true: object
    y_pred: object
    mistake_loss: float
    cluster_size: int
    cluster_mean_loss: float
    n_mistakes: int
    method: str
    x_mistake: list
    x_fold: list
    x_fold_linear: list
    in_region: bool
    fold_converged: bool
    fold_distance: float
    objective_before: float
    objective_after: float
    flat: bool
    out_init: str
    w_in: list
    b_in: float
    w_out: list
    loss_before: float
    acc_before: float
    loss_at_init: float
    acc_at_init: float
    loss_after: float
    acc_after: float
    val_acc_before: float | None
    val_acc_after: float | None
    reg_at_init: float
    reg_after: float
    epochs: int
    stopped_by: str | None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, float) and not np.isfinite(v):
                d[k] = None
        return d



def _default_convergence():
    """002 Sec. 3.1: local minimum of the training loss and ADF p < 0.05 over the last 20 epochs."""
    from refgrow.stats import ADFConvergence
    return ADFConvergence(window=20, alpha=0.05, key="train_loss", require_local_min=True)


class FoldingGrowth:
    """Grow a single-hidden-layer ReLU MLP by folding at typical mistakes (002 Algorithm 1).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
        Compact single-hidden-layer ReLU network (copied; the grown one is ``self.mlp``).
    X, y : training set
    loss : {"ce", "mse"}
    optimizer : refgrow.optim optimizer, optional
        Default ``Adam(lr=1e-2)``.
    alpha : float
        Weight of ``L_fold-reg`` during fine-tuning.
    regularize : {"last", "all"}
    mistake_method, n_clusters, sample_size, tau : see :func:`typical_mistake`
    out_init, radius, n_restarts : see :func:`fold_neuron`
    refine : bool
        Refine the fold point onto the real decision boundary (:func:`refgrow.geometry.fold_point`).
    max_epochs : int
        Epoch cap of every training phase.
    min_epochs : int
        Epochs of every phase before the convergence test is consulted (default 0).
    convergence : callable, optional
        Default :class:`refgrow.stats.ADFConvergence` (002 Sec. 3.1).
    patience : int or None
        Growth stops when the validation accuracy (training accuracy without a validation set)
        has not improved for ``patience`` growth steps; None disables this rule (grow to
        ``target_width``).
    X_val, y_val, batch_size : as in :func:`refgrow.train.train`
    rng : seed or Generator
    """

    def __init__(self, mlp, X, y, *, loss="ce", optimizer=None, alpha=0.1, regularize="last",
                 mistake_method="largest_cluster", n_clusters=5, sample_size=None, tau=None,
                 out_init="uniform", radius=None, n_restarts=4, refine=True, max_epochs=500,
                 min_epochs=0, convergence=None, patience=3, X_val=None, y_val=None, batch_size=None, rng=None):
        from refgrow.optim import Adam
        _check_shallow(mlp)
        self.loss = _check_loss(loss)
        self.X, self.y = _check_data(mlp, X, y, self.loss)
        self.X_val, self.y_val = (None, None)
        if X_val is not None:
            self.X_val, self.y_val = _check_data(mlp, X_val, y_val, self.loss, names=("X_val", "y_val"))
        if mistake_method not in MISTAKE_METHODS:
            raise ValueError(f"mistake_method: expected one of {MISTAKE_METHODS}, got {mistake_method!r}")
        if out_init not in OUT_INITS:
            raise ValueError(f"out_init: expected one of {OUT_INITS}, got {out_init!r}")
        if regularize not in ("last", "all"):
            raise ValueError(f"regularize: expected 'last' or 'all', got {regularize!r}")
        if not (isinstance(alpha, (int, float)) and np.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha: expected a finite float >= 0, got {alpha!r}")
        self.mlp = mlp.copy()
        self.optimizer = optimizer if optimizer is not None else Adam(lr=1e-2)
        self.alpha = float(alpha)
        self.regularize = regularize
        self.mistake_kw = dict(method=mistake_method, n_clusters=n_clusters, sample_size=sample_size, tau=tau)
        self.neuron_kw = dict(out_init=out_init, radius=radius, n_restarts=n_restarts)
        self.refine = bool(refine)
        self.max_epochs = int(max_epochs)
        self.min_epochs = int(min_epochs)
        self.convergence = convergence if convergence is not None else _default_convergence()
        self.patience = None if patience is None else int(patience)
        self.batch_size = batch_size
        self.rng = _rng(rng)
        self.records: list = []
        self.rolled_back: list = []
        self.histories: list = []
        self._snapshots: list = []
        self._fold_terms: list = []
        self.stopped_by = None

    # -------------------------------------------------------------- helpers
    def _eval(self, X, y):
        from refgrow.train import evaluate
        if X is None:
            return float("nan"), float("nan")
        return evaluate(self.mlp, X, y, self.loss)

    def _train(self, fold_terms):
        from refgrow.train import History
        h = fine_tune(self.mlp, self.X, self.y, loss=self.loss, optimizer=self.optimizer,
                      epochs=self.max_epochs, alpha=self.alpha if fold_terms else 0.0,
                      fold_terms=fold_terms, batch_size=self.batch_size, rng=self.rng,
                      convergence=self.convergence, X_val=self.X_val, y_val=self.y_val,
                      history=History(), min_epochs=self.min_epochs)
        self.histories.append(h)
        return h

    def train_initial(self):
        """Train the compact network until convergence (first line of 002 Alg. 1)."""
        return self._train([])

    # -------------------------------------------------------------- one growth step
    def step(self):
        """One growth step: mistake, fold point, fold neuron, growth, fine-tuning.

        Returns
        -------
        FoldRecord or None
            None (and ``stopped_by = "no_mistake"``) when nothing is mis-predicted, or
            ``"degenerate_boundary"`` when the local decision boundary has a zero normal.
        """
        mlp = self.mlp
        tm = typical_mistake(mlp, self.X, self.y, loss=self.loss, rng=self.rng, **self.mistake_kw)
        if tm is None:
            self.stopped_by = "no_mistake"
            return None
        fold_method = "projection"
        if self.loss == "ce":
            x_fold, x_lin, in_region, conv, dist, fold_method = classification_fold(
                mlp, self.X, tm, refine=self.refine)
        else:
            o = int(np.argmax(np.abs(np.asarray(tm.y_pred) - np.asarray(tm.y_true))))
            rp = geometry.regression_fold_point(mlp, tm.x, tm.y_true[o], output=o, refine=self.refine)
            x_fold, x_lin = rp.x_fold, rp.x_fold
            in_region, conv, dist = rp.in_region, rp.converged, rp.distance
        loss_b, acc_b = self._eval(self.X, self.y)
        _, vacc_b = self._eval(self.X_val, self.y_val)
        nn = fold_neuron(mlp, self.X, self.y, tm.x, tm.y_true, x_fold, loss=self.loss, rng=self.rng,
                         **self.neuron_kw)
        self._snapshots.append((mlp.copy(), list(self._fold_terms)))
        h_before = mlp.sizes[1]
        self.mlp = mlp.add_neurons(0, nn.w_in, nn.b_in, nn.w_out)
        self.optimizer.add_neurons(0, 1)
        loss_i, acc_i = self._eval(self.X, self.y)
        term = (h_before, tm.x.copy(), x_fold.copy())
        self._fold_terms.append(term)
        terms = [term] if self.regularize == "last" else list(self._fold_terms)
        reg_i = regularizer_value(self.mlp, [term])
        hist = self._train(terms)
        loss_a, acc_a = self._eval(self.X, self.y)
        _, vacc_a = self._eval(self.X_val, self.y_val)
        rec = FoldRecord(
            step=len(self.records) + 1, neuron_index=h_before, mistake_index=tm.index,
            y_true=tm.y_true, y_pred=tm.y_pred, mistake_loss=tm.loss, cluster_size=tm.cluster_size,
            cluster_mean_loss=tm.cluster_mean_loss, n_mistakes=tm.n_mistakes, method=tm.method,
            x_mistake=tm.x.tolist(), x_fold=x_fold.tolist(), x_fold_linear=x_lin.tolist(),
            in_region=bool(in_region), fold_converged=bool(conv), fold_distance=float(dist),
            objective_before=nn.info["objective_before"], objective_after=nn.info["objective_after"],
            flat=nn.info["flat"], out_init=nn.info["out_init"], w_in=nn.w_in[0].tolist(),
            b_in=float(nn.b_in[0]), w_out=nn.w_out[:, 0].tolist(), loss_before=float(loss_b),
            acc_before=float(acc_b), loss_at_init=float(loss_i), acc_at_init=float(acc_i),
            loss_after=float(loss_a), acc_after=float(acc_a),
            val_acc_before=None if not np.isfinite(vacc_b) else float(vacc_b),
            val_acc_after=None if not np.isfinite(vacc_a) else float(vacc_a),
            reg_at_init=reg_i, reg_after=regularizer_value(self.mlp, [term]),
            epochs=len(hist), stopped_by=hist.stopped_by, extra={"fold_method": fold_method})
        self.records.append(rec)
        return rec

    # -------------------------------------------------------------- loop
    def run(self, *, max_steps=None, target_width=None, train_first=True):
        """Grow until a stopping rule fires (002 Alg. 1 ``until validation accuracy plateau``).

        Parameters
        ----------
        max_steps : int, optional
        target_width : int, optional
            Stop when the hidden layer has this many neurons.
        train_first : bool
            Train the compact network to convergence first.

        Returns
        -------
        list of FoldRecord
        """
        if train_first:
            self.train_initial()
        steps = 0
        best, since = -np.inf, 0
        self.stopped_by = None
        while True:
            if max_steps is not None and steps >= max_steps:
                self.stopped_by = "max_steps"
                break
            if target_width is not None and self.mlp.sizes[1] >= target_width:
                self.stopped_by = "target_width"
                break
            rec = self.step()
            if rec is None:
                break
            steps += 1
            score = rec.val_acc_after if rec.val_acc_after is not None else rec.acc_after
            if self.loss == "mse":
                score = -rec.loss_after
            if score > best:
                best, since = score, 0
            else:
                since += 1
                if self.patience is not None and since >= self.patience:
                    self.stopped_by = "plateau"
                    break
        return self.records

    # -------------------------------------------------------------- explanations
    def rollback(self, k=1):
        """Undo the last ``k`` growth steps (002 Sec. 5); returns the restored network.

        The removed records move to ``self.rolled_back``; the optimizer state is reset.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= len(self._snapshots):
            raise ValueError(f"k: expected an int in [0, {len(self._snapshots)}] (growth steps taken), got {k!r}")
        if k == 0:
            return self.mlp
        mlp, terms = self._snapshots[-k]
        del self._snapshots[-k:]
        self.rolled_back.extend(self.records[-k:])
        del self.records[-k:]
        self.mlp = mlp.copy()
        self._fold_terms = list(terms)
        self.optimizer.reset()
        return self.mlp

    def explanations(self) -> list:
        """The records as JSON-friendly dicts."""
        return [r.to_dict() for r in self.records]

    def to_json(self, path=None) -> str:
        """Explanation records as JSON (written to ``path`` if given)."""
        s = json.dumps({"records": self.explanations(), "stopped_by": self.stopped_by,
                        "sizes": self.mlp.sizes}, indent=1)
        if path is not None:
            with open(path, "w") as f:
                f.write(s)
        return s


@dataclass
class FoldingResult:
    """Return value of :func:`grow_by_folding`."""

    mlp: object
    records: list
    histories: list
    stopped_by: str | None
    grower: FoldingGrowth


def grow_by_folding(mlp, X, y, *, max_steps=None, target_width=None, train_first=True, **kwargs):
    """Run 002 Algorithm 1 end to end; ``kwargs`` go to :class:`FoldingGrowth`.

    Returns
    -------
    FoldingResult
    """
    g = FoldingGrowth(mlp, X, y, **kwargs)
    g.run(max_steps=max_steps, target_width=target_width, train_first=train_first)
    return FoldingResult(mlp=g.mlp, records=g.records, histories=g.histories, stopped_by=g.stopped_by,
                         grower=g)


def propose_fold(mlp, X, y, *, hidden_layer=0, k=1, rng=None, loss="ce", **kwargs):
    """Folding as a ``propose`` function for the generic growth loop (:mod:`refgrow.growth.loop`).

    Returns one fold neuron (``k`` must be 1) or None when nothing is mis-predicted. The generic
    loop has no regulariser: use :class:`FoldingGrowth` for the full Algorithm 1.
    """
    if hidden_layer != 0 or k != 1:
        raise ValueError(f"propose_fold: folding grows one neuron of hidden layer 0; got hidden_layer="
                         f"{hidden_layer}, k={k}")
    loss = _check_loss(loss)
    rng = _rng(rng)
    mk = {key: kwargs.pop(key) for key in ("method", "n_clusters", "sample_size", "tau") if key in kwargs}
    tm = typical_mistake(mlp, X, y, loss=loss, rng=rng, **mk)
    if tm is None:
        return None
    if loss == "ce":
        x_fold = classification_fold(mlp, np.asarray(X, dtype=np.float64), tm, refine=True)[0]
    else:
        o = int(np.argmax(np.abs(np.asarray(tm.y_pred) - np.asarray(tm.y_true))))
        x_fold = geometry.regression_fold_point(mlp, tm.x, tm.y_true[o], output=o).x_fold
    nn = fold_neuron(mlp, X, y, tm.x, tm.y_true, x_fold, loss=loss, rng=rng, **kwargs)
    info = dict(nn.info, mistake=tm.to_dict(), x_fold=x_fold.tolist())
    return NewNeurons(nn.w_in, nn.b_in, nn.w_out, info)

