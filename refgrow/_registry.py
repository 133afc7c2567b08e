"""A lazy name -> ``module:function`` registry, shared by ``reproduce`` and ``bench``."""
from __future__ import annotations

import importlib
import importlib.util


class Registry:
    """Entries ``name -> (module, function, one-line help)``; modules are imported only when used."""

    def __init__(self, kind: str, entries: dict):
        self.kind, self.entries = kind, dict(entries)

    def available(self) -> dict:
        """Names whose module exists in this build and defines the function, with their help line.

        A module that exists but fails to import raises (a broken import is a bug, not an absent
        feature); only a module absent from the build is left out.
        """
        out = {}
        for name, (mod, fn, doc) in self.entries.items():
            if importlib.util.find_spec(mod) is None:
                continue
            if hasattr(importlib.import_module(mod), fn):
                out[name] = doc
        return out

    def run(self, name: str, argv: list):
        """Call the function registered as ``name`` with its own argument list."""
        if name not in self.entries:
            raise ValueError(f"{self.kind}: unknown {self.kind} {name!r}; choose from {sorted(self.entries)}")
        mod, fn, _ = self.entries[name]
        return getattr(importlib.import_module(mod), fn)(list(argv))

    def listing(self) -> str:
        """One line per entry (marked when its module is not importable in this build)."""
        avail = self.available()
        width = max(len(n) for n in self.entries) + 2
        return "\n".join(f"  {name:{width}s}{doc}" + ("" if name in avail else "  [not available in this build]")
                         for name, (_, _, doc) in self.entries.items())
