r"""Tables 1-3 of the triangle paper [docs/references.md#triangle] (Sec. 4): the training protocol,
batched raw-weight training and the CLI entry points ``triangle-table1|2|3``.

Symbol table
------------
==========  ===================  ================  ==========================================
symbol      code                 shape             meaning
==========  ===================  ================  ==========================================
R           leading axis         --                runs, ``len(targets) * seeds``
Ws, bs      ``Ws``, ``bs``       (R, out, in)/(R, out)  stacked networks 1-4-...-4-1
X, Y        ``X``, ``Y``         (n, 1), (R, n, 1) shared inputs, per-run targets
a0          ``a0``               (R, depth+1)      starting peaks (shared by the pretrained types)
==========  ===================  ================  ==========================================

The protocol and its interpretation notes are in the package docstring
(:mod:`refgrow.experiments.triangle`).
"""
from __future__ import annotations

import json
import os
import time

import numpy as np

from refgrow import triangle as tr
from refgrow._validation import as_float_array, check_int, check_rng
from refgrow.cliargs import ArgumentParser, nonneg_int, out_dir, positive_float, positive_int
from refgrow.datasets import TARGETS_1D, sparse_split, target_1d
from refgrow.experiments.triangle import figures
from refgrow.experiments.triangle.labels import LABELS, PAPER, TYPES
from refgrow.triangle._checks import check_batch_layers

__all__ = ["TYPES", "LABELS", "PAPER", "batched_mse", "collapsed_runs", "train_raw", "run_protocol",
           "format_table", "make_parser", "quick_settings", "write_json", "table1", "table2", "table3"]

def batched_mse(Ws, bs, X, Y):
    """MSE of each of R stacked networks: ``(R,)`` from ``Ws, bs`` (run axis first), ``X (n, 1)``, ``Y (R, n, 1)``."""
    out, _ = tr.batched_forward(Ws, bs, X)
    Y = as_float_array(Y, "Y", shape=out.shape)
    mse = _batched_mse(Ws, bs, X, Y)
    if not np.all(np.isfinite(mse)):
        raise ValueError("X or Y is too large in magnitude: the squared errors overflow float64")
    return mse


def _batched_mse(Ws, bs, X, Y):
    """:func:`batched_mse` without validation (training loops; a diverged run gives inf/NaN)."""
    out, _ = tr.batched_forward(Ws, bs, X, check_input=False)
    return np.mean((out - Y) ** 2, axis=(1, 2))


def collapsed_runs(Ws, bs, X):
    """``(R,)`` bool: some hidden layer of the run is zero on every input (dying ReLU, Sec. 4.2)."""
    _, (_, masks) = tr.batched_forward(Ws, bs, X)
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
    Wc, bc = check_batch_layers(Ws, bs)                # validated once; the loop runs unchecked
    X = as_float_array(X, "X", shape=(None, Wc[0].shape[2]))
    Y = as_float_array(Y, "Y", shape=(Wc[0].shape[0], X.shape[0], Wc[-1].shape[1]))
    for lst, nm in ((Ws, "Ws"), (bs, "bs")):
        if not all(isinstance(w, np.ndarray) and w.dtype == np.float64 for w in lst):
            raise TypeError(f"{nm} must be float64 ndarrays (they are updated in place)")
    epochs = check_int(epochs, "epochs", low=0)
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", low=1)
    params = list(Ws) + list(bs)
    opt = tr.ArrayAdam(params, lr)
    n = X.shape[0]
    rng = check_rng(rng)
    losses = np.empty((epochs, Ws[0].shape[0]))
    for e in range(epochs):
        if batch_size is None or batch_size >= n:
            batches = [slice(None)]
        else:
            perm = rng.permutation(n)
            batches = [perm[i:i + batch_size] for i in range(0, n, batch_size)]
        for k, idx in enumerate(batches):
            xb, yb = X[idx], Y[:, idx]
            out, cache = tr.batched_forward(Ws, bs, xb, check_input=False)
            r = out - yb
            if k == 0 and len(batches) == 1:
                losses[e] = np.mean(r * r, axis=(1, 2))
            dWs, dbs = tr.batched_backward(Ws, cache, 2.0 * r / (yb.shape[1] * yb.shape[2]), check_input=False)
            opt.step(params, list(dWs) + list(dbs), check_input=False)
        if len(batches) > 1:
            losses[e] = _batched_mse(Ws, bs, X, Y)
    return losses


def run_protocol(targets, *, seeds=30, epochs=1000, baseline_epochs=None, lr=1e-3, lr2=1e-3,
                 types=TYPES, depth=5, c=tr.DEFAULT_C, seed=0, data="dense", n=500,
                 batch_size=None, keep_models=False, rng=None):
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
    rng : int, Generator or None (the library's convention); when given it sets the base seed: an int
        is used as ``seed`` (same bits as ``seed=``), a Generator draws one base seed from itself

    Returns
    -------
    dict type -> target -> {"train_mse": [...], "test_mse": [...] or None, "collapsed": int}, plus
    ``"_models"`` (type -> (Ws, bs)) when ``keep_models`` and ``"_seconds"`` per type.
    """
    baseline_epochs = epochs if baseline_epochs is None else baseline_epochs
    if rng is not None:
        seed = rng if isinstance(rng, int) and not isinstance(rng, bool) else \
            int(check_rng(rng).integers(2 ** 63))
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
    peak_rng = np.random.default_rng(seed)
    a0 = np.stack([tr.random_peaks(depth + 1, c=c, rng=peak_rng) for _ in range(seeds)])
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
        mse = batched_mse(Ws, bs, X, Y)
        test = batched_mse(Ws, bs, Xte, Yte) if Xte is not None else None
        dead = collapsed_runs(Ws, bs, X)
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


def make_parser(name, default_seeds=30, default_epochs=1000):
    p = ArgumentParser(prog=f"python -m refgrow reproduce {name}")
    p.add_argument("--seeds", type=positive_int, default=None, help=f"runs per type and target (paper {default_seeds})")
    p.add_argument("--epochs", type=positive_int, default=None,
                   help=f"epochs per phase (paper {default_epochs}: pretraining and weight training)")
    p.add_argument("--baseline-epochs", type=nonneg_int, default=None,
                   help="weight-training epochs of Default/RAAI/Skipped (default: --epochs)")
    p.add_argument("--lr", type=positive_float, default=1e-3, help="Adam lr of pretraining (paper 1e-3)")
    p.add_argument("--lr2", type=positive_float, default=1e-3,
                   help="Adam lr of the raw-weight phase (paper 1e-3; App. A.9 suggests lower)")
    p.add_argument("--batch-size", type=positive_int, default=None, help="minibatch size (default: full batch)")
    p.add_argument("--seed", type=nonneg_int, default=0)
    p.add_argument("--quick", action="store_true", help="6 seeds, 300 epochs per phase")
    p.add_argument("--out", type=out_dir, default="out/triangle",
                   help="directory for JSON and figures (default out/triangle)")
    p.add_argument("--no-figures", action="store_true")
    return p


def quick_settings(args, quick_seeds=6, quick_epochs=300):
    seeds = args.seeds if args.seeds is not None else (quick_seeds if args.quick else 30)
    epochs = args.epochs if args.epochs is not None else (quick_epochs if args.quick else 1000)
    return seeds, epochs


def write_json(out, name, payload):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"triangle_{name}.json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=1)
    return path


def _dense_table(name, targets, argv):
    args = make_parser(f"triangle-{name}").parse_args(argv)
    seeds, epochs = quick_settings(args)
    t0 = time.perf_counter()
    res = run_protocol(targets, seeds=seeds, epochs=epochs, baseline_epochs=args.baseline_epochs,
                       lr=args.lr, lr2=args.lr2, seed=args.seed, batch_size=args.batch_size,
                       keep_models=not args.no_figures)
    wall = time.perf_counter() - t0
    models = res.pop("_models", None)
    print(format_table(res, targets, TYPES, paper=PAPER[name],
                       title=f"Triangle paper, {name.replace('table', 'Table ')}: min / mean MSE over {seeds} seeds, "
                             f"{epochs} epochs per phase (collapsed = runs with a dead layer)"))
    print(f"wall time {wall:.1f} s")
    payload = {"experiment": f"triangle-{name}", "seeds": seeds, "epochs": epochs,
               "baseline_epochs": args.baseline_epochs or epochs, "lr": args.lr, "lr2": args.lr2,
               "batch_size": args.batch_size, "seed": args.seed, "wall_seconds": wall,
               "labels": LABELS, "results": res, "paper": PAPER[name]}
    print("wrote", write_json(args.out, name, payload))
    if models is not None:
        try:
            if name == "table1":
                figures.figure_construction(args.out)
            figures.figure_layers(models, targets, res, args.out, name)
        except Exception as exc:  # figures are a by-product; never lose the table for them
            print("figure failed:", exc)
    return 0


def table1(argv):
    """Table 1 of the triangle paper [docs/references.md#triangle].

    The five training types on x^3 and x^11 (dense data).
    """
    return _dense_table("table1", ["x3", "x11"], argv)


def table2(argv):
    """Table 2 of the triangle paper [docs/references.md#triangle].

    The five training types on sin(pi x/2) and tanh(3x) (dense data).
    """
    return _dense_table("table2", ["sin", "tanh3x"], argv)


def table3(argv):
    """Table 3 of the triangle paper [docs/references.md#triangle].

    Default vs differentiable pretraining trained on 10 points, tested on 10 between.
    """
    args = make_parser("triangle-table3").parse_args(argv)
    seeds, epochs = quick_settings(args)
    targets = ["x3", "x11", "sin", "tanh3x"]
    types = ("default", "enforced")
    t0 = time.perf_counter()
    res = run_protocol(targets, seeds=seeds, epochs=epochs, baseline_epochs=args.baseline_epochs,
                       lr=args.lr, lr2=args.lr2, seed=args.seed, data="sparse", types=types,
                       keep_models=not args.no_figures)
    wall = time.perf_counter() - t0
    models = res.pop("_models", None)
    print(format_table(res, targets, types, key="test_mse", stats=("min", "median"), paper=PAPER["table3"],
                       title=f"Triangle paper, Table 3: test MSE on the 10 unseen points, {seeds} seeds, "
                             f"{epochs} epochs per phase"))
    print(f"wall time {wall:.1f} s")
    payload = {"experiment": "triangle-table3", "seeds": seeds, "epochs": epochs, "lr": args.lr,
               "lr2": args.lr2, "seed": args.seed, "wall_seconds": wall, "labels": LABELS,
               "results": res, "paper": PAPER["table3"]}
    print("wrote", write_json(args.out, "table3", payload))
    if models is not None:
        try:
            figures.figure_sparse(models, targets, res, seeds, args.out)
        except Exception as exc:
            print("figure failed:", exc)
    return 0


