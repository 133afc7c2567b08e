"""The tutorials as Jupyter notebooks: ``python -m refgrow notebooks [--out DIR] [--execute] [--quick] [NAME...]``.

The tutorials are plain Python files in jupytext's percent format (``tutorials/NN_*.py``). This
command converts them to ``.ipynb`` with jupytext and, with ``--execute``, runs each one in a Jupyter
kernel with nbclient so the saved notebook holds every output, figures inline. It needs the
``notebooks`` extra (``pip install -e ".[notebooks]"``: jupytext, nbclient, nbformat, ipykernel); without
it the command prints one line naming the extra.

The notebooks write their figure files to ``DIR/figures`` (``REFGROW_FIGURES``), never into the
committed ``figures/`` gallery.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import os
import sys
import time

__all__ = ["tutorial_files", "to_notebook", "execute_notebook", "notebooks_main"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_EXTRA_MSG = ("refgrow notebooks: needs the 'notebooks' extra (jupytext, nbclient, nbformat, ipykernel): "
              "pip install -e \".[notebooks]\"")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def tutorial_files(root=_ROOT) -> list:
    """The tutorial sources ``root/tutorials/NN_*.py``, sorted."""
    return sorted(glob.glob(os.path.join(root, "tutorials", "[0-9]*.py")))


def to_notebook(path):
    """Read a percent-format tutorial as an ``nbformat`` notebook with a Python 3 kernel spec."""
    import jupytext
    nb = jupytext.read(path)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb


@contextlib.contextmanager
def _environ(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute_notebook(nb, cwd, *, quick=False, figures_dir=None, timeout=600):
    """Run every cell of ``nb`` in a fresh kernel started in ``cwd``; returns the executed notebook.

    The kernel sees ``REFGROW_QUICK=1`` when ``quick``, ``REFGROW_FIGURES=figures_dir`` (default
    ``cwd/figures``) and a ``PYTHONPATH`` that finds this refgrow. A failing cell raises nbclient's
    ``CellExecutionError``.
    """
    from nbclient import NotebookClient
    figures_dir = os.path.abspath(figures_dir or os.path.join(cwd, "figures"))
    path = os.pathsep.join([os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
                           + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    with _environ(REFGROW_QUICK="1" if quick else None, REFGROW_FIGURES=figures_dir, MPLBACKEND="Agg",
                  PYTHONPATH=path):
        NotebookClient(nb, timeout=timeout, kernel_name=KERNELSPEC["name"],
                       resources={"metadata": {"path": os.path.abspath(cwd)}}).execute()
    return nb


def _parser():
    p = argparse.ArgumentParser(prog="python -m refgrow notebooks",
                                description="Write the tutorials as Jupyter notebooks (optionally executed).")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="tutorials by number or file name (e.g. 01 or 01_mlp_by_hand.py); default all")
    p.add_argument("--out", default=os.path.join("out", "notebooks"), help="directory (default out/notebooks)")
    p.add_argument("--execute", action="store_true", help="run each notebook so it holds its outputs")
    p.add_argument("--quick", action="store_true", help="with --execute: the quick mode (REFGROW_QUICK=1)")
    return p


def notebooks_main(argv) -> int:
    """Entry point of ``python -m refgrow notebooks``."""
    a = _parser().parse_args(argv)
    files = tutorial_files()
    if not files:
        print("refgrow notebooks: no tutorials found (they live in the source checkout, under tutorials/)",
              file=sys.stderr)
        return 1
    if a.names:
        chosen = []
        for n in a.names:
            hits = [f for f in files if os.path.basename(f) == n or os.path.basename(f).startswith(n + "_")]
            if not hits:
                raise ValueError(f"NAME: no tutorial {n!r}; choose from "
                                 + ", ".join(os.path.basename(f) for f in files))
            chosen += hits
        files = list(dict.fromkeys(chosen))
    try:
        import jupytext  # noqa: F401
        import nbformat
        if a.execute:
            import ipykernel  # noqa: F401
            import nbclient  # noqa: F401
    except ImportError:
        print(_EXTRA_MSG, file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    for f in files:
        nb = to_notebook(f)
        t0 = time.perf_counter()
        if a.execute:
            execute_notebook(nb, a.out, quick=a.quick)
        target = os.path.join(a.out, os.path.splitext(os.path.basename(f))[0] + ".ipynb")
        nbformat.write(nb, target)
        done = f" (executed in {time.perf_counter() - t0:.1f} s)" if a.execute else ""
        print(f"wrote {target}{done}")
    if not a.execute:
        print("open with `jupyter lab` / `jupyter notebook`, or run them here with --execute")
    return 0
