"""Exercise 06 (adf): the Augmented Dickey-Fuller regression statistic.

Paper: *Growing Networks by Folding Manifolds at Mistakes*, Sec. 3.1 "When to Grow"
(docs/references.md#folding): training has converged when an ADF test on the last 20 epoch losses
rejects a unit root. This exercise is the statistic only (the p-value comes from MacKinnon's tables,
docs/references.md#mackinnon). Check your work with::

    python -m refgrow check 06 06_adf.py

The ADF regression with ``p`` lagged differences, for a series ``y_0, ..., y_{n-1}``::

    Delta y_t = alpha + beta t + gamma y_{t-1} + sum_{i=1..p} phi_i Delta y_{t-i} + e_t

with ``Delta y_t = y_t - y_{t-1}``, fitted by ordinary least squares on the rows ``t = p+1, ..., n-1``
(so ``nobs = n - 1 - p`` rows). ``regression`` chooses the deterministic terms: ``"n"`` none,
``"c"`` the constant alpha, ``"ct"`` alpha and the trend beta t (t counted 1, 2, ..., nobs over the
rows). The statistic is the t-value of gamma::

    tau = gamma_hat / sqrt(s^2 [(X^T X)^{-1}]_{gamma, gamma}),   s^2 = SSR / (nobs - number of columns)
"""
import numpy as np


def adf_statistic(x, lag, regression="c"):
    """ADF statistic tau (the t-value of gamma) with a fixed number of lagged differences.

    Parameters
    ----------
    x : ndarray, shape (n,), a non-constant series
    lag : int p >= 0, number of lagged differences
    regression : {"c", "n", "ct"}

    Returns
    -------
    tau : float
    """
    raise NotImplementedError("write adf_statistic")
