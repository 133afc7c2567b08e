"""Checks of exercise 01 (affine_relu); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.checks._base import Check, _fd, _rng, _seed, _st

__all__ = ["CHECKS_01"]


_H_AFF_F = ("Z = X W^T + b, with W of shape (h, D) = (out, in): row i of Z is W x_i + b "
            "(skeleton docstring; refgrow.layers)")
_H_AFF_B = ("write Z_ij = sum_k X_ik W_jk + b_j and differentiate with respect to X_ik, W_jk and b_j; "
            "each gradient has the shape of the variable (dW like W: (h, D))")
_H_RELU = ("ReLU'(z) is 1 for z > 0 and 0 for z < 0; refgrow's convention at z = 0 is 0 (skeleton "
           "docstring; refgrow.layers, 'ReLU at 0')")


def _affine_golden_inputs():
    r = _rng(101)
    return r.standard_normal((3, 4)), r.standard_normal((5, 4)), r.standard_normal(5), r.standard_normal((3, 5))


def _c01_forward(ctx):
    from refgrow.layers import affine_forward
    X, W, b, _ = _affine_golden_inputs()
    inp = {"X": X, "W": W, "b": b}
    Z, _ = ctx.unpack(ctx.call("affine_forward", X, W, b, inputs=inp), 2, "affine_forward", "(Z, cache)", inp)
    ctx.expect_close(Z, affine_forward(X, W, b)[0], "Z", inputs=inp)


def _affine_backward_student(ctx, X, W, b, dZ, inp):
    _, cache = ctx.unpack(ctx.call("affine_forward", X, W, b, inputs=inp), 2, "affine_forward", "(Z, cache)", inp)
    return ctx.unpack(ctx.call("affine_backward", dZ, cache, inputs=inp), 3, "affine_backward",
                      "(dX, dW, db)", inp)


def _c01_backward(ctx):
    from refgrow.layers import affine_backward
    X, W, b, dZ = _affine_golden_inputs()
    inp = {"X": X, "W": W, "b": b, "dZ": dZ}
    got = _affine_backward_student(ctx, X, W, b, dZ, inp)
    for name, g, e in zip(("dX", "dW", "db"), got, affine_backward(dZ, (X, W))):
        ctx.expect_close(g, e, name, inputs=inp)


def _c01_backward_fd(ctx):
    st = _st()

    def body(n, D, h, seed):
        r = _rng(seed)
        X, W = r.standard_normal((n, D)), r.standard_normal((h, D))
        b, G = r.standard_normal(h), r.standard_normal((n, h))
        inp = {"X": X, "W": W, "b": b, "dZ": G}
        got = _affine_backward_student(ctx, X, W, b, G, inp)
        # L = sum(dZ * Z) has dL/dZ = dZ; its gradients by centred finite differences of the true layer
        fds = (_fd(lambda x: np.sum(G * (x @ W.T + b)), X)[0], _fd(lambda w: np.sum(G * (X @ w.T + b)), W)[0],
               _fd(lambda c: np.sum(G * (X @ W.T + c)), b)[0])
        for name, g, e in zip(("dX", "dW", "db"), got, fds):
            ctx.expect_close(g, e, f"{name} (vs centred finite differences)", inputs=inp, rtol=1e-6, atol=1e-7)

    ctx.forall(body, n=st.integers(1, 4), D=st.integers(1, 4), h=st.integers(1, 4), seed=_seed())


def _relu_student(ctx, Z, dA, inp):
    A, cache = ctx.unpack(ctx.call("relu_forward", Z, inputs=inp), 2, "relu_forward", "(A, cache)", inp)
    return A, ctx.call("relu_backward", dA, cache, inputs=inp)


def _c01_relu_golden(ctx):
    from refgrow.layers import relu_backward, relu_forward
    r = _rng(102)
    Z, dA = r.standard_normal((4, 3)), r.standard_normal((4, 3))
    inp = {"Z": Z, "dA": dA}
    A, dZ = _relu_student(ctx, Z, dA, inp)
    Aref, cache = relu_forward(Z)
    ctx.expect_close(A, Aref, "A = relu_forward(Z)[0]", inputs=inp)
    ctx.expect_close(dZ, relu_backward(dA, cache), "dZ", inputs=inp)


def _c01_relu_zero(ctx):
    st = _st()
    vals = st.sampled_from([-2.0, -1.0, 0.0, 1.0, 2.0])

    def body(z, seed):
        Z = np.array(z, dtype=np.float64).reshape(1, -1)
        dA = 1.0 + _rng(seed).integers(0, 3, size=Z.shape).astype(np.float64)
        inp = {"Z": Z, "dA": dA}
        _, dZ = _relu_student(ctx, Z, dA, inp)
        ctx.expect_close(dZ, dA * (Z > 0), "dZ", inputs=inp, hint=_H_RELU)

    ctx.forall(body, z=st.lists(vals, min_size=1, max_size=5), seed=_seed())


def _c01_relu_fd(ctx):
    st = _st()

    def body(n, h, seed):
        r = _rng(seed)
        Z = r.standard_normal((n, h))
        Z += np.sign(Z) * 0.1                          # |z| >= 0.1: away from the kink
        G = r.standard_normal((n, h))
        inp = {"Z": Z, "dA": G}
        _, dZ = _relu_student(ctx, Z, G, inp)
        ctx.expect_close(dZ, _fd(lambda z: np.sum(G * np.maximum(z, 0.0)), Z)[0],
                         "dZ (vs centred finite differences)", inputs=inp, rtol=1e-6, atol=1e-7)

    ctx.forall(body, n=st.integers(1, 4), h=st.integers(1, 4), seed=_seed())


_AFF = ("affine_forward",)
_AFFB = ("affine_forward", "affine_backward")
_RELU = ("relu_forward", "relu_backward")
CHECKS_01 = [
    Check("affine_forward: Z = X W^T + b on a golden example", _AFF, 2, _H_AFF_F, _c01_forward),
    Check("affine_backward: dX, dW, db on a golden example", _AFFB, 2, _H_AFF_B, _c01_backward),
    Check("affine_backward agrees with centred finite differences (property)", _AFFB, 2, _H_AFF_B,
          _c01_backward_fd),
    Check("relu_forward / relu_backward on a golden example", _RELU, 1, _H_RELU, _c01_relu_golden),
    Check("relu_backward passes no gradient where Z = 0 exactly (property)", _RELU, 1, _H_RELU, _c01_relu_zero),
    Check("relu_backward agrees with centred finite differences away from 0 (property)", _RELU, 2, _H_RELU,
          _c01_relu_fd),
]
