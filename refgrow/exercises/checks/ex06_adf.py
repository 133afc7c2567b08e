"""Checks of exercise 06 (adf); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.checks._base import Check, _rng, _seed, _st

__all__ = ["CHECKS_06"]


_H_ADF = ("regress Delta y_t on [y_{t-1}, Delta y_{t-1}, ..., Delta y_{t-p}, deterministic terms] for "
          "t = p+1..n-1 (nobs = n-1-p rows); tau = gamma_hat / its standard error with s^2 = SSR / (nobs - "
          "number of columns) (skeleton docstring; folding paper Sec. 3.1)")


def _adf_ref(x, lag, reg):
    from refgrow.stats import adf_test
    return adf_test(x, maxlag=lag, regression=reg, autolag=None).statistic


def _series(n, seed, kind="walk"):
    r = _rng(seed)
    e = r.standard_normal(n)
    if kind == "walk":
        return np.cumsum(e)
    x = np.empty(n)
    x[0] = e[0]
    for t in range(1, n):
        x[t] = 0.6 * x[t - 1] + e[t]
    return x


def _adf_student(ctx, x, lag, reg):
    inp = {"x": x, "lag": lag, "regression": reg}
    return ctx.as_scalar(ctx.call("adf_statistic", x, lag, regression=reg, inputs=inp), "tau", inputs=inp), inp


def _c06_golden_c(ctx):
    for x, lag in ((_series(30, 601), 2), (_series(25, 602, "ar"), 0)):
        tau, inp = _adf_student(ctx, x, lag, "c")
        ctx.expect_close(tau, _adf_ref(x, lag, "c"), "tau (regression='c')", inputs=inp, rtol=1e-7)


def _c06_golden_n_ct(ctx):
    for x, lag, reg in ((_series(28, 603, "ar"), 1, "n"), (_series(32, 604), 1, "ct"), (_series(20, 605), 0, "ct")):
        tau, inp = _adf_student(ctx, x, lag, reg)
        ctx.expect_close(tau, _adf_ref(x, lag, reg), f"tau (regression={reg!r})", inputs=inp, rtol=1e-7)


def _c06_random(ctx):
    st = _st()

    def body(n, lag, reg, seed, kind):
        x = _series(n, seed, kind)
        tau, inp = _adf_student(ctx, x, lag, reg)
        ctx.expect_close(tau, _adf_ref(x, lag, reg), f"tau (regression={reg!r})", inputs=inp, rtol=1e-7)

    ctx.forall(body, n=st.integers(12, 40), lag=st.integers(0, 3), reg=st.sampled_from(["c", "n", "ct"]),
               seed=_seed(), kind=st.sampled_from(["walk", "ar"]))


def _c06_invariance(ctx):
    st = _st()

    def body(n, lag, seed, c, d):
        x = _series(n, seed, "ar")
        tau_c, _ = _adf_student(ctx, x, lag, "c")
        tau_c2, inp = _adf_student(ctx, c * x + d, lag, "c")
        ctx.expect_close(tau_c2, tau_c, f"tau of {c:g} x + {d:g} with regression='c' (a constant in the "
                         "regression makes tau invariant; 'expected' is your tau of x)", inputs=inp, rtol=1e-6)
        tau_t, _ = _adf_student(ctx, x, lag, "ct")
        trend = d * np.arange(n)
        tau_t2, inp = _adf_student(ctx, x + trend, lag, "ct")
        ctx.expect_close(tau_t2, tau_t, f"tau of x + {d:g} t with regression='ct' (the trend term absorbs a "
                         "linear trend; 'expected' is your tau of x)", inputs=inp, rtol=1e-6)

    ctx.forall(body, n=st.integers(14, 30), lag=st.integers(0, 2), seed=_seed(),
               c=st.sampled_from([-2.0, 0.5, 3.0]), d=st.sampled_from([1.0, -5.0, 0.25]))


_ADF = ("adf_statistic",)
CHECKS_06 = [
    Check("adf_statistic on golden series, regression='c'", _ADF, 3, _H_ADF, _c06_golden_c),
    Check("adf_statistic on golden series, regression='n' and 'ct'", _ADF, 2, _H_ADF, _c06_golden_n_ct),
    Check("adf_statistic on random series, lags and regressions (property)", _ADF, 3, _H_ADF, _c06_random),
    Check("tau is invariant to c x + d ('c') and to an added linear trend ('ct') (property)", _ADF, 2, _H_ADF,
          _c06_invariance),
]
