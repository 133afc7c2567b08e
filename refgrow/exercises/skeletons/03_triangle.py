"""Exercise 03 (triangle): triangle maps, composed waves and the scales of Theorem 3.1.

Paper: *Compelling ReLU Networks to Exhibit Exponentially Many Linear Regions* (see refgrow's
docs/references.md#triangle), Sec. 3. Implement the three functions, then check your work with::

    python -m refgrow check 03 03_triangle.py

* Triangle map with peak ``a`` in (0, 1), on [0, 1]:
  ``T_a(x) = x / a`` for ``0 <= x <= a`` and ``T_a(x) = (1 - x) / (1 - a)`` for ``a <= x <= 1``.
* Composed waves, Eq. (2): ``W_i = T_{a_i} o T_{a_{i-1}} o ... o T_{a_0}``, so ``W_0 = T_{a_0}``.
* Theorem 3.1, Eq. (4): the series ``F(x) = x + sign * sum_i s_i W_i(x)`` is continuously
  differentiable only if ``s_{i+1} = s_i (1 - a_{i+1}) a_{i+2}``. Eq. (4) fixes the ratios; refgrow fixes
  the first scale so that the end slope vanishes: ``s_0 = a_0 a_1`` for ``sign = -1`` (waves
  subtracted, ``F'(0) -> 0``) and ``s_0 = (1 - a_0) a_1`` for ``sign = +1`` (waves added, ``F'(1) -> 0``).
"""
import numpy as np


def triangle(x, a):
    """Triangle map ``T_a(x)`` (Sec. 3 of the triangle paper), elementwise.

    Parameters
    ----------
    x : ndarray, any shape, values in [0, 1]
    a : float in (0, 1), the peak (``T_a(a) = 1``)

    Returns
    -------
    ndarray, shape of x
    """
    raise NotImplementedError("write triangle")


def triangle_waves(x, a):
    """All composed waves ``W_0, ..., W_{m-1}`` of Eq. (2).

    Parameters
    ----------
    x : ndarray, shape (p,), values in [0, 1]
    a : ndarray, shape (m,), peaks in (0, 1)

    Returns
    -------
    W : ndarray, shape (m, p); row i is ``W_i(x) = T_{a_i}(T_{a_{i-1}}(... T_{a_0}(x)))``
    """
    raise NotImplementedError("write triangle_waves")


def differentiable_scales(a, sign=-1):
    """Scales ``s_0, ..., s_{m-2}`` of Theorem 3.1 (Eq. 4), first scale as in the module docstring.

    Parameters
    ----------
    a : ndarray, shape (m,), peaks in (0, 1), m >= 2
    sign : -1 or +1

    Returns
    -------
    s : ndarray, shape (m - 1,)
    """
    raise NotImplementedError("write differentiable_scales")
