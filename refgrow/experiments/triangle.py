r"""Paper 003 experiments: Tables 1-3 (Sec. 4) and the Sec. 5 / App. A.9 extensions.

``python -m refgrow reproduce triangle-table1 | triangle-table2 | triangle-table3 | triangle-nonconvex``
with ``--seeds``, ``--epochs``, ``--quick``, ``--out``.

Protocol (Sec. 4.1): networks 1-4-4-4-4-4-1 (five hidden layers, so six peaks), MSE, Adam with
learning rate 1e-3, 30 seeds, 500 evenly spaced points on [0, 1]; reparameterised types share the
starting peaks of each seed; pretraining 1000 epochs, then 1000 epochs on the raw weights with a
fresh Adam state (App. A.9). Table entries are the minimum and mean over seeds of the final training
MSE (Tables 1-2) or of the test MSE on the sparse split (Table 3).

Every run of a table is trained at once: parameters carry a leading "run" axis (seeds x targets),
forward/backward are batched matrix products, Adam is elementwise, so R runs cost about one run's
Python overhead.

Interpretation notes
--------------------
* **Epoch = one full-batch step.** The paper does not give a batch size; 500 points are one batch
  here (``--batch-size`` gives minibatches instead).
* **Baselines get the paper's 1000 epochs.** "All models are trained ... for 1,000 epochs"; the
  pretrained types run 1000 pretraining + 1000 weight epochs (App. A.1). ``--baseline-epochs`` changes
  the baselines' (and "pretraining skipped"'s) budget, e.g. to 2000 for equal step counts.
* **RAAI** is the anti-correlated approximation documented in :func:`refgrow.triangle.raai_init`
  and is printed as "RAAI (approx.)".
* **Collapsed networks.** A run is counted as collapsed when some hidden layer is zero on every
  training input at the end (the dying-ReLU failure of Sec. 4.2); the count is printed beside the table.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from refgrow import triangle as tr
from refgrow.datasets import TARGETS_1D, sparse_split, target_1d
from refgrow.plotting import plot_layer_outputs

__all__ = ["table1", "table2", "table3", "nonconvex", "run_protocol", "TYPES", "LABELS"]

TYPES = ("default", "raai", "skipped", "not_enforced", "enforced")
LABELS = {
    "default": "Default Network (Kaiming)",
    "raai": "RAAI Distribution (approx.)",
    "skipped": "Pretraining Skipped",
    "not_enforced": "Differentiability Not Enforced",
    "enforced": "Differentiability Enforced",
}
PAPER = {  # Tables 1-3 of 003: (min, mean) per target
    "table1": {
        "default": {"x3": (2.11e-5, 7.20e-2), "x11": (2.19e-5, 2.82e-2)},
        "raai": {"x3": (2.14e-5, 3.97e-2), "x11": (4.40e-5, 4.12e-2)},
        "skipped": {"x3": (7.63e-7, 3.89e-5), "x11": (1.86e-5, 3.56e-4)},
        "not_enforced": {"x3": (1.64e-7, 1.02e-5), "x11": (3.20e-6, 3.73e-5)},
        "enforced": {"x3": (7.86e-8, 5.27e-7), "x11": (8.86e-7, 7.87e-6)},
    },
    "table2": {
        "default": {"sin": (4.50e-5, 1.15e-1), "tanh3x": (5.75e-5, 1.96e-1)},
        "raai": {"sin": (3.59e-5, 3.63e-2), "tanh3x": (1.09e-5, 2.31e-2)},
        "skipped": {"sin": (1.96e-7, 1.93e-5), "tanh3x": (1.07e-6, 8.38e-5)},
        "not_enforced": {"sin": (4.41e-8, 1.47e-5), "tanh3x": (1.49e-7, 3.81e-4)},
        "enforced": {"sin": (5.06e-8, 2.21e-7), "tanh3x": (6.82e-8, 8.42e-7)},
    },
    "table3": {
        "default": {"x3": (2.41e-4, None), "x11": (2.14e-3, None), "sin": (2.27e-5, None),
                    "tanh3x": (1.60e-4, None)},
        "enforced": {"x3": (5.65e-6, None), "x11": (6.53e-4, None), "sin": (7.92e-7, None),
                     "tanh3x": (5.09e-6, None)},
    },
}


# ----------------------------------------------------------------------------- batched training
def _mse(Ws, bs, X, Y):
    out, _ = tr.batched_forward(Ws, bs, X)
    return np.mean((out - Y) ** 2, axis=(1, 2))


def _collapsed(Ws, bs, X):
    _, (inputs, masks) = tr.batched_forward(Ws, bs, X)
    dead = np.zeros(Ws[0].shape[0], bool)
    for m in masks:
        dead |= ~m.any(axis=(1, 2))
    return dead


def train_raw(Ws, bs, X, Y, *, epochs, lr, batch_size=None, rng=None):
    """Adam (fresh state) on the raw weights of R networks at once; full batch unless ``batch_size``.

    Parameters
    ----------
    Ws, bs : lists of (R, out, in) / (R, out) arrays, updated in place
    X : (n, 1) shared inputs;  Y : (R, n, 1) targets
    epochs : int;  lr : float;  batch_size : int or None;  rng : for minibatch shuffling

    Returns
    -------
    losses : (epochs, R) MSE before each epoch's first step
    """
    params = list(Ws) + list(bs)
    opt = tr.ArrayAdam(params, lr)
    n = X.shape[0]
    rng = np.random.default_rng(rng)
    losses = np.empty((epochs, Ws[0].shape[0]))
    for e in range(epochs):
        if batch_size is None or batch_size >= n:
            batches = [slice(None)]
        else:
            perm = rng.permutation(n)
            batches = [perm[i:i + batch_size] for i in range(0, n, batch_size)]
        for k, idx in enumerate(batches):
            xb, yb = X[idx], Y[:, idx]
            out, cache = tr.batched_forward(Ws, bs, xb)
            r = out - yb
            if k == 0 and len(batches) == 1:
                losses[e] = np.mean(r * r, axis=(1, 2))
            dWs, dbs = tr.batched_backward(Ws, cache, 2.0 * r / (yb.shape[1] * yb.shape[2]))
            opt.step(params, list(dWs) + list(dbs))
        if len(batches) > 1:
            losses[e] = _mse(Ws, bs, X, Y)
    return losses


def run_protocol(targets, *, seeds=30, epochs=1000, baseline_epochs=None, lr=1e-3, lr2=1e-3,
                 types=TYPES, depth=5, c=tr.DEFAULT_C, seed=0, data="dense", n=500,
                 batch_size=None, keep_models=False):
    r"""Train the five training types of Tables 1-2 (or a subset) on several 1-D targets at once.

    Parameters
    ----------
    targets : list of names of :data:`refgrow.datasets.TARGETS_1D`
    seeds : int, runs per type and target (paper: 30)
    epochs : int, pretraining epochs and weight-training epochs of the pretrained types (paper: 1000)
    baseline_epochs : int, weight-training epochs of default / raai / skipped (default ``epochs``)
    lr, lr2 : float, Adam learning rates of pretraining and of the raw-weight phase
    types : subset of :data:`TYPES`
    depth : int, hidden layers (paper: 5; ``depth + 1`` peaks)
    c : float, peaks kept in [c, 1-c]
    seed : int, base seed (run ``k`` of every type uses the same starting point for every target)
    data : "dense" (500 points) or "sparse" (10 train / 10 test, Table 3)
    n : int, dense points
    batch_size : int or None
    keep_models : bool, keep final weights (for figures)

    Returns
    -------
    dict type -> target -> {"train_mse": [...], "test_mse": [...] or None, "collapsed": int}, plus
    ``"_models"`` (type -> (Ws, bs)) when ``keep_models`` and ``"_seconds"`` per type.
    """
    baseline_epochs = epochs if baseline_epochs is None else baseline_epochs
    T = len(targets)
    R = T * seeds
    if data == "dense":
        sets = [target_1d(t, n) for t in targets]
        X = sets[0].X
        Y = np.concatenate([np.repeat(s.y[None], seeds, axis=0) for s in sets], axis=0)
        Xte = Yte = None
    elif data == "sparse":
        pairs = [sparse_split(t) for t in targets]
        X = pairs[0][0].X
        Xte = pairs[0][1].X
        Y = np.concatenate([np.repeat(p[0].y[None], seeds, axis=0) for p in pairs], axis=0)
        Yte = np.concatenate([np.repeat(p[1].y[None], seeds, axis=0) for p in pairs], axis=0)
    else:
        raise ValueError(f"data must be 'dense' or 'sparse', got {data!r}")
    sign = np.repeat(np.array([float(TARGETS_1D[t][1]) for t in targets]), seeds)
    sizes = [1] + [4] * depth + [1]
    rng = np.random.default_rng(seed)
    a0 = np.stack([tr.random_peaks(depth + 1, c=c, rng=rng) for _ in range(seeds)])
    a0 = np.tile(a0, (T, 1))
    inits = {}
    Wd, bd = tr.torch_default_init(sizes, rng=np.random.default_rng([seed, 1]), runs=seeds)
    inits["default"] = ([np.tile(W, (T, 1, 1)) for W in Wd], [np.tile(b, (T, 1)) for b in bd])
    Wr, br, _ = tr.raai_init(sizes, rng=np.random.default_rng([seed, 2]), runs=seeds)
    inits["raai"] = ([np.tile(W, (T, 1, 1)) for W in Wr], [np.tile(b, (T, 1)) for b in br])
    res, models, seconds = {}, {}, {}
    for typ in types:
        t0 = time.perf_counter()
        if typ in ("default", "raai"):
            Ws, bs = [W.copy() for W in inits[typ][0]], [b.copy() for b in inits[typ][1]]
            train_raw(Ws, bs, X, Y, epochs=baseline_epochs, lr=lr2, batch_size=batch_size, rng=seed)
        elif typ == "skipped":
            Ws, bs = tr.batched_network_parameters(a0, tr.theorem31_ratios(a0, sign), sign)
            train_raw(Ws, bs, X, Y, epochs=baseline_epochs, lr=lr2, batch_size=batch_size, rng=seed)
        elif typ in ("not_enforced", "enforced"):
            free = typ == "not_enforced"
            a, S, _ = tr.batched_pretrain(a0, sign, X, Y, epochs=epochs, lr=lr, free=free, c=c)
            Ws, bs = tr.batched_network_parameters(a, S, sign)
            train_raw(Ws, bs, X, Y, epochs=epochs, lr=lr2, batch_size=batch_size, rng=seed)
        else:
            raise ValueError(f"unknown training type {typ!r}; choose from {TYPES}")
        seconds[typ] = time.perf_counter() - t0
        mse = _mse(Ws, bs, X, Y)
        test = _mse(Ws, bs, Xte, Yte) if Xte is not None else None
        dead = _collapsed(Ws, bs, X)
        res[typ] = {}
        for k, t in enumerate(targets):
            sl = slice(k * seeds, (k + 1) * seeds)
            res[typ][t] = {"train_mse": mse[sl].tolist(),
                           "test_mse": None if test is None else test[sl].tolist(),
                           "collapsed": int(dead[sl].sum())}
        if keep_models:
            models[typ] = (Ws, bs)
    res["_seconds"] = seconds
    if keep_models:
        res["_models"] = models
    return res


# ----------------------------------------------------------------------------- printing
def _fmt(v):
    return "      -   " if v is None else f"{v:10.2e}"


def format_table(res, targets, types, *, key="train_mse", stats=("min", "mean"), paper=None, title=""):
    """The paper's layout: one row per training type, Min columns then Mean columns."""
    cols = [f"{s.capitalize()} {t}" for s in stats for t in targets]
    lines = [title, f"{'Training Type':34s}" + "".join(f"{c:>14s}" for c in cols) + "   collapsed"]
    for typ in types:
        vals = []
        for s in stats:
            for t in targets:
                arr = np.array(res[typ][t][key])
                vals.append(float(arr.min() if s == "min" else arr.mean() if s == "mean" else np.median(arr)))
        dead = ",".join(str(res[typ][t]["collapsed"]) for t in targets)
        lines.append(f"{LABELS[typ]:34s}" + "".join(f"{v:14.2e}" for v in vals) + f"   {dead}")
        if paper and typ in paper:
            pv = []
            for s in stats:
                for t in targets:
                    p = paper[typ].get(t)
                    pv.append(None if p is None else (p[0] if s == "min" else p[1] if s == "mean" else None))
            lines.append(f"{'  (paper)':34s}" + "".join("    " + _fmt(v) for v in pv))
    return "\n".join(lines)


def _parser(name, default_seeds=30, default_epochs=1000):
    p = argparse.ArgumentParser(prog=f"python -m refgrow reproduce {name}")
    p.add_argument("--seeds", type=int, default=None, help=f"runs per type and target (paper {default_seeds})")
    p.add_argument("--epochs", type=int, default=None,
                   help=f"epochs per phase (paper {default_epochs}: pretraining and weight training)")
    p.add_argument("--baseline-epochs", type=int, default=None,
                   help="weight-training epochs of Default/RAAI/Skipped (default: --epochs)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam lr of pretraining (paper 1e-3)")
    p.add_argument("--lr2", type=float, default=1e-3,
                   help="Adam lr of the raw-weight phase (paper 1e-3; App. A.9 suggests lower)")
    p.add_argument("--batch-size", type=int, default=None, help="minibatch size (default: full batch)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="6 seeds, 300 epochs per phase")
    p.add_argument("--out", default="out/triangle", help="directory for JSON and figures (default out/triangle)")
    p.add_argument("--no-figures", action="store_true")
    return p


def _settings(args, quick_seeds=6, quick_epochs=300):
    seeds = args.seeds if args.seeds is not None else (quick_seeds if args.quick else 30)
    epochs = args.epochs if args.epochs is not None else (quick_epochs if args.quick else 1000)
    return seeds, epochs


def _write_json(out, name, payload):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"triangle_{name}.json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=1)
    return path


def _dense_table(name, targets, argv):
    args = _parser(f"triangle-{name}").parse_args(argv)
    seeds, epochs = _settings(args)
    t0 = time.perf_counter()
    res = run_protocol(targets, seeds=seeds, epochs=epochs, baseline_epochs=args.baseline_epochs,
                       lr=args.lr, lr2=args.lr2, seed=args.seed, batch_size=args.batch_size,
                       keep_models=not args.no_figures)
    wall = time.perf_counter() - t0
    models = res.pop("_models", None)
    print(format_table(res, targets, TYPES, paper=PAPER[name],
                       title=f"Paper 003 {name.replace('table', 'Table ')}: min / mean MSE over {seeds} seeds, "
                             f"{epochs} epochs per phase (collapsed = runs with a dead layer)"))
    print(f"wall time {wall:.1f} s")
    payload = {"experiment": f"triangle-{name}", "seeds": seeds, "epochs": epochs,
               "baseline_epochs": args.baseline_epochs or epochs, "lr": args.lr, "lr2": args.lr2,
               "batch_size": args.batch_size, "seed": args.seed, "wall_seconds": wall,
               "labels": LABELS, "results": res, "paper": PAPER[name]}
    print("wrote", _write_json(args.out, name, payload))
    if models is not None:
        try:
            if name == "table1":
                _figure_construction(args.out)
            _figure_layers(models, targets, res, args.out, name)
        except Exception as exc:  # figures are a by-product; never lose the table for them
            print("figure failed:", exc)
    return 0


def table1(argv):
    """Table 1 of 003: the five training types on x^3 and x^11 (dense data)."""
    return _dense_table("table1", ["x3", "x11"], argv)


def table2(argv):
    """Table 2 of 003: the five training types on sin(pi x/2) and tanh(3x) (dense data)."""
    return _dense_table("table2", ["sin", "tanh3x"], argv)


def table3(argv):
    """Table 3 of 003: Default vs differentiable pretraining trained on 10 points, tested on 10 between."""
    args = _parser("triangle-table3").parse_args(argv)
    seeds, epochs = _settings(args)
    targets = ["x3", "x11", "sin", "tanh3x"]
    types = ("default", "enforced")
    t0 = time.perf_counter()
    res = run_protocol(targets, seeds=seeds, epochs=epochs, baseline_epochs=args.baseline_epochs,
                       lr=args.lr, lr2=args.lr2, seed=args.seed, data="sparse", types=types,
                       keep_models=not args.no_figures)
    wall = time.perf_counter() - t0
    models = res.pop("_models", None)
    print(format_table(res, targets, types, key="test_mse", stats=("min", "median"), paper=PAPER["table3"],
                       title=f"Paper 003 Table 3: test MSE on the 10 unseen points, {seeds} seeds, "
                             f"{epochs} epochs per phase"))
    print(f"wall time {wall:.1f} s")
    payload = {"experiment": "triangle-table3", "seeds": seeds, "epochs": epochs, "lr": args.lr,
               "lr2": args.lr2, "seed": args.seed, "wall_seconds": wall, "labels": LABELS,
               "results": res, "paper": PAPER["table3"]}
    print("wrote", _write_json(args.out, "table3", payload))
    if models is not None:
        try:
            _figure_sparse(models, targets, res, seeds, args.out)
        except Exception as exc:
            print("figure failed:", exc)
    return 0


# ----------------------------------------------------------------------------- figures
def _plt():
    from refgrow.plotting import plt
    return plt()


def _best(res, typ, target, seeds, k, key="train_mse"):
    arr = np.array(res[typ][target][key])
    return k * seeds + int(np.argmin(arr))


def _figure_construction(out):
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
    for a_ in ax:
        a_.legend(fontsize=7)
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


def _figure_layers(models, targets, res, out, name):
    """Fig. 6 analogue: pre-activations of every layer of the best 'skipped' vs 'enforced' model."""
    plt = _plt()
    seeds = len(res["enforced"][targets[0]]["train_mse"])
    x = np.linspace(0, 1, 2001)[:, None]
    typs = [t for t in ("skipped", "enforced") if t in models]
    L = len(models[typs[0]][0])
    fig, axes = plt.subplots(len(typs), L, figsize=(2.6 * L, 2.4 * len(typs)), squeeze=False)
    for i, typ in enumerate(typs):
        Ws, bs = models[typ]
        r = _best(res, typ, targets[0], seeds, 0)
        A = x
        for l in range(L):
            Z = A @ Ws[l][r].T + bs[l][r]
            scale = np.maximum(np.abs(Z).max(axis=0), 1e-300)
            axes[i, l].plot(x[:, 0], Z / scale)          # each neuron scaled to max |z| = 1
            axes[i, l].axhline(0, color="k", lw=0.5)
            axes[i, l].set_title(f"{typ}: layer {l + 1}" if l < L - 1 else f"{typ}: output", fontsize=8)
            A = np.maximum(Z, 0)
    fig.suptitle(f"003 Fig. 6 analogue ({targets[0]}): pre-activations of the best model of each type, "
                 "each neuron scaled to max |z| = 1")
    fig.tight_layout()
    path = os.path.join(out, f"triangle_fig6_{name}.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)


def _figure_sparse(models, targets, res, seeds, out):
    """Fig. 4 analogue: best Default vs best differentiable-pretraining fit of the sparse x^3 data."""
    plt = _plt()
    tr_set, te_set = sparse_split("x3")
    x = np.linspace(0, 1, 400)[:, None]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
    for i, typ in enumerate(("default", "enforced")):
        Ws, bs = models[typ]
        r = _best(res, typ, "x3", seeds, 0, key="test_mse")
        out_, _ = tr.batched_forward([W[r:r + 1] for W in Ws], [b[r:r + 1] for b in bs], x)
        ax[i].plot(x[:, 0], x[:, 0] ** 3, "k:", lw=1, label="x^3")
        ax[i].plot(x[:, 0], out_[0, :, 0], label=LABELS[typ])
        ax[i].plot(tr_set.X[:, 0], tr_set.y[:, 0], "o", label="train")
        ax[i].plot(te_set.X[:, 0], te_set.y[:, 0], "x", label="test")
        ax[i].set_title(f"{LABELS[typ]}: test MSE {res[typ]['x3']['test_mse'][r]:.2e}", fontsize=9)
        ax[i].legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(out, "triangle_fig4_sparse.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)


def _nonconvex_runs(name, X, Y, *, blocks, depth, epochs, baseline_epochs, lr, lr2, seeds, seed, loss,
                    D, C, base_sizes, log, lstsq=True, lr_base=1e-3):
    """Ours (pretrained convex blocks, then dense and block-diagonal raw training) vs Kaiming."""
    from refgrow.mlp import MLP
    rows = {"ours_pretrained": [], "ours_dense": [], "ours_block": [], "kaiming_dense": [],
            "kaiming_block": []}
    best = {}
    for k in range(seeds):
        rng = np.random.default_rng([seed, k])
        model = tr.random_blocks(blocks, depth, D=D, C=C, rng=rng)
        if loss == "mse" and lstsq:
            model.fit_output(X, Y)
        hist = tr.pretrain_blocks(model, X, Y, loss=loss, epochs=epochs, lr=lr,
                                  varpro=loss == "mse" and lstsq)
        out, _ = model.forward(X)
        from refgrow.losses import get_loss
        rows["ours_pretrained"].append(float(get_loss(loss)(out, Y)[0]))
        for variant in ("dense", "block"):
            net, masks = model.to_mlp()
            h2 = tr.train_mlp_masked(net, X, Y, loss=loss, epochs=epochs, lr=lr2,
                                     masks=masks if variant == "block" else None)
            final = net.loss(X, Y, loss=loss)
            rows[f"ours_{variant}"].append(final)
            if final <= min(rows[f"ours_{variant}"]):
                best[f"ours_{variant}"] = (net, hist + h2)
        sizes = [D] + [5 * blocks] * depth + [C]
        for variant in ("dense", "block"):
            Ws, bs = tr.torch_default_init(sizes if variant == "block" else base_sizes, rng=rng)
            if variant == "block":
                _, masks = model.to_mlp()
                Ws = [W * m for W, m in zip(Ws, masks)]
            net = MLP(Ws, bs)
            h = tr.train_mlp_masked(net, X, Y, loss=loss, epochs=baseline_epochs, lr=lr_base,
                                    masks=masks if variant == "block" else None)
            final = net.loss(X, Y, loss=loss)
            rows[f"kaiming_{variant}"].append(final)
            if final <= min(rows[f"kaiming_{variant}"]):
                best[f"kaiming_{variant}"] = (net, h)
        log(f"  {name} seed {k}: " + ", ".join(f"{key} {v[-1]:.2e}" for key, v in rows.items()))
    return rows, best


NONCONVEX_LABELS = {
    "ours_pretrained": "ours, after pretraining (blocks)",
    "ours_dense": "ours, then dense raw training",
    "ours_block": "ours, then block-diagonal raw training",
    "kaiming_dense": "Kaiming dense (standard net)",
    "kaiming_block": "Kaiming block-diagonal",
}
PAPER_NONCONVEX = {"x3-x": {"ours": 4e-7, "standard 8x5": 8e-6},
                   "r3": {"ours": 3.5e-6, "standard 8x5": 1.5e-4},
                   "spirals (CE)": {"ours block-diag": 0.0032, "Kaiming block-diag": 0.63}}


def nonconvex(argv):
    """Sec. 5 of 003: x^3 - x (Fig. 7), r^3 (Fig. 8) with two convex blocks; App. A.9 two spirals.

    Ours: random-direction convex blocks (:class:`refgrow.triangle.BlockModel`), pretrained through
    the weight-setting map (Algorithm 1), then the equivalent MLP is trained on its raw weights either
    densely or with the block-diagonal mask. Baselines: a standard 1-8x5-1 (2-8x5-1) network with
    PyTorch's default init, and a Kaiming block-diagonal network of our shape (App. A.9).
    """
    from refgrow.datasets import cubic_minus_x, r_cubed_2d, two_spirals
    p = _parser("triangle-nonconvex")
    p.add_argument("--spiral-blocks", type=int, default=16, help="convex blocks for two spirals (paper 16)")
    p.add_argument("--only", choices=["x3-x", "r3", "spirals"], default=None)
    p.add_argument("--random-output", action="store_true",
                   help="train the random output combination with Adam (paper) instead of re-solving it "
                        "by least squares every pretraining step (MSE tasks)")
    p.add_argument("--lr-baseline", type=float, default=1e-3, help="Adam lr of the Kaiming baselines (1e-3)")
    p.set_defaults(lr=1e-2, lr2=1e-4)
    args = p.parse_args(argv)
    seeds = args.seeds if args.seeds is not None else (2 if args.quick else 5)
    epochs = args.epochs if args.epochs is not None else (200 if args.quick else 1000)
    base_epochs = args.baseline_epochs or 2 * epochs
    t0 = time.perf_counter()
    tasks = []
    if args.only in (None, "x3-x"):
        ds = cubic_minus_x(500 if not args.quick else 200)
        tasks.append(("x3-x", ds.X, ds.y, 2, 1, 1, "mse", [1] + [8] * 5 + [1]))
    if args.only in (None, "r3"):
        ds = r_cubed_2d(50 if not args.quick else 25)
        tasks.append(("r3", ds.X, ds.y, 2, 2, 1, "mse", [2] + [8] * 5 + [1]))
    if args.only in (None, "spirals"):
        ds = two_spirals(400, rng=args.seed)
        K = args.spiral_blocks if not args.quick else 4
        tasks.append(("spirals", ds.X, ds.y, K, 2, 2, "ce", [2] + [5 * K] * 5 + [2]))
    results, bests = {}, {}
    for name, X, Y, K, D, C, loss, base_sizes in tasks:
        rows, best = _nonconvex_runs(name, X, Y, blocks=K, depth=5, epochs=epochs, baseline_epochs=base_epochs,
                                     lr=args.lr, lr2=args.lr2, seeds=seeds,
                                     seed=args.seed, loss=loss, D=D, C=C, base_sizes=base_sizes, log=print,
                                     lstsq=not args.random_output, lr_base=args.lr_baseline)
        results[name] = {k: {"values": v, "min": float(np.min(v)), "median": float(np.median(v))}
                         for k, v in rows.items()}
        bests[name] = best
    wall = time.perf_counter() - t0
    print(f"\nPaper 003 Sec. 5 / App. A.9: final training loss (MSE; cross-entropy for spirals), "
          f"{seeds} seeds, {epochs} epochs per phase, baselines {base_epochs} epochs")
    print(f"{'':42s}" + "".join(f"{n:>22s}" for n in results))
    for key, lab in NONCONVEX_LABELS.items():
        print(f"{lab:42s}" + "".join(f"{results[n][key]['min']:10.2e} /{results[n][key]['median']:9.2e}"
                                      for n in results))
    print("(min / median over seeds)   paper:", PAPER_NONCONVEX)
    print(f"wall time {wall:.1f} s")
    payload = {"experiment": "triangle-nonconvex", "seeds": seeds, "epochs": epochs,
               "baseline_epochs": base_epochs, "wall_seconds": wall, "labels": NONCONVEX_LABELS,
               "results": results, "paper": PAPER_NONCONVEX}
    print("wrote", _write_json(args.out, "nonconvex", payload))
    if not args.no_figures:
        try:
            _figure_nonconvex(bests, tasks, args.out)
        except Exception as exc:
            print("figure failed:", exc)
    return 0


def _figure_nonconvex(bests, tasks, out):
    """Figs. 7, 8 and 15 analogues."""
    plt = _plt()
    from refgrow.regions import count_grid_regions_2d, count_linear_regions
    for name, X, Y, K, D, C, loss, _ in tasks:
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
            fig.tight_layout()
            path = os.path.join(out, "triangle_fig7_cubic_minus_x.png")
        elif name == "r3":
            fig, ax = plt.subplots(1, 2, figsize=(9, 4))
            for i, key in enumerate(("kaiming_dense", "ours_dense")):
                net = best[key][0]
                labels, xs, ys = __import__("refgrow.regions", fromlist=["x"]).grid_patterns_2d(net, resolution=300)
                ax[i].imshow(labels % 20, origin="lower", extent=(-1, 1, -1, 1), cmap="tab20")
                ax[i].set_title(f"{NONCONVEX_LABELS[key]}\nMSE {net.loss(X, Y, loss='mse'):.2e}, "
                                f"{count_grid_regions_2d(net, resolution=300)} patterns on grid", fontsize=8)
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
