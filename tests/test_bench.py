"""The benchmark harness: statistics, block order, JSON record, command line (no timing assertions)."""
from __future__ import annotations

import importlib.util
import json
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from refgrow import bench
from refgrow.bench import _timing as T
from refgrow.cli import main

FAST = ["--rounds", "2", "--number", "1", "--settle", "0", "--threads", "1"]


# ----------------------------------------------------------------------------------------- statistics
def test_summarize_known_samples():
    s = T.summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert (s["median"], s["q1"], s["q3"], s["iqr"], s["n"]) == (3.0, 2.0, 4.0, 2.0, 5)
    e = T.summarize([4.0, 1.0, 3.0, 2.0])                  # even count, unsorted: linear interpolation
    assert (e["median"], e["q1"], e["q3"]) == (2.5, 1.75, 3.25)
    assert e["samples"] == [4.0, 1.0, 3.0, 2.0]            # kept in measurement order
    with pytest.raises(ValueError, match="non-empty"):
        T.summarize([])


def test_ratio_stats_median_ratio_and_per_round_quartiles():
    num, den = T.summarize([2.0, 4.0, 6.0, 8.0, 10.0]), T.summarize([1.0, 1.0, 2.0, 2.0, 2.0])
    r = T.ratio_stats(num, den)
    assert r["ratio"] == 6.0 / 2.0
    per_round = [2.0, 4.0, 3.0, 4.0, 5.0]                  # sample-by-sample ratios of the same rounds
    quartiles = (r["q1"], r["per_round_median"], r["q3"])
    assert quartiles == (3.0, 4.0, 4.0) == tuple(np.percentile(per_round, [25, 50, 75]))


@given(st.floats(0.5, 3.0), st.floats(1e-3, 1e3))
@settings(max_examples=30, deadline=None)
def test_fit_exponent_recovers_power_laws(p, c):
    sizes = [100, 400, 1600]
    assert T.fit_exponent(sizes, [c * s ** p for s in sizes]) == pytest.approx(p, abs=1e-9)


# ----------------------------------------------------------------------------------------- block order
class FakeMachine:
    """A clock that advances only when a side's function runs, and a log of every call and pause."""

    def __init__(self, cost):
        self.t, self.cost, self.log = 0.0, cost, []

    def side(self, name):
        def fn():
            self.log.append(name)
            self.t += self.cost[name]
        return fn

    def clock(self):
        return self.t

    def sleep(self, s):
        self.log.append("pause")


def test_time_blocks_runs_sides_in_rotating_blocks_never_interleaved():
    m = FakeMachine({"a": 1.0, "b": 2.0, "c": 5.0})
    out = T.time_blocks({k: m.side(k) for k in "abc"}, rounds=4, number=3, warmup=1, settle_s=0.1,
                        clock=m.clock, sleep=m.sleep)
    blocks, cur = [], []
    for ev in m.log:
        if ev == "pause":
            if cur:
                blocks.append(cur)
            cur = []
        else:
            cur.append(ev)
    blocks.append(cur)
    # every block is one side only: 1 warm-up + 3 timed calls, after a pause
    assert all(len(b) == 4 and len(set(b)) == 1 for b in blocks)
    order = [b[0] for b in blocks]
    assert order == list("abc" "bca" "cab" "abc")           # the side order rotates every round
    assert m.log.count("pause") == 12
    # the fake clock advances by the side's cost per call: each sample is exactly that cost
    assert out["a"]["samples"] == [1.0] * 4 and out["c"]["median"] == 5.0 and out["b"]["n"] == 4


def test_time_blocks_per_side_call_counts_and_bad_values():
    m = FakeMachine({"fast": 1.0, "slow": 10.0})
    out = T.time_blocks({k: m.side(k) for k in ("fast", "slow")}, rounds=2, number={"fast": 5, "slow": 1},
                        warmup=0, settle_s=0, clock=m.clock, sleep=m.sleep)
    assert m.log == ["fast"] * 5 + ["slow"] + ["slow"] + ["fast"] * 5
    assert out["fast"]["median"] == 1.0 and out["slow"]["median"] == 10.0
    with pytest.raises(ValueError, match="rounds"):
        T.time_blocks({"a": m.side("fast")}, rounds=0)
    with pytest.raises(ValueError, match=r"number\['b'\]"):
        T.time_blocks({"a": m.side("fast"), "b": m.side("slow")}, number={"a": 1})

    # every side records the calls per block and the warm-up it was timed with
    out = T.time_blocks({k: m.side(k) for k in ("fast", "slow")}, rounds=1, number={"fast": 5, "slow": 1},
                        warmup=2, settle_s=0, clock=m.clock, sleep=m.sleep)
    assert (out["fast"]["number"], out["slow"]["number"], out["fast"]["warmup"]) == (5, 1, 2)


def test_auto_number_sizes_blocks_from_a_warm_call_not_the_cold_first_one():
    """A first call is not typical (PyTorch's first step is several times slower): sizing the block
    from it gave PyTorch one call per block. The size comes from a call after the warm-up."""
    costs = iter([0.5, 0.1] + [0.01] * 10)               # cold first call, then warm calls of 10 ms
    clock_t = [0.0]
    calls = []

    def fn():
        calls.append(next(costs))
        clock_t[0] += calls[-1]

    n = T.auto_number(fn, target_s=0.25, warmup=2, clock=lambda: clock_t[0])
    assert n == 25 and len(calls) == 3                   # 0.25 s / 10 ms, after two untimed calls
    costs = iter([0.5])
    assert T.auto_number(fn, target_s=0.25, warmup=0, clock=lambda: clock_t[0]) == 1   # the old sizing


# ----------------------------------------------------------------------------------------- records
def test_make_result_ratios_and_target():
    times = {"public": T.summarize([3.0, 3.0]), "peer": T.summarize([2.0, 2.0]),
             "blas_floor": T.summarize([1.0, 1.0])}
    r = T.make_result("x", params={}, times=times, threads=1, backend="numpy",
                      peer={"name": "p", "version": "1"}, target={"ratio": "public/peer", "max": 1.0})
    assert set(r["ratios"]) == {"public/peer", "public/blas_floor", "peer/blas_floor"}
    assert r["ratios"]["public/peer"]["ratio"] == 1.5 and r["target"]["met"] is False
    assert "NOT met" in T.format_result(r)


def _check_record(rec, name):
    assert rec["name"] == name and rec["threads"] == 1 and rec["backend"] == "numpy"
    for side, s in rec["times"].items():
        assert s["median"] > 0 and s["q1"] <= s["median"] <= s["q3"] and len(s["samples"]) == s["n"], side
    for key, r in rec["ratios"].items():
        a, b = key.split("/")
        assert r["ratio"] == pytest.approx(rec["times"][a]["median"] / rec["times"][b]["median"])


def test_cli_json_file_schema(tmp_path, capsys):
    path = tmp_path / "b.json"
    rc = main(["bench", "mlp-step", "--quick", "--batch", "16", "--sizes", "6,5,3", *FAST,
               "--json", str(path)])
    assert rc == 0
    doc = json.loads(path.read_text())
    assert doc["schema"] == T.SCHEMA and list(doc["results"]) == ["mlp-step"]
    assert {"platform", "cpu", "cpu_count", "numpy", "numpy_blas", "thread_pools"} <= set(doc["machine"])
    assert doc["command"][:4] == ["python", "-m", "refgrow", "bench"] and "date" in doc
    rec = doc["results"]["mlp-step"]
    _check_record(rec, "mlp-step")
    assert rec["params"] == {"sizes": [6, 5, 3], "batch": 16, "dtype": "float64"}
    has_torch = importlib.util.find_spec("torch") is not None
    assert {"public", "core", "blas_floor"} <= set(rec["times"])
    assert ("peer" in rec["times"]) == has_torch == (rec["peer"] is not None)
    assert rec["target"]["ratio"] == "public/peer"
    torch = sys.modules.get("torch")                         # imported by the bench when installed
    assert rec["peer"] == ({"name": "torch", "version": torch.__version__} if has_torch else None)
    out = capsys.readouterr().out
    assert "public/blas_floor" in out and f"wrote {path}" in out


@pytest.mark.parametrize("name, args, sides", [
    ("tiny", ["--n", "60", "--sizes", "7,5,3"], {"public", "public_cholesky", "core", "blas_floor"}),
    ("tiny", ["--n", "60", "--sizes", "7,5,3", "--rank-deficient"], {"public", "core", "blas_floor"}),
    ("kmeans", ["--n", "200", "--dim", "4", "--k", "3"], {"public", "core", "blas_floor"}),
    ("adf", ["--n", "30"], {"public", "blas_floor"}),
])
def test_small_runs_give_complete_records(name, args, sides):
    rec = bench.run(name, args + FAST)
    _check_record(rec, name)
    assert sides <= set(rec["times"]) and rec["target"]["met"] in (True, False)


def test_kmeans_and_adf_records_show_agreement_with_the_peer():
    pytest.importorskip("sklearn")
    pytest.importorskip("statsmodels")
    km = bench.run("kmeans", ["--n", "300", "--dim", "3", "--k", "4"] + FAST)
    assert km["extra"]["labels_equal"] and km["extra"]["max_abs_center_diff"] < 1e-12
    adf = bench.run("adf", ["--n", "40"] + FAST)
    assert adf["extra"]["usedlag"] == adf["extra"]["usedlag_statsmodels"]
    assert adf["extra"]["statistic"] == pytest.approx(adf["extra"]["statistic_statsmodels"], rel=1e-9)


def test_scaling_fits_one_exponent_per_parameter():
    rec = bench.run("scaling", ["--only", "kmeans", "--quick", *FAST])
    assert set(rec["extra"]["exponents"]) == {"kmeans vs n", "kmeans vs width", "kmeans vs d"}
    assert len(rec["times"]) == 9 and all(np.isfinite(v) for v in rec["extra"]["exponents"].values())


# ----------------------------------------------------------------------------------------- CLI errors
def test_bench_list_names_every_benchmark(capsys):
    assert main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in bench.BENCHMARKS) and "--json FILE" in out


@pytest.mark.parametrize("argv, msg", [
    (["bench", "no-such"], "unknown benchmark 'no-such'"),
    (["bench", "adf", "--threads", "0"], "--threads: must be an integer >= 1"),
    (["bench", "adf", "--backend", "jax"], "--backend must be numpy or cupy"),
    (["bench", "adf", "--json"], "--json needs a value"),
    (["bench", "adf", "--json", "."], "argument --json: must be a file path"),
    (["bench", "adf", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["bench", "scaling", "--only", "gradmax"], "--only must list methods"),
    (["bench", "all", "--n", "5"], "unrecognized arguments: --n 5"),          # no abbreviations,
    (["bench", "mlp-step", "--num", "5"], "unrecognized arguments: --num 5"),  # no bench options for all
])
def test_bad_options_one_line_exit_2(argv, msg, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1 and "Traceback" not in err


def test_backend_cupy_without_cupy_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cupy", None)          # makes `import cupy` raise ImportError
    assert main(["bench", "adf", "--backend", "cupy"]) == 2
    err = capsys.readouterr().err
    assert "cupy is not importable" in err and err.count("\n") == 1
    from refgrow.backend import backend_name
    assert backend_name() == "numpy"


# ----------------------------------------------------------------------------------------- speed changes
class _CountingMatmul(np.ndarray):
    """An ndarray that counts the matrix products it takes part in."""

    count = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kw):
        if ufunc is np.matmul:
            type(self).count += 1
        inputs = tuple(np.asarray(a) if isinstance(a, _CountingMatmul) else a for a in inputs)
        return getattr(ufunc, method)(*inputs, **kw)


@pytest.mark.parametrize("input_grad, products_with_W0", [(True, 1), (False, 0)])
def test_backward_forms_each_input_gradient_product_once(input_grad, products_with_W0):
    from refgrow.losses import softmax_cross_entropy
    from refgrow.mlp import MLP
    rng = np.random.default_rng(0)
    net = MLP.init([7, 5, 4, 3], rng=rng)
    X, y = rng.normal(size=(9, 7)), rng.integers(0, 3, size=9)
    out, cache = net.forward(X)
    _, d = softmax_cross_entropy(out, y)
    ref = net._backward(cache, d)
    net.weights[0] = net.weights[0].view(_CountingMatmul)
    _CountingMatmul.count = 0
    g = net.backward(cache, d, input_grad=input_grad)
    # dz_0 W_0 used to be computed twice (once discarded); now once, or not at all without dX
    assert _CountingMatmul.count == products_with_W0
    assert all(np.array_equal(a, b) for a, b in zip(g.weights + g.biases + g.preacts,
                                                      ref.weights + ref.biases + ref.preacts))
    expected = ref.inputs if input_grad else None
    assert (g.inputs is None and expected is None) or np.array_equal(g.inputs, expected)


@given(st.integers(4097, 20000), st.lists(st.sampled_from([np.nan, np.inf, -np.inf, 1e308, -1e308]),
                                          max_size=3), st.randoms(use_true_random=False))
@settings(max_examples=40, deadline=None)
def test_check_finite_one_pass_path_agrees_with_entrywise_test(size, specials, rnd):
    from refgrow._validation import check_finite
    a = np.linspace(-1.0, 1.0, size)
    for v in specials:
        a[rnd.randrange(size)] = v
    bad = int(np.count_nonzero(~np.isfinite(a)))
    try:
        check_finite(a, "a")                               # huge finite values overflow the sum only
        msg = None
    except ValueError as exc:
        msg = str(exc)
    assert msg == (None if bad == 0 else f"a must be finite, got {bad} NaN/inf entries")
    from refgrow._validation import all_finite                # the overflow checks' test, same fast path
    assert all_finite(a.reshape(-1, 1), 1.0) is (bad == 0)


def test_weighted_kmeans_check_input_false_gives_the_same_bits():
    from refgrow.kmeans import weighted_kmeans
    rng = np.random.default_rng(3)
    X, w = rng.normal(size=(200, 4)), rng.exponential(size=200)
    a = weighted_kmeans(X, w, 3, rng=1, max_iter=5)
    b = weighted_kmeans(X, w, 3, rng=1, max_iter=5, check_input=False)
    assert np.array_equal(a.centers, b.centers) and np.array_equal(a.labels, b.labels)
    assert (a.inertia, a.n_iter) == (b.inertia, b.n_iter)


@given(st.integers(2, 40), st.floats(0.0, 9.0), st.integers(0, 2**31 - 1))
@settings(max_examples=60, deadline=None)
def test_cholesky_certificate_is_sound(d, log_cond, seed):
    """Whenever the certified Cholesky shortcut of TINY is taken, every eigenvalue of S really is above
    the threshold (the certificate's norm bounds are upper bounds of mu_max and of 1/mu_min)."""
    from refgrow.growth.tiny import spectrum
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    mu = np.logspace(-log_cond, 0.0, d)
    S = (Q * mu) @ Q.T
    S = (S + S.T) / 2
    true_mu = np.linalg.eigvalsh(S)
    for rtol in (1e-10, 1e-6, 1e-3):
        Linv = spectrum._certified_cholesky(S, rtol)
        assert Linv is None or true_mu[0] > rtol * true_mu[-1]


def test_cholesky_certificate_holds_for_a_well_conditioned_large_gram_matrix():
    """d = 400, cond(S) ~ 4: the shortcut must be taken (with Frobenius/trace bounds alone, which lose
    up to a factor d each, it was refused for every d above ~300)."""
    from refgrow.growth.tiny import spectrum
    rng = np.random.default_rng(0)
    B = rng.standard_normal((4000, 400))
    S = B.T @ B / 4000
    mu = np.linalg.eigvalsh(S)
    assert mu[-1] / mu[0] < 10
    Linv = spectrum._certified_cholesky(S, spectrum.GRAM_MIN_RATIO)
    assert Linv is not None and np.allclose(Linv @ np.linalg.cholesky(S), np.eye(400), atol=1e-10)


def test_backend_cupy_records_say_they_are_not_a_gpu_benchmark(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cupy", np)             # a stand-in namespace: NumPy itself
    assert main(["bench", "adf", "--n", "30", "--backend", "cupy", *FAST]) == 0
    assert "not a GPU benchmark" in capsys.readouterr().out
    from refgrow.backend import backend_name
    assert backend_name() == "numpy"                         # restored after the run
