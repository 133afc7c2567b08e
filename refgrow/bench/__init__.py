"""``python -m refgrow bench [NAME|all] [--quick] [--json FILE] [--threads N] [--backend numpy|cupy]``.

Targets are **ratios measured in the same run** against a peer (PyTorch, scikit-learn, statsmodels)
or against the bare BLAS products of the same work (the "BLAS floor"), never absolute times.  Every
benchmark times its sides with the one harness :mod:`refgrow.bench._timing` (rotating blocks, median
and IQR); its record holds the public-API time (validation on), the private-core time, the peer's
time, name and version, the floor, the ratios, the thread count and the machine.

Each registry entry maps a name to ``(module, function, one-line help)``; the function has the
signature ``run(argv: list[str]) -> dict`` (a record of :func:`refgrow.bench._timing.make_result`).
"""
from __future__ import annotations

import sys

from refgrow._registry import Registry

BENCHMARKS = {
    "mlp-step": ("refgrow.bench.mlp_step", "run",
                 "one SGD step of a 784-256-10 MLP, batch 512, public API vs PyTorch CPU (target <= 1)"),
    "tiny": ("refgrow.bench.tiny", "run",
             "TINY best update + new neurons, 784->256->10, n=10000, vs bare Gram products (target <= 2)"),
    "kmeans": ("refgrow.bench.kmeans", "run",
               "one weighted Lloyd iteration 60000x784, k=10, vs scikit-learn (target <= 2)"),
    "adf": ("refgrow.bench.adf", "run",
            "ADF test on a 20-point series vs statsmodels adfuller (target <= 1)"),
    "triangle": ("refgrow.bench.triangle", "run",
                 "triangle paper, pretraining step cost vs plain Adam on the raw weights"),
    "scaling": ("refgrow.bench.scaling", "run",
                "time vs n, width and d (three sizes each, fitted log-log exponent): mlp-step, tiny, kmeans"),
}


REGISTRY = Registry("benchmark", BENCHMARKS)

USAGE = """usage: python -m refgrow bench [NAME|all] [--quick] [--json FILE] [--threads N] [--backend numpy|cupy]
                              [--rounds R] [--number K] [--settle S] [NAME's own options]
       python -m refgrow bench --list          the benchmarks
       python -m refgrow bench NAME --help     NAME's own options (sizes)

Each side (refgrow public API, refgrow private core, peer, BLAS floor) is timed in blocks of consecutive
calls, the side order rotating between rounds; medians with IQR; ratios of medians."""


_CUPY_NOTE = ("--backend cupy selects CuPy as the fallback namespace, but the benchmarks build NumPy "
              "inputs, which the namespace seam copies to the device at every call: these times include "
              "host-device transfers and are not a GPU benchmark (device-resident inputs: not written yet, "
              "no GPU was available to test them)")


def available() -> dict:
    """Names whose module can be imported, with their help line."""
    return REGISTRY.available()


def run(name: str, argv: list) -> dict:
    """Run benchmark ``name`` with its own argument list; returns its result record."""
    return REGISTRY.run(name, argv)


def _pop_option(argv, flag):
    """Remove ``flag VALUE`` / ``flag=VALUE`` from ``argv``; returns (value or None, rest)."""
    rest, value, i = [], None, 0
    while i < len(argv):
        tok = argv[i]
        if tok == flag:
            if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                raise ValueError(f"{flag} needs a value (a file path)")
            value, i = argv[i + 1], i + 2
            continue
        if tok.startswith(flag + "="):
            value = tok.split("=", 1)[1]
        else:
            rest.append(tok)
        i += 1
    return value, rest


def _backend_of(argv) -> str:
    for i, tok in enumerate(argv):
        if tok == "--backend" and i + 1 < len(argv):
            return argv[i + 1]
        if tok.startswith("--backend="):
            return tok.split("=", 1)[1]
    return "numpy"


def main(argv) -> int:
    """Entry point of ``python -m refgrow bench``; returns the exit code."""
    from refgrow.bench._timing import format_result, write_json

    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help", "--list"):
        print(USAGE + "\n")
        print(REGISTRY.listing())
        return 0
    name, rest = argv[0], argv[1:]
    if name != "all" and name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; choose from {sorted(BENCHMARKS)} or 'all'")
    json_path, rest = _pop_option(rest, "--json")
    if json_path is not None:                      # checked before any benchmark runs
        import argparse

        from refgrow.cliargs import out_file
        try:
            json_path = out_file(json_path)
        except argparse.ArgumentTypeError as exc:
            raise ValueError(f"argument --json: {exc}") from None
    backend = _backend_of(rest)
    if backend not in ("numpy", "cupy"):
        raise ValueError(f"--backend must be numpy or cupy, got {backend!r}")
    if backend == "cupy":
        from refgrow.backend import set_backend
        try:
            set_backend("cupy")
        except ImportError as exc:
            print(f"refgrow bench: --backend cupy: cupy is not importable ({exc}); install refgrow[gpu] "
                  "on a machine with an NVIDIA GPU", file=sys.stderr)
            return 2
    if name == "all":           # only the common options: each benchmark's own sizes stay its own
        from refgrow.bench._timing import common_parser
        common_parser("refgrow bench all").parse_args(rest)
    names = [name] if name != "all" else [n for n in BENCHMARKS if n in available()]
    results = {}
    try:
        for n in names:
            try:
                res = run(n, rest)
            except SystemExit as exc:              # argparse --help
                return int(exc.code or 0)
            if backend == "cupy":
                res.setdefault("notes", []).append(_CUPY_NOTE)
            results[n] = res
            print(format_result(res), flush=True)
    finally:
        if backend == "cupy":
            from refgrow.backend import set_backend
            set_backend("numpy")
    if len(results) > 1:
        print("\nsummary (ratios of medians; per-round median and quartiles in brackets):")
        for n, res in results.items():
            ratios = "  ".join(
                f"{k} {r['ratio']:.3f} [{r['per_round_median']:.2f}; {r['q1']:.2f}-{r['q3']:.2f}]"
                for k, r in res.get("ratios", {}).items())
            print(f"  {n:10s} {ratios}")
    if json_path:
        write_json(json_path, results, argv=argv)
        print(f"wrote {json_path}")
    return 0
