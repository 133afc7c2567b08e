"""Registry of ``python -m refgrow reproduce NAME`` experiments.

Each entry maps a name to ``(module, function, one-line help)``. The function has the signature
``run(argv: list[str]) -> int``: it parses its own options (``--seeds``, ``--epochs``, ``--quick``,
``--out`` ...) with argparse, prints its table, writes JSON/figures under ``--out`` and returns an
exit code. Modules are imported lazily so ``--help`` stays fast.
"""
from __future__ import annotations

from refgrow._registry import Registry

EXPERIMENTS = {
    "triangle-table1": ("refgrow.experiments.triangle", "table1",
                        "triangle paper, Table 1: five training types on x^3 and x^11 (500 dense points)"),
    "triangle-table2": ("refgrow.experiments.triangle", "table2",
                        "triangle paper, Table 2: five training types on sin(pi x/2) and tanh(3x) (dense)"),
    "triangle-table3": ("refgrow.experiments.triangle", "table3",
                        "triangle paper, Table 3: Default vs differentiable pretraining, sparse 10/10 split, test MSE"),
    "triangle-nonconvex": ("refgrow.experiments.triangle", "nonconvex",
                           "triangle paper, Sec. 5: x^3-x, r^3 (Figs. 7, 8) and App. A.9 two spirals (block-diagonal vs dense)"),
    "tiny-vs-gradmax": ("refgrow.experiments.tiny", "tiny_vs_gradmax",
                        "TINY paper: TINY vs GradMax vs Random growth (teacher-student, classification, pure growth)"),
    "folding-sine": ("refgrow.experiments.folding", "folding_sine",
                     "folding paper, Fig. 1: grow by folding on the two-sine set"),
    "folding-quadratic": ("refgrow.experiments.folding", "folding_quadratic",
                          "folding paper, Table 1 analogue: grown vs fixed width (quadratics; --dataset fashion-mnist)"),
    "folding-fashion-mnist": ("refgrow.experiments.folding", "folding_fashion_mnist",
                              "folding paper, Fig. 3: typical mistakes on Fashion-MNIST"),
}


REGISTRY = Registry("experiment", EXPERIMENTS)


def available() -> dict:
    """Names whose module can be imported, with their help line."""
    return REGISTRY.available()


def run(name: str, argv: list) -> int:
    """Run experiment ``name`` with its own argument list; returns its exit code."""
    return int(REGISTRY.run(name, argv) or 0)
