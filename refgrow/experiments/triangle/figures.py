r"""Figures of the triangle reproductions (analogues of Figs. 1, 3, 4, 6, 7, 8 and 15 of the triangle
paper [docs/references.md#triangle]); a by-product of the tables, never needed for their numbers.

Symbol table: ``res`` is a :func:`refgrow.experiments.triangle.run_protocol` result, ``models`` maps a
training type to its stacked ``(Ws, bs)``, ``seeds`` is the runs per target, ``out`` the output folder.
"""
from __future__ import annotations

import os

import numpy as np

from refgrow import triangle as tr
from refgrow.datasets import sparse_split
from refgrow.experiments.triangle.labels import LABELS, NONCONVEX_LABELS
from refgrow.plotting import plot_layer_outputs

__all__ = ["best_run", "figure_construction", "figure_layers", "figure_sparse", "figure_nonconvex"]

def _plt():
    from refgrow.plotting import plt
    return plt()


def best_run(res, typ, target, seeds, k, key="train_mse"):
    """Index (into the run axis) of the run of ``typ`` with the smallest ``key`` on target number ``k``."""
    arr = np.array(res[typ][target][key])
    return k * seeds + int(np.argmin(arr))


def figure_construction(out):
    """Figs. 1 and 3 analogues: waves, Yarotsky's x^2 and its derivative; the neurons of App. A.1."""
    plt = _plt()
    x = np.linspace(0, 1, 2049)
    fig, ax = plt.subplots(3, 1, figsize=(6, 7), sharex=True)
    for n in range(1, 5):
        a = np.full(n + 1, 0.5)
        s = tr.differentiable_scales(a)
        ax[0].plot(x, tr.triangle_waves(x, a)[n - 1], label=f"$W_{n - 1}$")
        f = tr.triangle_series(x, a, s)
        ax[1].plot(x, f, label=f"$f_{n}$")
        ax[2].plot(x[:-1], np.diff(f) / np.diff(x), label=f"$f_{n}'$")
    ax[1].plot(x, x ** 2, "k:", label="$x^2$")
    ax[2].plot(x, 2 * x, "k:", label="$2x$")
    for a_, yl in zip(ax, ("wave W_i(x)", "series f_n(x)", "slope f_n'(x)")):
        a_.legend(fontsize=7)
        a_.set_ylabel(yl, fontsize=8)
    ax[2].set_xlabel("input x (dimensionless, on [0, 1])", fontsize=8)
    ax[0].set_title("003 Fig. 1 analogue (all a_i = 1/2): W_i, f_n -> x^2, f_n' -> 2x", fontsize=9)
    fig.tight_layout()
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "triangle_fig1_waves.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)
    a = tr.random_peaks(6, rng=1)
    net = tr.triangle_network(a, sign=-1)
    _, cache = net.forward(x[:, None])
    fig, ax = plt.subplots(1, 5, figsize=(16, 2.8))
    plot_layer_outputs(x, cache, ["sum", "t1", "t2", "bias"], axes=ax)
    fig.suptitle("003 Fig. 3 analogue: neuron outputs of the width-4 network (random peaks)")
    fig.tight_layout()
    path = os.path.join(out, "triangle_fig3_neurons.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)


def figure_layers(models, targets, res, out, name):
    """Fig. 6 analogue: pre-activations of every layer of the best 'skipped' vs 'enforced' model."""
    plt = _plt()
    seeds = len(res["enforced"][targets[0]]["train_mse"])
    x = np.linspace(0, 1, 2001)[:, None]
    typs = [t for t in ("skipped", "enforced") if t in models]
    L = len(models[typs[0]][0])
    fig, axes = plt.subplots(len(typs), L, figsize=(2.6 * L, 2.4 * len(typs)), squeeze=False)
    for i, typ in enumerate(typs):
        Ws, bs = models[typ]
        r = best_run(res, typ, targets[0], seeds, 0)
        A = x
        for l in range(L):
            Z = A @ Ws[l][r].T + bs[l][r]
            scale = np.maximum(np.abs(Z).max(axis=0), 1e-300)
            lines = axes[i, l].plot(x[:, 0], Z / scale)  # each neuron scaled to max |z| = 1
            axes[i, l].axhline(0, color="k", lw=0.5)
            if i == len(typs) - 1:
                axes[i, l].set_xlabel("input x", fontsize=8)
            if l == 0:
                axes[i, l].set_ylabel("z / max|z|", fontsize=8)
                axes[i, l].legend(lines, [f"neuron {j + 1}" for j in range(len(lines))], fontsize=6,
                                  loc="lower right")
            axes[i, l].set_title(f"{typ}: layer {l + 1}" if l < L - 1 else f"{typ}: output", fontsize=8)
            A = np.maximum(Z, 0)
    fig.suptitle(f"003 Fig. 6 analogue ({targets[0]}): pre-activations of the best model of each type, "
                 "each neuron scaled to max |z| = 1")
    fig.tight_layout()
    path = os.path.join(out, f"triangle_fig6_{name}.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)


def figure_sparse(models, targets, res, seeds, out):
    """Fig. 4 analogue: best Default vs best differentiable-pretraining fit of the sparse x^3 data."""
    plt = _plt()
    tr_set, te_set = sparse_split("x3")
    x = np.linspace(0, 1, 400)[:, None]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
    for i, typ in enumerate(("default", "enforced")):
        Ws, bs = models[typ]
        r = best_run(res, typ, "x3", seeds, 0, key="test_mse")
        out_, _ = tr.batched_forward([W[r:r + 1] for W in Ws], [b[r:r + 1] for b in bs], x)
        ax[i].plot(x[:, 0], x[:, 0] ** 3, "k:", lw=1, label="x^3")
        ax[i].plot(x[:, 0], out_[0, :, 0], label=LABELS[typ])
        ax[i].plot(tr_set.X[:, 0], tr_set.y[:, 0], "o", label="train")
        ax[i].plot(te_set.X[:, 0], te_set.y[:, 0], "x", label="test")
        ax[i].set_title(f"{LABELS[typ]}: test MSE {res[typ]['x3']['test_mse'][r]:.2e}", fontsize=9)
        ax[i].set_xlabel("input x", fontsize=8)
        ax[i].set_ylabel("output y", fontsize=8)
        ax[i].legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(out, "triangle_fig4_sparse.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)


def figure_nonconvex(bests, tasks, out):
    """Figs. 7, 8 and 15 analogues."""
    plt = _plt()
    from refgrow.regions import count_grid_regions_2d, count_linear_regions, grid_patterns_2d
    for name, X, Y, _J, D, C, loss, _ in tasks:
        best = bests[name]
        if name == "x3-x":
            fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
            x = np.linspace(-1, 1, 600)[:, None]
            for i, key in enumerate(("kaiming_dense", "ours_dense")):
                net = best[key][0]
                ax[i].plot(x[:, 0], x[:, 0] ** 3 - x[:, 0], "k:", label="x^3 - x")
                ax[i].plot(x[:, 0], net.predict(x)[:, 0], label=NONCONVEX_LABELS[key])
                nreg = count_linear_regions(net, -1.0, 1.0)
                ax[i].set_title(f"{NONCONVEX_LABELS[key]}\nMSE {net.loss(X, Y, loss='mse'):.2e}, "
                                f"{nreg} linear regions", fontsize=8)
                ax[i].set_xlabel("input x", fontsize=8)
                ax[i].set_ylabel("output y", fontsize=8)
                ax[i].legend(fontsize=7)
            fig.tight_layout()
            path = os.path.join(out, "triangle_fig7_cubic_minus_x.png")
        elif name == "r3":
            fig, ax = plt.subplots(1, 2, figsize=(9, 4))
            for i, key in enumerate(("kaiming_dense", "ours_dense")):
                net = best[key][0]
                labels, xs, ys = grid_patterns_2d(net, resolution=300)
                ax[i].imshow(labels % 20, origin="lower", extent=(-1, 1, -1, 1), cmap="tab20")
                ax[i].set_title(f"{NONCONVEX_LABELS[key]}\nMSE {net.loss(X, Y, loss='mse'):.2e}, "
                                f"{count_grid_regions_2d(net, resolution=300)} patterns on grid", fontsize=8)
                ax[i].set_xlabel("input x_1", fontsize=8)
                ax[i].set_ylabel("input x_2", fontsize=8)
            fig.tight_layout()
            path = os.path.join(out, "triangle_fig8_r_cubed.png")
        else:
            from refgrow.plotting import decision_regions
            fig, ax = plt.subplots(1, 2, figsize=(9, 4))
            for i, key in enumerate(("ours_block", "kaiming_block")):
                net = best[key][0]
                decision_regions(net, X, Y, ax=ax[i],
                                 title=f"{NONCONVEX_LABELS[key]}: CE {net.loss(X, Y, loss='ce'):.3g}")
            fig.tight_layout()
            path = os.path.join(out, "triangle_fig15_spirals.png")
        os.makedirs(out, exist_ok=True)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        print("wrote", path)

