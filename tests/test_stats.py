"""ADF test (refgrow.stats): the "when to grow" criterion of 002 Sec. 3.1.

What is asserted: MacKinnon (1994) p-values and MacKinnon (2010) critical values at the check points
of MacKinnon [docs/references.md#mackinnon]; the Dickey-Fuller statistic against its closed form (lag 0); the
invariances of the ADF t-statistic (affine maps for "c", scaling for "n", added linear trends for
"ct"); the size of the test under H0 (random walks reject about 5 % of the time at 5 %) and its power
on stationary series; the lag rules and error cases; the ADF convergence test's reading of Sec. 3.1,
also inside ``refgrow.train.train``; and (optional) statsmodels' ``adfuller``.
"""
import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refgrow.stats import (ADFConvergence, ADFResult, adf_test, default_maxlag,
                           mackinnon_critical_values, mackinnon_pvalue)


# ------------------------------------------------------------------------------------------------
# published constants, MacKinnon [docs/references.md#mackinnon]
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tau, p", [
    (-3.0, 0.034894400275345266),
    (-5.0, 2.2193154713956276e-05),
    (-1.61, 0.4779756525941893),
    (0.0, 0.958532086060056),
])
def test_mackinnon_pvalue_check_points(tau, p):
    assert mackinnon_pvalue(tau, "c") == pytest.approx(p, rel=1e-12, abs=1e-17)


def test_mackinnon_critical_values_check_point():
    cv = mackinnon_critical_values(100, "c")
    assert [cv["1%"], cv["5%"], cv["10%"]] == pytest.approx([-3.49750103, -2.89090644, -2.5824349],
                                                            abs=5e-9)
    assert mackinnon_critical_values(math.inf, "c")["5%"] == -2.86154


@pytest.mark.parametrize("regression, tau_min, tau_max", [("c", -18.83, 2.74), ("n", -19.04, None),
                                                           ("ct", -16.18, 0.70)])
def test_pvalue_bounds_and_monotonicity(regression, tau_min, tau_max):
    assert mackinnon_pvalue(tau_min - 1e-9, regression) == 0.0
    if tau_max is not None:
        assert mackinnon_pvalue(tau_max + 1e-9, regression) == 1.0
    # MacKinnon's surface is increasing in tau (for "ct" its cubic turns just below tau_max = 0.70)
    hi = 0.69 if regression == "ct" else 4.0
    taus = np.linspace(tau_min - 0.5, hi, 3001)
    p = np.array([mackinnon_pvalue(t, regression) for t in taus])
    assert np.all((0 <= p) & (p <= 1)) and np.all(np.diff(p) >= 0)


@pytest.mark.parametrize("regression", ["c", "n", "ct"])
def test_critical_values_are_quantiles_of_the_pvalue_surface(regression):
    """p(cv_alpha) ~ alpha: the 2010 critical values and the 1994 surface agree asymptotically."""
    cv = mackinnon_critical_values(math.inf, regression)
    for lvl, a in (("1%", 0.01), ("5%", 0.05), ("10%", 0.10)):
        assert mackinnon_pvalue(cv[lvl], regression) == pytest.approx(a, abs=0.004)


def test_default_maxlag_rule():
    assert default_maxlag(20, "c") == 8          # min(ceil(12 * 0.2^{1/4}) = 9, 20//2 - 2 = 8)
    assert default_maxlag(100, "c") == 12
    assert default_maxlag(500, "ct") == 18        # ceil(12 * 5^{1/4}) = 18 < 247
    assert default_maxlag(21, "n") == 9


# ------------------------------------------------------------------------------------------------
# the statistic
# ------------------------------------------------------------------------------------------------
@settings(max_examples=25)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(6, 80))
def test_dickey_fuller_closed_form_no_constant(seed, n):
    """Lag 0, regression "n": gamma = sum y_{t-1} dy_t / sum y_{t-1}^2, s^2 = SSR/(T-1),
    tau = gamma / sqrt(s^2 / sum y_{t-1}^2)."""
    y = np.cumsum(np.random.default_rng(seed).normal(size=n)) + 0.3
    lev, dy = y[:-1], np.diff(y)
    g = lev @ dy / (lev @ lev)
    e = dy - g * lev
    tau = g / math.sqrt((e @ e) / (n - 2) / (lev @ lev))
    res = adf_test(y, maxlag=0, regression="n", autolag=None)
    assert res.statistic == pytest.approx(tau, rel=1e-10)
    assert res.usedlag == 0 and res.nobs == n - 1


@settings(max_examples=25)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(6, 80))
def test_dickey_fuller_closed_form_with_constant(seed, n):
    """Lag 0, regression "c" (Frisch-Waugh: demean both sides), s^2 = SSR/(T-2)."""
    y = np.cumsum(np.random.default_rng(seed).normal(size=n))
    lev, dy = y[:-1] - y[:-1].mean(), np.diff(y) - np.diff(y).mean()
    g = lev @ dy / (lev @ lev)
    e = dy - g * lev
    tau = g / math.sqrt((e @ e) / (n - 3) / (lev @ lev))
    res = adf_test(y, maxlag=0, regression="c", autolag=None)
    assert res.statistic == pytest.approx(tau, rel=1e-10)
    assert res.pvalue == pytest.approx(mackinnon_pvalue(tau, "c"), rel=1e-12)
    assert res.critical_values == pytest.approx(mackinnon_critical_values(n - 1, "c"))


def _series(seed, n, kind):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    if kind == "walk":
        return np.cumsum(e)
    if kind == "ar":
        y = np.zeros(n)
        for t in range(1, n):
            y[t] = 0.6 * y[t - 1] + e[t]
        return y
    if kind == "loss":
        t = np.arange(n)
        return 0.2 + np.exp(-t / (n / 6)) + 0.01 * e
    return e


@settings(max_examples=30)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(20, 120),
       kind=st.sampled_from(["walk", "ar", "noise", "loss"]),
       autolag=st.sampled_from(["AIC", "BIC", None]),
       a=st.floats(0.01, 100.0) | st.floats(-100.0, -0.01), b=st.floats(-50, 50),
       slope=st.floats(-1, 1))
def test_statistic_invariances(seed, n, kind, autolag, a, b, slope):
    """tau is the t-value of gamma: with a constant it is invariant to y -> a y + b (a != 0), without
    deterministic terms to y -> a y, and with a trend also to adding slope * t."""
    y = _series(seed, n, kind)
    t = np.arange(n)
    for reg, z in (("c", a * y + b), ("n", a * y), ("ct", a * y + b + slope * t)):
        m = min(default_maxlag(n, reg), n // 2 - 2)     # keep >= 1 residual degree of freedom
        r0 = adf_test(y, regression=reg, autolag=autolag, maxlag=m)
        r1 = adf_test(z, regression=reg, autolag=autolag, maxlag=m)
        assert r1.usedlag == r0.usedlag and r1.nobs == r0.nobs
        assert r1.statistic == pytest.approx(r0.statistic, rel=1e-6, abs=1e-8)


def test_size_under_the_unit_root_null():
    """Random walks (H0 true, lag 0 known): P(p < 0.05) ~ 0.05 and P(tau < cv_5%) ~ 0.05."""
    rng = np.random.default_rng(2024)
    reps, n = 500, 250
    p = np.empty(reps)
    below = np.empty(reps, dtype=bool)
    for r in range(reps):
        res = adf_test(np.cumsum(rng.normal(size=n)), maxlag=0, autolag=None)
        p[r] = res.pvalue
        below[r] = res.statistic < res.critical_values["5%"]
    sd = math.sqrt(0.05 * 0.95 / reps)                   # ~0.0097
    assert abs(np.mean(p < 0.05) - 0.05) < 3 * sd
    assert abs(np.mean(below) - 0.05) < 3 * sd
    assert abs(np.mean(p < 0.5) - 0.5) < 0.08            # p roughly uniform under H0


def test_power_on_stationary_series():
    rng = np.random.default_rng(7)
    rej = [adf_test(_series(int(s), 200, "ar")).pvalue < 0.05 for s in rng.integers(0, 10**9, 50)]
    assert np.mean(rej) > 0.9
    assert adf_test(rng.normal(size=300)).pvalue < 1e-6


def test_result_fields():
    res = adf_test(_series(1, 60, "ar"))
    assert isinstance(res, ADFResult)
    stat, p, lag, nobs, cv = res
    assert isinstance(stat, float) and 0 <= p <= 1 and isinstance(lag, int)
    assert nobs == 60 - 1 - lag
    assert set(cv) == {"1%", "5%", "10%"} and cv["1%"] < cv["5%"] < cv["10%"] < 0


def test_autolag_none_uses_maxlag_and_ties_prefer_small_lags():
    y = _series(3, 50, "walk")
    assert adf_test(y, maxlag=3, autolag=None).usedlag == 3
    assert adf_test(y, maxlag=0).usedlag == 0
    assert adf_test(y, autolag="bic").usedlag == adf_test(y, autolag="BIC").usedlag


# ------------------------------------------------------------------------------------------------
# errors
# ------------------------------------------------------------------------------------------------
def test_constant_series_is_rejected():
    with pytest.raises(ValueError, match="constant"):
        adf_test(np.full(20, 0.25))


@pytest.mark.parametrize("n, regression", [(3, "c"), (5, "ct"), (1, "n")])
def test_too_short_series_is_rejected(n, regression):
    with pytest.raises(ValueError, match="too short|constant|degrees of freedom"):
        adf_test(np.arange(n, dtype=float) ** 2, regression=regression)


def test_zero_residual_degrees_of_freedom_is_an_error():
    """n = 20 with "n": maxlag 9 leaves 10 rows for 10 columns (statsmodels returns a meaningless
    statistic there); refgrow raises and names the remedy."""
    with pytest.raises(ValueError, match="no residual degrees of freedom.*smaller maxlag"):
        adf_test(_series(0, 20, "walk"), regression="n", autolag=None)
    assert adf_test(_series(0, 20, "walk"), regression="n", maxlag=5, autolag=None).nobs == 14


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(maxlag=9), ValueError, "maxlag must be <= n//2 - ntrend - 1 = 8"),
    (dict(maxlag=-1), ValueError, "maxlag must be >= 0"),
    (dict(maxlag=2.0), TypeError, "maxlag must be an integer"),
    (dict(maxlag=True), TypeError, "maxlag must be an integer"),
    (dict(regression="ctt"), ValueError, "regression must be one of"),
    (dict(autolag="t-stat"), ValueError, "autolag must be"),
])
def test_argument_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        adf_test(_series(0, 20, "walk"), **kwargs)


@pytest.mark.parametrize("bad, exc", [([1.0, np.nan] * 10, ValueError), (np.ones((4, 5)), ValueError),
                                      (["a"] * 20, TypeError)])
def test_bad_series(bad, exc):
    with pytest.raises(exc, match="x must"):
        adf_test(bad)


# ------------------------------------------------------------------------------------------------
# ADFConvergence (002 Sec. 3.1)
# ------------------------------------------------------------------------------------------------
def test_convergence_needs_a_full_window():
    conv = ADFConvergence()
    assert conv(SimpleNamespace(train_loss=list(np.random.default_rng(0).normal(size=19)))) is False
    assert conv.last_result is None


def test_strictly_decreasing_loss_has_not_reached_a_local_minimum():
    losses = np.sort(np.random.default_rng(1).random(30))[::-1] + 0.1
    h = SimpleNamespace(train_loss=list(losses))
    assert ADFConvergence()(h) is False
    no_min = ADFConvergence(require_local_min=False)
    assert no_min(h) == (adf_test(losses[-20:]).pvalue < 0.05)
    # with a tolerance, "no improvement larger than min_delta" counts as a minimum
    step = losses[-2] - losses[-1]
    tol = ADFConvergence(min_delta=2 * step, require_local_min=True)
    assert tol(h) == (adf_test(losses[-20:]).pvalue < 0.05)
    assert tol.last_local_min is True


@pytest.mark.parametrize("seed", range(8))
def test_convergence_is_local_min_and_adf_rejection(seed):
    """The two criteria of Sec. 3.1 on the last 20 values, for plateaus, walks and decays."""
    rng = np.random.default_rng(seed)
    kind = ["noise", "walk", "ar", "loss"][seed % 4]
    losses = 1.0 + 0.05 * _series(int(rng.integers(1 << 30)), 45, kind)
    hist = {"train_loss": list(losses)}
    conv = ADFConvergence()
    w = losses[-20:]
    expected = bool(w[-1] >= w[:-1].min()) and adf_test(w).pvalue < 0.05
    assert conv(hist) is expected
    assert conv.last_local_min == bool(w[-1] >= w[:-1].min())


def test_noisy_plateau_converges_with_a_longer_window():
    rng = np.random.default_rng(3)
    losses = 0.3 + 0.01 * rng.normal(size=100)
    losses[-1] = losses[:-1].max()                 # the last epoch did not improve
    assert ADFConvergence(window=80)(SimpleNamespace(train_loss=list(losses))) is True


def test_regression_n_with_a_smaller_maxlag_works():
    losses = 1.0 + 0.01 * np.random.default_rng(2).normal(size=30)
    conv = ADFConvergence(regression="n", maxlag=8, require_local_min=False)
    assert conv({"train_loss": losses}) == (adf_test(losses[-20:], regression="n", maxlag=8).pvalue
                                            < 0.05)


def test_constant_window_is_converged_and_key_selects_the_series():
    h = SimpleNamespace(train_loss=[1.0] * 25, val_loss=list(np.linspace(2, 1, 25)))
    assert ADFConvergence()(h) is True
    assert ADFConvergence(key="val_loss")(h) is False     # decreasing: no local minimum


@pytest.mark.parametrize("kwargs, match", [(dict(window=3), "window must be >= 4"),
                                           (dict(alpha=1.5), "alpha must be"),
                                           (dict(regression="x"), "regression must be"),
                                           (dict(min_delta=-1.0), "min_delta must be"),
                                           (dict(autolag="foo"), "autolag must be")])
def test_convergence_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ADFConvergence(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(regression="n"), "no residual degrees of freedom; pass maxlag <= 8"),
    (dict(maxlag=9), r"maxlag must be None or an integer in \[0, 8\]"),
])
def test_convergence_rejects_windows_without_a_defined_statistic(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ADFConvergence(**kwargs)


def test_convergence_stops_the_training_loop():
    """Plugged into refgrow.train.train: training stops with stopped_by == "convergence" exactly at
    the first epoch where both criteria hold on the recorded losses."""
    train_mod = pytest.importorskip("refgrow.train")
    from refgrow.datasets import two_sines
    from refgrow.mlp import MLP
    from refgrow.optim import SGD
    ds = two_sines(200, rng=0)
    mlp = MLP.init([ds.X.shape[1], 8, 2], rng=0)
    conv = ADFConvergence()
    h = train_mod.train(mlp, ds.X, ds.y, optimizer=SGD(0.5), epochs=400, batch_size=16, rng=0,
                        convergence=conv, progress=False)
    assert h.stopped_by == "convergence"
    ref = ADFConvergence()
    first = next(e for e in range(20, len(h.train_loss) + 1)
                 if ref(SimpleNamespace(train_loss=h.train_loss[:e])))
    assert first == len(h.train_loss)


# ------------------------------------------------------------------------------------------------
# optional cross-check with statsmodels
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["walk", "ar", "noise", "loss"])
@pytest.mark.parametrize("regression", ["c", "n", "ct"])
def test_matches_statsmodels_adfuller(kind, regression):
    stattools = pytest.importorskip("statsmodels.tsa.stattools")
    checked = 0
    for n in (20, 21, 33, 50, 100, 500):
        for autolag in ("AIC", "BIC", None):
            y = _series(1000 * n + len(kind), n, kind)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = stattools.adfuller(y, regression=regression, autolag=autolag)
            stat, p, lag, nobs, cv = ref[:5]
            if nobs <= lag + 1 + {"n": 0, "c": 1, "ct": 2}[regression]:
                # no residual degrees of freedom: statsmodels' number is meaningless, refgrow raises
                with pytest.raises(ValueError, match="degrees of freedom"):
                    adf_test(y, regression=regression, autolag=autolag)
                continue
            res = adf_test(y, regression=regression, autolag=autolag)
            assert res.usedlag == lag and res.nobs == nobs
            assert res.statistic == pytest.approx(stat, rel=1e-8, abs=1e-10)
            assert res.pvalue == pytest.approx(p, rel=1e-8, abs=1e-12)
            for k in ("1%", "5%", "10%"):
                assert res.critical_values[k] == pytest.approx(cv[k], rel=1e-12)
            checked += 1
    assert checked >= 15
