"""Training loop: full-batch or minibatch gradient descent with a history.

Symbol table
------------
==========  ========================  ======  ========================================
symbol      code                      shape   meaning
==========  ========================  ======  ========================================
X, y        ``X``, ``y``              (n,D)   training inputs and labels/targets
L           ``history.train_loss``    (E,)    mean training loss after each epoch
B           ``batch_size``            --      minibatch size (None: full batch)
==========  ========================  ======  ========================================

Protocol of one epoch: shuffle (minibatch only, with ``rng``), for each batch do forward, mean loss,
backward, ``optimizer.step``; then evaluate the **whole** training (and validation) set with the
updated parameters and append to the history. So ``history.train_loss[e]`` is the loss of the network
after epoch ``e`` (not a running average over batches). Epoch 0 of the history is the initial network
when ``record_initial=True``.

Stopping: a callback returning True, a convergence test (any callable ``test(history) -> bool``; the
folding method plugs its ADF test in here), or early stopping on a validation plateau.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from refgrow.jsonio import to_jsonable
from refgrow._validation import (all_finite, array_namespace, as_float_array, as_labels, check_bool, check_callbacks,
                                 check_choice, check_int, check_positive_int, check_real, check_rng)
from refgrow.backend import from_numpy
from refgrow.losses import accuracy, get_loss, is_classification

__all__ = ["History", "PlateauTest", "train", "evaluate", "check_dataset"]


@dataclass
class History:
    """Per-epoch record of a training run (lists of equal length; accuracy is NaN for MSE)."""

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    stopped_by: str | None = None

    def append(self, epoch, tl, ta, vl, va):
        self.epoch.append(int(epoch))
        self.train_loss.append(float(tl))
        self.train_acc.append(float(ta))
        self.val_loss.append(float(vl))
        self.val_acc.append(float(va))

    def to_dict(self) -> dict:
        """JSON-friendly dict (NaN written as None)."""
        return to_jsonable({"epoch": self.epoch, "train_loss": self.train_loss,
                            "train_acc": self.train_acc, "val_loss": self.val_loss,
                            "val_acc": self.val_acc, "stopped_by": self.stopped_by})

    def __len__(self):
        return len(self.epoch)


class PlateauTest:
    """Convergence test: the monitored quantity has not improved by ``min_delta`` for ``patience`` epochs.

    Parameters
    ----------
    patience : int >= 1
    min_delta : float >= 0
        Improvement threshold (decrease for losses, increase for accuracies).
    key : str
        A list attribute of :class:`History` (``"train_loss"``, ``"val_loss"``, ``"val_acc"``, ...).
    mode : {"min", "max"}, optional
        Defaults to "max" for accuracies and "min" otherwise.
    """

    def __init__(self, patience=10, min_delta=0.0, key="train_loss", mode=None):
        self.patience = check_positive_int(patience, "patience")
        self.min_delta = check_real(min_delta, "min_delta", low=0.0)
        if not isinstance(key, str) or key not in History.__dataclass_fields__ or key in ("epoch", "stopped_by"):
            raise ValueError(f"key must name a History series such as 'train_loss', got {key!r}")
        self.key = key
        self.mode = ("max" if key.endswith("acc") else "min") if mode is None else \
            check_choice(mode, "mode", ("min", "max"))

    def __call__(self, history) -> bool:
        v = np.asarray(getattr(history, self.key), dtype=float)
        if v.size <= self.patience or not all_finite(v):
            return False
        if self.mode == "max":
            v = -v
        best_before = v[:-self.patience].min()
        return bool(v[-self.patience:].min() >= best_before - self.min_delta)   # no improvement


def check_dataset(X, y, loss, *, n_in=None, n_out=None, names=("X", "y")):
    """Validate a data set for a given loss: X (n, D) finite; y int labels (CE) or (n, K) targets (MSE)."""
    if n_in is not None:
        n_in = check_int(n_in, "n_in", low=1)
    if n_out is not None:
        n_out = check_int(n_out, "n_out", low=1)
    X = as_float_array(X, names[0], ndim=2)
    if n_in is not None and X.shape[1] != n_in:
        raise ValueError(f"{names[0]} must have n_in={n_in} columns (the network's input size), got {X.shape}")
    if is_classification(loss):
        y = as_labels(y, names[1], X.shape[0], n_out if n_out is not None else np.iinfo(np.int64).max)
    else:
        y = as_float_array(y, names[1], ndim=(1, 2))
        if y.ndim == 1:
            y = y[:, None]
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"{names[1]} must have {X.shape[0]} rows (one per sample of "
                             f"{names[0]}), got shape {y.shape}")
        if n_out is not None and y.shape[1] != n_out:
            raise ValueError(f"{names[1]} must have n_out={n_out} columns (the network's outputs), got {y.shape}")
    return X, y


def evaluate(mlp, X, y, loss="ce"):
    """``(mean loss, accuracy)`` of ``mlp`` on ``(X, y)``; accuracy is NaN for regression.

    The loss is NaN only for a network whose parameters already hold NaN/inf (a diverged run); a
    finite network whose loss overflows float64 raises ``ValueError``.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    X : ndarray (n, D); y : int labels (n,) in [0, K) for ``loss="ce"``, targets (n, K) for ``"mse"``
    loss : {"ce", "mse"}
    """
    from refgrow.mlp import as_mlp
    mlp = as_mlp(mlp, "mlp")
    get_loss(loss)
    X, y = check_dataset(X, y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1])
    value, acc = _evaluate(mlp, X, y, loss)
    if not np.isfinite(value) and all_finite(*mlp.parameters()):
        raise ValueError("X is too large in magnitude for this network: its loss overflows float64")
    return value, acc


def _evaluate(mlp, X, y, loss):
    """:func:`evaluate` on validated data (training loops; non-finite losses mean divergence)."""
    fn = get_loss(loss, validate=False)
    out, _ = mlp.forward(X, check_input=False)
    value, _ = fn(out, y)
    acc = accuracy(out, y, check_input=False) if is_classification(loss) else float("nan")
    return value, acc


class _Progress:
    """One-line progress display, rewritten in place (only on a TTY unless forced)."""

    def __init__(self, enabled, epochs, stream=None):
        self.enabled, self.epochs = enabled, epochs
        self.stream = sys.stderr if stream is None else stream
        self.t0 = time.perf_counter()

    def update(self, e, h):
        if not self.enabled:
            return
        msg = f"\repoch {e}/{self.epochs}  loss {h.train_loss[-1]:.4g}"
        if np.isfinite(h.train_acc[-1]):
            msg += f"  acc {h.train_acc[-1]:.3f}"
        if np.isfinite(h.val_loss[-1]):
            msg += f"  val {h.val_loss[-1]:.4g}"
        msg += f"  {time.perf_counter() - self.t0:.1f}s"
        self.stream.write(msg)
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")


def train(mlp, X, y, *, loss="ce", optimizer, epochs, batch_size=None, rng=None, X_val=None,
          y_val=None, callbacks=(), convergence=None, early_stopping=None, progress=None,
          record_initial=False, history=None, grad_hook=None, min_epochs=0) -> History:
    """Train ``mlp`` in place and return its :class:`History`.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    X : ndarray (n, D); y : int labels (n,) for ``loss="ce"``, targets (n, K) for ``loss="mse"``
    loss : {"ce", "mse"}
    optimizer : refgrow.optim.SGD or Adam
    epochs : int >= 0
    batch_size : int or None
        None trains full-batch; otherwise samples are reshuffled each epoch with ``rng``.
    rng : seed or Generator (used only for shuffling)
    X_val, y_val : optional validation set
    callbacks : iterable of ``cb(epoch, mlp, history) -> bool | None``; True stops training.
    convergence : callable ``test(history) -> bool`` checked after each epoch; True stops.
    early_stopping : int or PlateauTest, optional
        An int ``p`` means ``PlateauTest(patience=p, key="val_loss")`` (needs a validation set).
    progress : bool or None
        One-line progress display; None shows it only when stderr is a TTY and ``epochs >= 50``.
    record_initial : bool
        Also record the untrained network as epoch 0.
    history : History, optional
        Continue appending to an existing history (epochs continue from its last one).
    grad_hook : callable ``hook(mlp, grads) -> None``, optional
        Called after every backward pass, before the optimiser step; it may add the gradient of a
        regulariser to ``grads`` in place (the folding method adds its Def. 5 term this way). The
        history still records the data loss only.
    min_epochs : int
        The convergence test is consulted only once this many epochs of this call have run.
    """
    from refgrow.optim import Optimizer
    from refgrow.mlp import MLP
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a refgrow.optim optimizer, got {type(optimizer).__name__}")
    epochs = check_positive_int(epochs, "epochs", minimum=0)
    fn = get_loss(loss, validate=False)
    X, y = check_dataset(X, y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1])
    has_val = X_val is not None
    if has_val:
        X_val, y_val = check_dataset(X_val, y_val, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1],
                                     names=("X_val", "y_val"))
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
    if isinstance(early_stopping, (int, np.integer)) and not isinstance(early_stopping, bool):
        if not has_val:
            raise ValueError(f"early_stopping={early_stopping!r} needs a validation set: X_val and y_val must "
                             "be given")
        early_stopping = PlateauTest(patience=int(early_stopping), key="val_loss")
    elif early_stopping is not None and not callable(early_stopping):
        raise TypeError(f"early_stopping must be an int patience or a PlateauTest, got {early_stopping!r}")
    if convergence is not None and not callable(convergence):
        raise TypeError(f"convergence must be callable test(history) -> bool, got {convergence!r}")
    if grad_hook is not None and not callable(grad_hook):
        raise TypeError(f"grad_hook must be callable hook(mlp, grads), got {grad_hook!r}")
    min_epochs = check_positive_int(min_epochs, "min_epochs", minimum=0)
    record_initial = check_bool(record_initial, "record_initial")
    callbacks = check_callbacks(callbacks)
    if progress is not None:
        progress = check_bool(progress, "progress")
    if history is not None and not isinstance(history, History):
        raise TypeError(f"history must be a History or None, got {type(history).__name__}")
    rng = check_rng(rng)
    n = X.shape[0]
    h = history if history is not None else History()
    h.stopped_by = None                                    # describes this call
    start = h.epoch[-1] if len(h) else 0
    prog = _Progress(sys.stderr.isatty() and epochs >= 50 if progress is None else bool(progress), epochs)

    def record(e):
        tl, ta = _evaluate(mlp, X, y, loss)
        vl, va = _evaluate(mlp, X_val, y_val, loss) if has_val else (np.nan, np.nan)
        h.append(e, tl, ta, vl, va)

    if record_initial and not len(h):
        record(0)
    xp = array_namespace(X)
    for e in range(start + 1, start + epochs + 1):
        if batch_size is None or batch_size >= n:
            batches = (None,)
        else:
            # the order is drawn from the NumPy rng; outside NumPy the (n,) indices are sent to the device
            perm = from_numpy(xp, rng.permutation(n), X)
            batches = [perm[i:min(i + batch_size, n)] for i in range(0, n, batch_size)]
        for idx in batches:
            Xb, yb = (X, y) if idx is None else (X[idx], y[idx]) if xp is np else \
                (xp.take(X, idx, axis=0), xp.take(y, idx, axis=0))
            out, cache = mlp.forward(Xb, check_input=False)
            _, d_out = fn(out, yb)
            grads = mlp.backward(cache, d_out, check_input=False, input_grad=False)  # dL/dX unused
            if grad_hook is not None:
                grad_hook(mlp, grads)                          # e.g. + alpha * d(regulariser)
            optimizer.step(mlp, grads)
        record(e)
        prog.update(e - start, h)
        if not np.isfinite(h.train_loss[-1]):
            h.stopped_by = "diverged"
            break
        if any(cb(e, mlp, h) for cb in callbacks):
            h.stopped_by = "callback"
            break
        if convergence is not None and e - start >= min_epochs and convergence(h):
            h.stopped_by = "convergence"
            break
        if early_stopping is not None and early_stopping(h):
            h.stopped_by = "early_stopping"
            break
    prog.close()
    return h
