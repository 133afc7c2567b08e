r"""One growth loop for every method that returns :class:`refgrow.growth.NewNeurons`.

Grow hidden layer ``hidden_layer`` by ``k`` neurons every ``epochs_between`` epochs (or whenever a
convergence test fires), training in between, until ``target_width`` or ``max_steps`` is reached
(TINY App. E.4, Algorithm 1 of 001; GradMax's fixed schedule; the "when" of 002 via ``convergence``).
With neither ``epochs_between`` nor ``convergence`` there is no training at all: *pure growth*
(Fig. 8 of 001).

Symbol table
------------
=================  ===================  ==========================================================
paper              code                 meaning
=================  ===================  ==========================================================
Delta t            ``epochs_between``   training epochs between two growth steps
s (start width)    ``mlp.sizes[h+1]``   width of the grown layer before growth
K                  ``k``                neurons added per growth step
theta_K            ``NewNeurons``       the neurons a ``propose`` function returns
=================  ===================  ==========================================================

A ``propose`` function has the signature
``propose(mlp, X, y, *, hidden_layer, k, rng, loss) -> NewNeurons | None``; ``None`` means "nothing to
add". The loop then calls ``fallback`` (same signature) if one is given and records
``fallback=True`` (*completed-TINY*, Sec. 4 of 001:
``grow(propose=propose_tiny, fallback=partial(propose_random, L=2.0))``), otherwise it records the step
and stops (``stopped_by="no_proposal"``). Propose functions never modify ``mlp``; a proposal that also
updates the existing fan-out (TINY's best update, :func:`refgrow.growth.tiny.propose_tiny`) carries it
in ``NewNeurons.dW_next`` / ``db_next`` and the loop applies both with
:func:`refgrow.growth.proposals.apply_proposal`. The loss "before" is measured before ``propose`` is
called, the loss "after" once the proposal is applied.
Use :func:`functools.partial` to pass method options.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from refgrow._validation import check_callbacks, check_positive_int, check_rng
from refgrow.growth.proposals import NewNeurons, apply_proposal
from refgrow.jsonio import to_jsonable

__all__ = ["GrowthHistory", "GrowthResult", "grow"]


@dataclass
class GrowthHistory:
    """Record of a growth run.

    Attributes
    ----------
    steps : list of dict
        One entry per growth step: ``step``, ``epoch`` (epochs trained so far), ``width_before``,
        ``width_after``, ``n_params_before``, ``n_params_after``, ``train_loss_before/after``,
        ``train_acc_before/after``, ``val_loss_before/after``, ``val_acc_before/after`` (NaN when
        absent), ``k`` (neurons added), ``fallback`` (bool), ``info`` (the proposal's ``NewNeurons.info``).
    curve : dict of lists
        Per evaluation point (initial, every epoch, after every growth step): ``epoch``, ``n_params``,
        ``width``, ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``event``
        (``"init"``, ``"epoch"`` or ``"growth"``).
    stopped_by : str or None
        ``"target_width"``, ``"max_steps"``, ``"no_proposal"``, ``"diverged"``, ``"callback"``.
    """

    steps: list = field(default_factory=list)
    curve: dict = field(default_factory=lambda: {k: [] for k in (
        "epoch", "n_params", "width", "train_loss", "train_acc", "val_loss", "val_acc", "event")})
    stopped_by: str | None = None

    def _point(self, epoch, mlp, h, ev, event):
        c = self.curve
        c["epoch"].append(int(epoch))
        c["n_params"].append(int(mlp.n_params))
        c["width"].append(int(mlp.sizes[h + 1]))
        for key, v in zip(("train_loss", "train_acc", "val_loss", "val_acc"), ev):
            c[key].append(float(v))
        c["event"].append(event)

    def to_dict(self) -> dict:
        """JSON-friendly dict (NaN/inf written as None, arrays as lists)."""
        return to_jsonable({"steps": self.steps, "curve": self.curve, "stopped_by": self.stopped_by})


class GrowthResult(NamedTuple):
    """``(mlp, history)`` returned by :func:`grow`."""

    mlp: object
    history: GrowthHistory


def _evaluate(mlp, X, y, Xv, yv, loss):
    from refgrow.train import evaluate
    tl, ta = evaluate(mlp, X, y, loss)
    vl, va = evaluate(mlp, Xv, yv, loss) if Xv is not None else (np.nan, np.nan)
    return float(tl), float(ta), float(vl), float(va)


def grow(mlp, X, y, *, propose, loss="ce", optimizer=None, hidden_layer=0, k=1, target_width=None,
         max_steps=None, epochs_between=None, convergence=None, X_val=None, y_val=None,
         batch_size=None, rng=None, callbacks=(), fallback=None, final_epochs=0,
         max_phase_epochs=1000):
    """Grow one hidden layer of ``mlp`` with a ``propose`` method, training in between.

    Implements the growth schedule of Algorithm 1 (App. E.4) of 001 (TINY) for one layer: repeat
    {train for ``Delta t``; propose ``k`` neurons; add them; pad the optimiser}.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
        Start network (not modified; ``train`` works on a copy).
    X, y : training data (rows = samples)
    propose : callable ``(mlp, X, y, *, hidden_layer, k, rng, loss) -> NewNeurons | None``
    loss : {"ce", "mse"}
    optimizer : refgrow.optim optimizer, required when training happens
        Padded with ``optimizer.add_neurons(hidden_layer, k)`` after each growth step.
    hidden_layer : int, 0-based
    k : int >= 1, neurons per step (the last step adds fewer to land on ``target_width``)
    target_width : int, optional
        Stop when the layer has this many neurons.
    max_steps : int, optional
        Stop after this many growth steps. At least one of ``target_width``/``max_steps`` is required.
    epochs_between : int >= 1, optional
        Training epochs before each growth step (``Delta t``).
    convergence : callable ``test(history) -> bool``, optional
        Passed to :func:`refgrow.train.train`; a phase ends (and growth happens) when it returns True,
        or after ``epochs_between`` (or ``max_phase_epochs``) epochs.
    X_val, y_val : optional validation data (recorded, never used for decisions)
    batch_size : int, optional (None = full batch)
    rng : seed or Generator; passed to ``propose`` and to training
    callbacks : iterable of ``cb(step, mlp, growth_history) -> bool | None``; True stops after that step.
    fallback : callable with ``propose``'s signature, optional
        Called when ``propose`` returns None (completed-TINY).
    final_epochs : int >= 0
        Training epochs after the last growth step.
    max_phase_epochs : int
        Cap of a training phase driven by ``convergence`` alone.

    Returns
    -------
    GrowthResult
        ``(mlp, history)``: the grown network and its :class:`GrowthHistory`.
    """
    from refgrow.mlp import MLP
    from refgrow.train import check_dataset, train

    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be a refgrow.mlp.MLP, got {type(mlp).__name__}")
    if not callable(propose):
        raise TypeError(f"propose must be callable (mlp, X, y, *, hidden_layer, k, rng, loss), got {propose!r}")
    if fallback is not None and not callable(fallback):
        raise TypeError(f"fallback must be callable or None, got {fallback!r}")
    callbacks = check_callbacks(callbacks)
    h = mlp.check_hidden_layer(hidden_layer)
    k = check_positive_int(k, "k")
    if target_width is None and max_steps is None:
        raise ValueError("grow needs target_width or max_steps (otherwise it never stops)")
    if target_width is not None:
        target_width = check_positive_int(target_width, "target_width")
    if max_steps is not None:
        max_steps = check_positive_int(max_steps, "max_steps", minimum=0)
    if epochs_between is not None:
        epochs_between = check_positive_int(epochs_between, "epochs_between")
    final_epochs = check_positive_int(final_epochs, "final_epochs", minimum=0)
    max_phase_epochs = check_positive_int(max_phase_epochs, "max_phase_epochs")
    training = epochs_between is not None or convergence is not None
    if (training or final_epochs) and optimizer is None:
        raise ValueError("optimizer is required when epochs_between, convergence or final_epochs train")
    X, y = check_dataset(X, y, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1])
    if X_val is not None:
        X_val, y_val = check_dataset(X_val, y_val, loss, n_in=mlp.sizes[0], n_out=mlp.sizes[-1],
                                     names=("X_val", "y_val"))
    rng = check_rng(rng)
    mlp = mlp.copy()
    hist = GrowthHistory()
    epoch = 0
    hist._point(0, mlp, h, _evaluate(mlp, X, y, X_val, y_val, loss), "init")

    def phase(n_epochs, conv):
        nonlocal epoch
        th = train(mlp, X, y, loss=loss, optimizer=optimizer, epochs=n_epochs, batch_size=batch_size,
                   rng=rng, X_val=X_val, y_val=y_val, convergence=conv, progress=False)
        for i in range(len(th)):
            c = hist.curve
            c["epoch"].append(epoch + int(th.epoch[i]))
            c["n_params"].append(int(mlp.n_params))
            c["width"].append(int(mlp.sizes[h + 1]))
            c["train_loss"].append(th.train_loss[i])
            c["train_acc"].append(th.train_acc[i])
            c["val_loss"].append(th.val_loss[i])
            c["val_acc"].append(th.val_acc[i])
            c["event"].append("epoch")
        epoch += len(th)
        return th.stopped_by

    step = 0
    while True:
        width = mlp.sizes[h + 1]
        if target_width is not None and width >= target_width:
            hist.stopped_by = "target_width"
            break
        if max_steps is not None and step >= max_steps:
            hist.stopped_by = "max_steps"
            break
        if training:
            why = phase(epochs_between if epochs_between is not None else max_phase_epochs, convergence)
            if why == "diverged":
                hist.stopped_by = "diverged"
                break
        k_now = k if target_width is None else min(k, target_width - width)
        before = _evaluate(mlp, X, y, X_val, y_val, loss)
        n_before = mlp.n_params
        nn = propose(mlp, X, y, hidden_layer=h, k=k_now, rng=rng, loss=loss)
        used_fallback = False
        if nn is None and fallback is not None:
            nn = fallback(mlp, X, y, hidden_layer=h, k=k_now, rng=rng, loss=loss)
            used_fallback = True
        if nn is None:
            hist.steps.append({"step": step, "epoch": epoch, "width_before": width, "k": 0,
                               "proposal": None, "fallback": used_fallback})
            hist.stopped_by = "no_proposal"
            break
        if not isinstance(nn, NewNeurons):
            raise TypeError(f"propose must return NewNeurons or None, got {type(nn).__name__}")
        mlp = apply_proposal(mlp, h, nn)
        if optimizer is not None:
            optimizer.add_neurons(h, nn.k)
        after = _evaluate(mlp, X, y, X_val, y_val, loss)
        rec = {"step": step, "epoch": epoch, "width_before": width, "width_after": mlp.sizes[h + 1],
               "n_params_before": n_before, "n_params_after": mlp.n_params, "k": nn.k,
               "fallback": bool(used_fallback or nn.info.get("fallback", False)), "info": dict(nn.info)}
        for tag, ev in (("before", before), ("after", after)):
            for key, v in zip(("train_loss", "train_acc", "val_loss", "val_acc"), ev):
                rec[f"{key}_{tag}"] = v
        hist.steps.append(rec)
        hist._point(epoch, mlp, h, after, "growth")
        step += 1
        if any(cb(step, mlp, hist) for cb in callbacks):
            hist.stopped_by = "callback"
            break
    if final_epochs and hist.stopped_by != "diverged":
        if phase(final_epochs, None) == "diverged":
            hist.stopped_by = "diverged"
    return GrowthResult(mlp, hist)
