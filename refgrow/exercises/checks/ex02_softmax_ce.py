"""Checks of exercise 02 (softmax_ce); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.checks._base import Check, _fd, _rng, _seed, _st

__all__ = ["CHECKS_02"]


_H_SCE_V = ("l_i = logsumexp(z_i) - z_{i, y_i} and the loss is the MEAN over the n samples "
            "(skeleton docstring)")
_H_SCE_G = ("d l_i / d z_i = softmax(z_i) - e_{y_i}; the loss is a mean over n, so every row of the "
            "gradient carries the factor of that mean")
_H_SCE_S = ("softmax(z) = softmax(z - max(z)): shift each row by its maximum before exp (the "
            "log-sum-exp trick), so that exp never overflows")


def _sce_ref(Z, y):
    from refgrow.losses import softmax_cross_entropy
    return softmax_cross_entropy(Z, y)


def _sce_student(ctx, Z, y, inp):
    loss, d = ctx.unpack(ctx.call("softmax_cross_entropy", Z, y, inputs=inp), 2, "softmax_cross_entropy",
                         "(loss, d_logits)", inp)
    return ctx.as_scalar(loss, "loss", inputs=inp), d


def _sce_golden_inputs():
    r = _rng(201)
    return r.standard_normal((4, 3)) * 2.0, np.array([0, 2, 1, 2])


def _c02_value(ctx):
    Z, y = _sce_golden_inputs()
    inp = {"logits": Z, "y": y}
    loss, _ = _sce_student(ctx, Z, y, inp)
    ctx.expect_close(loss, _sce_ref(Z, y)[0], "loss", inputs=inp, hint=_H_SCE_V)


def _c02_grad(ctx):
    Z, y = _sce_golden_inputs()
    inp = {"logits": Z, "y": y}
    _, d = _sce_student(ctx, Z, y, inp)
    ctx.expect_close(d, _sce_ref(Z, y)[1], "d_logits", inputs=inp, hint=_H_SCE_G)


def _sce_draw(n, K, seed, scale=2.0):
    r = _rng(seed)
    return r.standard_normal((n, K)) * scale, r.integers(0, K, size=n)


def _c02_fd(ctx):
    st = _st()

    def body(n, K, seed):
        Z, y = _sce_draw(n, K, seed)
        inp = {"logits": Z, "y": y}
        _, d = _sce_student(ctx, Z, y, inp)
        ctx.expect_close(d, _fd(lambda z: _sce_ref(z, y)[0], Z)[0], "d_logits (vs centred finite differences)",
                         inputs=inp, rtol=1e-6, atol=1e-8, hint=_H_SCE_G)

    ctx.forall(body, n=st.integers(1, 5), K=st.integers(2, 5), seed=_seed())


def _c02_mean(ctx):
    st = _st()

    def body(n, K, seed):
        Z, y = _sce_draw(n, K, seed)
        Z2, y2 = np.vstack([Z, Z]), np.concatenate([y, y])
        inp = {"logits": Z2, "y": y2}
        loss2, d2 = _sce_student(ctx, Z2, y2, inp)
        ref_loss, ref_d = _sce_ref(Z, y)
        ctx.expect_close(loss2, ref_loss, "loss of the data set with every sample twice (a mean does not "
                         "change)", inputs=inp, hint=_H_SCE_V)
        ctx.expect_close(d2, np.vstack([ref_d, ref_d]) / 2.0, "d_logits of the data set with every sample "
                         "twice", inputs=inp, hint=_H_SCE_G)

    ctx.forall(body, n=st.integers(1, 4), K=st.integers(2, 4), seed=_seed())


def _c02_stable(ctx):
    st = _st()

    def body(n, K, seed, shift):
        Z, y = _sce_draw(n, K, seed)
        Z = Z + shift
        inp = {"logits": Z, "y": y}
        ref_loss, ref_d = _sce_ref(Z, y)
        loss, d = _sce_student(ctx, Z, y, inp)
        ctx.expect_close(loss, ref_loss, "loss", inputs=inp, rtol=1e-7, hint=_H_SCE_S)
        ctx.expect_close(d, ref_d, "d_logits", inputs=inp, rtol=1e-7, hint=_H_SCE_S)

    ctx.forall(body, n=st.integers(1, 3), K=st.integers(2, 4), seed=_seed(),
               shift=st.sampled_from([1000.0, -1000.0, 750.0, -750.0]))


_SCE = ("softmax_cross_entropy",)
CHECKS_02 = [
    Check("loss value on a golden example", _SCE, 2, _H_SCE_V, _c02_value),
    Check("gradient on a golden example", _SCE, 2, _H_SCE_G, _c02_grad),
    Check("gradient agrees with centred finite differences (property)", _SCE, 2, _H_SCE_G, _c02_fd),
    Check("mean over n: duplicating every sample keeps the loss and halves the gradient (property)", _SCE, 2,
          _H_SCE_G, _c02_mean),
    Check("finite and correct for logits of size 1000 (property)", _SCE, 2, _H_SCE_S, _c02_stable),
]
