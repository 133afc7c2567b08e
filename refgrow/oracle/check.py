"""Export the golden vectors, load them back, and check an implementation against them.

A check calls the implementation with a case's arguments in the pinned order of DESIGN.md, reads its
outputs by name, attribute or position (:data:`refgrow.oracle.cases.OUTPUTS`), and compares each with
refgrow's: entry-wise (``|yours - refgrow| <= atol + rtol |refgrow|``), exactly for integers, and up to
the real ambiguities for new neurons (:func:`refgrow.testing.assert_neurons_equivalent`). A failing
output gets the convention hint that explains it when one does (:func:`refgrow.testing.convention_hints`).

Symbol table
------------
=============  ==================  ===================================================================
symbol         code                meaning
=============  ==================  ===================================================================
DIR            ``directory``       exported golden vectors (``manifest.json``, ``<case>.json/.npz``)
yours          ``impl``            callable, module, or ``"package.module[:function]"`` under test
refgrow        ``case.outputs``    expected outputs; ``case.compare`` says how each is compared
result         ``CaseResult``      status, max abs / rel deviation, messages, convention hints
=============  ==================  ===================================================================
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field

import numpy as np

import refgrow
from refgrow.oracle import io
from refgrow.oracle.cases import CONVENTIONS, REFERENCE, Arr, Case, Net, as_network, build_cases, call, read_outputs
from refgrow.testing import assert_neurons_equivalent, convention_hints, deviation_report

__all__ = ["export", "load_cases", "check", "CaseResult", "load_impl", "reference_impl"]


# ------------------------------------------------------------------------------------------ export / load
def _encode(v):
    if isinstance(v, Net):
        return {"network": str(v)}
    if isinstance(v, Arr):
        return {"array": str(v)}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (np.integer, np.floating)):
        return v.item()
    raise TypeError(f"cannot encode argument {v!r}")


def _decode(v):
    if isinstance(v, dict) and set(v) == {"network"}:
        return Net(v["network"])
    if isinstance(v, dict) and set(v) == {"array"}:
        return Arr(v["array"])
    return v


def _file_stem(name):
    return name.replace("/", "__")


def export(out, *, cases=None) -> list:
    """Write the golden vectors to directory ``out``; return the case names.

    Parameters
    ----------
    out : path of a directory (created)
    cases : list of str, optional, name or function prefixes to export (default all)
    """
    out = os.fspath(out)
    os.makedirs(out, exist_ok=True)
    built = build_cases(cases)
    if not built:
        raise ValueError(f"cases must name at least one case or function, got {cases!r}")
    for c in built:
        arrays, json_in = {}, {}
        for k, v in c.inputs.items():
            arrays[f"in/{k}"] = np.asarray(v)
            json_in[k] = io.array_to_json(v)
        nets = {}
        for k, net in c.networks.items():
            nets[k] = {"activation": net.activation, "has_bias": list(net.has_bias), "n_layers": len(net.weights)}
            for l, (w, b) in enumerate(zip(net.weights, net.biases)):
                for nm, arr in ((f"{k}.W{l}", w), (f"{k}.b{l}", b)):
                    arrays[f"in/{nm}"] = arr
                    json_in[nm] = io.array_to_json(arr)
        json_out = {}
        for k, v in c.outputs.items():
            arrays[f"out/{k}"] = np.asarray(v)
            json_out[k] = io.array_to_json(v)
        stem = _file_stem(c.name)
        io.write_npz(os.path.join(out, stem + ".npz"), arrays)
        io.write_json(os.path.join(out, stem + ".json"), {
            "name": c.name, "function": c.function, "description": c.description,
            "call": {"args": [_encode(a) for a in c.args], "kwargs": {k: _encode(v) for k, v in c.kwargs.items()}},
            "inputs": json_in, "networks": nets, "outputs": json_out, "compare": c.compare,
            "conventions": c.conventions, "factors": c.factors, "refgrow_version": refgrow.__version__,
            "format": io.FORMAT})
    io.write_json(os.path.join(out, "manifest.json"), {
        "format": io.FORMAT, "refgrow_version": refgrow.__version__, "conventions": CONVENTIONS,
        "cases": [{"name": c.name, "function": c.function, "file": _file_stem(c.name)} for c in built],
        "how_to_check": "python -m refgrow oracle check DIR --impl package.module:function"})
    return [c.name for c in built]


def load_cases(directory, *, source="npz") -> list:
    """The cases of an exported directory, as :class:`refgrow.oracle.cases.Case` with outputs and comparisons.

    ``source="npz"`` reads the arrays from the ``.npz`` files, ``"json"`` from the JSON (the same bits).
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"directory {directory!r} does not exist (write it with `python -m refgrow oracle export --out DIR`)")
    if source not in ("npz", "json"):
        raise ValueError(f"source must be 'npz' or 'json', got {source!r}")
    manifest = io.read_json(os.path.join(directory, "manifest.json"))
    if manifest.get("format") != io.FORMAT:
        raise ValueError(f"{directory}: format {manifest.get('format')!r} is not {io.FORMAT} (re-export it)")
    cases = []
    for entry in manifest["cases"]:
        meta = io.read_json(os.path.join(directory, entry["file"] + ".json"))
        if source == "npz":
            data = io.read_npz(os.path.join(directory, entry["file"] + ".npz"))
            ins = {k[3:]: v for k, v in data.items() if k.startswith("in/")}
            outs = {k[4:]: v for k, v in data.items() if k.startswith("out/")}
        else:
            ins = {k: io.array_from_json(v) for k, v in meta["inputs"].items()}
            outs = {k: io.array_from_json(v) for k, v in meta["outputs"].items()}
        nets = {}
        for k, m in meta["networks"].items():
            L = m["n_layers"]
            nets[k] = as_network([ins.pop(f"{k}.W{l}") for l in range(L)], [ins.pop(f"{k}.b{l}") for l in range(L)],
                                 m["activation"], m["has_bias"])
        cases.append(Case(meta["name"], meta["function"], meta["description"],
                          [_decode(a) for a in meta["call"]["args"]],
                          {k: _decode(v) for k, v in meta["call"]["kwargs"].items()},
                          inputs=ins, networks=nets, outputs=outs, compare=meta["compare"],
                          conventions=meta["conventions"], factors=meta["factors"]))
    return cases


# ------------------------------------------------------------------------------------------ check
@dataclass
class CaseResult:
    """Outcome of one case: ``status`` in {"pass", "fail", "error"}, worst deviations, messages, hints."""

    name: str
    function: str
    status: str
    max_abs: float = 0.0
    max_rel: float = 0.0
    messages: list = field(default_factory=list)
    hints: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def line(self) -> str:
        """One report line (more lines for failures)."""
        head = f"{self.status.upper():5s} {self.name:48s} max abs {self.max_abs:.2e}  max rel {self.max_rel:.2e}"
        return "\n".join([head] + [f"      {m}" for m in self.messages] + [f"      hint: {h}" for h in self.hints])


def _compare(case, mine, res):
    for g in case.compare:
        if g["kind"] == "neurons":
            fi = [case.outputs[n] for n in g["fan_in"]]
            fi = fi[0] if len(fi) == 1 else np.column_stack(fi)
            ref = (fi, case.outputs[g["fan_out"]])
            if any(n not in mine for n in g["fan_in"] + [g["fan_out"]]):
                res.status = "fail"
                res.messages.append(f"missing output(s) {[n for n in g['fan_in'] + [g['fan_out']] if n not in mine]}")
                continue
            yi = [mine[n] for n in g["fan_in"]]
            yours = (yi[0] if len(yi) == 1 else np.column_stack(yi), mine[g["fan_out"]])
            sv = case.outputs.get(g["singular_values"]) if g["singular_values"] else None
            try:
                assert_neurons_equivalent(yours, ref, kind=g["mode"], singular_values=sv, rtol=g["rtol"],
                                          atol=g["atol"])
            except AssertionError as exc:
                res.status = "fail"
                res.messages.append(str(exc))
                res.hints += _neuron_hints(yours, ref, case.factors)
            continue
        nm = g["output"]
        ref = case.outputs[nm]
        if nm not in mine:
            if ref.size and np.all(ref == 0) and nm.startswith("biases."):
                continue                                   # a bias-free layer's gradient given as None
            res.status = "fail"
            res.messages.append(f"{nm}: missing from yours (expected shape {ref.shape})")
            continue
        y = mine[nm]
        if y.shape != ref.shape and y.size == ref.size == 1:
            y = y.reshape(ref.shape)
        if y.shape != ref.shape:
            res.status = "fail"
            res.messages.append(f"{nm}: shape refgrow {ref.shape} vs yours {y.shape}")
            res.hints += convention_hints(y, ref, factors=case.factors)
            continue
        if g["kind"] == "exact":
            bad = np.asarray(y != ref)
            if bad.any():
                res.status = "fail"
                res.messages.append(f"{nm}: {int(bad.sum())} of {ref.size} entries differ (compared exactly)")
            continue
        rep = deviation_report(y, ref, rtol=g["rtol"], atol=g["atol"], n_worst=3)
        res.max_abs, res.max_rel = max(res.max_abs, rep["max_abs"]), max(res.max_rel, rep["max_rel"])
        if not rep["ok"]:
            res.status = "fail"
            worst = ", ".join(f"[{', '.join(map(str, map(int, i)))}] refgrow {r!r} yours {v!r}" for i, r, v, _ in rep["worst"])
            res.messages.append(f"{nm}: refgrow vs yours: {rep['n_bad']} of {rep['size']} entries outside "
                                f"rtol={g['rtol']:g}, atol={g['atol']:.3g}; max abs {rep['max_abs']:.3e}; worst: {worst}")
            res.hints += [f"{nm}: {h}" for h in convention_hints(y, ref, factors=case.factors)]


def _neuron_hints(yours, ref, factors):
    """Explain a neuron mismatch: transposed factors, or all rank-one moves scaled by one constant."""
    fi_y, fo_y = yours
    fi_r, fo_r = ref
    if fi_y.shape == fi_r.shape[::-1] or fo_y.shape == fo_r.shape[::-1]:
        return ["transposed weight: refgrow's fan-in is (k, d_in) (bias last) and fan-out (d_out, k)"]
    if fi_y.shape != fi_r.shape or fo_y.shape != fo_r.shape:
        return []
    My, Mr = fo_y @ fi_y, fo_r @ fi_r                      # summed moves sum_k omega_k alpha_k^T
    den = float(np.sum(Mr * Mr))
    if den == 0:
        return []
    c = float(np.sum(My * Mr)) / den
    if c == 0 or np.isclose(c, 1.0, rtol=1e-6):
        return []
    try:
        assert_neurons_equivalent((fi_y, fo_y / c), ref, rtol=1e-6, atol=1e-9)
    except AssertionError:
        return []
    named = [k for k, v in (factors or {}).items() if v and np.isclose(abs(c), float(v), rtol=1e-6)]
    return [f"yours' rank-one moves omega_k alpha_k^T are refgrow's times {c:.6g}"
            + (f" = factor {named[0]}" + (" in MSE" if named[0] == "K" else "") if named else "")
            + ": a factor in V_goal (loss scaling: summed vs averaged, MSE with or without 1/K or 1/2)"]


def reference_impl(function):
    """refgrow's own implementation of ``function`` under the case calling convention."""
    if function not in REFERENCE:
        raise ValueError(f"function must be one of {sorted(REFERENCE)}, got {function!r}")
    return REFERENCE[function]


def load_impl(spec):
    """Import ``"package.module:function"`` (a callable) or ``"package.module"`` (a namespace of functions)."""
    if not isinstance(spec, str) or not spec or spec.count(":") > 1:
        raise ValueError(f"--impl must be 'package.module:function' or 'package.module', got {spec!r}")
    mod, _, attr = spec.partition(":")
    try:
        obj = importlib.import_module(mod)
    except ImportError as exc:
        raise ValueError(f"--impl {spec!r}: cannot import module {mod!r}: {exc}") from None
    if attr:
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise ValueError(f"--impl {spec!r}: module {mod!r} has no attribute {attr!r}")
            obj = getattr(obj, part)
        if not callable(obj):
            raise ValueError(f"--impl {spec!r}: {attr!r} is not callable")
    return obj


def _select(cases, impl, function):
    """Pairs (case, callable) to run: a callable runs the cases of ``function`` (default: matched by its
    ``__name__`` against the short names, e.g. ``best_update`` -> ``tiny.best_update``); a module runs every
    case whose short name it defines."""
    names = sorted({c.function for c in cases})
    if callable(impl) and not hasattr(impl, "__path__") and not isinstance(impl, type(os)):
        if function is None:
            short = getattr(impl, "__name__", "")
            match = [f for f in names if f.split(".")[-1] == short]
            if len(match) != 1:
                raise ValueError(f"--function is needed: cannot tell which function {short!r} implements; one of "
                                 f"{names}")
            function = match[0]
        if function not in names:
            raise ValueError(f"--function must be one of the exported functions {names}, got {function!r}")
        return [(c, impl) for c in cases if c.function == function]
    pairs = [(c, getattr(impl, c.function.split(".")[-1])) for c in cases
             if callable(getattr(impl, c.function.split(".")[-1], None))
             and (function is None or c.function == function)]
    if not pairs:
        raise ValueError(f"--impl module {getattr(impl, '__name__', impl)!r} defines none of the functions "
                         f"{sorted({n.split('.')[-1] for n in names})}")
    return pairs


def check(directory, impl, *, function=None, cases=None) -> list:
    """Run ``impl`` on the golden vectors in ``directory``; return one :class:`CaseResult` per case run.

    Parameters
    ----------
    directory : path written by :func:`export`
    impl : callable, module, ``"package.module:function"`` / ``"package.module"``, or ``"refgrow"`` (refgrow's
        own implementations, through the same calling convention)
    function : str, optional, the exported function name (``"tiny.best_update"``) a callable implements
    cases : list of str, optional, case-name prefixes to run
    """
    loaded = load_cases(directory)
    if cases:
        loaded = [c for c in loaded if any(c.name.startswith(p) for p in cases)]
    if impl == "refgrow":
        pairs = [(c, REFERENCE[c.function]) for c in loaded if function is None or c.function == function]
    else:
        pairs = _select(loaded, load_impl(impl) if isinstance(impl, str) else impl, function)
    results = []
    for case, fn in pairs:
        res = CaseResult(case.name, case.function, "pass")
        try:
            mine = read_outputs(case.function, call(fn, case), case.inputs)
        except Exception as exc:  # the implementation under test raised: report, do not crash
            res.status = "error"
            res.messages.append(f"{type(exc).__name__}: {exc}")
            results.append(res)
            continue
        _compare(case, mine, res)
        res.hints = list(dict.fromkeys(res.hints))
        results.append(res)
    return results
