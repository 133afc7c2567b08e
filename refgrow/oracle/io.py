"""Reading and writing golden-vector cases: a deterministic ``.npz`` and a JSON file per case.

Format (``FORMAT = 1``)
-----------------------
``DIR/manifest.json``
    ``{"format", "refgrow_version", "conventions": {...}, "cases": [{"name", "function"}...]}``.
``DIR/<case>.json``
    ``name``, ``function`` (the pinned refgrow name, e.g. ``"tiny.best_update"``), ``description``,
    ``call`` (``args``: list, ``kwargs``: dict, each value a JSON literal or ``{"array": NAME}`` /
    ``{"network": NAME}``), ``inputs`` and ``outputs`` (NAME -> ``{"dtype", "shape", "data"}``, data a
    nested list), ``compare`` (how each output is compared and its tolerance), ``conventions`` (list of
    str), ``factors`` (dimensions used to explain a constant ratio), ``refgrow_version``.
``DIR/<case>.npz``
    The same arrays as ``in/NAME`` and ``out/NAME`` (float64 or int64); a network ``NAME`` is stored as
    ``in/NAME/W0, in/NAME/b0, ...`` and described in the JSON (``activation``, ``has_bias``).

Floats in the JSON are written by :mod:`json` with Python's ``repr``: the shortest decimal string that
reads back to the same float64 (any correctly rounding parser: C ``strtod``, Julia, Rust, Java), so the
JSON and the ``.npz`` hold bitwise the same numbers. The ``.npz`` is written with fixed zip timestamps,
so exporting twice gives byte-identical files.
"""
from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np

__all__ = ["FORMAT", "write_npz", "read_npz", "array_to_json", "array_from_json", "write_json", "read_json"]

FORMAT = 1
_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_npz(path, arrays: dict) -> None:
    """Write ``arrays`` as an uncompressed ``.npz`` readable by ``numpy.load``, byte-for-byte reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.array(arrays[key], order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def read_npz(path) -> dict:
    """All arrays of an ``.npz`` (no pickle)."""
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def array_to_json(a) -> dict:
    """``{"dtype", "shape", "data"}`` of a float64/int64/bool array (floats exact, module note)."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = a.astype(np.float64)
        if not np.all(np.isfinite(a)):
            raise ValueError("golden vectors must be finite (JSON has no NaN/inf)")
        dtype = "float64"
    elif a.dtype.kind in "iu":
        a, dtype = a.astype(np.int64), "int64"
    elif a.dtype.kind == "b":
        dtype = "bool"
    else:
        raise TypeError(f"cannot store dtype {a.dtype} in a golden vector")
    return {"dtype": dtype, "shape": list(a.shape), "data": a.tolist()}


def array_from_json(d) -> np.ndarray:
    """Inverse of :func:`array_to_json`."""
    a = np.array(d["data"], dtype={"float64": np.float64, "int64": np.int64, "bool": bool}[d["dtype"]])
    return a.reshape(d["shape"])


def write_json(path, payload) -> None:
    """Write ``payload`` (plain JSON values) with sorted keys and a trailing newline (stable bytes)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")


def read_json(path):
    """Read a JSON file."""
    if not os.path.exists(path):
        raise ValueError(f"path {str(path)!r} does not exist")
    with open(path, encoding="utf-8") as f:
        return json.load(f)
