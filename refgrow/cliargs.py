"""Command-line option types shared by every ``python -m refgrow`` command (one place for the rules).

Every numeric or path option of a command uses one of these ``argparse`` types, so a bad value is
refused while the arguments are parsed -- before any data is loaded or any training runs -- with one
line that names the option and states the rule, and exit code 2 (:class:`ArgumentParser`)::

    refgrow tour: error: argument --epochs: must be an integer >= 1, got '-3'

==================  ==========================================================================
type                accepts
==================  ==========================================================================
positive_int        an integer >= 1
nonneg_int          an integer >= 0 (seeds, optional epoch counts)
positive_float      a finite number > 0 (learning rates)
nonneg_float        a finite number >= 0 (regularisation weights)
int_list            comma-separated integers >= 1 (``--widths 50,100``)
out_dir             a folder to write into: not an existing file, no file on its path, creatable
out_file            a file to write: not a folder, its folder exists
existing_dir        an existing folder to read from
==================  ==========================================================================
"""
from __future__ import annotations

import argparse
import math
import os
import sys

__all__ = ["ArgumentParser", "positive_int", "nonneg_int", "positive_float", "nonneg_float", "int_list",
           "out_dir", "out_file", "existing_dir"]


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors are one line on stderr (no usage block), exit code 2."""

    def error(self, message):  # noqa: D102 -- argparse's hook
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _int(text, low):
    try:
        v = int(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}") from None
    if v < low:
        raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}")
    return v


def positive_int(text) -> int:
    """An integer >= 1."""
    return _int(text, 1)


def nonneg_int(text) -> int:
    """An integer >= 0."""
    return _int(text, 0)


def _float(text, strict):
    rule = f"must be a finite number {'>' if strict else '>='} 0"
    try:
        v = float(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{rule}, got {text!r}") from None
    if not math.isfinite(v) or v < 0 or (strict and v == 0):
        raise argparse.ArgumentTypeError(f"{rule}, got {text!r}")
    return v


def positive_float(text) -> float:
    """A finite number > 0."""
    return _float(text, True)


def nonneg_float(text) -> float:
    """A finite number >= 0."""
    return _float(text, False)


def int_list(text) -> list:
    """Comma-separated integers >= 1, e.g. ``50,100``."""
    parts = [p for p in str(text).split(",")]
    try:
        vals = [int(p.strip()) for p in parts]
    except ValueError:
        vals = None
    if not vals or any(v < 1 for v in vals):
        raise argparse.ArgumentTypeError(f"must be comma-separated integers >= 1, got {text!r}")
    return vals


def out_dir(text) -> str:
    """A folder that can be written: not an existing file, no file among its ancestors, and the
    nearest existing ancestor is a writable folder (missing folders are created when writing)."""
    path = os.path.abspath(str(text))
    if not str(text):
        raise argparse.ArgumentTypeError("must be a folder path, got ''")
    if os.path.exists(path) and not os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"must be a folder, but {text!r} is an existing file")
    anc = path
    while not os.path.exists(anc):
        anc = os.path.dirname(anc)
    if not os.path.isdir(anc):
        raise argparse.ArgumentTypeError(f"must be a folder path, but {anc!r} on it is a file")
    if not os.access(anc, os.W_OK):
        raise argparse.ArgumentTypeError(f"must be writable, but the folder {anc!r} is not")
    return str(text)


def out_file(text) -> str:
    """A file that can be written: not an existing folder, in an existing writable folder."""
    path = os.path.abspath(str(text))
    if not str(text) or os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"must be a file path, but {text!r} is a folder")
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        raise argparse.ArgumentTypeError(f"must be in an existing folder, but {parent!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise argparse.ArgumentTypeError(f"must be writable, but the folder {parent!r} is not")
    return str(text)


def existing_dir(text) -> str:
    """An existing folder."""
    if not os.path.isdir(str(text)):
        raise argparse.ArgumentTypeError(f"must be an existing folder, got {text!r}")
    return str(text)
