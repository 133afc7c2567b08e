"""Benchmark: the ADF test on a 20-point series (the window of 002 Sec. 3.1) against statsmodels'
``adfuller`` with the same options (regression "c", autolag AIC, default maxlag 8), in the same run.

Target: ratio refgrow / statsmodels <= 1.

Command: ``python -m refgrow bench adf [--n 20 --regression c --autolag AIC --number 200]``.
"""
from __future__ import annotations

import argparse
import json
import warnings

import numpy as np

from refgrow.bench._timing import compare, report
from refgrow.stats import adf_test


def run(argv) -> dict:
    p = argparse.ArgumentParser(prog="refgrow bench adf")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--regression", default="c", choices=["c", "n", "ct"])
    p.add_argument("--autolag", default="AIC", help="AIC, BIC or None")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--number", type=int, default=100)
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    a = p.parse_args(argv)
    autolag = None if a.autolag in ("None", "none", "") else a.autolag
    rng = np.random.default_rng(0)
    t = np.arange(a.n)
    x = 0.3 + np.exp(-t / 5.0) + 0.02 * rng.normal(size=a.n)      # a loss-curve-like window
    try:
        from statsmodels.tsa.stattools import adfuller
        import statsmodels
    except ImportError:
        print("bench adf: statsmodels is not installed (pip install -e .[oracle]); nothing to compare")
        return {"skipped": "statsmodels not installed"}

    def mine():
        return adf_test(x, regression=a.regression, autolag=autolag)

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return adfuller(x, regression=a.regression, autolag=autolag)

    res = compare(mine, theirs, repeat=a.repeat, number=a.number)
    r, s = mine(), theirs()
    res.update(n=a.n, regression=a.regression, autolag=autolag, statsmodels=statsmodels.__version__,
               statistic=r.statistic, statistic_statsmodels=float(s[0]), pvalue=r.pvalue,
               pvalue_statsmodels=float(s[1]), usedlag=r.usedlag, usedlag_statsmodels=int(s[2]))
    report(f"adf {a.n}-point series, regression={a.regression!r}, autolag={autolag} "
           "(refgrow vs statsmodels adfuller)", res, target=1.0)
    print(f"  statistic {r.statistic:.12g} vs {s[0]:.12g}, p {r.pvalue:.6g} vs {s[1]:.6g}, "
          f"lag {r.usedlag} vs {s[2]}")
    if a.json:
        print(json.dumps(res, indent=1))
    return res
