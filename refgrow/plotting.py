"""Matplotlib figures shared by the CLI, the experiments, the gallery and the tutorials.

The Agg backend is selected when there is no display. Figures meant for readers go through
:func:`show`: it saves the PNG under :func:`figure_dir` (``REFGROW_FIGURES``, else ``out/figures``;
never the committed ``figures/`` gallery, which only ``python -m refgrow figures --out figures``
rewrites) and, inside a Jupyter kernel, also displays it inline.
"""
from __future__ import annotations

import io
import os
import sys

import numpy as np

__all__ = ["plt", "decision_regions", "plot_history", "plot_layer_outputs", "savefig", "figure_dir", "show",
           "in_notebook"]

#: Environment variable naming the directory where tutorials write their figures.
FIGURES_ENV = "REFGROW_FIGURES"


def _pyplot():
    import matplotlib
    if not os.environ.get("DISPLAY") and "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plt():
    """``matplotlib.pyplot``, with the Agg backend selected on headless machines."""
    return _pyplot()


def decision_regions(mlp, X, y, *, ax=None, resolution=200, margin=0.3, title=None):
    """Filled predicted-class regions of a 2-D classifier with the data on top.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP with 2 inputs
    X : (n, 2); y : (n,) int
    """
    p = _pyplot()
    if ax is None:
        _, ax = p.subplots(figsize=(5, 4))
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    pred = mlp.predict(np.column_stack([g0.ravel(), g1.ravel()])).argmax(axis=1).reshape(g0.shape)
    ax.contourf(g0, g1, pred, alpha=0.25, cmap="coolwarm", levels=np.arange(pred.max() + 2) - 0.5)
    ax.contour(g0, g1, pred, colors="k", linewidths=0.8, levels=np.arange(pred.max() + 1) + 0.5)
    classes = np.unique(y)
    cmap = p.get_cmap("coolwarm")
    for c in classes:                                   # one scatter per class, so the legend is a key
        col = cmap(0.0 if classes.size == 1 else float(np.searchsorted(classes, c)) / (classes.size - 1))
        ax.scatter(X[y == c, 0], X[y == c, 1], color=col, s=8, edgecolors="none", label=f"class {c}")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(fontsize=7, loc="best", markerscale=2, title="data (shading: prediction)", title_fontsize=7,
              framealpha=0.8)
    if title:
        ax.set_title(title)
    return ax


_HISTORY_LABELS = {"train_loss": "training", "val_loss": "validation", "train_acc": "training accuracy",
                   "val_acc": "validation accuracy"}


def plot_history(history, *, ax=None, keys=("train_loss", "val_loss"), logy=True, title=None,
                 ylabel="loss"):
    """Loss curves of a :class:`refgrow.train.History` (x: epoch, y: ``ylabel``, one line per key)."""
    p = _pyplot()
    if ax is None:
        _, ax = p.subplots(figsize=(5, 3.5))
    for k in keys:
        v = np.asarray(getattr(history, k), dtype=float)
        if np.isfinite(v).any():
            ax.plot(history.epoch, v, label=_HISTORY_LABELS.get(k, k))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel + (" (log scale)" if logy else ""))
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_layer_outputs(x, cache, names, *, axes, fontsize=8):
    """One panel per hidden layer: each neuron's output ``a_l[:, j]`` against a 1-D input ``x``.

    Parameters
    ----------
    x : (n,) inputs; cache : the ``ForwardCache`` of ``mlp.forward(x[:, None])``
    names : one label per neuron (e.g. ``["sum", "t1", "t2", "bias"]`` for paper 003's network)
    axes : sequence of matplotlib axes, one per hidden layer
    """
    for l, ax in enumerate(axes):
        for j, name in enumerate(names):
            ax.plot(x, cache.inputs[l + 1][:, j], label=name)
        ax.set_title(f"hidden layer {l + 1}", fontsize=fontsize)
        ax.set_xlabel("input x", fontsize=fontsize)
    axes[0].set_ylabel("neuron output (after ReLU)", fontsize=fontsize)
    axes[0].legend(fontsize=7, title="neuron", title_fontsize=7)
    return axes


def savefig(fig, path, *, dpi=120, close=True):
    """Save ``fig`` to ``path`` (creating the directory) and close it unless ``close=False``; returns
    the path. PNGs carry no date or version metadata, so the same figure gives the same bytes."""
    d = os.path.dirname(os.fspath(path))
    if d:
        os.makedirs(d, exist_ok=True)
    kw = {"metadata": {"Software": None}} if os.fspath(path).endswith(".png") else {}
    fig.savefig(path, dpi=dpi, bbox_inches="tight", **kw)
    if close:
        _pyplot().close(fig)
    return path


def figure_dir(default=os.path.join("out", "figures")):
    """Directory for figures written by tutorials: ``$REFGROW_FIGURES`` or ``default`` (created).

    Relative paths are relative to the current directory; no path is derived from ``__file__``, so the
    same code runs as a script and as a notebook.
    """
    d = os.environ.get(FIGURES_ENV) or default
    os.makedirs(d, exist_ok=True)
    return d


def in_notebook() -> bool:
    """True inside a Jupyter (IPython) kernel, where figures can be displayed inline."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel implies IPython
        return False
    ip = get_ipython()
    return ip is not None and hasattr(ip, "kernel")


def show(fig, name=None, *, directory=None, dpi=110):
    """Save ``fig`` as ``directory/name`` (default :func:`figure_dir`), display it inline in a notebook,
    then close it. Returns the path written (``None`` when ``name`` is ``None``).

    The inline image is rendered to PNG here, so it appears whatever matplotlib backend the kernel
    uses (also ``MPLBACKEND=Agg``).
    """
    path = None
    if name is not None:
        path = savefig(fig, os.path.join(directory or figure_dir(), name), dpi=dpi, close=False)
    if in_notebook():
        from IPython.display import Image, display
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        display(Image(data=buf.getvalue(), format="png"))
    _pyplot().close(fig)
    return path
