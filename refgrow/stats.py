"""Augmented Dickey-Fuller (ADF) unit-root test and the ADF convergence test of 002 Sec. 3.1.

Paper 002 (*Growing Networks by Folding Manifolds at Mistakes*, Sec. 3.1 "When to Grow") declares
training converged when (i) the training loss has attained a local minimum and (ii) an ADF test on
the losses of the last 20 epochs rejects a unit root at p < 0.05.  This module gives the test
(:func:`adf_test`, statistic, MacKinnon (1994) p-value and MacKinnon (2010) critical values) and a
convergence object for the training loop (:class:`ADFConvergence`).  It follows the procedure of the
most widely used implementation (statsmodels ``adfuller``), so that its numbers can be compared with
it; the constants are MacKinnon's [docs/references.md#mackinnon].

Single concern: the ADF test; the convergence rule is a thin user of it and shares its checks.

The ADF regression (regression ``"c"``; ``"n"`` drops mu, ``"ct"`` adds a linear trend beta*t)::

    Delta y_t = mu + gamma * y_{t-1} + sum_{i=1..p} phi_i * Delta y_{t-i} + e_t

is fitted by ordinary least squares on the ``nobs = (n - 1) - p`` rows t = p+1, ..., n-1 (0-based
t indexes the levels y_0..y_{n-1}).  The test statistic is the t-value of gamma,
``tau = gamma_hat / sqrt(s^2 [(X^T X)^+]_{gamma gamma})`` with ``s^2 = SSR / (nobs - rank X)``.
H0: gamma = 0 (a unit root, the series wanders); small p rejects H0 (the series is stationary).

Symbol table
------------
==================  =====================  ===============================================
symbol              code name              shape / meaning
==================  =====================  ===============================================
y_t                 ``x[t]``               (n,) the series (e.g. epoch losses)
Delta y_t           ``dx[t-1]``            (n-1,) first differences
p                   ``usedlag``            int, number of lagged differences
p_max               ``maxlag``             int, largest lag considered
gamma               level coefficient      scalar; ADF statistic tau is its t-value
mu, beta            trend coefficients     constant ("c", "ct") and linear trend ("ct")
alpha               ``alpha``              significance level of :class:`ADFConvergence` (0.05)
nobs (T)            ``nobs``               rows of the final regression
tau                 ``statistic``          float
p-value             ``pvalue``             Phi(poly(tau)), MacKinnon (1994), N = 1
cv(T)               ``critical_values``    {"1%", "5%", "10%"}, MacKinnon (2010), N = 1
llf, AIC, BIC       ``_ols``               Gaussian log-likelihood, information criteria
==================  =====================  ===============================================

Interpretation notes
--------------------
* **Lag selection** follows Greene / statsmodels: ``maxlag = ceil(12 (n/100)^{1/4})`` capped at
  ``n//2 - ntrend - 1``; with ``autolag`` every lag 0..maxlag is fitted on the *same* sample of
  ``n - 1 - maxlag`` rows, the smallest AIC/BIC wins (ties: smaller lag), and the chosen lag is
  re-fitted on ``n - 1 - p`` rows.  That re-fit gives the statistic, ``nobs`` and the critical values.
* **Rank deficiency** (e.g. a loss curve whose tail is exactly constant gives an all-zero lag column)
  is handled as in statsmodels' OLS: Moore-Penrose pseudo-inverse, residual degrees of freedom
  ``nobs - rank``, information criteria with ``k = rank``.
* **No residual degrees of freedom**: a regression with ``nobs == rank`` fits exactly and has no
  defined t-value (statsmodels returns NaN).  :func:`adf_test` raises ``ValueError`` instead.  This
  happens e.g. for ``regression="n"`` on an even-length series with the default maxlag (n = 20:
  maxlag 9, 10 rows, 10 columns); pass a smaller ``maxlag``.
* **Small samples** (the paper's 20-epoch window): for n = 20, ``"c"`` gives maxlag 8 and AIC often
  picks it, leaving one residual degree of freedom; the statistic is then very noisy and the
  asymptotic MacKinnon p-value is only a rough guide (see ``tutorials/05_when_to_grow.py``).
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from ._validation import as_float_array, check_bool, check_int, check_positive_int, check_real

__all__ = [
    "ADFResult", "adf_test", "mackinnon_pvalue", "mackinnon_critical_values", "default_maxlag",
    "ADFConvergence",
]

# ---------------------------------------------------------------------------------------------
# MacKinnon constants [docs/references.md#mackinnon], N = 1 series.
# ---------------------------------------------------------------------------------------------
_TAU_MAX = {"n": math.inf, "c": 2.74, "ct": 0.70}
_TAU_MIN = {"n": -19.04, "c": -18.83, "ct": -16.18}
_TAU_STAR = {"n": -1.04, "c": -1.61, "ct": -2.89}
_SMALLP_RAW = {"n": (0.6344, 1.2378, 3.2496), "c": (2.1659, 1.4412, 3.8269),
               "ct": (3.2512, 1.6047, 4.9588)}
_LARGEP_RAW = {"n": (0.4797, 9.3557, -0.6999, 3.3066), "c": (1.7339, 9.3202, -1.2745, -1.0368),
               "ct": (2.5261, 6.1654, -3.7956, -6.0285)}
_SMALLP_SCALE = (1.0, 1.0, 1e-2)
_LARGEP_SCALE = (1.0, 1e-1, 1e-1, 1e-2)
_SMALLP = {k: tuple(c * s for c, s in zip(v, _SMALLP_SCALE)) for k, v in _SMALLP_RAW.items()}
_LARGEP = {k: tuple(c * s for c, s in zip(v, _LARGEP_SCALE)) for k, v in _LARGEP_RAW.items()}

# MacKinnon (2010) response surfaces cv(T) = b0 + b1/T + b2/T^2 + b3/T^3, levels 1%, 5%, 10%.
_CRIT_2010 = {
    "n": ((-2.56574, -2.2358, -3.627, 0.0),
          (-1.94100, -0.2686, -3.365, 31.223),
          (-1.61682, 0.2656, -2.714, 25.364)),
    "c": ((-3.43035, -6.5393, -16.786, -79.433),
          (-2.86154, -2.8903, -4.234, -40.040),
          (-2.56677, -1.5384, -2.809, 0.0)),
    "ct": ((-3.95877, -9.0531, -28.428, -134.155),
           (-3.41049, -4.3904, -9.036, -45.374),
           (-3.12705, -2.5856, -3.925, -22.380)),
}
_NTREND = {"n": 0, "c": 1, "ct": 2}
_LEVELS = ("1%", "5%", "10%")
_EPS = np.finfo(np.float64).eps
_LOG_2PI = math.log(2.0 * math.pi)


class ADFResult(NamedTuple):
    """Result of :func:`adf_test` (field names pinned in DESIGN.md).

    Attributes
    ----------
    statistic : float
        ADF statistic tau, the t-value of gamma in the ADF regression.
    pvalue : float
        MacKinnon (1994) approximate p-value of ``statistic`` (one series).
    usedlag : int
        Number p of lagged differences in the final regression.
    nobs : int
        Rows of the final regression, ``n - 1 - usedlag``.
    critical_values : dict
        ``{"1%": cv, "5%": cv, "10%": cv}`` from MacKinnon (2010) at T = ``nobs``.
    """

    statistic: float
    pvalue: float
    usedlag: int
    nobs: int
    critical_values: dict


class _DegenerateSeries(ValueError):
    """The ADF regression fits the series exactly (up to rounding): the statistic is undefined."""


def _check_regression(regression) -> str:
    if not isinstance(regression, str) or regression.lower() not in _NTREND:
        raise ValueError(f"regression must be one of 'c', 'n', 'ct', got {regression!r}")
    return regression.lower()


def mackinnon_pvalue(tau, regression: str = "c") -> float:
    """MacKinnon (1994) approximate asymptotic p-value of an ADF statistic (one series, N = 1).

    Implements ``p = Phi(c0 + c1 tau + c2 tau^2 [+ c3 tau^3])`` with the small-p branch for
    ``tau <= tau_star`` and the large-p branch above; ``p = 1`` above ``tau_max`` and ``p = 0`` below
    ``tau_min`` (constants in [docs/references.md#mackinnon]).

    Parameters
    ----------
    tau : float
        ADF statistic.
    regression : {"c", "n", "ct"}
        Deterministic terms of the ADF regression.

    Returns
    -------
    float
        p-value in [0, 1].

    Examples
    --------
    >>> round(mackinnon_pvalue(-3.0, "c"), 12)
    0.034894400275
    """
    regression = _check_regression(regression)
    tau = check_real(tau, "tau", allow_inf=True)
    if tau > _TAU_MAX[regression]:
        return 1.0
    if tau < _TAU_MIN[regression]:
        return 0.0
    coef = _SMALLP[regression] if tau <= _TAU_STAR[regression] else _LARGEP[regression]
    z = 0.0
    for c in reversed(coef):        # Horner: c0 + tau (c1 + tau (c2 + ...))
        z = z * tau + c
    return 0.5 * math.erfc(-z / math.sqrt(2.0))     # standard normal CDF Phi(z)


def mackinnon_critical_values(nobs, regression: str = "c") -> dict:
    """MacKinnon (2010) finite-sample critical values ``cv(T) = b0 + b1/T + b2/T^2 + b3/T^3``.

    Parameters
    ----------
    nobs : int or float
        T, the number of rows of the ADF regression (``math.inf`` gives the asymptotic values b0).
    regression : {"c", "n", "ct"}

    Returns
    -------
    dict
        ``{"1%": float, "5%": float, "10%": float}``.

    Examples
    --------
    >>> cv = mackinnon_critical_values(100, "c")
    >>> [round(cv[k], 8) for k in ("1%", "5%", "10%")]
    [-3.49750103, -2.89090644, -2.5824349]
    """
    regression = _check_regression(regression)
    T = check_real(nobs, "nobs", low=1.0, allow_inf=True)       # rows of the ADF regression
    u = 1.0 / T
    return {lvl: b0 + u * (b1 + u * (b2 + u * b3))
            for lvl, (b0, b1, b2, b3) in zip(_LEVELS, _CRIT_2010[regression])}


def default_maxlag(n: int, regression: str = "c") -> int:
    """Default largest lag ``min(ceil(12 (n/100)^{1/4}), n//2 - ntrend - 1)`` (Schwert 1989).

    Parameters
    ----------
    n : int
        Series length.
    regression : {"c", "n", "ct"}
        ``ntrend`` = 0, 1, 2 deterministic columns.

    Returns
    -------
    int
        The default maxlag; may be negative, meaning the series is too short.

    Examples
    --------
    >>> default_maxlag(20, "c")
    8
    """
    regression = _check_regression(regression)
    n = check_int(n, "n", low=0)
    rule = int(np.ceil(12.0 * np.power(n / 100.0, 1 / 4.0)))
    return min(n // 2 - _NTREND[regression] - 1, rule)


def _design(x: np.ndarray, dx: np.ndarray, lag: int, start: int, ntrend: int) -> tuple:
    """Response and design of the ADF regression with ``lag`` lagged differences.

    Rows are t = start+1, ..., n-1 (``start >= lag``), i.e. ``m = n - 1 - start`` rows.  Columns:
    level y_{t-1} first, then Delta y_{t-1..t-lag}, then constant and trend (statsmodels order of the
    final fit; the column order does not change OLS results).
    """
    n = x.shape[0]
    m = n - 1 - start
    X = np.empty((m, 1 + lag + ntrend))
    X[:, 0] = x[start:n - 1]
    for i in range(1, lag + 1):
        X[:, i] = dx[start - i:n - 1 - i]
    if ntrend >= 1:
        X[:, 1 + lag] = 1.0
    if ntrend == 2:
        X[:, 2 + lag] = np.arange(1, m + 1, dtype=np.float64)
    return dx[start:], X


def _ols(y: np.ndarray, X: np.ndarray, want_t: bool) -> tuple:
    """OLS through the SVD: (t-value of column 0 or None, ssr, rank, df_resid).

    Pseudo-inverse cut-off ``1e-15 * s_max`` and rank tolerance ``s_max * max(m, k) * eps`` as in
    statsmodels' OLS (``pinv_extended`` and ``numpy.linalg.matrix_rank``).
    """
    m, k = X.shape
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    smax = s[0] if s.size else 0.0
    rank = int(np.count_nonzero(s > smax * max(m, k) * _EPS))
    keep = s > 1e-15 * smax
    inv_s = np.zeros_like(s)
    inv_s[keep] = 1.0 / s[keep]
    beta = Vt.T @ ((U.T @ y) * inv_s)
    resid = y - X @ beta
    ssr = float(resid @ resid)
    df = m - rank
    tval = None
    if want_t:
        var_unscaled = float(np.sum((Vt[:, 0] * inv_s) ** 2))   # [(X^T X)^+]_{00}
        with np.errstate(divide="ignore", invalid="ignore"):
            tval = float(beta[0] / np.sqrt(ssr / df * var_unscaled)) if df > 0 else math.nan
    return tval, ssr, rank, df


def _info_criterion(ssr: float, m: int, rank: int, method: str) -> float:
    """AIC = -2 llf + 2k or BIC = -2 llf + k ln m, llf = -(m/2)(ln 2 pi + ln(ssr/m) + 1), k = rank."""
    with np.errstate(divide="ignore"):
        llf = -0.5 * m * (_LOG_2PI + (math.log(ssr / m) if ssr > 0 else -math.inf) + 1.0)
    penalty = 2.0 * rank if method == "aic" else math.log(m) * rank
    return -2.0 * llf + penalty


def adf_test(x, *, maxlag=None, regression: str = "c", autolag="AIC") -> ADFResult:
    """Augmented Dickey-Fuller unit-root test (the stationarity check of 002 Sec. 3.1).

    Implements the ADF regression ``Delta y_t = mu + gamma y_{t-1} + sum_i phi_i Delta y_{t-i}
    + e_t`` (Said & Dickey 1984), the statistic tau = t-value of gamma, the MacKinnon (1994) p-value
    and the MacKinnon (2010) critical values, with the lag rules of [docs/references.md#dickey-fuller].

    Parameters
    ----------
    x : array_like, shape (n,)
        Finite, non-constant series (e.g. the last 20 epoch losses).
    maxlag : int, optional
        Largest lag; default ``min(ceil(12 (n/100)^{1/4}), n//2 - ntrend - 1)``.  A value above the
        cap ``n//2 - ntrend - 1`` is an error.
    regression : {"c", "n", "ct"}
        "c": constant; "n": no deterministic term; "ct": constant and linear trend.
    autolag : {"AIC", "BIC", None}
        Pick the lag in 0..maxlag minimising the criterion on a common sample (case-insensitive), or
        use ``maxlag`` directly when None.

    Returns
    -------
    ADFResult
        ``(statistic, pvalue, usedlag, nobs, critical_values)``.

    Raises
    ------
    ValueError
        Constant series, NaN/inf, a series too short for the regression, ``maxlag`` above the cap,
        or a final regression without residual degrees of freedom.
    TypeError
        Non-numeric ``x`` or non-integer ``maxlag``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> res = adf_test(rng.normal(size=200))          # white noise: stationary
    >>> res.pvalue < 0.01
    True
    """
    x = as_float_array(x, "x", ndim=1)
    regression = _check_regression(regression)
    # The statistic is invariant to scaling x (every regressor scales with it): divide by a power of
    # two near max|x| (exact) so that tiny or huge series neither underflow nor overflow the OLS.
    top = float(np.max(np.abs(x)))
    if top > 0:
        x = np.ldexp(x, -math.frexp(top)[1])
    if autolag is not None:
        if not isinstance(autolag, str) or autolag.lower() not in ("aic", "bic"):
            raise ValueError(f"autolag must be 'AIC', 'BIC' or None, got {autolag!r}")
        autolag = autolag.lower()
    n = x.shape[0]
    if x.max() == x.min():
        raise ValueError(f"x is constant (all {n} values equal {x[0]!r}): the ADF statistic is "
                         "undefined for a constant series")
    ntrend = _NTREND[regression]
    cap = n // 2 - ntrend - 1
    if maxlag is None:
        maxlag = default_maxlag(n, regression)
        if maxlag < 0:
            raise ValueError(
                f"x is too short for regression={regression!r}: n={n} gives the lag cap "
                f"n//2 - ntrend - 1 = {cap} < 0; need n >= {2 * (ntrend + 1)}")
    else:
        if isinstance(maxlag, bool) or not isinstance(maxlag, numbers.Integral):
            raise TypeError(f"maxlag must be an integer or None, got {maxlag!r}")
        maxlag = int(maxlag)
        if maxlag < 0:
            raise ValueError(f"maxlag must be >= 0, got {maxlag}")
        if maxlag > cap:
            raise ValueError(
                f"maxlag must be <= n//2 - ntrend - 1 = {cap} for n={n} and "
                f"regression={regression!r}, got {maxlag}")
    dx = np.diff(x)

    if autolag is not None:
        best_ic, usedlag = math.inf, 0
        for lag in range(maxlag + 1):      # common sample: rows t = maxlag+1..n-1
            y, X = _design(x, dx, lag, maxlag, ntrend)
            _, ssr, rank, _ = _ols(y, X, want_t=False)
            ic = _info_criterion(ssr, y.shape[0], rank, autolag)
            if lag == 0 or ic < best_ic:          # strict <: ties keep the smaller lag
                best_ic, usedlag = ic, lag
    else:
        usedlag = maxlag

    y, X = _design(x, dx, usedlag, usedlag, ntrend)
    tau, ssr, rank, df = _ols(y, X, want_t=True)
    nobs = y.shape[0]
    if df > 0 and ssr <= (1e-10) ** 2 * float(y @ y):
        raise _DegenerateSeries(
            "x is fitted exactly by the ADF regression (residuals at rounding level, e.g. an exact "
            "straight line): the ADF statistic would be rounding noise, so it is undefined")
    if df <= 0:
        raise ValueError(
            f"the ADF regression with usedlag={usedlag} and regression={regression!r} has nobs={nobs} "
            f"rows and rank {rank}: no residual degrees of freedom, so the statistic is undefined; "
            f"pass a smaller maxlag (got maxlag={maxlag}, n={n})")
    if math.isnan(tau):
        raise _DegenerateSeries("x is degenerate: the ADF statistic is undefined (zero residual "
                                "variance with a zero level coefficient)")
    return ADFResult(statistic=tau, pvalue=mackinnon_pvalue(tau, regression), usedlag=usedlag,
                     nobs=nobs, critical_values=mackinnon_critical_values(nobs, regression))


class ADFConvergence:
    """Convergence test of 002 Sec. 3.1: local minimum of the training loss and ADF p < alpha.

    Implements 002 Sec. 3.1 ("When to Grow"): training has converged when (i) the training loss has
    attained a local minimum and (ii) an ADF test on the losses of the last ``window`` (= 20) epochs
    gives p-value < ``alpha`` (= 0.05).  Usable as ``train(..., convergence=ADFConvergence())``.

    Parameters
    ----------
    window : int
        Number of most recent values tested (paper: 20).
    alpha : float
        Significance level in (0, 1) (paper: 0.05).
    key : str
        Attribute of the history holding the per-epoch values (default ``"train_loss"``).
    require_local_min : bool
        Require criterion (i).  With False only the ADF criterion is used.
    regression, autolag : see :func:`adf_test`
    maxlag : int, optional
        Passed to :func:`adf_test` (default rule when None).
    min_delta : float
        Tolerance of criterion (i), see the interpretation note (default 0).

    Attributes
    ----------
    last_result : ADFResult or None
        ADF result of the most recent call that ran the test.
    last_local_min : bool or None
        Criterion (i) at the most recent call with a full window.

    Interpretation note
    -------------------
    *"Attainment of a local minimum in training loss"* is read on the observed loss sequence
    l_1, ..., l_T: the most recent epoch did not improve on the best loss of the window by more than
    ``min_delta``, ``l_T >= min(l_{T-w+1}, ..., l_{T-1}) - min_delta``; i.e. the window's minimum
    (a discrete local minimum of the loss curve) was attained before the last epoch, so the loss has
    stopped decreasing.  A monotonically decreasing curve never satisfies it with ``min_delta = 0``:
    this is deliberate, because an exponentially decaying loss is mean-reverting and the ADF test
    alone rejects the unit root long before training has converged.  With full-batch gradient
    descent (monotone losses) use ``min_delta > 0`` or ``require_local_min=False``.
    *"Stationarity confirmed by an ADF test (p-value < 0.05)"* is read as ``adf_test(window,
    regression=regression, autolag=autolag).pvalue < alpha`` (rejecting the unit root).  A window of
    exactly equal losses is constant: the ADF statistic is undefined, and such a window is treated as
    stationary (converged).  Fewer than ``window`` values: not converged.
    """

    def __init__(self, window: int = 20, alpha: float = 0.05, key: str = "train_loss",
                 require_local_min: bool = True, regression: str = "c", autolag="AIC", *,
                 maxlag=None, min_delta: float = 0.0):
        self.window = check_positive_int(window, "window", minimum=4)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
            raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
        if not isinstance(key, str):
            raise TypeError(f"key must be a str naming a history attribute, got {key!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) \
                or not (min_delta >= 0 and math.isfinite(min_delta)):
            raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
        self.alpha = float(alpha)
        self.key = key
        self.require_local_min = check_bool(require_local_min, "require_local_min")
        self.regression = _check_regression(regression)
        if autolag is not None and (not isinstance(autolag, str)
                                    or autolag.lower() not in ("aic", "bic")):
            raise ValueError(f"autolag must be 'AIC', 'BIC' or None, got {autolag!r}")
        self.autolag = autolag
        self.maxlag = maxlag
        self.min_delta = float(min_delta)
        ntrend = _NTREND[self.regression]
        cap = self.window // 2 - ntrend - 1
        if cap < 0:
            raise ValueError(f"window must be >= {2 * (ntrend + 1)} for regression={regression!r} "
                             f"(shorter is too short for any ADF regression), got {window!r}")
        if maxlag is not None:
            if isinstance(maxlag, bool) or not isinstance(maxlag, numbers.Integral) \
                    or not 0 <= maxlag <= cap:
                raise ValueError(f"maxlag must be None or an integer in [0, {cap}] for "
                                 f"window={window} and regression={regression!r}, got {maxlag!r}")
        top = default_maxlag(self.window, self.regression) if maxlag is None else int(maxlag)
        if (self.window - 1 - top) - (top + 1 + ntrend) < 1:
            # the largest lag fits exactly (AIC = -inf picks it), so every test would fail
            raise ValueError(
                f"window={window} with regression={regression!r} and maxlag {top} leaves no residual "
                f"degrees of freedom; pass maxlag <= {top - 1} or an odd window")
        self.last_result = None
        self.last_local_min = None

    def local_minimum(self, values) -> bool:
        """Criterion (i): ``l_T >= min(l_{T-w+1..T-1}) - min_delta`` on the last window values."""
        v = as_float_array(values, "values", ndim=1)[-self.window:]
        if v.shape[0] < 2:
            raise ValueError(f"values must hold at least 2 entries, got {v.shape[0]}")
        return bool(v[-1] >= v[:-1].min() - self.min_delta)

    def __call__(self, history) -> bool:
        """True when both criteria hold on ``getattr(history, key)`` (a list of per-epoch values).

        Parameters
        ----------
        history : object
            Anything with a list attribute ``key`` (``refgrow.train.History``), or a mapping.

        Returns
        -------
        bool
        """
        values = history[self.key] if isinstance(history, dict) else getattr(history, self.key)
        if len(values) < self.window:
            return False
        w = as_float_array(list(values)[-self.window:], f"history.{self.key}[-{self.window}:]",
                           ndim=1)
        local_min = self.local_minimum(w)
        self.last_local_min = local_min
        if self.require_local_min and not local_min:
            return False
        if w.max() == w.min():
            self.last_result = None
            return True
        try:
            self.last_result = adf_test(w, maxlag=self.maxlag, regression=self.regression,
                                        autolag=self.autolag)
        except _DegenerateSeries:        # an exact trend: deterministic, not a stationary plateau
            self.last_result = None
            return False
        return bool(self.last_result.pvalue < self.alpha)

    def __repr__(self) -> str:
        return (f"ADFConvergence(window={self.window}, alpha={self.alpha}, key={self.key!r}, "
                f"require_local_min={self.require_local_min}, regression={self.regression!r}, "
                f"autolag={self.autolag!r}, maxlag={self.maxlag}, min_delta={self.min_delta})")
