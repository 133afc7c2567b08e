r"""Paper 002 experiments: grow by folding at typical mistakes.

``python -m refgrow reproduce folding-sine | folding-quadratic | folding-fashion-mnist``

* ``folding-sine`` -- Fig. 1 analogue: a 2-2-2 ReLU network on the two-sine set grows one neuron at a
  time; each panel shows the decision boundary before (dashed) and after the growth step (filled
  regions), the new neuron's fold hyperplane at initialisation and after fine-tuning, the typical
  mistake (x) and the fold point (star). Explanation records go to JSON.
* ``folding-quadratic`` -- Table 1 analogue on the overlapping-quadratics set: grow to N hidden neurons
  vs initialise with N (default N = 50, 100), >= 10 seeds, test accuracy mean +- sample sd, Welch
  t-test p-values (scipy) against the first row, as the asterisks of 002's Table 1.
  ``--dataset fashion-mnist`` runs the same protocol on Fashion-MNIST (long).
* ``folding-fashion-mnist`` -- Fig. 3 analogue: the first nine typical mistakes on Fashion-MNIST shown as
  images with true / predicted labels. Fashion-MNIST stands in for MNIST (refgrow downloads nothing;
  Debian package ``dataset-fashion-mnist``); ``--data-dir`` accepts real MNIST IDX files. Without any
  data it runs on :func:`refgrow.datasets.synthetic_images` (10 classes of 28 x 28 bar images) and says so.
  CIFAR-10 (002's other data set) is out of scope for a NumPy MLP reference.

Protocol choices (002 gives no optimiser, batch size or epoch numbers; Appendix C is not in the text)
---------------------------------------------------------------------------------------------------
Adam (lr 1e-2 on the 2-D sets, 1e-3 on images), minibatches (32 / 128), convergence by
:class:`refgrow.stats.ADFConvergence` (002 Sec. 3.1) consulted after ``--min-epochs`` epochs of each
phase and capped by ``--epochs``; alpha = 0.1 for ``L_fold-reg``; ``out_init="uniform"`` (Alg. 1 literal).
The fixed-width baselines are trained with the same optimiser and convergence rule. Each grown network
is fine-tuned after its last growth step like every other phase; nothing else is trained further.
"""
from __future__ import annotations

import json
import os
import time

import numpy as np

from refgrow.cliargs import (ArgumentParser, int_list, nonneg_float, nonneg_int, out_dir,
                             positive_float, positive_int)

__all__ = ["folding_sine", "folding_quadratic", "folding_fashion_mnist", "table1_protocol", "plot_fold_step",
           "fold_step_legend"]


def _common(p, *, epochs, min_epochs, lr, batch):
    p.add_argument("--epochs", type=positive_int, default=epochs, help="epoch cap of every training phase")
    p.add_argument("--min-epochs", type=nonneg_int, default=min_epochs,
                   help="epochs of each phase before the ADF convergence test is consulted")
    p.add_argument("--lr", type=positive_float, default=lr, help="Adam learning rate")
    p.add_argument("--batch-size", type=positive_int, default=batch)
    p.add_argument("--alpha", type=nonneg_float, default=0.1, help="weight of the fold regulariser (Def. 5)")
    p.add_argument("--out-init", default="uniform", choices=("uniform", "zero", "descent"),
                   help="fan-out of the fold neuron (Alg. 1: uniform)")
    p.add_argument("--mistake-method", default="largest_cluster", choices=("largest_cluster", "loss_weighted"))
    p.add_argument("--n-clusters", type=positive_int, default=5)
    p.add_argument("--quick", action="store_true", help="small run for a smoke test")
    p.add_argument("--out", type=out_dir, default="out/folding",
                   help="directory for JSON results (default out/folding)")
    p.add_argument("--figures", type=out_dir, default=None, help="directory for figures (default: the --out directory)")


def _grower(mlp, X, y, a, rng, **kw):
    from refgrow.growth.folding import FoldingGrowth
    from refgrow.optim import Adam
    return FoldingGrowth(mlp, X, y, optimizer=Adam(a.lr), batch_size=a.batch_size, rng=rng,
                         max_epochs=a.epochs, min_epochs=a.min_epochs, alpha=a.alpha,
                         out_init=a.out_init, mistake_method=a.mistake_method, n_clusters=a.n_clusters, **kw)


# ----------------------------------------------------------------------------------------------
# Fig. 1 analogue
# ----------------------------------------------------------------------------------------------
def _gap_grid(mlp, g0, g1):
    out = mlp.predict(np.column_stack([g0.ravel(), g1.ravel()]))
    return (out[:, 1] - out[:, 0]).reshape(g0.shape)


def plot_fold_step(ax, before, after, rec, X, y, *, resolution=200, margin=0.3, title=None):
    """One Fig. 1 panel: regions of ``after``, boundary of ``before`` (dashed), the new neuron's
    hyperplane at init (green) and after fine-tuning (green dotted), mistake (x) and fold point (*)."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    ga = _gap_grid(after, g0, g1)
    ax.contourf(g0, g1, (ga > 0).astype(float), levels=[-0.5, 0.5, 1.5], cmap="coolwarm", alpha=0.25)
    ax.contour(g0, g1, ga, levels=[0.0], colors="k", linewidths=1.0)
    if before is not None:
        ax.contour(g0, g1, _gap_grid(before, g0, g1), levels=[0.0], colors="k", linewidths=0.8,
                   linestyles="dashed")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=6, edgecolors="none")
    if rec is not None:
        w, b = np.asarray(rec.w_in), rec.b_in
        ax.contour(g0, g1, g0 * w[0] + g1 * w[1] + b, levels=[0.0], colors="green", linewidths=1.2)
        k = rec.neuron_index
        wa, ba = after.weights[0][k], after.biases[0][k]
        ax.contour(g0, g1, g0 * wa[0] + g1 * wa[1] + ba, levels=[0.0], colors="green", linewidths=1.2,
                   linestyles="dotted")
        xm, xf = np.asarray(rec.x_mistake), np.asarray(rec.x_fold)
        ax.plot(*xm, "x", color="red", ms=10, mew=2.5)
        ax.plot(*xf, "*", color="gold", ms=14, mec="k")
        ax.plot([xm[0], xf[0]], [xm[1], xf[1]], "-", color="red", lw=0.8)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$", fontsize=8)
    ax.set_ylabel("$x_2$", fontsize=8)
    if title:
        ax.set_title(title, fontsize=8)


def fold_step_legend(fig, *, ncol=4, fontsize=7):
    """One key, below the panels, for the symbols of :func:`plot_fold_step`."""
    import matplotlib
    from matplotlib.lines import Line2D
    cm = matplotlib.colormaps["coolwarm"]
    handles = [
        Line2D([], [], color=cm(0.0), marker="o", ls="", ms=4, label="class 0"),
        Line2D([], [], color=cm(1.0), marker="o", ls="", ms=4, label="class 1"),
        Line2D([], [], color="k", lw=1.0, label="decision boundary after the step"),
        Line2D([], [], color="k", lw=0.8, ls="dashed", label="boundary before the step"),
        Line2D([], [], color="green", lw=1.2, label="new neuron's fold hyperplane at init"),
        Line2D([], [], color="green", lw=1.2, ls="dotted", label="... after fine-tuning"),
        Line2D([], [], color="red", marker="x", ls="", ms=8, mew=2, label="typical mistake"),
        Line2D([], [], color="gold", marker="*", ls="", ms=11, mec="k", label="fold point"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=fontsize, frameon=False)


def folding_sine(argv) -> int:
    """Fig. 1 analogue of 002 on the two-sine set (see the module docstring)."""
    from refgrow.datasets import overlapping_quadratics, two_sines
    from refgrow.mlp import MLP
    from refgrow.plotting import plt, savefig
    p = ArgumentParser(prog="refgrow reproduce folding-sine", description=folding_sine.__doc__)
    p.add_argument("--seed", type=nonneg_int, default=0)
    p.add_argument("--n", type=positive_int, default=400, help="training points")
    p.add_argument("--h0", type=positive_int, default=2, help="initial hidden width (slides: 2-2-2)")
    p.add_argument("--steps", type=positive_int, default=5, help="growth steps")
    p.add_argument("--dataset", default="two-sines", choices=("two-sines", "quadratics"))
    _common(p, epochs=500, min_epochs=100, lr=1e-2, batch=32)
    a = p.parse_args(argv)
    if a.quick:
        a.steps, a.epochs, a.min_epochs = min(a.steps, 2), min(a.epochs, 150), min(a.min_epochs, 30)
    rng = np.random.default_rng(a.seed)
    make = two_sines if a.dataset == "two-sines" else overlapping_quadratics
    ds = make(a.n, rng=rng)
    test = make(a.n, rng=rng)
    t0 = time.time()
    g = _grower(MLP.init([2, a.h0, 2], rng=rng), ds.X, ds.y, a, rng)
    g.train_initial()
    nets = [g.mlp.copy()]
    for _ in range(a.steps):
        if g.step() is None:
            break
        nets.append(g.mlp.copy())
    recs = g.records
    acc_test = [float(np.mean(np.argmax(m.predict(test.X), 1) == test.y)) for m in nets]
    print(f"folding-sine ({a.dataset}, seed {a.seed}): {len(recs)} neurons grown in {time.time() - t0:.1f}s"
          f" (stopped by {g.stopped_by or 'steps'})")
    print(f"{'step':>4} {'width':>5} {'mistake':>7} {'true':>4} {'pred':>4} {'cluster':>7} {'in-reg':>6} "
          f"{'flat':>5} {'acc before':>10} {'acc after':>9} {'test acc':>8} {'reg init':>8} {'reg end':>7}")
    print(f"{0:>4} {a.h0:>5} {'':>7} {'':>4} {'':>4} {'':>7} {'':>6} {'':>5} {'':>10} "
          f"{g.histories[0].train_acc[-1]:9.3f} {acc_test[0]:8.3f}")
    for r, at in zip(recs, acc_test[1:]):
        print(f"{r.step:>4} {r.neuron_index + 1:>5} {r.mistake_index:>7} {r.y_true:>4} {r.y_pred:>4} "
              f"{r.cluster_size:>7} {str(r.in_region):>6} {str(r.flat):>5} {r.acc_before:10.3f} "
              f"{r.acc_after:9.3f} {at:8.3f} {r.reg_at_init:8.3f} {r.reg_after:7.3f}")
    os.makedirs(a.out, exist_ok=True)
    a.figures = a.figures or a.out
    os.makedirs(a.figures, exist_ok=True)
    path = os.path.join(a.out, f"folding_{a.dataset}_seed{a.seed}.json")
    data = json.loads(g.to_json())
    data.update(test_acc=acc_test, args=vars(a))
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
    n = len(nets)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    P = plt()
    fig, axes = P.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    for k in range(rows * cols):
        ax = axes.flat[k]
        if k >= n:
            ax.axis("off")
            continue
        if k == 0:
            plot_fold_step(ax, None, nets[0], None, ds.X, ds.y,
                           title=f"trained 2-{a.h0}-2, acc {g.histories[0].train_acc[-1]:.3f}")
        else:
            r = recs[k - 1]
            plot_fold_step(ax, nets[k - 1], nets[k], r, ds.X, ds.y,
                           title=f"step {k}: neuron {r.neuron_index + 1} for #{r.mistake_index} "
                                 f"({r.y_true} as {r.y_pred}); acc {r.acc_before:.3f}->{r.acc_after:.3f}")
    fig.suptitle(f"002 Fig. 1 analogue: growing a 2-{a.h0}-2 ReLU network by folding at typical mistakes "
                 f"({a.dataset}, seed {a.seed})", fontsize=9)
    fold_step_legend(fig)
    fig.tight_layout(rect=(0, 0.07 if rows > 1 else 0.1, 1, 1))
    fpath = os.path.join(a.figures, f"folding_{'sine' if a.dataset == 'two-sines' else 'quadratic'}_growth.png")
    savefig(fig, fpath)
    P.close(fig)
    print(f"records: {path}\nfigure: {fpath}")
    return 0


# ----------------------------------------------------------------------------------------------
# Table 1 analogue
# ----------------------------------------------------------------------------------------------
def table1_protocol(train, test, widths, seeds, a, *, h0=1, progress=print, on_seed=None):
    """Grow to each width vs initialise with it, for every seed; returns {row label: [test acc]}.

    The grown networks start from ``h0`` hidden neurons and grow one fold neuron per step until the
    width (growth stops earlier only when no mistake is left: the plateau rule is disabled to reach
    the table's widths); each fixed-width network is trained with the same optimiser and
    convergence rule. Test accuracy of the final networks. ``on_seed(rows, reached)``, when given, is
    called after every seed (the experiment writes its partial table there).
    """
    from refgrow.growth.folding import fine_tune
    from refgrow.mlp import MLP
    from refgrow.optim import Adam
    from refgrow.stats import ADFConvergence
    D, K = train.X.shape[1], int(max(train.y.max(), test.y.max())) + 1
    rows = {f"growth to {w} hidden neurons": [] for w in widths}
    rows.update({f"initialized with {w} hidden neurons": [] for w in widths})
    reached = {w: [] for w in widths}
    for s in seeds:
        rng = np.random.default_rng(s)
        g = _grower(MLP.init([D, h0, K], rng=rng), train.X, train.y, a, rng, patience=None)
        g.train_initial()
        for w in sorted(widths):
            g.run(target_width=w, train_first=False)
            acc = float(np.mean(np.argmax(g.mlp.predict(test.X), 1) == test.y))
            rows[f"growth to {w} hidden neurons"].append(acc)
            reached[w].append(g.mlp.sizes[1])
        for w in widths:
            net = MLP.init([D, w, K], rng=rng)
            fine_tune(net, train.X, train.y, optimizer=Adam(a.lr), epochs=a.epochs, batch_size=a.batch_size,
                      rng=rng, convergence=ADFConvergence(), min_epochs=a.min_epochs)
            rows[f"initialized with {w} hidden neurons"].append(
                float(np.mean(np.argmax(net.predict(test.X), 1) == test.y)))
        progress(f"  seed {s}: " + ", ".join(f"{k.split(' hidden')[0]} {v[-1]:.4f}" for k, v in rows.items()))
        if on_seed is not None:
            on_seed(rows, reached)
    return rows, reached


def _print_table(rows, title):
    from scipy.stats import ttest_ind
    labels = list(rows)
    ref = np.asarray(rows[labels[0]])
    print(title)
    print(f"{'method':<36} {'test accuracy % (mean +- sample sd)':>36} {'Welch p vs row 1':>17}")
    out = {}
    for k in labels:
        v = 100 * np.asarray(rows[k])
        sd = float(v.std(ddof=1)) if v.size > 1 else float("nan")
        pv = float(ttest_ind(v, 100 * ref, equal_var=False).pvalue) if k != labels[0] and v.size > 1 else None
        star = "*" if pv is not None and pv < 1e-4 else ""
        ptxt = "" if pv is None else f"{pv:.3g}{star}"
        print(f"{k:<36} {f'{v.mean():.4f} +- {sd:.4f}':>36} {ptxt:>17}")
        out[k] = {"mean": float(v.mean()), "sd": sd, "p_welch_vs_first": pv, "values": v.tolist()}
    print("* p < 0.0001 (the threshold of 002's Table 1 asterisks)")
    return out


def folding_quadratic(argv) -> int:
    """Table 1 analogue of 002: grown vs fixed-width networks, >= 10 seeds, Welch t-test."""
    from refgrow.datasets import overlapping_quadratics, two_sines
    p = ArgumentParser(prog="refgrow reproduce folding-quadratic", description=folding_quadratic.__doc__)
    p.add_argument("--seeds", type=positive_int, default=10)
    p.add_argument("--widths", type=int_list, default="50,100", help="comma-separated hidden widths (002: 50,100)")
    p.add_argument("--n", type=positive_int, default=1000, help="training (and test) points for the 2-D sets")
    p.add_argument("--h0", type=positive_int, default=1, help="initial width of the grown networks")
    p.add_argument("--dataset", default="quadratics", choices=("quadratics", "two-sines", "fashion-mnist"))
    p.add_argument("--data-dir", default=None, help="MNIST-format IDX directory (fashion-mnist)")
    p.add_argument("--n-train", type=positive_int, default=None, help="fashion-mnist: training subset")
    _common(p, epochs=400, min_epochs=50, lr=1e-2, batch=32)
    a = p.parse_args(argv)
    widths = list(a.widths)
    if a.quick:
        widths, a.seeds, a.epochs, a.min_epochs = [4, 8], min(a.seeds, 3), min(a.epochs, 100), min(a.min_epochs, 20)
    if a.seeds < 2:
        p.error("--seeds must be >= 2 for a sample standard deviation and a t-test (002 uses >= 10)")
    if a.dataset == "fashion-mnist":
        splits = _load_images(a.data_dir, seed=0, n_train=a.n_train)
        if splits is None:
            return 2
        train, test = splits.train, splits.test
        if a.lr == 1e-2:
            a.lr = 1e-3
    else:
        make = overlapping_quadratics if a.dataset == "quadratics" else two_sines
        rng = np.random.default_rng(12345)
        train, test = make(a.n, rng=rng), make(a.n, rng=rng)
    t0 = time.time()
    print(f"folding Table 1 analogue on {a.dataset}: widths {widths}, seeds 0..{a.seeds - 1}")
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, f"folding_table1_{a.dataset}.json")

    def write(rows, reached, complete):
        """Raw per-seed accuracies so far (rewritten after every seed, so a finished seed is kept)."""
        with open(path, "w") as f:
            json.dump({"complete": complete, "seeds_done": len(next(iter(rows.values()))),
                       "rows_raw": rows, "widths_reached": {str(k): v for k, v in reached.items()},
                       "args": vars(a)}, f, indent=1)

    rows, reached = table1_protocol(train, test, widths, range(a.seeds), a, h0=a.h0,
                                    on_seed=lambda r, w: write(r, w, False))
    res = _print_table(rows, f"\nTable 1 analogue ({a.dataset}, {a.seeds} seeds, {time.time() - t0:.0f}s)")
    for w in widths:
        if any(r < w for r in reached[w]):
            print(f"note: growth to {w} stopped early (no mistake left) in some seeds; widths reached "
                  f"{reached[w]}")
    write(rows, reached, True)
    with open(path) as f:
        data = json.load(f)
    data["rows"] = res
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
    print(f"results: {path}")
    return 0


# ----------------------------------------------------------------------------------------------
# Fig. 3 analogue
# ----------------------------------------------------------------------------------------------
def _load_images(data_dir, seed, n_train=None, n_test=None, *, fallback=False):
    """Fashion-MNIST (or MNIST) splits from IDX files; ``None`` (with a message) when absent.

    With ``fallback=True`` a missing default directory gives the synthetic 10-class bar images of
    :func:`refgrow.datasets.synthetic_images` instead (28 x 28, like the real data); an explicit
    ``data_dir`` that does not exist is still an error.
    """
    from refgrow.datasets import FASHION_MNIST_DIR, Splits, load_fashion_mnist, synthetic_images
    d = FASHION_MNIST_DIR if data_dir is None else data_dir
    if not os.path.isdir(d):
        if fallback and data_dir is None:
            n_tr, n_te = n_train or 10000, n_test or 2000
            print(f"folding-fashion-mnist: no data at {d!r}; using synthetic bar images (10 classes, 28x28, "
                  f"{n_tr} training points). Install Debian's dataset-fashion-mnist or pass --data-dir for "
                  "the real data.")
            return Splits(synthetic_images(n_tr, rng=seed), synthetic_images(2000, rng=seed + 1),
                          synthetic_images(n_te, rng=seed + 2))
        print(f"folding-fashion-mnist: no data at {d!r}. refgrow downloads no data sets: install the Debian "
              "package dataset-fashion-mnist (files in /usr/share/datasets/fashion-mnist) or pass "
              "--data-dir DIR with the four MNIST-format IDX files (real MNIST works too).")
        return None
    try:
        return load_fashion_mnist(d, rng=seed, n_val=5000, n_train=n_train, n_test=n_test)
    except (ValueError, OSError) as exc:
        print(f"folding-fashion-mnist: could not read IDX files from {d!r}: {exc}")
        return None


def folding_fashion_mnist(argv) -> int:
    """Fig. 3 analogue of 002: the first nine typical mistakes on Fashion-MNIST (or MNIST)."""
    from refgrow.datasets import FASHION_MNIST_CLASSES
    from refgrow.mlp import MLP
    from refgrow.plotting import plt, savefig
    p = ArgumentParser(prog="refgrow reproduce folding-fashion-mnist",
                                description=folding_fashion_mnist.__doc__)
    p.add_argument("--data-dir", default=None, help="MNIST-format IDX directory (default: Fashion-MNIST)")
    p.add_argument("--seed", type=nonneg_int, default=0)
    p.add_argument("--n-train", type=nonneg_int, default=10000, help="training subset (None-like 0 = all)")
    p.add_argument("--h0", type=positive_int, default=10)
    p.add_argument("--steps", type=positive_int, default=9)
    p.add_argument("--mnist-labels", action="store_true", help="label images with digits, not clothing names")
    _common(p, epochs=200, min_epochs=20, lr=1e-3, batch=128)
    a = p.parse_args(argv)
    if a.quick:
        a.n_train, a.steps, a.epochs, a.min_epochs = min(a.n_train or 2000, 2000), min(a.steps, 3), 30, 20
    splits = _load_images(a.data_dir, a.seed, n_train=a.n_train or None, fallback=True)
    if splits is None:
        return 2
    from refgrow.datasets import FASHION_MNIST_DIR, SYNTHETIC_IMAGE_CLASSES
    synthetic = a.data_dir is None and not os.path.isdir(FASHION_MNIST_DIR)
    data_name = "synthetic bar images" if synthetic else ("MNIST-format data" if a.data_dir else "Fashion-MNIST")
    names = (list(SYNTHETIC_IMAGE_CLASSES) if synthetic else
             [str(k) for k in range(10)] if (a.mnist_labels or a.data_dir) else list(FASHION_MNIST_CLASSES))
    tr, va, te = splits
    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    g = _grower(MLP.init([tr.X.shape[1], a.h0, 10], rng=rng), tr.X, tr.y, a, rng, X_val=va.X, y_val=va.y,
                patience=None)
    g.train_initial()
    acc0 = float(np.mean(np.argmax(g.mlp.predict(te.X), 1) == te.y))
    print(f"folding-fashion-mnist: 784-{a.h0}-10 trained, test acc {acc0:.4f} ({time.time() - t0:.0f}s)")
    print(f"{'step':>4} {'mistake':>7} {'true':>12} {'predicted':>12} {'cluster':>7} {'val acc before':>14} "
          f"{'after':>6} {'test acc':>8}")
    for _ in range(a.steps):
        r = g.step()
        if r is None:
            break
        acc = float(np.mean(np.argmax(g.mlp.predict(te.X), 1) == te.y))
        print(f"{r.step:>4} {r.mistake_index:>7} {names[r.y_true]:>12} {names[r.y_pred]:>12} {r.cluster_size:>7} "
              f"{r.val_acc_before:14.4f} {r.val_acc_after:6.4f} {acc:8.4f}")
    recs = g.records
    os.makedirs(a.out, exist_ok=True)
    a.figures = a.figures or a.out
    os.makedirs(a.figures, exist_ok=True)
    path = os.path.join(a.out, f"folding_fashion_mnist_seed{a.seed}.json")
    data = json.loads(g.to_json())
    for d in data["records"]:                  # images are in the data set; keep the JSON small
        d["x_mistake"] = d["x_fold"] = d["x_fold_linear"] = d["w_in"] = None
    data["args"] = vars(a)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
    P = plt()
    rows = max(1, int(np.ceil(len(recs) / 3)))
    fig, axes = P.subplots(rows, 3, figsize=(6.5, 2.4 * rows + 0.6), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(recs):
            r = recs[k]
            ax.imshow(tr.X[r.mistake_index].reshape(28, 28), cmap="gray_r")
            ax.set_title(f"growth {r.step}: true {names[r.y_true]}\npredicted {names[r.y_pred]}", fontsize=8)
    fig.suptitle(f"002 Fig. 3 analogue on {data_name}: typical mistakes of the first growth steps",
                 fontsize=9)
    fig.tight_layout()
    fpath = os.path.join(a.figures, "folding_fashion_mnist_mistakes.png")
    savefig(fig, fpath)
    P.close(fig)
    print(f"records: {path}\nfigure: {fpath}  ({time.time() - t0:.0f}s)")
    return 0
