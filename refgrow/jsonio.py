"""JSON export of results: the one helper that turns NumPy values into plain JSON.

Floats are written with ``repr`` precision by :mod:`json`, so they round-trip exactly; non-finite
floats become ``null`` (JSON has no NaN/inf).
"""
from __future__ import annotations

import json
import os

import numpy as np

__all__ = ["to_jsonable", "dump_json"]


def to_jsonable(v):
    """``v`` with NumPy arrays/scalars, tuples and non-string dict keys turned into plain JSON values.

    Examples
    --------
    >>> to_jsonable({"a": np.arange(2), 1: np.float64(0.5), "bad": float("nan")})
    {'a': [0, 1], '1': 0.5, 'bad': None}
    """
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return to_jsonable(v.tolist())
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return v if np.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def dump_json(path, payload, *, indent: int = 1) -> str:
    """Write ``to_jsonable(payload)`` to ``path`` (parent folders created); return the path."""
    path = os.fspath(path)
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "w") as f:
        json.dump(to_jsonable(payload), f, indent=indent)
    return path
