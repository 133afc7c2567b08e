"""Checks of exercise 03 (triangle); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.checks._base import Check, _st

__all__ = ["CHECKS_03"]


_H_T = "T_a(x) = x/a on [0, a] and (1 - x)/(1 - a) on [a, 1] (triangle paper Sec. 3)"
_H_W = ("Eq. (2): W_i = T_{a_i} o T_{a_{i-1}} o ... o T_{a_0}; row 0 is T_{a_0}(x) and each row applies "
        "the next peak to the previous row")
_H_S = ("Eq. (4): s_{i+1} = s_i (1 - a_{i+1}) a_{i+2} (check the indices!), with s_0 = a_0 a_1 for "
        "sign = -1 and s_0 = (1 - a_0) a_1 for sign = +1 (skeleton docstring)")


def _c03_tri_golden(ctx):
    from refgrow.triangle import triangle
    x = np.concatenate([np.linspace(0.0, 1.0, 11), [0.3]])
    for a in (0.3, 0.75):
        inp = {"x": x, "a": a}
        ctx.expect_close(ctx.call("triangle", x, a, inputs=inp), triangle(x, a), "T_a(x)", inputs=inp)


def _c03_tri_props(ctx):
    st = _st()

    def body(a):
        x = np.array([0.0, a, 1.0, a / 2, (1 + a) / 2])
        inp = {"x": x, "a": a}
        # the paper's definition: T(0) = 0, T(a) = 1, T(1) = 0, half way up and down = 1/2
        ctx.expect_close(ctx.call("triangle", x, a, inputs=inp), np.array([0.0, 1.0, 0.0, 0.5, 0.5]),
                         "T_a at [0, a, 1, a/2, (1+a)/2]", inputs=inp)

    ctx.forall(body, a=st.floats(0.05, 0.95))


def _c03_waves_golden(ctx):
    from refgrow.triangle import triangle_waves
    x = np.linspace(0.0, 1.0, 9)
    a = np.array([0.3, 0.6, 0.45])
    inp = {"x": x, "a": a}
    ctx.expect_close(ctx.call("triangle_waves", x, a, inputs=inp), triangle_waves(x, a), "W", inputs=inp)


def _c03_waves_peaks(ctx):
    from refgrow.triangle import triangle_breakpoints
    st = _st()

    def body(a):
        a = np.array(a)
        B = triangle_breakpoints(a, len(a) - 1)   # App. A.3: bends of W_{m-1}, valleys and peaks alternate
        inp = {"x": B, "a": a}
        W = ctx.as_array(ctx.call("triangle_waves", B, a, inputs=inp), "W", shape=(len(a), B.size), inputs=inp)
        expected = np.where(np.arange(B.size) % 2 == 1, 1.0, 0.0)
        ctx.expect_close(W[-1], expected, f"W_{len(a) - 1} at its {B.size} bends (App. A.3: 0 at the valleys, "
                         "1 at the 2^i peaks)", inputs=inp, rtol=1e-7, atol=1e-9)

    ctx.forall(body, a=st.lists(st.floats(0.1, 0.9), min_size=1, max_size=4))


def _c03_scales_golden(ctx):
    from refgrow.triangle import differentiable_scales
    a = np.array([0.3, 0.6, 0.45, 0.7, 0.2])
    for sign in (-1, 1):
        inp = {"a": a, "sign": sign}
        ctx.expect_close(ctx.call("differentiable_scales", a, sign=sign, inputs=inp),
                         differentiable_scales(a, sign=sign), f"s (sign={sign:+d})", inputs=inp)


def _c03_scales_slope(ctx):
    st = _st()

    def body(a, sign):
        a = np.array(a)
        inp = {"a": a, "sign": sign}
        s = ctx.as_array(ctx.call("differentiable_scales", a, sign=sign, inputs=inp), "s",
                         shape=(a.size - 1,), inputs=inp)
        # slope of W_i at the end point: 0+ for sign -1, 1- for sign +1 (each T multiplies the slope)
        pre = np.cumprod(1.0 / a[:-1]) if sign == -1 else -np.cumprod(
            np.concatenate([[1.0 / (1.0 - a[0])], 1.0 / a[1:-1]]))
        slope = 1.0 + sign * float(s @ pre)
        end = "F'(0+)" if sign == -1 else "F'(1-)"
        ctx.expect_close(slope, np.prod(1.0 - a[1:]), f"the end slope {end} of F = x {'-' if sign < 0 else '+'}"
                         " sum s_i W_i (Theorem 3.1: prod_{q>=1} (1 - a_q))", inputs=inp, rtol=1e-7, atol=1e-12)

    ctx.forall(body, a=st.lists(st.floats(0.1, 0.9), min_size=2, max_size=5), sign=st.sampled_from([-1, 1]))


_TRI = ("triangle",)
_WAV = ("triangle_waves",)
_SCA = ("differentiable_scales",)
CHECKS_03 = [
    Check("triangle on a golden example", _TRI, 2, _H_T, _c03_tri_golden),
    Check("triangle: T(0) = 0, T(a) = 1, T(1) = 0, linear in between (property)", _TRI, 1, _H_T, _c03_tri_props),
    Check("triangle_waves on a golden example", _WAV, 2, _H_W, _c03_waves_golden),
    Check("triangle_waves: the last wave is 0 at its valleys and 1 at its 2^i peaks (property)", _WAV, 2, _H_W,
          _c03_waves_peaks),
    Check("differentiable_scales on a golden example (both signs)", _SCA, 2, _H_S, _c03_scales_golden),
    Check("differentiable_scales: the series' end slope is prod (1 - a_q) (Theorem 3.1, property)", _SCA, 1,
          _H_S, _c03_scales_slope),
]
