"""Command line: ``python -m refgrow <command> ...``.

Commands
--------
tour        a short end-to-end run: train a shallow ReLU MLP on the two-sine set, check its hand-written
            gradient against finite differences, look at its linear regions, write a figure
reproduce   run a paper experiment (``python -m refgrow reproduce --list``)
bench       run a benchmark measured against a peer in the same run (``python -m refgrow bench --list``)
tutorials   list the tutorials, the paper each follows, and how to run them
figures     regenerate the figure gallery (``figures/README.md``; see :mod:`refgrow.gallery`)
notebooks   write the tutorials as Jupyter notebooks (see :mod:`refgrow.notebooks`)
version     print the version
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import time

import numpy as np

import refgrow
from refgrow.cliargs import ArgumentParser, nonneg_int, out_dir, positive_int

_DESCRIPTION = """refgrow: NumPy reference implementation of growing and shaping ReLU networks
(TINY, GradMax, folding at typical mistakes, triangle-wave reparameterisation).
Float64, hand-written backprop, every function cites its equation."""


def _tour(argv) -> int:
    p = ArgumentParser(prog="refgrow tour", description=(
        "Train a shallow ReLU MLP (2-8-2) on the two-sine set of the folding paper, check the hand-written "
        "backward pass against centred finite differences, count activation patterns, and write a "
        "decision-region figure."))
    p.add_argument("--epochs", type=positive_int, default=300, help="full-batch Adam epochs (default 300)")
    p.add_argument("--width", type=positive_int, default=8, help="hidden width (default 8)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=out_dir, default="out/tour", help="output directory (default out/tour)")
    a = p.parse_args(argv)
    from refgrow.datasets import two_sines
    from refgrow.gradcheck import check_mlp_gradients
    from refgrow.mlp import MLP
    from refgrow.optim import Adam
    from refgrow.plotting import decision_regions, plt, savefig, plot_history
    from refgrow.train import train

    rng = np.random.default_rng(a.seed)
    data, val = two_sines(400, rng=rng), two_sines(200, rng=rng)
    net = MLP.init([2, a.width, 2], rng=rng)
    print(f"refgrow {refgrow.__version__} tour")
    print(f"1. data: two-sine classification (002 Sec. 4), {data.X.shape[0]} train / {val.X.shape[0]} "
          "validation points in 2-D")
    print(f"2. network: {net}  (He-normal init, ReLU, softmax cross-entropy)")
    err = check_mlp_gradients(net, data.X[:20], data.y[:20], loss="ce")
    print(f"3. gradient check: max relative error of the hand-written backward vs centred finite "
          f"differences = {err:.2e}")
    t0 = time.perf_counter()
    hist = train(net, *data, X_val=val.X, y_val=val.y, optimizer=Adam(1e-2), epochs=a.epochs,
                 record_initial=True, progress=False)
    dt = time.perf_counter() - t0
    print(f"4. trained {a.epochs} full-batch Adam epochs (lr 1e-2) in {dt:.2f} s: train loss "
          f"{hist.train_loss[0]:.3f} -> {hist.train_loss[-1]:.3f}, train acc {hist.train_acc[-1]:.3f}, "
          f"validation acc {hist.val_acc[-1]:.3f}")
    margin = 0.3                                  # the window drawn by decision_regions below
    lo, hi = data.X.min(axis=0) - margin, data.X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
    patterns = net.activation_patterns(np.column_stack([g0.ravel(), g1.ravel()]))[0]
    n_regions = np.unique(np.packbits(patterns, axis=1), axis=0).shape[0]
    window = f"[{lo[0]:.2f}, {hi[0]:.2f}] x [{lo[1]:.2f}, {hi[1]:.2f}]"
    print(f"5. linear regions: {n_regions} distinct activation patterns of the {a.width} hidden ReLUs "
          f"on a 300x300 grid of the plotted window {window} (the network is affine on each)")
    os.makedirs(a.out, exist_ok=True)
    fig, axes = plt().subplots(1, 2, figsize=(12, 4.5))
    decision_regions(net, data.X, data.y, ax=axes[0], margin=margin,
                     title=f"2-{a.width}-2 ReLU MLP on two sines: decision regions\n"
                           f"({n_regions} linear regions in this window)")
    plot_history(hist, ax=axes[1], ylabel="softmax cross-entropy (mean)",
                 title=f"training vs validation loss\n(full-batch Adam, lr 1e-2, {a.epochs} epochs)")
    fig.tight_layout()
    path = savefig(fig, os.path.join(a.out, "tour.png"))
    with open(os.path.join(a.out, "tour.json"), "w") as fh:
        json.dump({"gradcheck_max_rel_err": err, "regions": int(n_regions),
                   "regions_window": [lo.tolist(), hi.tolist()], "history": hist.to_dict()},
                  fh, indent=1)
    print(f"6. wrote {path} and {os.path.join(a.out, 'tour.json')}")
    print("next: python -m refgrow tutorials   |   python -m refgrow reproduce --list   |   "
          "python -m refgrow figures --list")
    return 0


def _reproduce(argv) -> int:
    from refgrow import experiments
    if not argv or argv[0] in ("-h", "--help", "--list"):
        print("usage: python -m refgrow reproduce NAME [options]   (NAME --help for its options)\n")
        print(experiments.REGISTRY.listing())
        return 0
    return experiments.run(argv[0], argv[1:])


def _tutorials(argv) -> int:
    p = argparse.ArgumentParser(prog="refgrow tutorials", description=(
        "List the step-through tutorials, the paper each follows and how to run them."))
    p.parse_args(argv)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = sorted(glob.glob(os.path.join(here, "tutorials", "[0-9]*.py")))
    print("Tutorials (plain Python in jupytext percent format):")
    if not files:
        print("  (none found: the tutorials live in the source checkout, under tutorials/)")
    for f in files:
        with open(f) as fh:
            text = fh.read()
        title = next((ln.strip("# ") for ln in text.splitlines() if ln.startswith("# # ")), "")
        refs = sorted(set(re.findall(r"references\.md#([a-z-]+)\)", text)))
        print(f"  python {os.path.relpath(f)}\n      {title}"
              + (f"\n      papers: {', '.join('docs/references.md#' + r for r in refs)}" if refs else ""))
    print("As notebooks: python -m refgrow notebooks [--execute] [--quick]  (pip install -e \".[notebooks]\")")
    print("REFGROW_QUICK=1 gives the quick mode used by the test suite; figures go to out/figures "
          "(or $REFGROW_FIGURES).")
    return 0


def _version(argv) -> int:
    print(refgrow.__version__)
    return 0


# name -> (handler, one-line help). A handler is a function of the remaining argv, or the string
# "package.module:function" of one defined elsewhere (imported only when its command runs), so each
# feature keeps its command-line code beside its own module.
COMMANDS = {
    "tour": (_tour, "short end-to-end run: train a shallow ReLU MLP, gradient check, regions, figure"),
    "reproduce": (_reproduce, "run a paper experiment (reproduce --list shows them; the papers: docs/references.md)"),
    "bench": ("refgrow.bench:main", "benchmarks: ratios against a peer and the BLAS floor, timed in blocks (bench --list)"),
    "tutorials": (_tutorials, "list the step-through tutorials"),
    "figures": ("refgrow.gallery:figures_main", "regenerate the figure gallery (figures/README.md)"),
    "notebooks": ("refgrow.notebooks:notebooks_main", "write the tutorials as Jupyter notebooks (notebooks extra)"),
    "version": (_version, "print the version"),
    "oracle": ("refgrow.oracle.cli:main", "golden vectors: export them, check another implementation (oracle --help)"),
    "check": ("refgrow.exercises.checker:check_main", "check an exercise solution: check ID FILE | check --all DIR"),
    "exercises": ("refgrow.exercises:exercises_main", "classroom exercises: exercises --list | exercises copy DIR"),
}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = ArgumentParser(
        prog="python -m refgrow", description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n" + "\n".join(f"  {k:10s} {v[1]}" for k, v in COMMANDS.items())
        + "\n\n`python -m refgrow COMMAND --help` for a command's options.")
    parser.add_argument("command", nargs="?", choices=list(COMMANDS), metavar="command",
                        help="one of: " + ", ".join(COMMANDS))
    parser.add_argument("--version", action="version", version=f"refgrow {refgrow.__version__}")
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    if argv[0] == "--version":
        parser.parse_args(argv)
    ns, rest = parser.parse_known_args(argv[:1])
    handler = COMMANDS[ns.command][0]
    if isinstance(handler, str):
        import importlib
        mod, fn = handler.split(":")
        handler = getattr(importlib.import_module(mod), fn)
    try:
        return handler(argv[1:])
    except SystemExit as exc:          # argparse: --help (0) or a bad option (2, already reported)
        return exc.code if isinstance(exc.code, int) else 2
    except ValueError as exc:
        print(f"refgrow {ns.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
