"""The one timing harness of ``python -m refgrow bench``: block timing, medians with IQR, thread
control, machine description and the JSON record of a benchmark.

How a benchmark is timed
------------------------
Each *side* (refgrow's public call, refgrow's private core, the peer library, the BLAS floor) is a
callable doing the same work.  :func:`time_blocks` runs ``rounds`` rounds; in every round each side
runs one **block**: after a pause (``settle_s``, so the worker threads of the previous side's runtime
stop spinning) and ``warmup`` untimed calls, ``number`` consecutive calls are timed together and the
block's mean per-call time is one sample.  The order of the sides rotates from round to round
(``A B C``, ``B C A``, ``C A B``, ...), so a slow phase of a shared machine hits every side.  Calls
are never interleaved call by call: on a 2-core machine OpenBLAS's threads keep spinning after a
NumPy product and slow the PyTorch call that follows (PyTorch's step was measured at 10.4 ms
alone and 20 ms interleaved).

Statistics
----------
=================  =========================================================================
field              meaning
=================  =========================================================================
``median``         median of the block samples (seconds per call)
``q1``, ``q3``     first and third quartiles (``numpy.percentile``, linear interpolation)
``iqr``            ``q3 - q1``
``n``              number of block samples
``samples``        the block samples themselves
``number``         timed calls per block (default: about 0.25 s of work, sized after 2 warm-up calls)
``warmup``         untimed calls at the start of every block
=================  =========================================================================

A ratio ``A / B`` is reported as the ratio of the medians, and its spread as the quartiles of the
per-round ratios ``A_r / B_r`` (both blocks of round r ran under the same machine load).
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
import time
from contextlib import contextmanager

import numpy as np

from refgrow.cliargs import nonneg_float, positive_int

__all__ = ["summarize", "time_blocks", "ratio_stats", "thread_limits", "machine_info", "BenchResult",
           "add_common_options", "common_parser", "write_json", "SCHEMA", "fit_exponent"]

SCHEMA = "refgrow-bench/1"


# ----------------------------------------------------------------------------------------- statistics
def summarize(samples) -> dict:
    """Median, quartiles and IQR of timing samples (seconds).

    Parameters
    ----------
    samples : sequence of float, length >= 1

    Returns
    -------
    dict
        ``{"median", "q1", "q3", "iqr", "n", "samples"}`` (see the module table).

    Examples
    --------
    >>> s = summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    >>> s["median"], s["q1"], s["q3"], s["iqr"]
    (3.0, 2.0, 4.0, 2.0)
    """
    a = np.asarray(samples, dtype=np.float64)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"samples must be a non-empty 1-D sequence, got shape {a.shape}")
    q1, med, q3 = (float(v) for v in np.percentile(a, [25.0, 50.0, 75.0]))
    return {"median": med, "q1": q1, "q3": q3, "iqr": q3 - q1, "n": int(a.size),
            "samples": [float(v) for v in a]}


def ratio_stats(num: dict, den: dict) -> dict:
    """Ratio of two :func:`summarize` results: ratio of medians, and the median and quartiles of the
    per-round ratios (the two blocks of a round ran under the same machine load)."""
    per_round = np.asarray(num["samples"]) / np.asarray(den["samples"])
    q1, med, q3 = (float(v) for v in np.percentile(per_round, [25.0, 50.0, 75.0]))
    return {"ratio": num["median"] / den["median"], "per_round_median": med, "q1": q1, "q3": q3}


def fit_exponent(sizes, times) -> float:
    """Slope of the least-squares line through ``(log size, log time)``: ``time ~ size^slope``.

    Examples
    --------
    >>> round(fit_exponent([10, 20, 40], [1.0, 4.0, 16.0]), 12)
    2.0
    """
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(times, float))
    return float(np.polyfit(x, y, 1)[0])


# ----------------------------------------------------------------------------------------- timing
def time_blocks(sides, *, rounds=5, number=10, warmup=1, settle_s=0.2, clock=time.perf_counter,
                sleep=time.sleep) -> dict:
    """Time several callables in rotating blocks; returns ``{name: summarize(samples)}``.

    Parameters
    ----------
    sides : dict name -> callable
        Each callable does one unit of work (one training step, one Lloyd iteration, ...).
    rounds : int >= 1
        Blocks per side; the side order rotates by one every round.
    number : int >= 1, or dict name -> int
        Timed consecutive calls per block (the sample is the block time / ``number``); a dict gives
        each side its own count (e.g. about the same block duration for a fast and a slow side).
    warmup : int >= 0
        Untimed calls at the start of every block.
    settle_s : float >= 0
        Pause before every block (idle worker threads of the other runtime stop spinning).
    clock, sleep : callables
        ``time.perf_counter`` and ``time.sleep``; tests pass fakes to record the call order.

    Examples
    --------
    >>> out = time_blocks({"a": lambda: None, "b": lambda: None}, rounds=3, number=2, settle_s=0)
    >>> sorted(out), out["a"]["n"]
    (['a', 'b'], 3)
    """
    if not sides:
        raise ValueError("sides must name at least one callable")
    names = list(sides)
    numbers = number if isinstance(number, dict) else {name: number for name in names}
    for key, val in [("rounds", rounds)] + [(f"number[{k!r}]", numbers.get(k)) for k in names]:
        if isinstance(val, bool) or not isinstance(val, int) or val < 1:
            raise ValueError(f"{key} must be an integer >= 1, got {val!r}")
    samples = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            fn = sides[name]
            if settle_s:
                sleep(settle_s)
            for _ in range(warmup):
                fn()
            k = numbers[name]
            t0 = clock()
            for _ in range(k):
                fn()
            samples[name].append((clock() - t0) / k)
    return {name: dict(summarize(s), number=numbers[name], warmup=warmup) for name, s in samples.items()}


def auto_number(fn, *, target_s=0.25, warmup=2, max_number=1000, clock=time.perf_counter) -> int:
    """Calls per block so that a block lasts about ``target_s``.

    ``fn`` is first called ``warmup`` times untimed: a first call is not a typical one (PyTorch
    dispatch caches and OpenMP pools, page faults on fresh buffers), and sizing blocks from it gave
    PyTorch's training step one call per block, each just after the pause (measured: its step took
    14 ms in such blocks and 11-12 ms in 40-call blocks, which moved public/peer from 1.02 to 0.92).
    Then one call is timed; blocks of about ``target_s`` (0.25 s) average over the wake-up of a
    runtime's worker threads after the pause.
    """
    for _ in range(warmup):
        fn()
    t0 = clock()
    fn()
    dt = clock() - t0
    return int(min(max_number, max(1, round(target_s / max(dt, 1e-9)))))


# ----------------------------------------------------------------------------------------- threads
@contextmanager
def thread_limits(n):
    """Limit BLAS and OpenMP pools (NumPy, SciPy, scikit-learn, PyTorch) to ``n`` threads.

    SciPy ships its own OpenBLAS, a pool separate from NumPy's; threadpoolctl can only limit pools
    already loaded, so ``scipy.linalg`` is imported first (a library loaded later inside the block
    would run with its default thread count: on a loaded 2-core machine that made TINY's Cholesky
    25x slower). Benchmarks import their peer (PyTorch, scikit-learn) before entering, for the same
    reason.
    """
    import scipy.linalg  # noqa: F401  (load SciPy's OpenBLAS so that it is limited too)
    limiter = None
    old_torch = None
    try:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=n)
    except ImportError:                                  # pragma: no cover - optional
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        old_torch = torch.get_num_threads()
        torch.set_num_threads(n)
    try:
        yield n
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        if torch is not None and old_torch is not None:
            torch.set_num_threads(old_torch)


def default_threads() -> int:
    """``REFGROW_BENCH_THREADS`` or the CPU count."""
    return int(os.environ.get("REFGROW_BENCH_THREADS", os.cpu_count() or 1))


# ----------------------------------------------------------------------------------------- machine
def _blas_info() -> list:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:                                  # pragma: no cover - optional
        return []
    keep = ("internal_api", "version", "architecture", "num_threads", "prefix", "threading_layer")
    return [{k: d.get(k) for k in keep} for d in threadpool_info()]


def _numpy_blas() -> str:
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:                                    # pragma: no cover - numpy < 1.26
        return "unknown"


def machine_info() -> dict:
    """Platform, CPU, Python/NumPy versions, NumPy's BLAS and the thread pools loaded now."""
    try:
        load = [round(v, 2) for v in os.getloadavg()]
    except OSError:                                      # pragma: no cover - Windows
        load = None
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:                                      # pragma: no cover - not Linux
        pass
    return {"platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "numpy": np.__version__, "numpy_blas": _numpy_blas(),
            "thread_pools": _blas_info(), "load_average": load}


# ----------------------------------------------------------------------------------------- results
class BenchResult(dict):
    """The JSON record of one benchmark (a dict; see :func:`make_result` for the fields)."""


_PAIRS = (("public", "peer"), ("core", "peer"), ("public", "blas_floor"), ("core", "blas_floor"),
          ("peer", "blas_floor"))


def make_result(name, *, params, times, threads, backend, peer=None, target=None, notes=None,
                extra=None, pairs=_PAIRS) -> BenchResult:
    """Assemble a benchmark record.

    Parameters
    ----------
    name : str
    params : dict
        Sizes and options of the run.
    times : dict side -> :func:`summarize` result
        Sides ``"public"`` (refgrow's public API, validation on), ``"core"`` (private core, no
        validation), ``"peer"`` (the peer library) and ``"blas_floor"`` (the bare products), where
        measured.
    peer : dict or None
        ``{"name", "version"}`` of the peer library.
    target : dict or None
        ``{"ratio": key of the ratio the target applies to, "max": bound}``.
    pairs : sequence of (numerator side, denominator side)
        The ratios to report (default: the five below); a benchmark with other sides names its own.

    Returns
    -------
    BenchResult
        ``{"name", "params", "threads", "backend", "peer", "times", "ratios", "target", "notes",
        "extra"}``; ``ratios`` holds ``public/peer``, ``core/peer``, ``public/blas_floor``,
        ``core/blas_floor``, ``peer/blas_floor`` (each ``{"ratio", "per_round_median", "q1", "q3"}``)
        where both sides were timed.
    """
    ratios = {}
    for a, b in pairs:
        if a in times and b in times:
            ratios[f"{a}/{b}"] = ratio_stats(times[a], times[b])
    tgt = None
    if target is not None:
        key = target["ratio"]
        value = ratios[key]["ratio"] if key in ratios else None
        tgt = {"ratio": key, "max": target["max"],
               "met": None if value is None else bool(value <= target["max"])}
    return BenchResult(name=name, params=params, threads=threads, backend=backend, peer=peer,
                       times=times, ratios=ratios, target=tgt, notes=notes or [], extra=extra or {})


def format_result(res) -> str:
    """A few human-readable lines for one record."""
    lines = [f"{res['name']}: {res.get('title', '')}".rstrip(": ")]
    peer = res.get("peer")
    for side, st in res["times"].items():
        label = f"peer ({peer['name']} {peer['version']})" if side == "peer" and peer else side
        lines.append(f"  {label:28s} {st['median'] * 1e3:10.3f} ms  (IQR {st['q1'] * 1e3:.3f}-"
                     f"{st['q3'] * 1e3:.3f}, {st['n']} blocks)")
    for key, r in res["ratios"].items():
        lines.append(f"  {key:28s} {r['ratio']:10.3f}     (per-round median {r['per_round_median']:.3f}, "
                     f"quartiles {r['q1']:.3f}-{r['q3']:.3f})")
    t = res.get("target")
    if t:
        verdict = "not measured" if t["met"] is None else ("met" if t["met"] else "NOT met")
        lines.append(f"  target {t['ratio']} <= {t['max']}: {verdict}")
    for note in res.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def document(results, *, argv=None) -> dict:
    """The JSON document written by ``--json FILE``: schema, date, machine and every record."""
    import refgrow
    return {"schema": SCHEMA, "refgrow": refgrow.__version__,
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "command": ["python", "-m", "refgrow", "bench"] + list(argv or []),
            "machine": machine_info(), "results": dict(results)}


def write_json(path, results, *, argv=None) -> dict:
    """Write :func:`document` to ``path``; returns it."""
    doc = document(results, argv=argv)
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1, default=float)
    return doc


# ----------------------------------------------------------------------------------------- options
def add_common_options(p, *, rounds=7, quick_rounds=3):
    """Options every benchmark takes: ``--quick --threads --backend --rounds --number --settle``."""
    p.add_argument("--quick", action="store_true", help="small sizes and few rounds (all benches < 5 min)")
    p.add_argument("--threads", type=positive_int, default=None,
                   help="BLAS/OpenMP/PyTorch threads (default: REFGROW_BENCH_THREADS or the CPU count)")
    p.add_argument("--backend", default="numpy", help="array namespace: numpy or cupy")
    p.add_argument("--rounds", type=positive_int, default=None,
                   help=f"timed blocks per side (default {rounds}, --quick {quick_rounds})")
    p.add_argument("--number", type=positive_int, default=None,
                   help="calls per block (default: about 0.25 s of work per block, sized after 2 warm-up calls)")
    p.add_argument("--settle", type=nonneg_float, default=0.2, help="pause before every block, seconds")
    p.set_defaults(_rounds_default=(rounds, quick_rounds))
    return p


def common_parser(prog, description=None, **kw):
    """An ``argparse`` parser with :func:`add_common_options`; errors become ``ValueError``.

    Numeric options use the checked types of :mod:`refgrow.cliargs` (a bad value is refused while
    parsing, with one line naming the option and its rule)."""
    from refgrow.cliargs import ArgumentParser

    class _Parser(ArgumentParser):
        def error(self, message):
            raise ValueError(message)

    p = _Parser(prog=prog, description=description, allow_abbrev=False)
    return add_common_options(p, **kw)


def resolve_common(a) -> dict:
    """Validated common options: threads, rounds, backend (a bad value raises ``ValueError``)."""
    threads = default_threads() if a.threads is None else a.threads
    if threads < 1:
        raise ValueError(f"--threads must be >= 1, got {threads}")
    rounds = a.rounds if a.rounds is not None else a._rounds_default[1 if a.quick else 0]
    if rounds < 1:
        raise ValueError(f"--rounds must be >= 1, got {rounds}")
    if a.number is not None and a.number < 1:
        raise ValueError(f"--number must be >= 1, got {a.number}")
    if a.settle < 0:
        raise ValueError(f"--settle must be >= 0, got {a.settle}")
    if a.backend not in ("numpy", "cupy"):
        raise ValueError(f"--backend must be numpy or cupy, got {a.backend!r}")
    return {"threads": threads, "rounds": rounds, "number": a.number, "settle_s": a.settle,
            "backend": a.backend}


def run_sides(sides, opts) -> dict:
    """:func:`time_blocks` with the resolved common options (``number`` chosen per side if unset)."""
    number = opts["number"]
    if number is None:
        number = {name: auto_number(fn) for name, fn in sides.items()}
    return time_blocks(sides, rounds=opts["rounds"], number=number, settle_s=opts["settle_s"])
