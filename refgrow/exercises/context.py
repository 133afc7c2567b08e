"""What a check sees: the student's functions, and helpers to call and compare them.

:class:`Feedback` is what a failed check raises (message, counterexample, hint); :class:`Context`
calls the student's functions so that an exception, a wrong shape or dtype or a NaN becomes feedback,
compares with tolerances and a diagnosis (sign, constant factor, transpose), and runs hypothesis
property checks whose shrunk counterexample is reported. Used by :mod:`refgrow.exercises.checks`
and run by :mod:`refgrow.exercises.checker`.
"""
from __future__ import annotations

import os
import traceback

import numpy as np

__all__ = ["Feedback", "Context", "DEFAULT_MAX_EXAMPLES"]

DEFAULT_MAX_EXAMPLES = 25


class Feedback(Exception):
    """A failed check: what is wrong, a counterexample and a hint (raised by checks, never shown raw)."""

    def __init__(self, message, *, inputs=None, expected=None, obtained=None, hint=None):
        super().__init__(message)
        self.message = message
        self.inputs, self.expected, self.obtained, self.hint = inputs, expected, obtained, hint

    def counterexample(self):
        if self.inputs is None and self.expected is None and self.obtained is None:
            return None
        return {"inputs": self.inputs or {}, "expected": self.expected, "obtained": self.obtained}


class _NotWritten(Feedback):
    """A required function is missing or still raises NotImplementedError."""


def _student_frame(tb, student_file):
    frames = traceback.extract_tb(tb)
    mine = [f for f in frames if student_file and os.path.abspath(f.filename) == student_file]
    f = mine[-1] if mine else (frames[-1] if frames else None)
    if f is None:
        return ""
    where = f"line {f.lineno} of {os.path.basename(f.filename)}"
    return f" (at {where}: `{f.line.strip()}`)" if f.line else f" (at {where})"


def _copy(v):
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


class Context:
    """What a check sees: the student's functions and helpers to call and compare them.

    Parameters
    ----------
    namespace : dict
        Function name -> callable (the student's module attributes).
    max_examples : int
        hypothesis examples per property check.
    student_file : str, optional
        Absolute path of the student's file (to point at the line of an exception).
    """

    def __init__(self, namespace, *, max_examples=DEFAULT_MAX_EXAMPLES, student_file=None):
        self.ns = dict(namespace)
        self.max_examples = int(max_examples)
        self.student_file = os.path.abspath(student_file) if student_file else None

    # -- calling -------------------------------------------------------------------------------
    def call(self, fname, *args, inputs=None, **kwargs):
        """Call the student's ``fname`` on copies of ``args``; any exception becomes feedback."""
        fn = self.ns.get(fname)
        if fn is None:
            raise _NotWritten(f"function `{fname}` is missing from your file (define it with the "
                              "skeleton's signature)")
        if not callable(fn):
            raise _NotWritten(f"`{fname}` in your file is a {type(fn).__name__}, not a function")
        try:
            with np.errstate(all="ignore"):
                return fn(*[_copy(a) for a in args], **{k: _copy(v) for k, v in kwargs.items()})
        except NotImplementedError:
            raise _NotWritten(f"`{fname}` is not written yet (it raises NotImplementedError)") from None
        except (Exception, SystemExit) as exc:       # a student's bug is feedback, not a crash
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            where = _student_frame(exc.__traceback__, self.student_file)
            raise Feedback(f"`{fname}` raised {type(exc).__name__}" + (f": {msg}" if msg else "") + where,
                           inputs=inputs, hint="run your function on these inputs by hand to reproduce "
                           "the error") from None

    def unpack(self, result, n, fname, names, inputs=None):
        """``result`` as a tuple of ``n`` values (``names`` describes them in the message)."""
        if not isinstance(result, (tuple, list)) or len(result) != n:
            got = (f"a {type(result).__name__} of length {len(result)}"
                   if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
            raise Feedback(f"`{fname}` must return {n} values {names}, got {got}", inputs=inputs)
        return tuple(result)

    # -- comparing -----------------------------------------------------------------------------
    def as_array(self, obtained, what, *, shape, inputs=None, expected=None, kind="float"):
        """Obtained value as an ndarray of the expected ``shape``; wrong type/shape/dtype/NaN -> feedback."""
        if obtained is None:
            raise Feedback(f"{what} is None (a missing `return`?)", inputs=inputs, expected=expected)
        try:
            arr = np.asarray(obtained)
        except Exception:                                     # noqa: BLE001 - any conversion error
            raise Feedback(f"{what} is a {type(obtained).__name__}, not an array", inputs=inputs,
                           expected=expected) from None
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise Feedback(f"{what} is not a numeric array (got dtype {arr.dtype}, from a "
                           f"{type(obtained).__name__})", inputs=inputs, expected=expected)
        shape = tuple(shape)
        if arr.shape != shape:
            note = ""
            if len(shape) == 2 and arr.shape == shape[::-1]:
                note = " (the transpose of the expected shape)"
            raise Feedback(f"{what} has shape {arr.shape}, expected {shape}{note}", inputs=inputs,
                           expected=expected, obtained=arr)
        if kind == "float":
            if arr.dtype.kind != "f":
                raise Feedback(f"{what} has dtype {arr.dtype}, expected float64 (an integer or boolean "
                               "array loses the fractional part)", inputs=inputs, expected=expected,
                               obtained=arr)
            if arr.dtype != np.float64:
                raise Feedback(f"{what} has dtype {arr.dtype}, expected float64 (refgrow works in float64; "
                               f"{arr.dtype} rounds away digits)", inputs=inputs, expected=expected,
                               obtained=arr)
            if not np.all(np.isfinite(arr)):
                bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
                raise Feedback(f"{what} contains {bad} NaN/inf value(s)", inputs=inputs, expected=expected,
                               obtained=arr, hint="look for a division by zero, a log of 0 or an exp "
                               "that overflows (large inputs)")
        elif kind == "int" and arr.dtype.kind not in "iu":
            if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise Feedback(f"{what} has dtype {arr.dtype}, expected integers", inputs=inputs,
                               expected=expected, obtained=arr)
        return arr

    def as_scalar(self, obtained, what, *, inputs=None, expected=None) -> float:
        """Obtained value as a finite Python float (a 0-d or one-element array is accepted)."""
        if obtained is None:
            raise Feedback(f"{what} is None (a missing `return`?)", inputs=inputs, expected=expected)
        try:
            arr = np.asarray(obtained, dtype=np.float64)
        except Exception:                                     # noqa: BLE001
            raise Feedback(f"{what} is a {type(obtained).__name__}, expected a number", inputs=inputs,
                           expected=expected) from None
        if arr.size != 1:
            raise Feedback(f"{what} has shape {arr.shape}, expected a single number", inputs=inputs,
                           expected=expected, obtained=arr)
        v = float(arr.reshape(-1)[0])
        if not np.isfinite(v):
            raise Feedback(f"{what} is {v}: not a finite number (NaN/inf)", inputs=inputs, expected=expected,
                           obtained=v,
                           hint="look for a division by zero, a log of 0 or an exp that overflows")
        return v

    def expect_close(self, obtained, expected, what, *, inputs=None, rtol=1e-8, atol=1e-10, hint=None,
                     kind="float"):
        """Compare with the expected value computed by refgrow; the message diagnoses the difference.

        Tolerance: ``|obtained - expected| <= atol * max(1, max|expected|) + rtol * |expected|``.
        """
        expected = np.asarray(expected)
        scalar = expected.ndim == 0
        if scalar:
            o = np.asarray(self.as_scalar(obtained, what, inputs=inputs, expected=expected))
        else:
            o = self.as_array(obtained, what, shape=expected.shape, inputs=inputs, expected=expected,
                              kind=kind)
        e = expected.astype(np.float64) if kind == "float" else expected
        if kind == "int":
            if np.array_equal(o, e):
                return o
            idx = np.flatnonzero(o.reshape(-1) != e.reshape(-1))
            raise Feedback(f"{what} differs from the expected value at {idx.size} of {e.size} entries "
                           f"(first at flat index {idx[0]})", inputs=inputs, expected=e, obtained=o,
                           hint=hint)
        scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
        tol = atol * scale + rtol * np.abs(e)
        if np.all(np.abs(o - e) <= tol):
            return o
        raise Feedback(f"{what} differs from the expected value: {_diagnose(o, e, tol)}", inputs=inputs,
                       expected=e if not scalar else float(e), obtained=o if not scalar else float(o),
                       hint=hint)

    def fail(self, message, **kw):
        raise Feedback(message, **kw)

    # -- hypothesis ----------------------------------------------------------------------------
    def forall(self, body, **strategies):
        """Run ``body(**drawn)`` on hypothesis examples; the shrunk failure's feedback propagates.

        A function that is missing or not written yet fails at once (no shrinking: the inputs do not
        matter). The ``explain`` phase is off (it would cost seconds per failure).
        """
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings

        not_written = []

        @settings(max_examples=self.max_examples, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                  print_blob=False, verbosity=Verbosity.quiet,
                  phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))
        @given(**strategies)
        def prop(**kw):
            if not_written:
                return
            try:
                body(**kw)
            except _NotWritten as exc:
                not_written.append(exc)

        try:
            prop()
        except Feedback:
            raise
        except BaseException as exc:                         # noqa: BLE001 - hypothesis wrappers
            inner = _find_feedback(exc)
            if inner is not None:
                raise inner from None
            if isinstance(exc, (KeyboardInterrupt, GeneratorExit)):
                raise
            raise Feedback(f"the checker could not run this property ({type(exc).__name__}: "
                           f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}); is your "
                           "function deterministic (same inputs, same outputs)?") from None
        if not_written:
            raise not_written[0]


def _find_feedback(exc):
    if isinstance(exc, Feedback):
        return exc
    for sub in getattr(exc, "exceptions", ()) or ():
        f = _find_feedback(sub)
        if f is not None:
            return f
    for nxt in (exc.__cause__, exc.__context__):
        if isinstance(nxt, Feedback):
            return nxt
    return None


def _diagnose(o, e, tol) -> str:
    """A short description of how ``o`` differs from ``e`` (sign, constant factor, transpose)."""
    err = np.abs(o - e)
    i = int(np.argmax(err - tol)) if err.ndim else 0
    where = "" if o.ndim == 0 else f" at index {tuple(int(j) for j in np.unravel_index(i, o.shape))}"
    base = (f"largest error {float(np.max(err)):.3g}{where} "
            f"(expected {float(e.reshape(-1)[i]):.10g}, obtained {float(o.reshape(-1)[i]):.10g})")
    ee = float(np.sum(e * e))
    notes = []
    if ee > 0 and np.count_nonzero(e) >= 2:
        c = float(np.sum(o * e) / ee)
        if np.all(np.abs(o - c * e) <= tol + 1e-9 * abs(c) * np.abs(e)) and abs(c - 1) > 1e-6:
            notes.append("it has the opposite sign" if abs(c + 1) < 1e-6 else
                         f"it is {c:.6g} times the expected value everywhere")
    if o.ndim == 2 and o.shape[0] == o.shape[1] and o.shape[0] > 1 and np.all(np.abs(o - e.T) <= tol):
        notes.append("it equals the transpose of the expected value")
    return base + ("; " + "; ".join(notes) if notes else "")
