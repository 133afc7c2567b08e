r"""Sec. 5 / App. A.9 of the triangle paper [docs/references.md#triangle]: non-convex targets from
convex blocks (``triangle-nonconvex``): x^3 - x (Fig. 7), r^3 (Fig. 8), two spirals (Fig. 15).

Symbol table
------------
==========  =================  ==========  ==============================================
symbol      code               shape       meaning
==========  =================  ==========  ==============================================
J           ``blocks``         scalar      convex blocks (:class:`refgrow.triangle.BlockModel`)
D, C        ``D``, ``C``       scalar      inputs, outputs
X, Y        ``X``, ``Y``       (n, D), (n, C) or (n,)  data (labels for cross-entropy)
==========  =================  ==========  ==============================================
"""
from __future__ import annotations

import time

import numpy as np

from refgrow.cliargs import positive_float, positive_int
from refgrow import triangle as tr
from refgrow.experiments.triangle import figures
from refgrow.experiments.triangle.labels import NONCONVEX_LABELS, PAPER_NONCONVEX
from refgrow.experiments.triangle.tables import make_parser, write_json
from refgrow.losses import get_loss
from refgrow.mlp import MLP

__all__ = ["nonconvex_runs", "nonconvex"]


def nonconvex_runs(name, X, Y, *, blocks, depth, epochs, baseline_epochs, lr, lr2, seeds, seed, loss,
                    D, C, base_sizes, log, lstsq=True, lr_base=1e-3):
    """Ours (pretrained convex blocks, then dense and block-diagonal raw training) vs Kaiming."""
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


def nonconvex(argv):
    """Sec. 5 of the triangle paper [docs/references.md#triangle]: x^3 - x (Fig. 7), r^3 (Fig. 8) with two
    convex blocks; App. A.9 two spirals.

    Ours: random-direction convex blocks (:class:`refgrow.triangle.BlockModel`), pretrained through
    the weight-setting map (Algorithm 1), then the equivalent MLP is trained on its raw weights either
    densely or with the block-diagonal mask. Baselines: a standard 1-8x5-1 (2-8x5-1) network with
    PyTorch's default init, and a Kaiming block-diagonal network of our shape (App. A.9).
    """
    from refgrow.datasets import cubic_minus_x, r_cubed_2d, two_spirals
    p = make_parser("triangle-nonconvex")
    p.add_argument("--spiral-blocks", type=positive_int, default=16, help="convex blocks for two spirals (paper 16)")
    p.add_argument("--only", choices=["x3-x", "r3", "spirals"], default=None)
    p.add_argument("--random-output", action="store_true",
                   help="train the random output combination with Adam (paper) instead of re-solving it "
                        "by least squares every pretraining step (MSE tasks)")
    p.add_argument("--lr-baseline", type=positive_float, default=1e-3, help="Adam lr of the Kaiming baselines (1e-3)")
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
        J = args.spiral_blocks if not args.quick else 4
        tasks.append(("spirals", ds.X, ds.y, J, 2, 2, "ce", [2] + [5 * J] * 5 + [2]))
    results, bests = {}, {}
    for name, X, Y, J, D, C, loss, base_sizes in tasks:
        rows, best = nonconvex_runs(name, X, Y, blocks=J, depth=5, epochs=epochs, baseline_epochs=base_epochs,
                                     lr=args.lr, lr2=args.lr2, seeds=seeds,
                                     seed=args.seed, loss=loss, D=D, C=C, base_sizes=base_sizes, log=print,
                                     lstsq=not args.random_output, lr_base=args.lr_baseline)
        results[name] = {k: {"values": v, "min": float(np.min(v)), "median": float(np.median(v))}
                         for k, v in rows.items()}
        bests[name] = best
    wall = time.perf_counter() - t0
    print(f"\nTriangle paper, Sec. 5 / App. A.9: final training loss (MSE; cross-entropy for spirals), "
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
    print("wrote", write_json(args.out, "nonconvex", payload))
    if not args.no_figures:
        try:
            figures.figure_nonconvex(bests, tasks, args.out)
        except Exception as exc:
            print("figure failed:", exc)
    return 0


