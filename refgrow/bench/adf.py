"""Benchmark: the ADF test on a 20-point series (the window of 002 Sec. 3.1) against statsmodels'
``adfuller`` with the same options (regression "c", autolag AIC, default maxlag 8).

Sides (timed in rotating blocks by :mod:`refgrow.bench._timing`)
    ``public``      ``adf_test(x, regression=..., autolag=...)`` (validation on)
    (no ``core`` side: validating a 20-point series costs microseconds; ``public`` is the core)
    ``peer``        ``statsmodels.tsa.stattools.adfuller(x, regression=..., autolag=...)``
    ``blas_floor``  the LAPACK work of the same test: one thin SVD per design matrix (``maxlag + 1``
                    lag candidates on the common sample, then the final regression)

Target: ``public/peer <= 1``.

Command: ``python -m refgrow bench adf [--n 20 --regression c --autolag AIC]`` plus the common options.
"""
from __future__ import annotations

import warnings

import numpy as np

from refgrow.cliargs import positive_int
from refgrow.bench._timing import (common_parser, make_result, resolve_common, run_sides,
                                   thread_limits)
from refgrow.stats import adf_test, default_maxlag

TITLE = "ADF test on a short series vs statsmodels adfuller (target public/peer <= 1)"
NTREND = {"n": 0, "c": 1, "ct": 2}


def _design(x, lag, start, ntrend):
    """The ADF design matrix with ``lag`` lagged differences on rows t = start+1..n-1 (level, lags,
    constant, trend), for the floor: the same shapes the test factorises."""
    n, dx = x.shape[0], np.diff(x)
    m = n - 1 - start
    cols = [x[start:n - 1]] + [dx[start - i:n - 1 - i] for i in range(1, lag + 1)]
    cols += [np.ones(m), np.arange(1.0, m + 1)][:ntrend]
    return np.column_stack(cols)


def _parser():
    p = common_parser("refgrow bench adf", __doc__.split("\n\n")[0])
    p.add_argument("--n", type=positive_int, default=20, help="series length (default 20)")
    p.add_argument("--regression", default="c", help="c, n or ct (default c)")
    p.add_argument("--autolag", default="AIC", help="AIC, BIC or None (default AIC)")
    return p


def sides(n, regression, autolag, *, rng=0, with_peer=True):
    """The callables of the sides, the peer info and an agreement check."""
    rng = np.random.default_rng(rng)
    t = np.arange(n)
    x = 0.3 + np.exp(-t / 5.0) + 0.02 * rng.normal(size=n)      # a loss-curve-like window
    maxlag = default_maxlag(n, regression)
    ntrend = NTREND[regression]
    usedlag = adf_test(x, regression=regression, autolag=autolag).usedlag
    designs = [_design(x, lag, maxlag, ntrend) for lag in range(maxlag + 1)] if autolag else []
    designs.append(_design(x, usedlag, usedlag, ntrend))

    def public():
        return adf_test(x, regression=regression, autolag=autolag)

    def floor():
        for D in designs:
            np.linalg.svd(D, full_matrices=False)

    out = {"public": public, "blas_floor": floor}
    if not with_peer:
        return out, None, None
    try:
        import statsmodels
        from statsmodels.tsa.stattools import adfuller
    except ImportError:
        return out, None, None

    def peer():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return adfuller(x, regression=regression, autolag=autolag)

    def agree():
        r, s = public(), peer()
        return {"statistic": r.statistic, "statistic_statsmodels": float(s[0]), "pvalue": r.pvalue,
                "pvalue_statsmodels": float(s[1]), "usedlag": r.usedlag, "usedlag_statsmodels": int(s[2])}

    out["peer"] = peer
    return out, {"name": "statsmodels", "version": statsmodels.__version__}, agree


def run(argv) -> dict:
    a = _parser().parse_args(argv)
    opts = resolve_common(a)
    if a.regression not in ("c", "n", "ct"):
        raise ValueError(f"--regression must be c, n or ct, got {a.regression!r}")
    autolag = None if a.autolag in ("None", "none", "") else a.autolag
    if autolag is not None and autolag.lower() not in ("aic", "bic"):
        raise ValueError(f"--autolag must be AIC, BIC or None, got {a.autolag!r}")
    if a.n < 2 * (NTREND[a.regression] + 1) + 2:
        raise ValueError(f"--n must be >= {2 * (NTREND[a.regression] + 1) + 2} for regression "
                         f"{a.regression!r}, got {a.n}")
    with thread_limits(opts["threads"]):
        fns, peer, agree = sides(a.n, a.regression, autolag)
        times = run_sides(fns, opts)
        extra = agree() if agree else {}
    notes = [] if peer else ["statsmodels is not installed (pip install -e .[oracle]): no peer timed"]
    res = make_result("adf", params={"n": a.n, "regression": a.regression, "autolag": autolag},
                      times=times, threads=opts["threads"], backend=opts["backend"], peer=peer,
                      target={"ratio": "public/peer", "max": 1.0}, notes=notes, extra=extra)
    res["title"] = TITLE
    return res
