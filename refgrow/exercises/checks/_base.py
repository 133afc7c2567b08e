"""What every exercise's checks share: the :class:`Check` record and the hypothesis/rng helpers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from refgrow.exercises.context import Context

__all__ = ["Check"]


@dataclass(frozen=True)
class Check:
    """One check: a name shown to the student, the functions it calls, its points, a hint, the test."""

    name: str
    functions: tuple
    points: int
    hint: str
    run: Callable[[Context], None]


def _st():
    from hypothesis import strategies
    return strategies


def _seed():
    return _st().integers(0, 2**16)            # small: shrinks fast, to a small seed


def _rng(seed):
    return np.random.default_rng(seed)


def _fd(f, x):
    from refgrow.gradcheck import numerical_gradient
    x = np.array(x, dtype=np.float64)
    return numerical_gradient(lambda: f(x), x), x
