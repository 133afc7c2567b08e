"""refgrow: a NumPy, float64, hand-written-backprop reference implementation of four papers on
growing and shaping ReLU networks. Citations: ``docs/references.md``.

======  =================================  ==========================================================
paper   reference                          what refgrow implements
======  =================================  ==========================================================
001     TINY [docs/references.md#tiny]     expressivity bottlenecks, optimal new neurons (``refgrow.growth.tiny``)
000     [docs/references.md#folding-slides]  GradMax baseline and the folding slides' sub-algorithms
002     [docs/references.md#folding]       growing by folding at typical mistakes (``refgrow.growth.folding``)
003     [docs/references.md#triangle]      triangle-wave reparameterisation, Theorem 3.1 (``refgrow.triangle``)
======  =================================  ==========================================================

Conventions: rows are samples (X is (n, D)); weight matrices are (out, in); a layer computes
``Z = X @ W.T + b``; float64 everywhere; randomness only through an ``rng`` argument.

Submodules load on first attribute access, so ``import refgrow`` stays light (NumPy is not even
imported until a submodule is used; PyTorch and CuPy never are)::

    import refgrow
    net = refgrow.mlp.MLP.init([2, 8, 2], rng=0)      # imports refgrow.mlp now
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Submodules reachable as attributes of the package (imported lazily by :func:`__getattr__`).
SUBMODULES = (
    "backend", "bench", "cli", "datasets", "experiments", "gallery", "geometry", "gradcheck", "growth",
    "jsonio", "kmeans", "layers", "losses", "mlp", "notebooks", "optim", "plotting", "regions", "stats",
    "train", "triangle",
)

__all__ = ["__version__", *SUBMODULES]


def __getattr__(name):
    """Import ``refgrow.<name>`` on first access (PEP 562)."""
    if name in SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'refgrow' has no attribute {name!r}; submodules: {', '.join(SUBMODULES)}")


def __dir__():
    return sorted(set(globals()) | set(SUBMODULES))
