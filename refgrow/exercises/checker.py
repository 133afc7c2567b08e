"""Automatic checker of the classroom exercises (``python -m refgrow check``).

How a file is checked
---------------------
:func:`check_file` runs a **child process** (``python -m refgrow.exercises._child ...``) that
imports the student's file and runs the exercise's checks (:mod:`refgrow.exercises.checks`) against
refgrow, streaming one JSON line per event to a results file. The parent waits at most ``timeout``
seconds, then kills the child (its own process group): an infinite loop becomes the feedback
"time-out in check X", with the checks finished before it kept. A student's exception, a wrong
shape or dtype, a missing function, a NaN and a crash of the child (``sys.exit`` in the file) are
feedback too, never a traceback of the checker.

Every check is worth points; a check is passed or not (no partial credit inside a check). Golden
vectors are computed by refgrow at check time; property checks use hypothesis with
``derandomize=True`` (the same file always gets the same report) and report hypothesis' *shrunk*
counterexample: the inputs, the expected and the obtained values.

Report (``--json FILE``), schema ``refgrow-exercises-report/1``::

    {"schema", "refgrow_version", "timeout_s", "max_examples", "points", "max_points", "passed",
     "exercises": [{"id", "number", "name", "title", "file", "status", "points", "max_points",
                    "message", "duration_s",
                    "checks": [{"name", "functions", "status", "passed", "points", "max_points",
                                "message", "hint", "counterexample"}]}]}

``status`` of an exercise: ``passed | failed | error`` (file not importable) ``| timeout | missing``
(no file); of a check: ``passed | failed | timeout | not_run``. ``counterexample`` is ``null`` or
``{"inputs": {name: value}, "expected": value, "obtained": value}`` (arrays as nested lists; NaN/inf
as ``null``). Exit code of ``check``: 0 when every check of every exercise passed, 1 otherwise, 2 for
a usage error.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from refgrow.exercises import EXERCISES, Exercise, get_exercise
from refgrow.exercises.context import DEFAULT_MAX_EXAMPLES, Context, Feedback, _student_frame

__all__ = ["SCHEMA", "Feedback", "CheckResult", "ExerciseReport", "Context", "check_namespace",
           "check_file", "check_dir", "report_dict", "format_report", "check_main"]

SCHEMA = "refgrow-exercises-report/1"
DEFAULT_TIMEOUT = 30.0


@dataclass
class CheckResult:
    """Outcome of one check (see the module docstring for the JSON fields)."""

    name: str
    functions: list
    status: str
    points: float
    max_points: float
    message: str = ""
    hint: str = ""
    counterexample: dict | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict:
        from refgrow.jsonio import to_jsonable
        d = asdict(self)
        d["passed"] = self.passed
        d["counterexample"] = to_jsonable(self.counterexample)
        return d


@dataclass
class ExerciseReport:
    """All check results of one exercise for one file."""

    id: str
    number: int
    name: str
    title: str
    file: str | None
    status: str
    checks: list = field(default_factory=list)
    message: str = ""
    duration_s: float = 0.0

    @property
    def points(self) -> float:
        return float(sum(c.points for c in self.checks))

    @property
    def max_points(self) -> float:
        return float(sum(c.max_points for c in self.checks))

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict:
        return {"id": self.id, "number": self.number, "name": self.name, "title": self.title,
                "file": self.file, "status": self.status, "points": self.points,
                "max_points": self.max_points, "message": self.message,
                "duration_s": round(self.duration_s, 3), "checks": [c.to_dict() for c in self.checks]}

    @classmethod
    def from_dict(cls, d) -> "ExerciseReport":
        checks = [CheckResult(name=c["name"], functions=c["functions"], status=c["status"],
                              points=c["points"], max_points=c["max_points"], message=c["message"],
                              hint=c["hint"], counterexample=c["counterexample"]) for c in d["checks"]]
        return cls(id=d["id"], number=d["number"], name=d["name"], title=d["title"], file=d["file"],
                   status=d["status"], checks=checks, message=d["message"], duration_s=d["duration_s"])


def _empty_report(ex: Exercise, file, status, message, check_status="not_run", check_message="") -> ExerciseReport:
    from refgrow.exercises.checks import CHECKS
    checks = [CheckResult(c.name, list(c.functions), check_status, 0.0, float(c.points), check_message,
                          c.hint) for c in CHECKS[ex.key]]
    return ExerciseReport(ex.key, ex.number, ex.name, ex.title, file, status, checks, message)


# ----------------------------------------------------------------------------------------------
# running the checks of one exercise
# ----------------------------------------------------------------------------------------------
def _check_timeout(timeout) -> float:
    try:
        t = float(timeout)
    except (TypeError, ValueError):
        raise TypeError(f"timeout must be a number of seconds, got {timeout!r}") from None
    if not (np.isfinite(t) and t > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return t


def _check_max_examples(max_examples) -> int:
    from refgrow._validation import check_positive_int
    return check_positive_int(max_examples, "max_examples")


def check_namespace(key, namespace, *, max_examples=DEFAULT_MAX_EXAMPLES, student_file=None,
                    on_start=None, on_result=None) -> ExerciseReport:
    """Run every check of exercise ``key`` on the functions in ``namespace`` (in this process).

    ``on_start(check_name)`` and ``on_result(CheckResult)`` are called around each check (the child
    process streams them to its parent). Used directly by the tests and by the child of
    :func:`check_file`; no time limit here.
    """
    from refgrow.exercises.checks import CHECKS
    ex = get_exercise(key)
    max_examples = _check_max_examples(max_examples)
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict of function name -> callable, got {type(namespace).__name__}")
    ctx = Context(namespace, max_examples=max_examples, student_file=student_file)
    report = ExerciseReport(ex.key, ex.number, ex.name, ex.title, student_file, "passed")
    t0 = time.perf_counter()
    for chk in CHECKS[ex.key]:
        if on_start:
            on_start(chk.name)
        try:
            chk.run(ctx)
            res = CheckResult(chk.name, list(chk.functions), "passed", float(chk.points), float(chk.points))
        except Feedback as fb:
            hint = fb.hint or chk.hint
            res = CheckResult(chk.name, list(chk.functions), "failed", 0.0, float(chk.points), fb.message,
                              hint, fb.counterexample())
        except Exception as exc:                                # noqa: BLE001 - never crash
            res = CheckResult(chk.name, list(chk.functions), "failed", 0.0, float(chk.points),
                              f"the checker could not finish this check ({type(exc).__name__}: {exc})",
                              chk.hint)
        report.checks.append(res)
        if on_result:
            on_result(res)
    report.duration_s = time.perf_counter() - t0
    report.status = "passed" if all(c.passed for c in report.checks) else "failed"
    return report


def _load_module(path):
    spec = importlib.util.spec_from_file_location("refgrow_student_solution", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _child(key, path, result_path, max_examples) -> int:
    """Child process: import the student's file, run the checks, stream JSON lines to ``result_path``."""
    ex = get_exercise(key)
    out = open(result_path, "w", buffering=1)

    def emit(event, **payload):
        out.write(json.dumps({"event": event, **payload}) + "\n")
        out.flush()

    path = os.path.abspath(path)
    sys.path.insert(0, os.path.dirname(path))
    sys.dont_write_bytecode = True                     # leave the student's folder as it was
    emit("import")
    try:
        mod = _load_module(path)
    except (Exception, SystemExit) as exc:                        # noqa: BLE001
        if isinstance(exc, SyntaxError):
            msg = f"SyntaxError at line {exc.lineno}: {exc.msg}"
        else:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            msg = f"{type(exc).__name__}" + (f": {first}" if first else "") + _student_frame(
                exc.__traceback__, path)
        rep = _empty_report(ex, path, "error", f"your file could not be imported: {msg}")
        emit("done", report=rep.to_dict())
        return 0
    emit("imported")
    ns = {name: getattr(mod, name) for name in ex.functions if hasattr(mod, name)}
    rep = check_namespace(ex, ns, max_examples=max_examples, student_file=path,
                          on_start=lambda name: emit("start", check=name),
                          on_result=lambda r: emit("result", result=r.to_dict()))
    emit("done", report=rep.to_dict())
    return 0


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError, OSError):
        proc.kill()


def check_file(key, path, *, timeout=DEFAULT_TIMEOUT, max_examples=DEFAULT_MAX_EXAMPLES) -> ExerciseReport:
    """Check the student's file ``path`` for exercise ``key`` in a child process with a time limit.

    Returns an :class:`ExerciseReport` whatever the file does: a missing file (status ``missing``),
    an import error (``error``), a time-out (``timeout``: the checks finished before it keep their
    points, the running one is marked ``timeout``, the rest ``not_run``).
    """
    ex = get_exercise(key)
    timeout = _check_timeout(timeout)
    max_examples = _check_max_examples(max_examples)
    path = os.path.abspath(os.fspath(path))
    if not os.path.isfile(path):
        return _empty_report(ex, path, "missing", f"no file {path}")
    pkg_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = pkg_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="refgrow-check-") as tmp:
        result_path = os.path.join(tmp, "events.jsonl")
        err_path = os.path.join(tmp, "stderr.txt")
        t0 = time.perf_counter()
        with open(err_path, "w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "refgrow.exercises._child", ex.key, path, result_path,
                 str(int(max_examples))],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env,
                cwd=tmp, start_new_session=True)      # tmp: hypothesis' .hypothesis/ lands there
            try:
                rc = proc.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
                rc, timed_out = None, True
        duration = time.perf_counter() - t0
        events = []
        if os.path.exists(result_path):
            with open(result_path) as fh:
                for line in fh:
                    try:
                        events.append(json.loads(line))
                    except json.JSONDecodeError:
                        break                                  # a line cut by the kill
        with open(err_path, errors="replace") as fh:
            err_tail = fh.read()[-2000:]
    report = _from_events(ex, path, events, timed_out=timed_out, rc=rc, timeout=timeout, err_tail=err_tail)
    report.duration_s = duration
    return report


def _from_events(ex, path, events, *, timed_out, rc, timeout, err_tail) -> ExerciseReport:
    done = [e for e in events if e["event"] == "done"]
    if done:
        rep = ExerciseReport.from_dict(done[-1]["report"])
        rep.file = path
        return rep
    results = {e["result"]["name"]: e["result"] for e in events if e["event"] == "result"}
    started = [e["check"] for e in events if e["event"] == "start"]
    running = started[-1] if started and started[-1] not in results else None
    imported = any(e["event"] == "imported" for e in events)
    if timed_out:
        status = "timeout"
        if not imported:
            message = (f"time-out after {timeout:g} s while importing your file: code at module level runs "
                       "on import (an infinite loop or a long computation outside the functions?)")
        else:
            message = (f"time-out after {timeout:g} s in check `{running}`: look for an infinite loop (a "
                       "loop whose condition never changes) or very slow code in the functions it calls")
    else:
        status = "error"
        last = [ln for ln in err_tail.strip().splitlines() if ln.strip()][-1:] or [""]
        where = f" during check `{running}`" if running else (" while importing your file" if not imported
                                                                 else "")
        message = (f"the checker process ended unexpectedly{where} (exit code {rc}); does your file call "
                   f"sys.exit/os._exit or crash Python? last output: {last[0][:300]}")
    rep = _empty_report(ex, path, status, message)
    for i, c in enumerate(rep.checks):
        if c.name in results:
            r = results[c.name]
            rep.checks[i] = CheckResult(r["name"], r["functions"], r["status"], r["points"], r["max_points"],
                                        r["message"], r["hint"], r["counterexample"])
        elif c.name == running:
            c.status = "timeout" if timed_out else "failed"
            c.message = message
    return rep


def check_dir(directory, *, timeout=DEFAULT_TIMEOUT, max_examples=DEFAULT_MAX_EXAMPLES, only=None) -> list:
    """Check every exercise whose file ``NN_<id>.py`` is in ``directory`` (missing files: status missing)."""
    exs = EXERCISES if not only else [get_exercise(k) for k in only]
    directory = os.fspath(directory)
    present = sorted(f for f in os.listdir(directory) if f.endswith(".py")) if os.path.isdir(directory) else []
    reports = []
    for ex in exs:
        rep = check_file(ex, os.path.join(directory, ex.filename), timeout=timeout, max_examples=max_examples)
        if rep.status == "missing":
            near = [f for f in present if ex.name in f]
            if near:
                rep.message += f" (found {', '.join(near)}: name it {ex.filename}, like the skeleton)"
        reports.append(rep)
    return reports


# ----------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------
def report_dict(reports, *, timeout=DEFAULT_TIMEOUT, max_examples=DEFAULT_MAX_EXAMPLES) -> dict:
    """The JSON report (schema ``refgrow-exercises-report/1``) of a list of exercise reports."""
    import refgrow
    pts = float(sum(r.points for r in reports))
    mx = float(sum(r.max_points for r in reports))
    return {"schema": SCHEMA, "refgrow_version": refgrow.__version__, "timeout_s": float(timeout),
            "max_examples": int(max_examples), "points": pts, "max_points": mx,
            "passed": bool(reports) and all(r.passed for r in reports),
            "exercises": [r.to_dict() for r in reports]}


def _fmt_value(v, indent):
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, (list, tuple, np.ndarray)) for x in v) and \
            len({np.shape(x) for x in v}) > 1:                   # a list of arrays (weights, biases)
        pad = " " * indent
        return "\n".join((pad if i else "") + f"[{i}]: " + _fmt_value(x, indent + 5) for i, x in enumerate(v))
    if isinstance(v, (list, tuple, np.ndarray)) or np.ndim(v) > 0:
        try:
            arr = np.asarray(v)
            if arr.dtype.kind not in "biu":
                arr = arr.astype(np.float64)
            text = np.array2string(arr, precision=6, threshold=60, max_line_width=96, suppress_small=False)
        except (TypeError, ValueError):
            text = repr(v)
    elif v is None:
        text = "None"
    else:
        text = f"{v:.10g}" if isinstance(v, (float, np.floating)) else repr(v)
    return text.replace("\n", "\n" + " " * indent)


def format_report(report: ExerciseReport, *, verbose: bool = True) -> str:
    """Human-readable feedback of one exercise: one line per check, details of the failed ones."""
    lines = [f"{report.id}  {report.title}   {report.points:g}/{report.max_points:g} points  "
             f"[{report.status}]"]
    if report.file:
        lines.append(f"  file: {report.file}")
    if report.message:
        lines.append(f"  {report.message}")
    if report.status in ("missing", "error"):
        lines.append(f"  ({len(report.checks)} checks not run, {report.max_points:g} points)")
        return "\n".join(lines)
    for c in report.checks:
        tag = {"passed": "PASS", "failed": "FAIL", "timeout": "TIME", "not_run": "----"}.get(c.status, c.status)
        lines.append(f"  {tag} {c.name}  ({c.points:g}/{c.max_points:g})")
        if c.status in ("failed", "timeout") and verbose:
            lines.append(f"       {c.message}")
            ce = c.counterexample
            if ce:
                lines.append("       counterexample:")
                for k, v in (ce.get("inputs") or {}).items():
                    lines.append(f"         {k} = {_fmt_value(v, 12 + len(k))}")
                if ce.get("expected") is not None:
                    lines.append(f"         expected: {_fmt_value(ce['expected'], 19)}")
                if ce.get("obtained") is not None:
                    lines.append(f"         obtained: {_fmt_value(ce['obtained'], 19)}")
            if c.hint:
                lines.append(f"       hint: {c.hint}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------------------------------
def check_main(argv) -> int:
    """``python -m refgrow check ID FILE`` or ``check --all DIR``; exit 0 only when all checks pass."""
    p = argparse.ArgumentParser(
        prog="python -m refgrow check",
        description="Check a solution of a classroom exercise against refgrow (golden vectors computed "
                    "now, hypothesis property tests from the papers). ID: 01..08, a name (affine_relu) "
                    "or both (01_affine_relu); `python -m refgrow exercises --list` lists them.")
    p.add_argument("target", nargs="*", metavar="ID FILE", help="exercise id and the solution file")
    p.add_argument("--all", metavar="DIR", help="check every NN_<id>.py file of DIR (named like the skeletons)")
    p.add_argument("--json", metavar="FILE", help="also write the machine-readable report to FILE")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds allowed per exercise (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES,
                   help=f"hypothesis examples per property (default {DEFAULT_MAX_EXAMPLES})")
    p.add_argument("--quiet", action="store_true", help="one line per check, no details")
    a = p.parse_args(argv)
    if not (a.timeout > 0 and np.isfinite(a.timeout)):
        raise ValueError(f"--timeout must be a positive number of seconds, got {a.timeout:g}")
    if a.max_examples < 1:
        raise ValueError(f"--max-examples must be >= 1, got {a.max_examples}")
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        raise ValueError("the checker needs hypothesis: pip install 'refgrow[test]'") from None
    if a.all is not None:
        if a.target:
            raise ValueError(f"--all DIR takes no ID FILE arguments, got {' '.join(a.target)!r}")
        if not os.path.isdir(a.all):
            raise ValueError(f"--all must name an existing folder, got {a.all!r}")
        reports = check_dir(a.all, timeout=a.timeout, max_examples=a.max_examples)
    else:
        if len(a.target) != 2:
            raise ValueError("give an exercise ID and a FILE (`check 01 my_affine.py`) or --all DIR, got "
                             f"{len(a.target)} argument(s)")
        key, path = a.target
        ex = get_exercise(key)
        if not os.path.isfile(path):
            raise ValueError(f"FILE must be an existing file, got {path!r}")
        reports = [check_file(ex, path, timeout=a.timeout, max_examples=a.max_examples)]
    for r in reports:
        print(format_report(r, verbose=not a.quiet))
        print()
    rep = report_dict(reports, timeout=a.timeout, max_examples=a.max_examples)
    n_pass = sum(r.passed for r in reports)
    print(f"total: {rep['points']:g}/{rep['max_points']:g} points; {n_pass}/{len(reports)} exercise(s) "
          "fully passed")
    if a.json:
        from refgrow.jsonio import dump_json
        print(f"wrote {dump_json(a.json, rep)}")
    return 0 if rep["passed"] else 1
