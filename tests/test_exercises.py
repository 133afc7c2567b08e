"""Classroom exercises: the checker accepts refgrow's reference solutions, rejects seeded mistakes with the
expected feedback, and turns exceptions, wrong shapes and infinite loops into feedback (never a traceback).

The seeded mistakes below are the typical ones of each exercise (a transposed weight, a missing 1/n, a
wrong sign, an off-by-one triangle index, ReLU'(0) = 1, an unweighted mean in Lloyd, ...); each must
fail the named check with a message that says what is wrong.
"""
import importlib.util
import json
import os
import textwrap

import numpy as np
import pytest

from refgrow.cli import COMMANDS, main
from refgrow.exercises import EXERCISES, copy_skeletons, get_exercise, skeleton_path
from refgrow.exercises.checker import SCHEMA, check_file, check_namespace, format_report
from refgrow.exercises.checks import CHECKS
from refgrow.exercises.solutions import namespace, solution_source

KEYS = [ex.key for ex in EXERCISES]


def _run(key, **overrides):
    ns = namespace(key)
    ns.update(overrides)
    return check_namespace(key, ns, max_examples=15)


def _check(report, name):
    hits = [c for c in report.checks if c.name == name]
    assert len(hits) == 1, f"no check named {name!r} in {[c.name for c in report.checks]}"
    return hits[0]


# ------------------------------------------------------------------------------------- registry
def test_ids_are_the_fixed_eight_in_order():
    assert KEYS == ["01_affine_relu", "02_softmax_ce", "03_triangle", "04_hyperplane", "05_weighted_kmeans",
                    "06_adf", "07_fold_regularizer", "08_tiny"]
    for ex in EXERCISES:
        assert get_exercise(f"{ex.number:02d}") is ex
        assert get_exercise(ex.name) is ex and get_exercise(ex.key) is ex and get_exercise(str(ex.number)) is ex
    with pytest.raises(ValueError, match="unknown"):
        get_exercise("09")


@pytest.mark.parametrize("key", KEYS)
def test_every_exercise_is_worth_ten_points(key):
    assert sum(c.points for c in CHECKS[key]) == 10
    assert set().union(*(c.functions for c in CHECKS[key])) == set(get_exercise(key).functions)


@pytest.mark.parametrize("key", KEYS)
def test_skeleton_has_the_signatures_and_no_solution(key):
    """The skeleton defines every function, and (apart from a given helper) each still raises
    NotImplementedError: every check that calls a function to write fails with 'not written yet'."""
    path = skeleton_path(key)
    spec = importlib.util.spec_from_file_location("skel_" + key, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ns = {f: getattr(mod, f) for f in get_exercise(key).functions}
    assert all(callable(f) for f in ns.values())
    text = open(path).read()
    assert "NotImplementedError" in text
    assert not any(ln.lstrip().startswith(("import refgrow", "from refgrow")) for ln in text.splitlines())
    rep = check_namespace(key, ns, max_examples=5)
    assert rep.points == 0 and rep.status == "failed"
    assert all("not written yet" in c.message for c in rep.checks)


# ------------------------------------------------------------------------------------- reference
@pytest.mark.parametrize("key", KEYS)
def test_reference_solution_passes_every_check(key):
    rep = check_namespace(key, namespace(key))
    failed = [(c.name, c.message) for c in rep.checks if not c.passed]
    assert failed == []
    assert rep.status == "passed" and rep.points == rep.max_points == 10


# ------------------------------------------------------------------------------------- seeded mistakes
def _affine_backward_transposed(dZ, cache):
    X, W = cache
    return dZ @ W, X.T @ dZ, dZ.sum(axis=0)


def _affine_backward_wrong_sign(dZ, cache):
    X, W = cache
    return -(dZ @ W), dZ.T @ X, dZ.sum(axis=0)


def _relu_forward_z(Z):
    return np.maximum(Z, 0.0), Z


def _relu_backward_prime0_is_1(dA, Z):
    return dA * (Z >= 0)


def _logsoftmax(Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def _sce_missing_1_over_n(Z, y):
    n = Z.shape[0]
    lp = _logsoftmax(Z)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1.0
    return -lp[np.arange(n), y].mean(), d


def _sce_stable(Z, y):
    loss, d = _sce_missing_1_over_n(Z, y)
    return loss, d / Z.shape[0]


def _sce_wrong_sign(Z, y):
    loss, d = _sce_missing_1_over_n(Z, y)
    return loss, -d / Z.shape[0]


def _sce_unstable(Z, y):
    n = Z.shape[0]
    p = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    d = p.copy()
    d[np.arange(n), y] -= 1.0
    return -np.log(p[np.arange(n), y]).mean(), d / n


def _tri(x, a):
    return np.where(x <= a, x / a, (1 - x) / (1 - a))


def _waves_reversed(x, a):
    out = []
    for i in range(len(a)):
        w = np.asarray(x, dtype=float)
        for ai in a[:i + 1][::-1]:              # T_{a_0} applied last: the wrong order
            w = _tri(w, ai)
        out.append(w)
    return np.array(out)


def _scales_off_by_one(a, sign=-1):
    s = [(a[0] if sign == -1 else 1 - a[0]) * a[1]]
    for i in range(len(a) - 2):
        s.append(s[-1] * (1 - a[i]) * a[i + 1])     # should be (1 - a_{i+1}) a_{i+2}
    return np.array(s)


def _scales_ignore_sign(a, sign=-1):
    s = [a[0] * a[1]]
    for i in range(len(a) - 2):
        s.append(s[-1] * (1 - a[i + 1]) * a[i + 2])
    return np.array(s)


def _cp_norm_not_squared(x, w, b):
    x = np.asarray(x, dtype=float)
    return x - np.multiply.outer((x @ w + b) / np.linalg.norm(w), w)


def _cp_wrong_sign(x, w, b):
    x = np.asarray(x, dtype=float)
    return x + np.multiply.outer((x @ w + b) / (w @ w), w)


def _la_without_masks(weights, biases, x):
    A, c = np.eye(len(x)), np.zeros(len(x))
    for W, b in zip(weights, biases):
        A, c = W @ A, W @ c + b
    return A, c


def _lloyd_unweighted(X, w, C):
    lab = ((X[:, None, :] - C[None]) ** 2).sum(-1).argmin(1)
    return np.array([X[lab == j].mean(axis=0) for j in range(len(C))]), lab


def _pp(X, w, k, rng, first_p, power=2.0):
    n = len(X)
    idx = [int(rng.choice(n, p=first_p))]
    for _ in range(k - 1):
        d = np.sqrt(((X[:, None, :] - X[idx][None]) ** 2).sum(-1).min(1))
        p = w * d ** power
        idx.append(int(rng.choice(n, p=p / p.sum())))
    return np.array(idx)


def _pp_uniform_first(X, w, k, rng):
    pos = (w > 0).astype(float)
    return _pp(X, w, k, rng, pos / pos.sum())


def _pp_global_rng(X, w, k, rng):
    return _pp(X, w, k, np.random.default_rng(np.random.randint(2**31)), w / w.sum())


def _adf(x, lag, regression="c", *, dof=True, const=True, shift=0):
    x = np.asarray(x, dtype=float)
    dx = np.diff(x)
    n = len(x)
    rows = range(lag + 1, n)
    cols = [[x[t - 1] for t in rows]]
    cols += [[dx[t - 1 - i - shift] for t in rows] for i in range(1, lag + 1)]
    if regression in ("c", "ct") and const:
        cols.append([1.0] * len(rows))
    if regression == "ct":
        cols.append(list(range(1, len(rows) + 1)))
    X = np.array(cols, dtype=float).T
    y = np.array([dx[t - 1] for t in rows])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    ssr = float(np.sum((y - X @ beta) ** 2))
    s2 = ssr / (len(y) - X.shape[1] if dof else len(y))
    return beta[0] / np.sqrt(s2 * np.linalg.inv(X.T @ X)[0, 0])


def _fold(w, b, pm, pf, *, quotient=True, power=1, sign=np.sign):
    w, pm, pf = (np.asarray(v, dtype=float) for v in (w, pm, pf))
    um, uf = w @ pm + b, w @ pf + b
    nw = np.linalg.norm(w)
    num = abs(um) + abs(uf)
    gw = (sign(um) * pm + sign(uf) * pf) / nw ** power
    if quotient:
        gw = gw - power * num * w / nw ** (power + 2)
    return num / nw ** power, gw, float((sign(um) + sign(uf)) / nw ** power)


def _best_update_transposed(B, V):
    n = B.shape[0]
    return np.linalg.solve(B.T @ B / n, B.T @ V / n)          # (d, d_out): the transpose of dW


def _isqrt(S):
    mu, Q = np.linalg.eigh(S)
    return (Q / np.sqrt(mu)) @ Q.T


def _sn_missing_1_over_n(B, V):
    return _isqrt(B.T @ B / B.shape[0]) @ (B.T @ V)


def _nn_unbalanced(B, V, k):
    n = B.shape[0]
    Si = _isqrt(B.T @ B / n)
    U, lam, Vt = np.linalg.svd(Si @ (B.T @ V / n), full_matrices=False)
    return (Si @ U[:, :k]).T, Vt[:k].T * lam[:k], lam[:k]


WRONG = [
    ("01", {"affine_backward": _affine_backward_transposed}, "affine_backward: dX, dW, db on a golden example",
     "dW has shape (4, 5), expected (5, 4) (the transpose of the expected shape)"),
    ("01", {"affine_backward": _affine_backward_wrong_sign}, "affine_backward: dX, dW, db on a golden example",
     "dX differs from the expected value: largest error"),
    ("01", {"relu_forward": _relu_forward_z, "relu_backward": _relu_backward_prime0_is_1},
     "relu_backward passes no gradient where Z = 0 exactly (property)", "dZ differs from the expected value"),
    ("02", {"softmax_cross_entropy": _sce_missing_1_over_n}, "gradient on a golden example",
     "it is 4 times the expected value everywhere"),
    ("02", {"softmax_cross_entropy": _sce_wrong_sign}, "gradient on a golden example", "it has the opposite sign"),
    ("02", {"softmax_cross_entropy": _sce_unstable}, "finite and correct for logits of size 1000 (property)",
     "not a finite number (NaN/inf)"),
    ("03", {"differentiable_scales": _scales_off_by_one}, "differentiable_scales on a golden example (both signs)",
     "s (sign=-1) differs from the expected value"),
    ("03", {"differentiable_scales": _scales_ignore_sign}, "differentiable_scales on a golden example (both signs)",
     "s (sign=+1) differs from the expected value"),
    ("03", {"triangle_waves": _waves_reversed}, "triangle_waves on a golden example", "W differs from the expected"),
    ("04", {"closest_point_on_hyperplane": _cp_norm_not_squared},
     "closest point lies on the hyperplane and x - x' is parallel to w (property)",
     "w . x' + b (x' must lie on the hyperplane) differs"),
    ("04", {"closest_point_on_hyperplane": _cp_wrong_sign}, "closest_point_on_hyperplane on a golden example",
     "x' differs from the expected value"),
    ("04", {"local_affine_map": _la_without_masks}, "local_affine_map reproduces the network on x's activation "
     "region (property)", "must equal the network f(x')"),
    ("05", {"lloyd_step": _lloyd_unweighted}, "lloyd_step: integer weights equal repeated rows (property)",
     "must equal your centres for the data with row i repeated"),
    ("05", {"kmeans_plusplus": _pp_uniform_first},
     "kmeans_plusplus draws with the weighted D^2 probabilities (chi-square test)", "do not follow weighted k-means++"),
    ("05", {"kmeans_plusplus": _pp_global_rng}, "kmeans_plusplus: the same rng gives the same seeds, different "
     "rngs differ", "draw all randomness from the rng argument"),
    ("06", {"adf_statistic": lambda x, lag, regression="c": _adf(x, lag, regression, dof=False)},
     "adf_statistic on golden series, regression='c'", "tau (regression='c') differs from the expected value"),
    ("06", {"adf_statistic": lambda x, lag, regression="c": _adf(x, lag, regression, const=False)},
     "tau is invariant to c x + d ('c') and to an added linear trend ('ct') (property)",
     "a constant in the regression makes tau invariant"),
    ("06", {"adf_statistic": lambda x, lag, regression="c": _adf(x, lag, regression, shift=-1)},
     "adf_statistic on random series, lags and regressions (property)", "differs from the expected value"),
    ("07", {"fold_regularizer": lambda w, b, pm, pf: _fold(w, b, pm, pf, quotient=False)},
     "value invariant to (w, b) -> (c w, c b); Euler: <grad_w, w> + grad_b b = 0 (property)", "Euler's theorem"),
    ("07", {"fold_regularizer": lambda w, b, pm, pf: _fold(w, b, pm, pf, power=2)}, "value on a golden example",
     "value differs from the expected value"),
    ("07", {"fold_regularizer": lambda w, b, pm, pf: _fold(w, b, pm, pf, sign=lambda u: 1.0 if u >= 0 else -1.0)},
     "points exactly on the hyperplane: value 0 there, subgradient sign(0) = 0 (property)", "sign(0) = 0"),
    ("08", {"best_update": _best_update_transposed}, "best_update on a golden example (Prop. 3.1)",
     "dW has shape (4, 3), expected (3, 4) (the transpose of the expected shape)"),
    ("08", {"s_inv_sqrt_n": _sn_missing_1_over_n}, "s_inv_sqrt_n on a golden example",
     "it is 15 times the expected value everywhere"),
    ("08", {"new_neurons": _nn_unbalanced}, "new_neurons split lambda_k evenly: alpha_k^T S alpha_k = "
     "||omega_k||^2 = lambda_k (property)", "alpha_k^T S alpha_k"),
]


@pytest.mark.parametrize("key, overrides, check, fragment", WRONG,
                         ids=[f"{w[0]}-{next(iter(w[1]))}-{i}" for i, w in enumerate(WRONG)])
def test_seeded_mistake_fails_with_the_expected_message(key, overrides, check, fragment):
    rep = _run(key, **overrides)
    c = _check(rep, check)
    assert c.status == "failed" and c.points == 0
    assert fragment in c.message, c.message
    assert c.hint                                            # a pointer to the equation
    assert c.counterexample is not None and c.counterexample["inputs"]
    assert rep.status == "failed" and rep.points < rep.max_points
    text = format_report(rep)
    assert "Traceback" not in text and "counterexample:" in text and "hint:" in text


def test_per_exercise_at_least_two_seeded_mistakes():
    counts = {k: sum(get_exercise(w[0]).key == k for w in WRONG) for k in KEYS}
    assert min(counts.values()) >= 2, counts


def test_counterexample_is_shrunk_and_checks_of_other_functions_still_pass():
    rep = _run("01", affine_backward=_affine_backward_transposed)
    assert _check(rep, "affine_forward: Z = X W^T + b on a golden example").passed
    assert _check(rep, "relu_backward agrees with centred finite differences away from 0 (property)").passed
    fd = _check(rep, "affine_backward agrees with centred finite differences (property)")
    # hypothesis shrinks n, D, h to the smallest sizes where a transposed dW is visible: D != h
    X = np.asarray(fd.counterexample["inputs"]["X"])
    W = np.asarray(fd.counterexample["inputs"]["W"])
    assert X.shape[0] == 1 and W.shape in ((1, 2), (2, 1))


def test_golden_vectors_are_computed_by_refgrow_at_check_time(monkeypatch):
    """If refgrow's reference changed, the expected values in the feedback would change with it."""
    import refgrow.losses
    rep = _run("02", softmax_cross_entropy=_sce_stable)
    assert rep.passed
    monkeypatch.setattr(refgrow.losses, "softmax_cross_entropy", lambda z, y: (0.0, np.zeros_like(z)))
    rep = _run("02", softmax_cross_entropy=_sce_stable)
    assert not _check(rep, "loss value on a golden example").passed


# ------------------------------------------------------------------------------------- robustness
def _raises(*a, **k):
    return 1 / 0


def _wrong_shape_loss(Z, y):
    return 0.5, np.zeros((Z.shape[0], Z.shape[1] + 1))


@pytest.mark.parametrize("fn, fragment", [
    (_raises, "`softmax_cross_entropy` raised ZeroDivisionError: division by zero"),
    (_wrong_shape_loss, "d_logits has shape (4, 4), expected (4, 3)"),
    (lambda Z, y: None, "must return 2 values (loss, d_logits), got a NoneType"),
    (lambda Z, y: (np.nan, np.zeros_like(Z)), "loss is nan: not a finite number"),
    (lambda Z, y: (1.0, np.zeros(Z.shape, dtype=np.float32)), "dtype float32, expected float64"),
])
def test_student_errors_become_feedback(fn, fragment):
    rep = _run("02", softmax_cross_entropy=fn)
    assert rep.points == 0 and rep.status == "failed"
    assert fragment in _check(rep, "gradient on a golden example").message


def test_missing_function_is_feedback():
    ns = namespace("04")
    del ns["local_affine_map"]
    rep = check_namespace("04", ns, max_examples=10)
    assert _check(rep, "closest_point_on_hyperplane on a golden example").passed
    assert "function `local_affine_map` is missing from your file" in _check(
        rep, "local_affine_map on a golden example").message


def _write(path, text):
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_file_exception_names_the_line_and_never_shows_a_traceback(tmp_path):
    f = _write(tmp_path / "sol.py", """\
        import numpy as np

        def fold_regularizer(w, b, p_mistake, p_fold):
            u = np.dot(w, p_mistake) + b
            return u / undefined_name, w, b
        """)
    rep = check_file("07", f, timeout=60, max_examples=5)
    assert rep.status == "failed" and rep.points == 0
    msg = _check(rep, "value on a golden example").message
    assert "raised NameError: name 'undefined_name' is not defined (at line 5 of sol.py:" in msg
    assert sorted(os.listdir(tmp_path)) == ["sol.py"]          # nothing written beside the student's file


def test_file_that_cannot_be_imported_is_feedback(tmp_path):
    f = _write(tmp_path / "sol.py", "def triangle(x, a)\n    return x\n")
    rep = check_file("03", f, timeout=60)
    assert rep.status == "error" and rep.points == 0
    assert "could not be imported: SyntaxError at line 1" in rep.message
    assert all(c.status == "not_run" for c in rep.checks)


def test_infinite_loop_becomes_a_time_out_and_keeps_earlier_points(tmp_path):
    f = _write(tmp_path / "sol.py", """\
        import time
        from refgrow.exercises.solutions import triangle, differentiable_scales

        def triangle_waves(x, a):
            while True:            # the student's bug: a loop that never ends
                time.sleep(0.05)
        """)
    rep = check_file("03", f, timeout=8, max_examples=5)
    assert rep.status == "timeout"
    assert rep.points == 3                                  # the two triangle checks finished first
    c = _check(rep, "triangle_waves on a golden example")
    assert c.status == "timeout" and "time-out after 8 s in check" in c.message and "infinite loop" in c.message
    assert [x.status for x in rep.checks[3:]] == ["not_run"] * 3


# ------------------------------------------------------------------------------------- command line
def test_cli_commands_are_registered():
    assert COMMANDS["check"][0] == "refgrow.exercises.checker:check_main"
    assert COMMANDS["exercises"][0] == "refgrow.exercises:exercises_main"


def test_cli_check_all_reference_solutions_exit_0_and_json_report(tmp_path, capsys):
    for ex in EXERCISES:
        (tmp_path / ex.filename).write_text(solution_source(ex))
    out = tmp_path / "report.json"
    assert main(["check", "--all", str(tmp_path), "--json", str(out), "--max-examples", "10"]) == 0
    text = capsys.readouterr().out
    assert "total: 80/80 points; 8/8 exercise(s) fully passed" in text
    rep = json.loads(out.read_text())
    assert rep["schema"] == SCHEMA and rep["passed"] is True
    assert rep["points"] == rep["max_points"] == 80 and rep["max_examples"] == 10
    assert [e["id"] for e in rep["exercises"]] == KEYS
    for e in rep["exercises"]:
        assert e["status"] == "passed" and e["points"] == e["max_points"] == 10
        assert sum(c["max_points"] for c in e["checks"]) == 10
        assert all(c["passed"] and c["counterexample"] is None for c in e["checks"])


def test_cli_check_one_failing_file_exit_1_and_json_counterexample(tmp_path, capsys):
    f = _write(tmp_path / "mine.py", """\
        import numpy as np

        def softmax_cross_entropy(logits, y):
            z = logits - logits.max(axis=1, keepdims=True)
            p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            n = len(y)
            d = p.copy()
            d[np.arange(n), y] -= 1
            return -np.log(p[np.arange(n), y]).mean(), d      # gradient not divided by n
        """)
    out = tmp_path / "r.json"
    assert main(["check", "02_softmax_ce", f, "--json", str(out)]) == 1
    text = capsys.readouterr().out
    assert "FAIL gradient on a golden example" in text and "PASS loss value on a golden example" in text
    rep = json.loads(out.read_text())
    assert rep["passed"] is False and rep["points"] == 2 and rep["max_points"] == 10
    (e,) = rep["exercises"]
    assert e["status"] == "failed" and e["file"] == os.path.abspath(f)
    c = next(c for c in e["checks"] if c["name"] == "gradient on a golden example")
    assert c["status"] == "failed" and c["points"] == 0 and c["max_points"] == 2
    ce = c["counterexample"]
    assert np.allclose(np.asarray(ce["obtained"]), 4 * np.asarray(ce["expected"]))
    assert set(ce["inputs"]) == {"logits", "y"}


@pytest.mark.parametrize("argv, fragment", [
    (["check", "09", "x.py"], "exercise '09' is unknown"),
    (["check", "01", "does_not_exist.py"], "FILE must be an existing file"),
    (["check", "01"], "give an exercise ID and a FILE"),
    (["check", "--all", "no_such_dir"], "--all must name an existing folder"),
    (["check", "01", "x.py", "--timeout", "0"], "--timeout must be a positive number"),
    (["check", "01", "x.py", "--max-examples", "0"], "--max-examples must be >= 1"),
])
def test_cli_bad_values_exit_2_with_one_line(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_cli_exercises_list_and_copy(tmp_path, capsys):
    assert main(["exercises", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(k in out for k in KEYS)
    dest = tmp_path / "handout"
    assert main(["exercises", "copy", str(dest)]) == 0
    assert sorted(os.listdir(dest)) == sorted(ex.filename for ex in EXERCISES)
    for ex in EXERCISES:
        assert (dest / ex.filename).read_text() == open(skeleton_path(ex)).read()
    (dest / "01_affine_relu.py").write_text("# my work\n")
    assert main(["exercises", "copy", str(dest)]) == 2          # a student's work is never overwritten
    assert "--force" in capsys.readouterr().err
    assert (dest / "01_affine_relu.py").read_text() == "# my work\n"
    assert copy_skeletons(dest, overwrite=True, only=["01"]) == [str(dest / "01_affine_relu.py")]
    assert "NotImplementedError" in (dest / "01_affine_relu.py").read_text()


def test_setup_cfg_ships_the_skeletons():
    from setuptools.config.setupcfg import read_configuration
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cfg = read_configuration(os.path.join(root, "setup.cfg"))
    globs = cfg["options"]["package_data"]["refgrow.exercises"]
    import fnmatch
    for ex in EXERCISES:
        assert any(fnmatch.fnmatch("skeletons/" + ex.filename, g) for g in globs)


def test_a_file_that_kills_the_checker_process_is_feedback(tmp_path):
    f = _write(tmp_path / "sol.py", """\
        import os

        def fold_regularizer(w, b, p_mistake, p_fold):
            os._exit(3)
        """)
    rep = check_file("07", f, timeout=60)
    assert rep.status == "error" and rep.points == 0
    assert "ended unexpectedly during check `value on a golden example` (exit code 3)" in rep.message
    assert _check(rep, "value on a golden example").status == "failed"


# ------------------------------------------------------------------------------------- an independent student
def _ind_affine_forward(X, W, b):
    return X @ W.T + b, (X, W)


def _ind_affine_backward(dZ, cache):
    X, W = cache
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)


def _ind_relu_backward(dA, Z):
    return dA * (Z > 0)


def _ind_waves(x, a):
    out, w = [], np.asarray(x, dtype=float)
    for ai in a:
        w = _tri(w, ai)
        out.append(w)
    return np.array(out)


def _ind_scales(a, sign=-1):
    s = [(a[0] if sign == -1 else 1 - a[0]) * a[1]]
    for i in range(len(a) - 2):
        s.append(s[-1] * (1 - a[i + 1]) * a[i + 2])
    return np.array(s)


def _ind_closest(x, w, b):
    x = np.asarray(x, dtype=float)
    return x - np.multiply.outer((x @ w + b) / (w @ w), w)


def _ind_local_affine(weights, biases, x):
    A, c, a = np.eye(len(x)), np.zeros(len(x)), np.asarray(x, dtype=float)
    for i, (W, b) in enumerate(zip(weights, biases)):
        A, c, z = W @ A, W @ c + b, W @ a + b
        if i < len(weights) - 1:
            m = (z > 0).astype(float)
            A, c, a = A * m[:, None], c * m, z * m
    return A, c


def _ind_lloyd(X, w, C):
    lab = ((X[:, None, :] - C[None]) ** 2).sum(-1).argmin(1)
    new = np.array([(w[lab == j, None] * X[lab == j]).sum(0) / w[lab == j].sum() for j in range(len(C))])
    return new, lab


def _ind_pp(X, w, k, rng):
    return _pp(X, w, k, rng, w / w.sum())


def _ind_best_update(B, V):
    n = B.shape[0]
    return np.linalg.solve(B.T @ B / n, B.T @ V / n).T


def _ind_sn(B, V):
    n = B.shape[0]
    return _isqrt(B.T @ B / n) @ (B.T @ V / n)


def _ind_new_neurons(B, V, k):
    Si = _isqrt(B.T @ B / B.shape[0])
    U, lam, Vt = np.linalg.svd(_ind_sn(B, V), full_matrices=False)
    sq = np.sqrt(lam[:k])
    return (Si @ U[:, :k] * sq).T, Vt[:k].T * sq, lam[:k]


INDEPENDENT = {
    "01": dict(affine_forward=_ind_affine_forward, affine_backward=_ind_affine_backward,
               relu_forward=_relu_forward_z, relu_backward=_ind_relu_backward),
    "02": dict(softmax_cross_entropy=_sce_stable),
    "03": dict(triangle=_tri, triangle_waves=_ind_waves, differentiable_scales=_ind_scales),
    "04": dict(closest_point_on_hyperplane=_ind_closest, local_affine_map=_ind_local_affine),
    "05": dict(lloyd_step=_ind_lloyd, kmeans_plusplus=_ind_pp),
    "06": dict(adf_statistic=_adf),
    "07": dict(fold_regularizer=_fold),
    "08": dict(best_update=_ind_best_update, s_inv_sqrt_n=_ind_sn, new_neurons=_ind_new_neurons),
}


@pytest.mark.parametrize("key", sorted(INDEPENDENT))
def test_an_independent_numpy_solution_passes_every_check(key):
    """A plain NumPy solution written from the skeletons' docstrings (no refgrow inside) gets full points:
    the checker accepts any correct implementation, not only refgrow's code path."""
    rep = check_namespace(key, INDEPENDENT[key], max_examples=25)
    assert [(c.name, c.message) for c in rep.checks if not c.passed] == []
    assert rep.points == 10


def test_infinite_loop_at_import_time_is_a_time_out(tmp_path):
    f = _write(tmp_path / "sol.py", """\
        import time
        while True:                # module-level code runs on import
            time.sleep(0.05)
        """)
    rep = check_file("06", f, timeout=3)
    assert rep.status == "timeout" and rep.points == 0
    assert "time-out after 3 s while importing your file" in rep.message
    assert all(c.status == "not_run" for c in rep.checks)


def test_check_all_reports_missing_and_misnamed_files(tmp_path, capsys):
    (tmp_path / "07_fold_regularizer.py").write_text(solution_source("07"))
    (tmp_path / "tiny.py").write_text(solution_source("08"))          # misnamed: not 08_tiny.py
    out = tmp_path / "r.json"
    assert main(["check", "--all", str(tmp_path), "--json", str(out), "--quiet"]) == 1
    rep = json.loads(out.read_text())
    status = {e["id"]: e["status"] for e in rep["exercises"]}
    assert status["07_fold_regularizer"] == "passed"
    assert all(s == "missing" for k, s in status.items() if k != "07_fold_regularizer")
    tiny = next(e for e in rep["exercises"] if e["id"] == "08_tiny")
    assert "found tiny.py: name it 08_tiny.py" in tiny["message"] and tiny["points"] == 0
    assert rep["points"] == 10 and rep["max_points"] == 80
    assert "total: 10/80 points; 1/8 exercise(s) fully passed" in capsys.readouterr().out


def test_new_neurons_up_to_sign_and_order_get_full_points():
    """SVD signs and the order of the neurons are free (known ambiguities of Prop. 3.2)."""
    def flipped_reordered(B, V, k):
        a, o, lam = _ind_new_neurons(B, V, k)
        sgn = np.where(np.arange(k) % 2 == 0, -1.0, 1.0)          # flip every other neuron
        order = np.arange(k)[::-1]                                  # ascending singular values
        return (a * sgn[:, None])[order], (o * sgn[None, :])[:, order], lam[order]
    rep = _run("08", new_neurons=flipped_reordered)
    assert rep.points == 10, [(c.name, c.message) for c in rep.checks if not c.passed]
    # ... but flipping only alpha (not the pair) changes the neuron and is caught
    rep = _run("08", new_neurons=lambda B, V, k: (-_ind_new_neurons(B, V, k)[0],) + _ind_new_neurons(B, V, k)[1:])
    assert not _check(rep, "new_neurons on a golden example (any order, each neuron up to sign)").passed
    assert not _check(rep, "new_neurons reduce the bottleneck by sum lambda_k^2 (Eq. 9, property)").passed
