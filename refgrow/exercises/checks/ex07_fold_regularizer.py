"""Checks of exercise 07 (fold_regularizer); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.checks._base import Check, _fd, _rng, _seed, _st

__all__ = ["CHECKS_07"]


_H_FR = ("Definition 5: L = (|u_m| + |u_f|) / ||w|| with u = w . p + b; ||w|| depends on w too: use "
         "d||w||/dw = w / ||w|| with the quotient rule; d|u|/du = sign(u), sign(0) = 0")


def _fr_student(ctx, w, b, pm, pf):
    inp = {"w": w, "b": b, "p_mistake": pm, "p_fold": pf}
    v, gw, gb = ctx.unpack(ctx.call("fold_regularizer", w, b, pm, pf, inputs=inp), 3, "fold_regularizer",
                           "(value, grad_w, grad_b)", inp)
    return ctx.as_scalar(v, "value", inputs=inp), gw, ctx.as_scalar(gb, "grad_b", inputs=inp), inp


def _fr_ref(w, b, pm, pf):
    from refgrow.growth.folding import fold_regularizer
    return fold_regularizer(w, b, pm, pf)


def _fr_golden_inputs():
    r = _rng(701)
    return r.standard_normal(3), 0.3, r.standard_normal(3) * 2, r.standard_normal(3) * 2


def _c07_value(ctx):
    w, b, pm, pf = _fr_golden_inputs()
    v, _, _, inp = _fr_student(ctx, w, b, pm, pf)
    ctx.expect_close(v, _fr_ref(w, b, pm, pf)[0], "value", inputs=inp)


def _c07_grad(ctx):
    w, b, pm, pf = _fr_golden_inputs()
    _, gw, gb, inp = _fr_student(ctx, w, b, pm, pf)
    _, rw, rb = _fr_ref(w, b, pm, pf)
    ctx.expect_close(gw, rw, "grad_w", inputs=inp)
    ctx.expect_close(gb, rb, "grad_b", inputs=inp)


def _fr_draw(d, seed):
    r = _rng(seed)
    w, b = r.standard_normal(d), float(r.standard_normal())
    pm, pf = r.standard_normal(d) * 2, r.standard_normal(d) * 2
    return w, b, pm, pf


def _c07_fd(ctx):
    from hypothesis import assume
    st = _st()

    def body(d, seed):
        w, b, pm, pf = _fr_draw(d, seed)
        assume(min(abs(w @ pm + b), abs(w @ pf + b)) > 1e-3)      # away from the kinks of |.|
        assume(np.linalg.norm(w) > 0.2)            # L ~ 1/||w||: a tiny w makes the FD step too coarse
        _, gw, gb, inp = _fr_student(ctx, w, b, pm, pf)

        def val(ww, bb):
            return (abs(ww @ pm + bb) + abs(ww @ pf + bb)) / np.linalg.norm(ww)
        ctx.expect_close(gw, _fd(lambda ww: val(ww, b), w)[0], "grad_w (vs centred finite differences)",
                         inputs=inp, rtol=1e-6, atol=1e-7)
        ctx.expect_close(gb, _fd(lambda bb: val(w, bb[0]), [b])[0][0], "grad_b (vs centred finite differences)",
                         inputs=inp, rtol=1e-6, atol=1e-7)

    ctx.forall(body, d=st.integers(1, 4), seed=_seed())


def _c07_scale(ctx):
    st = _st()

    def body(d, seed, c):
        w, b, pm, pf = _fr_draw(d, seed)
        v, gw, gb, inp0 = _fr_student(ctx, w, b, pm, pf)
        v2, _, _, inp = _fr_student(ctx, c * w, c * b, pm, pf)
        ctx.expect_close(v2, v, f"value for (w, b) multiplied by {c:g} (the same hyperplane, the same distances; "
                         "'expected' is your value for (w, b))", inputs=inp, rtol=1e-9)
        gw = ctx.as_array(gw, "grad_w", shape=(d,), inputs=inp0)
        ctx.expect_close(float(gw @ w + gb * b), 0.0, "<grad_w, w> + grad_b b (zero, since L(c w, c b) = L(w, b) "
                         "for every c > 0: Euler's theorem)", inputs=inp0,
                         atol=1e-9 * (1 + abs(v)))

    ctx.forall(body, d=st.integers(1, 4), seed=_seed(), c=st.sampled_from([2.0, 0.5, -3.0]))


def _c07_on_plane(ctx):
    st = _st()

    def body(d, seed, both):
        r = _rng(seed)
        w = r.integers(-3, 4, size=d).astype(np.float64)
        if not np.any(w):
            w[0] = 1.0
        pm = r.integers(-3, 4, size=d).astype(np.float64)
        b = -float(w @ pm)                                       # exact: p_mistake lies on the plane
        pf = pm + (r.integers(-2, 3, size=d) * (w == 0) if both else r.integers(-3, 4, size=d)).astype(np.float64)
        v, gw, gb, inp = _fr_student(ctx, w, b, pm, pf)
        rv, rw, rb = _fr_ref(w, b, pm, pf)
        ctx.expect_close(v, rv, "value (p_mistake lies exactly on the hyperplane"
                         + (" and so does p_fold: the value must be 0)" if both else ")"), inputs=inp)
        ctx.expect_close(gw, rw, "grad_w (a point exactly on the hyperplane contributes sign(0) = 0)", inputs=inp)
        ctx.expect_close(gb, rb, "grad_b (a point exactly on the hyperplane contributes sign(0) = 0)", inputs=inp)

    ctx.forall(body, d=st.integers(1, 3), seed=_seed(), both=st.booleans())


_FR = ("fold_regularizer",)
CHECKS_07 = [
    Check("value on a golden example", _FR, 2, _H_FR, _c07_value),
    Check("gradient on a golden example", _FR, 2, _H_FR, _c07_grad),
    Check("gradient agrees with centred finite differences (property)", _FR, 2, _H_FR, _c07_fd),
    Check("value invariant to (w, b) -> (c w, c b); Euler: <grad_w, w> + grad_b b = 0 (property)", _FR, 2,
          _H_FR, _c07_scale),
    Check("points exactly on the hyperplane: value 0 there, subgradient sign(0) = 0 (property)", _FR, 2, _H_FR,
          _c07_on_plane),
]
