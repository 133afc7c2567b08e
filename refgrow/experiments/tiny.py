r"""Paper 001 (TINY) experiments: TINY vs GradMax vs Random growth.

``python -m refgrow reproduce tiny-vs-gradmax [--part a|b|c|all] [--seeds S] [--quick] [--out DIR]``

(a) **Teacher-student regression** in GradMax's MLP set-up: inputs ``x ~ N(0, I_10)``, a ReLU teacher
    10 -> 10 -> 10, 1000 training points (and 1000 test points from the same teacher), MSE. The student
    starts at hidden width 5 and gets one neuron every 200 full-batch SGD steps (lr 0.1) until width 10,
    then 200 more steps. Compared: TINY (best update + neurons, amplitude by line search, Eq. 14), TINY
    with the neurons only (``update_existing=False``, to separate the neurons from the best update),
    GradMax (literal: zero fan-in), GradMax with the ``first_step`` fan-in (see the GradMax module note:
    zero-fan-in ReLU neurons get no gradient with ReLU'(0) = 0), Random (Gaussian, line search), and
    fixed widths 5 and 10 trained for the same number of steps.
(b) **Classification**: a one-hidden-layer MLP grown from width 1 on Fashion-MNIST (subset; the
    IDX files of ``/usr/share/datasets/fashion-mnist`` or ``--data-dir``), or, when the data is absent,
    on :func:`refgrow.datasets.synthetic_images` (10 classes of 14 x 14 bar images, so GradMax's
    ``k <= number of classes`` holds as on Fashion-MNIST). Adam, minibatches, ``k`` neurons every ``Delta t`` epochs up to a target
    width; accuracy vs number of parameters (as Figs. 5-6 of 001).
(c) **Pure growth** (Fig. 8 of 001): no gradient step at all, only neuron additions, TINY (neurons +
    best update, amplitude by line search in [0, L]) vs Random (line search in [-L, L]); accuracy vs
    number of parameters.

Outputs: printed tables; ``DIR/tiny_vs_gradmax.json`` (every curve) and
``DIR/tiny_vs_gradmax_summary.json`` (the tables only), both rewritten as soon as each part finishes, so
a finished part is never lost; figures ``DIR/tiny_teacher_student.png``, ``DIR/tiny_classification.png``,
``DIR/tiny_pure_growth.png``.

Symbol table
------------
==================  =======================  ==============================================
paper (001)         code                     meaning
==================  =======================  ==============================================
Delta t             ``--steps-between``      SGD steps (a) / epochs (b) between additions
s (start width)     ``start``                width of the grown layer at the start
K                   ``k``                    neurons per growth step
gamma*, L           ``info["gamma"]``, ``L`` amplitude factor of Eq. (14), search bound
lambda_k            ``info["singular_values"]``  TINY singular values of S^{-1/2} N
==================  =======================  ==============================================

Interpretation notes
--------------------
* The paper's experiments are on CIFAR-100 with ResNet18 (Table 1, Figs. 5-8); they are not reproduced
  here. These small-scale runs test the paper's qualitative claims: TINY's neurons decrease the loss
  immediately (first-order optimal, Prop. 3.3), GradMax's are function preserving and only help
  through training, Random neurons contribute almost nothing in pure growth (Sec. 5.2: "just about 1%").
* TINY is run with ``scaling="sqrt"`` and the Prop. 3.2 scale (no App. E.3 renormalisation), so
  ``gamma = 1`` is the full linearised natural-gradient move; the line search interval is ``[0, L]``.
"""
from __future__ import annotations

import functools
import json
import os
import time

import numpy as np

from refgrow.cliargs import ArgumentParser, out_dir, positive_int
from refgrow._validation import check_rng

__all__ = ["tiny_vs_gradmax", "teacher_student_run", "classification_run", "pure_growth_run"]

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def _methods():
    from refgrow.growth.gradmax import propose_gradmax
    from refgrow.growth.random_neurons import propose_random
    from refgrow.growth.tiny import propose_tiny
    return {
        "tiny": functools.partial(propose_tiny, L=2.0),
        "tiny-neurons-only": functools.partial(propose_tiny, L=2.0, update_existing=False),
        "gradmax": propose_gradmax,
        "gradmax-step": functools.partial(propose_gradmax, fan_in="first_step", eta=0.1),
        "random": functools.partial(propose_random, L=2.0),
    }


def _fallbacks():
    """completed-TINY (Sec. 4 of TINY): the TINY variants fall back on Random, composed by ``grow``."""
    from refgrow.growth.random_neurons import propose_random
    fb = functools.partial(propose_random, L=2.0)
    return {"tiny": fb, "tiny-neurons-only": fb}


def _stats(v):
    v = np.asarray(v, dtype=float)
    return float(np.mean(v)), float(np.std(v))


def _run_seed(rng) -> int:
    """The integer seed of one run: an int ``rng`` is used as is (the published runs), a numpy
    Generator (or ``None``) draws one.

    Every method of a run must start from the same initialisation, so each component of the run is
    seeded with this one integer rather than drawing from one shared stream.
    """
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng)
    return int(check_rng(rng).integers(2 ** 31))


# ------------------------------------------------------------------------------------------ (a)
def teacher_student_run(rng, *, methods=("tiny", "tiny-neurons-only", "gradmax", "gradmax-step", "random",
                                          "fixed5", "fixed10"), steps_between=200, lr=0.1, start=5, target=10,
                        n=1000):
    """Part (a) for one seed; returns ``{method: {"curve", "final_train", "final_test", "steps"}}``.

    ``rng``: int seed or numpy Generator (see :func:`_run_seed`).
    """
    from refgrow.datasets import teacher_student
    from refgrow.growth.loop import grow
    from refgrow.mlp import MLP
    from refgrow.optim import SGD
    from refgrow.train import train

    seed = _run_seed(rng)
    rng = np.random.default_rng(seed)
    ds, teacher = teacher_student(n, rng=rng, return_teacher=True)
    X_test = rng.normal(size=(n, ds.X.shape[1]))
    y_test = teacher.predict(X_test)
    init_seed = int(rng.integers(2 ** 31))
    total = steps_between * (target - start + 1)
    props = _methods()
    out = {}
    for m in methods:
        if m.startswith("fixed"):
            w = int(m[5:])
            mlp = MLP.init([ds.X.shape[1], w, ds.y.shape[1]], rng=init_seed)
            h = train(mlp, ds.X, ds.y, loss="mse", optimizer=SGD(lr), epochs=total, X_val=X_test,
                      y_val=y_test, record_initial=True, progress=False)
            curve = {"epoch": h.epoch, "train_loss": h.train_loss, "val_loss": h.val_loss,
                     "n_params": [mlp.n_params] * len(h)}
            out[m] = {"curve": curve, "final_train": h.train_loss[-1], "final_test": h.val_loss[-1],
                      "n_params": mlp.n_params, "steps": []}
            continue
        mlp = MLP.init([ds.X.shape[1], start, ds.y.shape[1]], rng=init_seed)
        res = grow(mlp, ds.X, ds.y, propose=props[m], fallback=_fallbacks().get(m), loss="mse",
                   optimizer=SGD(lr), k=1, target_width=target, epochs_between=steps_between,
                   final_epochs=steps_between, X_val=X_test, y_val=y_test, rng=seed)
        c = res.history.curve
        out[m] = {"curve": {k: c[k] for k in ("epoch", "train_loss", "val_loss", "n_params")},
                  "final_train": c["train_loss"][-1], "final_test": c["val_loss"][-1],
                  "n_params": res.mlp.n_params,
                  "steps": [{k: s.get(k) for k in ("epoch", "train_loss_before", "train_loss_after",
                                                  "n_params_after", "fallback")} for s in res.history.steps]}
    return out


# ------------------------------------------------------------------------------------------ data
def _classification_data(data_dir, n_train, n_test, seed):
    """Fashion-MNIST when its IDX files are on disk, else the synthetic 10-class bar images (14 x 14).

    The fallback keeps 10 classes, so every method's constraints hold as on the real data (GradMax adds
    at most ``d_next`` = number of classes neurons per step; part (b) adds 4).
    """
    from refgrow.datasets import load_fashion_mnist, synthetic_images
    d = data_dir or FASHION_DIR
    if os.path.isdir(d):
        sp = load_fashion_mnist(d, rng=seed, n_val=1000, n_train=n_train, n_test=n_test)
        return "fashion-mnist", sp.train.X, sp.train.y, sp.test.X, sp.test.y
    tr = synthetic_images(n_train, rng=seed, side=14)
    te = synthetic_images(n_test, rng=seed + 1, side=14)
    return "synthetic-bars (10 classes, 14x14; Fashion-MNIST not found)", tr.X, tr.y, te.X, te.y


# ------------------------------------------------------------------------------------------ (b)
def classification_run(rng, X, y, Xt, yt, *, methods=("tiny", "gradmax-step", "random", "fixed"),
                       start=1, target=33, k=4, epochs_between=1, final_epochs=5, lr=1e-3,
                       batch_size=128):
    """Part (b) for one seed: growth runs and a fixed-width baseline of the final width.

    ``rng``: int seed or numpy Generator (see :func:`_run_seed`).
    """
    seed = _run_seed(rng)
    from refgrow.growth.loop import grow
    from refgrow.mlp import MLP
    from refgrow.optim import Adam
    from refgrow.train import train

    K = int(np.max(y)) + 1
    D = X.shape[1]
    steps = int(np.ceil((target - start) / k))
    props = _methods()
    out = {}
    for m in methods:
        if m == "fixed":
            mlp = MLP.init([D, target, K], rng=seed)
            h = train(mlp, X, y, loss="ce", optimizer=Adam(lr), epochs=steps * epochs_between + final_epochs,
                      batch_size=batch_size, rng=seed, X_val=Xt, y_val=yt, record_initial=True,
                      progress=False)
            out[m] = {"curve": {"epoch": h.epoch, "train_loss": h.train_loss, "train_acc": h.train_acc,
                                "val_loss": h.val_loss, "val_acc": h.val_acc,
                                "n_params": [mlp.n_params] * len(h)},
                      "final_train_acc": h.train_acc[-1], "final_test_acc": h.val_acc[-1],
                      "n_params": mlp.n_params}
            continue
        mlp = MLP.init([D, start, K], rng=seed)
        res = grow(mlp, X, y, propose=props[m], fallback=_fallbacks().get(m), loss="ce", optimizer=Adam(lr),
                   k=k, target_width=target, epochs_between=epochs_between, final_epochs=final_epochs,
                   X_val=Xt, y_val=yt, batch_size=batch_size, rng=seed)
        c = res.history.curve
        out[m] = {"curve": {kk: c[kk] for kk in ("epoch", "train_loss", "train_acc", "val_loss", "val_acc",
                                                 "n_params")},
                  "final_train_acc": c["train_acc"][-1], "final_test_acc": c["val_acc"][-1],
                  "n_params": res.mlp.n_params,
                  "growth_gain": [s["train_acc_after"] - s["train_acc_before"] for s in res.history.steps]}
    return out


# ------------------------------------------------------------------------------------------ (c)
def pure_growth_run(rng, X, y, Xt, yt, *, methods=("tiny", "random"), start=1, steps=20, k=1):
    """Part (c) for one seed: neuron additions only (Fig. 8 of 001).

    ``rng``: int seed or numpy Generator (see :func:`_run_seed`).
    """
    seed = _run_seed(rng)
    from refgrow.growth.loop import grow
    from refgrow.mlp import MLP

    K = int(np.max(y)) + 1
    props = _methods()
    out = {}
    for m in methods:
        mlp = MLP.init([X.shape[1], start, K], rng=seed)
        res = grow(mlp, X, y, propose=props[m], fallback=_fallbacks().get(m), loss="ce", k=k, max_steps=steps,
                   X_val=Xt, y_val=yt, rng=seed)
        c = res.history.curve
        out[m] = {"curve": {kk: c[kk] for kk in ("train_loss", "train_acc", "val_loss", "val_acc",
                                                 "n_params")},
                  "final_train_acc": c["train_acc"][-1], "final_test_acc": c["val_acc"][-1],
                  "gamma": [s["info"].get("gamma") for s in res.history.steps],
                  "fallbacks": int(sum(bool(s["fallback"]) for s in res.history.steps))}
    return out


# ------------------------------------------------------------------------------------------ figures
def _mean_curve(runs, m, xkey, ykey):
    xs = [np.asarray(r[m]["curve"][xkey], float) for r in runs]
    ys = [np.asarray(r[m]["curve"][ykey], float) for r in runs]
    L = min(len(v) for v in ys)
    return np.mean([x[:L] for x in xs], axis=0), np.mean([v[:L] for v in ys], axis=0), np.std([v[:L] for v in ys], axis=0)


def _figure(runs, methods, panels, path, title):
    from refgrow.plotting import plt, savefig
    p = plt()
    fig, axes = p.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8))
    axes = np.atleast_1d(axes)
    for ax, (xkey, ykey, logy, label, xlabel) in zip(axes, panels):
        for i, m in enumerate(methods):
            x, mu, sd = _mean_curve(runs, m, xkey, ykey)
            col = f"C{i}"
            if xkey == "n_params" and np.all(x == x[0]):      # fixed width: one point (its final value)
                ax.errorbar([x[-1]], [mu[-1]], yerr=[sd[-1]], fmt="s", color=col, label=f"{m} (final)")
                continue
            ax.plot(x, mu, color=col, label=m, drawstyle="steps-post" if xkey == "n_params" else None)
            ax.fill_between(x, mu - sd, mu + sd, alpha=0.15, color=col,
                            step="post" if xkey == "n_params" else None)
        if logy:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    fig.suptitle(f"{title}  (mean, band = \u00b1 sd over {len(runs)} seed{'s' if len(runs) > 1 else ''})")
    fig.tight_layout()
    return savefig(fig, path)


def _figures(payload, out):
    """All figures from a results payload (also used by ``--replot``)."""
    paths = []
    if "teacher_student" in payload:
        runs = payload["teacher_student"]["runs"]
        paths.append(_figure(runs, list(runs[0]), [
            ("epoch", "train_loss", True, "train MSE (log scale)", "full-batch SGD steps"),
            ("epoch", "val_loss", True, "test MSE (log scale)", "full-batch SGD steps")],
            os.path.join(out, "tiny_teacher_student.png"), "(a) teacher-student: growth 5 -> 10 neurons"))
    name = str(payload.get("classification_data", "")).split(" ")[0]
    if "classification" in payload:
        runs = payload["classification"]["runs"]
        paths.append(_figure(runs, list(runs[0]), [
            ("n_params", "val_acc", False, "test accuracy", "number of parameters"),
            ("epoch", "train_loss", True, "train cross-entropy (log scale)", "epochs")],
            os.path.join(out, "tiny_classification.png"), f"(b) growing one hidden layer on {name}"))
    if "pure_growth" in payload:
        runs = payload["pure_growth"]["runs"]
        paths.append(_figure(runs, list(runs[0]), [
            ("n_params", "val_acc", False, "test accuracy", "number of parameters"),
            ("n_params", "train_loss", True, "train cross-entropy (log scale)", "number of parameters")],
            os.path.join(out, "tiny_pure_growth.png"), f"(c) pure growth (no gradient steps) on {name}"))
    return paths


# ------------------------------------------------------------------------------------------ CLI
def _parser():
    p = ArgumentParser(prog="refgrow reproduce tiny-vs-gradmax", description=__doc__.split("\n\n")[0])
    p.add_argument("--part", choices=["a", "b", "c", "all"], default="all")
    p.add_argument("--seeds", type=positive_int, default=None, help="seeds per method (default 5; quick 2)")
    p.add_argument("--quick", action="store_true", help="fewer seeds, smaller subsets, shorter runs")
    p.add_argument("--out", type=out_dir, default="out/tiny", help="directory for JSON and figures (default out/tiny)")
    p.add_argument("--no-figures", action="store_true")
    p.add_argument("--replot", action="store_true", help="only redraw the figures from OUT/tiny_vs_gradmax.json")
    p.add_argument("--data-dir", default=None, help=f"Fashion-MNIST IDX directory (default {FASHION_DIR})")
    p.add_argument("--steps-between", type=positive_int, default=200, help="(a) SGD steps between additions")
    p.add_argument("--n-train", type=positive_int, default=None,
                   help="(b, c) training subset (default 10000; quick 2000)")
    p.add_argument("--target-width", type=positive_int, default=None, help="(b) final width (default 33; quick 13)")
    p.add_argument("--pure-steps", type=positive_int, default=None, help="(c) neuron additions (default 30; quick 8)")
    return p


def tiny_vs_gradmax(argv) -> int:
    """Entry point of ``python -m refgrow reproduce tiny-vs-gradmax``."""
    a = _parser().parse_args(argv)
    if a.replot:
        with open(os.path.join(a.out, "tiny_vs_gradmax.json")) as f:
            for pth in _figures(json.load(f), a.out):
                print("wrote", pth)
        return 0
    seeds = a.seeds if a.seeds is not None else (2 if a.quick else 5)
    n_train = a.n_train or (2000 if a.quick else 10000)
    n_test = 1000 if a.quick else 5000
    target = a.target_width or (13 if a.quick else 33)
    pure_steps = a.pure_steps or (8 if a.quick else 30)
    os.makedirs(a.out, exist_ok=True)
    payload = {"settings": vars(a) | {"seeds": seeds, "n_train": n_train, "target_width": target,
                                      "pure_steps": pure_steps}}
    path = os.path.join(a.out, "tiny_vs_gradmax.json")
    if a.part != "all" and os.path.exists(path):       # keep the other parts of an earlier run
        try:
            with open(path) as f:
                old = json.load(f)
            payload = {**{k: v for k, v in old.items() if k != "settings"}, **payload}
        except (OSError, ValueError):
            pass
    t0 = time.time()
    if a.part in ("a", "all"):
        sb = a.steps_between if not a.quick or a.steps_between != 200 else 100
        runs = [teacher_student_run(s, steps_between=sb) for s in range(seeds)]
        methods = list(runs[0])
        print(f"\n(a) teacher-student 10-10-10, n=1000, MSE, width 5 -> 10, one neuron / {sb} SGD steps "
              f"(lr 0.1), {seeds} seeds")
        print(f"{'method':<19}{'params':>8}{'train MSE (mean +- sd)':>28}{'test MSE (mean +- sd)':>28}")
        table = {}
        for m in methods:
            tr, te = _stats([r[m]["final_train"] for r in runs]), _stats([r[m]["final_test"] for r in runs])
            table[m] = {"train_mse": tr, "test_mse": te, "n_params": runs[0][m]["n_params"]}
            print(f"{m:<19}{runs[0][m]['n_params']:>8}{tr[0]:>16.4g} +- {tr[1]:<9.2g}{te[0]:>16.4g} +- {te[1]:<9.2g}")
        imm = {m: _stats([np.mean([s["train_loss_before"] - s["train_loss_after"] for s in r[m]["steps"]])
                          for r in runs]) for m in methods if runs[0][m]["steps"]}
        print("mean immediate loss decrease per growth step:",
              ", ".join(f"{m} {v[0]:.3g}" for m, v in imm.items()))
        payload["teacher_student"] = {"table": table, "immediate_decrease": imm, "runs": runs}
        _save(payload, a.out)
    if a.part in ("b", "c", "all"):
        name, X, y, Xt, yt = _classification_data(a.data_dir, n_train, n_test, 0)
        payload["classification_data"] = name
    if a.part in ("b", "all"):
        runs = [classification_run(s, X, y, Xt, yt, target=target, final_epochs=3 if a.quick else 5)
                for s in range(max(1, seeds // 2 if not a.quick else 1))]
        methods = list(runs[0])
        print(f"\n(b) classification on {name} (n_train={X.shape[0]}), one hidden layer 1 -> {target}, Adam 1e-3")
        print(f"{'method':<19}{'params':>8}{'train acc':>12}{'test acc':>12}")
        table = {}
        for m in methods:
            tr, te = _stats([r[m]["final_train_acc"] for r in runs]), _stats([r[m]["final_test_acc"] for r in runs])
            table[m] = {"train_acc": tr, "test_acc": te, "n_params": runs[0][m]["n_params"]}
            print(f"{m:<19}{runs[0][m]['n_params']:>8}{tr[0]:>12.4f}{te[0]:>12.4f}")
        payload["classification"] = {"table": table, "runs": runs}
        _save(payload, a.out)
    if a.part in ("c", "all"):
        runs = [pure_growth_run(s, X, y, Xt, yt, steps=pure_steps) for s in range(max(1, seeds // 2))]
        methods = list(runs[0])
        print(f"\n(c) pure growth on {name}: {pure_steps} neuron additions from width 1, no gradient steps")
        print(f"{'method':<19}{'train acc':>12}{'test acc':>12}{'fallbacks':>11}")
        table = {}
        for m in methods:
            tr, te = _stats([r[m]["final_train_acc"] for r in runs]), _stats([r[m]["final_test_acc"] for r in runs])
            table[m] = {"train_acc": tr, "test_acc": te}
            print(f"{m:<19}{tr[0]:>12.4f}{te[0]:>12.4f}{runs[0][m]['fallbacks']:>11}")
        print("paper (Fig. 8, CIFAR-100, ResNet18): TINY > 17% by pure growth, Random about 1% (chance 1%)")
        payload["pure_growth"] = {"table": table, "runs": runs}
        _save(payload, a.out)
    if not a.no_figures:
        for pth in _figures(payload, a.out):
            print("wrote", pth)
    print(f"wrote {path} and {os.path.join(a.out, 'tiny_vs_gradmax_summary.json')}  ({time.time() - t0:.1f} s)")
    return 0


def _save(payload, out):
    """Write the full results and the summary (tables, no curves) now: each finished part is kept."""
    from refgrow.jsonio import to_jsonable
    with open(os.path.join(out, "tiny_vs_gradmax.json"), "w") as f:
        json.dump(to_jsonable(payload), f)
    summary = {k: ({kk: vv for kk, vv in v.items() if kk != "runs"} if isinstance(v, dict) and "runs" in v else v)
               for k, v in payload.items()}
    summary["settings"] = {k: v for k, v in summary["settings"].items()    # no machine-specific paths
                           if k not in ("out", "data_dir", "replot", "no_figures")}
    with open(os.path.join(out, "tiny_vs_gradmax_summary.json"), "w") as f:
        json.dump(to_jsonable(summary), f, indent=1)
