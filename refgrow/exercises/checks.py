"""The checks of every exercise: golden vectors computed by refgrow now, and the papers' properties.

Each :class:`Check` is worth points (10 per exercise) and calls the student's functions only through
:meth:`refgrow.exercises.checker.Context.call`, so that an exception, a wrong shape or dtype or a NaN
becomes feedback. Property checks draw sizes and seeds with hypothesis (shrunk to a minimal
counterexample on failure); the arrays are built from the seed with ``numpy.random.default_rng``.

Symbol table (the skeletons' names; n samples, D inputs, h hidden, K outputs)
------------------------------------------------------------------------------
==========================  =====================  =================  ==================================
paper symbol                code name              shape              exercise
==========================  =====================  =================  ==================================
X, W, b, Z = X W^T + b      ``X, W, b, Z``         (n,D),(h,D),(h,)   01 affine layer
z_i, y_i, l_i               ``logits, y``          (n,K), (n,)        02 softmax cross-entropy
T_a, W_i, s_i               ``triangle ...``       like x, (m,p), (m-1,)  03 triangle paper Eq. (2), (4)
w, b, x' (fold point)       ``w, b, x``            (D,), (), (D,)     04 closest point
A, c (local affine map)     ``A, c``               (K,D), (K,)        04 ReLU net on x's region
w_i, c_j, C_j               ``sample_weight, ...`` (n,), (k,D), (n,)  05 weighted k-means
tau, gamma, p               ``adf_statistic, lag`` scalar, int        06 ADF regression
w, b, p_m, p_f              ``w, b, p_mistake...`` (d,), (), (d,)     07 folding paper Def. 5
B, V_goal, dW*, S, N        ``B, V_goal, ...``     (n,d),(n,d_out)    08 TINY Prop. 3.1
alpha_k, omega_k, lambda_k  ``alpha, omega, ...``  (k,d),(d_out,k)    08 TINY Prop. 3.2
==========================  =====================  =================  ==================================

Interpretation notes
--------------------
* **k-means++ (05)** is the plain algorithm of Arthur & Vassilvitskii (one candidate per seed),
  which the slides' "weighted k-means" needs; refgrow's :func:`refgrow.kmeans.kmeans_plusplus` adds
  scikit-learn's greedy local trials by default, so the reference solution calls it with
  ``n_local_trials=1``. The checker tests the distribution, not the draws, so any correct sampler passes.
* **ADF (06)**: the exercise is the statistic for a *given* lag (``autolag=None`` in
  :func:`refgrow.stats.adf_test`); lag selection and the MacKinnon p-value are not part of it.
* **Lloyd (05)**: empty clusters are never generated (the skeleton lets the student assume none), since
  their handling is a convention (refgrow relocates them) and not part of the papers.

Known ambiguities handled
-------------------------
* **SVD signs and neuron order** (exercise 08): a neuron ``(alpha_k, omega_k)`` and ``(-alpha_k, -omega_k)``
  are the same neuron (``omega_k relu(alpha_k . b)`` changes, but Prop. 3.2 is a statement about the
  linearised move ``omega_k alpha_k^T``, which is sign-free); neurons are matched by singular value, in
  any order.
* **Seeding is random** (exercise 05): k-means++ is checked by its distribution (a chi-square test
  against the exact probabilities of the first two seeds, 2000 draws, fixed seeds, p < 1e-6 fails)
  and by determinism given the ``rng``.
* **Exact zeros** (exercises 01, 07): the conventions ReLU'(0) = 0 and sign(0) = 0 are checked on
  inputs where the zero is exact in floating point (integers), so the order of a sum cannot flip it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from refgrow.exercises.checker import Context, Feedback

__all__ = ["Check", "CHECKS"]


@dataclass(frozen=True)
class Check:
    """One check: a name shown to the student, the functions it calls, its points, a hint, the test."""

    name: str
    functions: tuple
    points: int
    hint: str
    run: Callable[[Context], None]


def _st():
    from hypothesis import strategies
    return strategies


def _seed():
    return _st().integers(0, 2**16)            # small: shrinks fast, to a small seed


def _rng(seed):
    return np.random.default_rng(seed)


def _fd(f, x):
    from refgrow.gradcheck import numerical_gradient
    x = np.array(x, dtype=np.float64)
    return numerical_gradient(lambda: f(x), x), x


# ================================================================================================
# 01 affine_relu
# ================================================================================================
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


# ================================================================================================
# 02 softmax_ce
# ================================================================================================
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


# ================================================================================================
# 03 triangle
# ================================================================================================
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


# ================================================================================================
# 04 hyperplane
# ================================================================================================
_H_CP = ("the projection moves x along the normal w until w . x' + b = 0: solve for the step length "
         "(folding slides, 'Fold Point Search' closed form)")
_H_LA = ("on x's region each ReLU is either the identity or 0: multiply the layers' weight matrices with "
         "the on/off masks in between, and push the biases through the same maps (folding slides, "
         "Proposition 1; a unit with pre-activation exactly 0 is off)")


def _c04_cp_golden(ctx):
    from refgrow.geometry import closest_point_on_hyperplane
    r = _rng(401)
    x, w, b = r.standard_normal(3), r.standard_normal(3) * 2.0, 0.7
    inp = {"x": x, "w": w, "b": b}
    ctx.expect_close(ctx.call("closest_point_on_hyperplane", x, w, b, inputs=inp),
                     closest_point_on_hyperplane(x, w, b), "x'", inputs=inp)


def _c04_cp_rows(ctx):
    from refgrow.geometry import closest_point_on_hyperplane
    r = _rng(402)
    X, w, b = r.standard_normal((5, 3)), r.standard_normal(3) * 2.0, -0.4
    inp = {"x": X, "w": w, "b": b}
    ctx.expect_close(ctx.call("closest_point_on_hyperplane", X, w, b, inputs=inp),
                     closest_point_on_hyperplane(X, w, b), "x' for x of shape (5, 3) (one point per row)",
                     inputs=inp)


def _c04_cp_props(ctx):
    st = _st()

    def body(D, seed, scale):
        r = _rng(seed)
        x, w, b = r.standard_normal(D) * 2.0, r.standard_normal(D) * scale, float(r.standard_normal())
        inp = {"x": x, "w": w, "b": b}
        xp = ctx.as_array(ctx.call("closest_point_on_hyperplane", x, w, b, inputs=inp), "x'", shape=(D,),
                          inputs=inp)
        size = float(np.abs(w) @ (np.abs(x) + np.abs(xp)) + abs(b))
        ctx.expect_close(float(w @ xp + b), 0.0, "w . x' + b (x' must lie on the hyperplane)", inputs=inp,
                         atol=1e-10 * size / max(size, 1.0))
        t = float((x - xp) @ w / (w @ w))          # x - x' must be parallel to w
        ctx.expect_close(x - xp, t * w, "x - x' (must be parallel to w: the closest point is an orthogonal "
                         "projection)", inputs=inp, rtol=1e-8, atol=1e-10)

    ctx.forall(body, D=st.integers(1, 4), seed=_seed(), scale=st.sampled_from([1.0, 0.1, 10.0]))


def _c04_cp_scale(ctx):
    st = _st()

    def body(D, seed, c):
        r = _rng(seed)
        x, w, b = r.standard_normal(D), r.standard_normal(D), float(r.standard_normal())
        inp = {"x": x, "w": c * w, "b": c * b}
        ref = ctx.as_array(ctx.call("closest_point_on_hyperplane", x, w, b, inputs={"x": x, "w": w, "b": b}),
                           "x'", shape=(D,), inputs={"x": x, "w": w, "b": b})
        ctx.expect_close(ctx.call("closest_point_on_hyperplane", x, c * w, c * b, inputs=inp), ref,
                         f"x' for (w, b) multiplied by {c:g} (the same hyperplane: x' must not change; "
                         "'expected' is your result for the unscaled (w, b))", inputs=inp, rtol=1e-8)

    ctx.forall(body, D=st.integers(1, 4), seed=_seed(), c=st.sampled_from([-1.0, 3.0, -0.25, 10.0]))


def _net(sizes, seed):
    r = _rng(seed)
    Ws = [r.standard_normal((o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [r.standard_normal(o) * 0.5 for o in sizes[1:]]
    return Ws, bs


def _forward(Ws, bs, X):
    from refgrow.mlp import MLP
    return MLP(Ws, bs).forward(np.atleast_2d(X))[0]


def _pattern(Ws, bs, x):
    a, pats = x, []
    for W, b in zip(Ws[:-1], bs[:-1]):
        z = W @ a + b
        pats.append(z > 0)
        a = np.maximum(z, 0.0)
    return pats


def _student_affine(ctx, Ws, bs, x, inp):
    K, D = Ws[-1].shape[0], Ws[0].shape[1]
    A, c = ctx.unpack(ctx.call("local_affine_map", Ws, bs, x, inputs=inp), 2, "local_affine_map", "(A, c)", inp)
    return (ctx.as_array(A, "A", shape=(K, D), inputs=inp), ctx.as_array(c, "c", shape=(K,), inputs=inp))


def _c04_la_golden(ctx):
    from refgrow.geometry import local_affine_map
    from refgrow.mlp import MLP
    Ws, bs = _net([3, 5, 4, 2], 403)
    x = _rng(404).standard_normal(3)
    inp = {"weights": Ws, "biases": bs, "x": x}
    A_ref, c_ref = local_affine_map(MLP(Ws, bs), x)
    A, c = ctx.unpack(ctx.call("local_affine_map", Ws, bs, x, inputs=inp), 2, "local_affine_map", "(A, c)", inp)
    ctx.expect_close(A, A_ref, "A", inputs=inp)
    ctx.expect_close(c, c_ref, "c", inputs=inp)


def _c04_la_props(ctx):
    st = _st()

    def body(sizes, seed):
        Ws, bs = _net(sizes, seed)
        r = _rng(seed + 1)
        x = r.standard_normal(sizes[0])
        inp = {"weights": Ws, "biases": bs, "x": x}
        A, c = _student_affine(ctx, Ws, bs, x, inp)
        pts = [x]
        for _ in range(3):                          # nearby inputs on the same activation region
            d = r.standard_normal(sizes[0]) * 1e-2
            while not all(np.array_equal(p, q) for p, q in zip(_pattern(Ws, bs, x + d), _pattern(Ws, bs, x))):
                d *= 0.1
            pts.append(x + d)
        P = np.array(pts)
        ctx.expect_close(P @ A.T + c, _forward(Ws, bs, P), "A x' + c for x' = x and 3 points of x's activation "
                         "region (must equal the network f(x'), rows of the arrays)", inputs=inp,
                         rtol=1e-8, atol=1e-10)

    sizes = st.lists(st.integers(1, 4), min_size=3, max_size=4)
    ctx.forall(body, sizes=sizes, seed=_seed())


_CP = ("closest_point_on_hyperplane",)
_LA = ("local_affine_map",)
CHECKS_04 = [
    Check("closest_point_on_hyperplane on a golden example", _CP, 2, _H_CP, _c04_cp_golden),
    Check("closest_point_on_hyperplane for one point per row, x of shape (n, D)", _CP, 1, _H_CP, _c04_cp_rows),
    Check("closest point lies on the hyperplane and x - x' is parallel to w (property)", _CP, 2, _H_CP,
          _c04_cp_props),
    Check("closest point is unchanged when (w, b) is multiplied by c != 0 (property)", _CP, 1, _H_CP,
          _c04_cp_scale),
    Check("local_affine_map on a golden example", _LA, 2, _H_LA, _c04_la_golden),
    Check("local_affine_map reproduces the network on x's activation region (property)", _LA, 2, _H_LA,
          _c04_la_props),
]


# ================================================================================================
# 05 weighted_kmeans
# ================================================================================================
_H_LL = ("assign each point to its nearest centre (squared Euclidean distance), then c_j = sum_{i in C_j} "
         "w_i x_i / sum_{i in C_j} w_i: a WEIGHTED mean (skeleton docstring)")
_H_PP = ("first seed: point i with probability w_i / sum w; next seeds: probability w_i D(x_i)^2 / "
         "sum_l w_l D(x_l)^2 with D the distance to the nearest seed so far (squared!); draw with the "
         "given rng only, e.g. rng.choice(n, p=...)")


def _blobs(n_per, k, D, seed):
    r = _rng(seed)
    centers = r.standard_normal((k, D)) * 6.0
    X = np.vstack([c + r.standard_normal((n_per, D)) for c in centers])
    return X, r.uniform(0.2, 3.0, size=X.shape[0]), X[::n_per].copy()


def _lloyd_student(ctx, X, w, C, inp):
    new, lab = ctx.unpack(ctx.call("lloyd_step", X, w, C, inputs=inp), 2, "lloyd_step", "(new_centers, labels)",
                          inp)
    return (ctx.as_array(new, "new_centers", shape=C.shape, inputs=inp),
            ctx.as_array(lab, "labels", shape=(X.shape[0],), inputs=inp, kind="int"))


def _c05_golden(ctx):
    from refgrow.kmeans import lloyd_iteration
    X, w, C = _blobs(4, 3, 2, 501)
    C = C + 0.5                                         # not exactly on a data point
    inp = {"X": X, "sample_weight": w, "centers": C}
    new_ref, lab_ref = lloyd_iteration(X, w, C)
    new, lab = ctx.unpack(ctx.call("lloyd_step", X, w, C, inputs=inp), 2, "lloyd_step", "(new_centers, labels)",
                          inp)
    ctx.expect_close(lab, lab_ref, "labels", inputs=inp, kind="int")
    ctx.expect_close(new, new_ref, "new_centers", inputs=inp)


def _lloyd_draw(n, D, k, seed):
    r = _rng(seed)
    X = r.standard_normal((n, D))
    w = r.integers(1, 4, size=n).astype(np.float64)
    C = X[r.choice(n, size=k, replace=False)] + 1e-3 * r.standard_normal((k, D))
    return X, w, C


def _c05_duplicates(ctx):
    st = _st()

    def body(n, D, k, seed):
        X, w, C = _lloyd_draw(n, D, k, seed)
        Xd = np.repeat(X, w.astype(int), axis=0)
        inp_d = {"X": Xd, "sample_weight": np.ones(Xd.shape[0]), "centers": C}
        inp = {"X": X, "sample_weight": w, "centers": C}
        new_d, _ = _lloyd_student(ctx, Xd, np.ones(Xd.shape[0]), C, inp_d)
        new, _ = _lloyd_student(ctx, X, w, C, inp)
        ctx.expect_close(new, new_d, "new_centers with integer weights w_i (must equal your centres for the data "
                         "with row i repeated w_i times and unit weights, shown as 'expected')", inputs=inp,
                         hint=_H_LL)

    ctx.forall(body, n=st.integers(3, 7), D=st.integers(1, 3), k=st.integers(1, 3), seed=_seed())


def _c05_inertia(ctx):
    from refgrow.kmeans import weighted_inertia
    st = _st()

    def body(n, D, k, seed):
        X, w, C = _lloyd_draw(n, D, k, seed)
        w = w * _rng(seed + 7).uniform(0.1, 2.0, size=n)
        inp = {"X": X, "sample_weight": w, "centers": C}
        new, lab = _lloyd_student(ctx, X, w, C, inp)
        d_old = ((X[:, None, :] - C[None]) ** 2).sum(-1)
        before = weighted_inertia(X, w, C, d_old.argmin(1))
        after = weighted_inertia(X, w, new, lab)
        if not after <= before * (1 + 1e-12) + 1e-12:
            raise Feedback("a Lloyd step increased the weighted inertia J = sum_i w_i ||x_i - c_{label_i}||^2 "
                           f"from {before:.10g} to {after:.10g} (labels = your labels, centres = your new "
                           "centres); each half-step of Lloyd can only lower J", inputs=inp, expected=before,
                           obtained=after)

    ctx.forall(body, n=st.integers(3, 8), D=st.integers(1, 3), k=st.integers(1, 3), seed=_seed())


def _pp_student(ctx, X, w, k, rng, inp):
    idx = ctx.as_array(ctx.call("kmeans_plusplus", X, w, k, rng, inputs=inp), "indices", shape=(k,), inputs=inp,
                       kind="int")
    return idx


def _c05_pp_valid(ctx):
    st = _st()

    def body(n, k, seed):
        r = _rng(seed)
        X = r.standard_normal((n, 2))
        w = r.uniform(0.5, 2.0, size=n)
        w[r.random(n) < 0.4] = 0.0
        k = min(k, int(np.count_nonzero(w)))
        from hypothesis import assume
        assume(k >= 1)
        inp = {"X": X, "sample_weight": w, "n_clusters": k, "rng": f"np.random.default_rng({seed})"}
        idx = _pp_student(ctx, X, w, k, np.random.default_rng(seed), inp)
        if np.any((idx < 0) | (idx >= n)):
            raise Feedback(f"indices must lie in [0, {n}), got {idx.tolist()}", inputs=inp, obtained=idx)
        if np.unique(idx).size != k:
            raise Feedback(f"the {k} seeds must be distinct rows, got {idx.tolist()}", inputs=inp, obtained=idx)
        if np.any(w[idx] == 0):
            raise Feedback(f"a zero-weight point was chosen (indices {idx.tolist()}, weights {w[idx].tolist()}): "
                           "its probability is w_i ... = 0", inputs=inp, obtained=idx)

    ctx.forall(body, n=st.integers(2, 8), k=st.integers(1, 4), seed=_seed())


def _c05_pp_rng(ctx):
    X, w, _ = _blobs(3, 3, 2, 502)
    inp = {"X": X, "sample_weight": w, "n_clusters": 3, "rng": "np.random.default_rng(s) for s in 0..19"}
    runs = [_pp_student(ctx, X, w, 3, np.random.default_rng(s), inp) for s in range(20)]
    again = [_pp_student(ctx, X, w, 3, np.random.default_rng(s), inp) for s in range(20)]
    for s, (p, q) in enumerate(zip(runs, again)):
        if not np.array_equal(p, q):
            raise Feedback(f"two calls with np.random.default_rng({s}) chose different seeds ({p.tolist()} and "
                           f"{q.tolist()}): draw all randomness from the rng argument (not np.random.*)",
                           inputs=inp, expected=p, obtained=q)
    if len({tuple(p) for p in runs}) == 1:
        raise Feedback(f"20 different rng seeds all chose the same seeds {runs[0].tolist()}: the choice must be "
                       "random (drawn with the rng argument)", inputs=inp, obtained=runs[0])


def _pp_exact(X, w):
    """Exact probability of every ordered pair (first seed, second seed) of weighted k-means++."""
    n = X.shape[0]
    P = np.zeros((n, n))
    d2 = ((X[:, None, :] - X[None]) ** 2).sum(-1)
    for i in range(n):
        m = w * d2[i]
        P[i] = w[i] / w.sum() * m / m.sum()
    return P


def _c05_pp_distribution(ctx):
    from scipy.special import chdtrc             # chi-square survival function (lighter than scipy.stats)
    X = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [7.0, 1.0]])
    w = np.array([4.0, 1.0, 1.0, 2.0])
    N = 2000
    inp = {"X": X, "sample_weight": w, "n_clusters": 2, "rng": f"np.random.default_rng(s) for s in 0..{N - 1}"}
    P = _pp_exact(X, w)
    counts = np.zeros_like(P)
    for s in range(N):
        i, j = _pp_student(ctx, X, w, 2, np.random.default_rng(10_000 + s), inp)
        counts[i, j] += 1
    freq = counts / N
    if np.any(counts[P == 0] > 0):
        raise Feedback("a pair of seeds with probability 0 was drawn (the same point twice?)", inputs=inp,
                       expected=P, obtained=freq)
    E = N * P[P > 0]
    stat = float(np.sum((counts[P > 0] - E) ** 2 / E))
    pval = float(chdtrc(E.size - 1, stat))
    if pval < 1e-6:
        raise Feedback(f"over {N} seedings, the frequencies of (first seed, second seed) do not follow weighted "
                       f"k-means++ (chi-square {stat:.1f} on {E.size - 1} degrees of freedom, p = {pval:.2g}); "
                       "row = first seed, column = second seed", inputs=inp, expected=P, obtained=freq)


_LL = ("lloyd_step",)
_PP = ("kmeans_plusplus",)
CHECKS_05 = [
    Check("lloyd_step on a golden example (labels and weighted means)", _LL, 2, _H_LL, _c05_golden),
    Check("lloyd_step: integer weights equal repeated rows (property)", _LL, 2, _H_LL, _c05_duplicates),
    Check("lloyd_step never increases the weighted inertia (property)", _LL, 1, _H_LL, _c05_inertia),
    Check("kmeans_plusplus returns k distinct positive-weight rows (property)", _PP, 1, _H_PP, _c05_pp_valid),
    Check("kmeans_plusplus: the same rng gives the same seeds, different rngs differ", _PP, 1, _H_PP, _c05_pp_rng),
    Check("kmeans_plusplus draws with the weighted D^2 probabilities (chi-square test)", _PP, 3, _H_PP,
          _c05_pp_distribution),
]


# ================================================================================================
# 06 adf
# ================================================================================================
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


# ================================================================================================
# 07 fold_regularizer
# ================================================================================================
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


# ================================================================================================
# 08 tiny
# ================================================================================================
_H_BU = ("Prop. 3.1 with rows = samples: dW* = N^T S^{-1}, N = B^T V_goal / n, S = B^T B / n; dW has the "
         "shape (d_out, d) of a weight matrix (out, in)")
_H_SN = ("S = B_in^T B_in / n and N = B_in^T V_goal_proj / n (both divided by n); S^{-1/2} = Q diag(mu^{-1/2}) "
         "Q^T from the eigendecomposition S = Q diag(mu) Q^T (TINY Sec. 3.2)")
_H_NN = ("Prop. 3.2: SVD S^{-1/2} N = U diag(lambda) V^T; alpha_k = sqrt(lambda_k) S^{-1/2} u_k (a row of "
         "alpha), omega_k = sqrt(lambda_k) v_k (a column of omega); the sqrt splits lambda_k evenly between "
         "fan-in and fan-out")


def _tiny_draw(n, d, dout, seed):
    r = _rng(seed)
    B = r.standard_normal((n, d)) + np.linspace(0.5, -0.5, d)
    return B, r.standard_normal((n, dout)) + B @ r.standard_normal((d, dout))


def _c08_bu_golden(ctx):
    from refgrow.growth.tiny import best_update
    B, V = _tiny_draw(20, 4, 3, 801)
    inp = {"B": B, "V_goal": V}
    ctx.expect_close(ctx.call("best_update", B, V, inputs=inp), best_update(B, V), "dW", inputs=inp, rtol=1e-7,
                     atol=1e-9)


def _c08_bu_normal(ctx):
    st = _st()

    def body(n, d, dout, seed):
        B, V = _tiny_draw(n, d, dout, seed)
        inp = {"B": B, "V_goal": V}
        dW = ctx.as_array(ctx.call("best_update", B, V, inputs=inp), "dW", shape=(dout, d), inputs=inp)
        R = V - B @ dW.T
        scale = float(np.max(np.abs(B).T @ np.abs(V))) / n          # size of the terms of B^T V / n
        ctx.expect_close(B.T @ R / n, np.zeros((d, dout)), "B^T (V_goal - B dW^T) / n (Prop. 3.1: the residual of "
                         "the best update is orthogonal to every column of B)", inputs=inp,
                         atol=1e-9 * max(scale, 1.0))

    ctx.forall(body, n=st.integers(6, 14), d=st.integers(1, 4), dout=st.integers(1, 3), seed=_seed())


def _c08_sn_golden(ctx):
    from refgrow.growth.tiny import pinv_sqrt, second_moments
    B, V = _tiny_draw(15, 3, 2, 802)
    S, N = second_moments(B, V)
    inp = {"B_in": B, "V_goal_proj": V}
    ctx.expect_close(ctx.call("s_inv_sqrt_n", B, V, inputs=inp), pinv_sqrt(S) @ N, "S^{-1/2} N", inputs=inp,
                     rtol=1e-7, atol=1e-9)


def _nn_student(ctx, B, V, k, inp):
    d, dout = B.shape[1], V.shape[1]
    a, o, lam = ctx.unpack(ctx.call("new_neurons", B, V, k, inputs=inp), 3, "new_neurons",
                           "(alpha, omega, singular_values)", inp)
    return (ctx.as_array(a, "alpha", shape=(k, d), inputs=inp), ctx.as_array(o, "omega", shape=(dout, k), inputs=inp),
            ctx.as_array(lam, "singular_values", shape=(k,), inputs=inp))


def _c08_nn_golden(ctx):
    from refgrow.growth.tiny import new_neurons
    B, V = _tiny_draw(25, 4, 3, 803)
    k = 2
    inp = {"B_in": B, "V_goal_proj": V, "k": k}
    a, o, lam = _nn_student(ctx, B, V, k, inp)
    ref = new_neurons(B, V, max_neurons=k)
    order = np.argsort(-lam)                       # any order of the neurons is accepted
    a, o, lam = a[order], o[:, order], lam[order]
    ctx.expect_close(lam, ref.singular_values, "singular_values (sorted)", inputs=inp, rtol=1e-7, atol=1e-9)
    sgn = np.where(np.sum(a * ref.alpha, axis=1) < 0, -1.0, 1.0)   # (alpha_k, omega_k) ~ (-alpha_k, -omega_k)
    ctx.expect_close(a * sgn[:, None], ref.alpha, "alpha (neurons matched by singular value, each up to the sign "
                     "of the pair (alpha_k, omega_k))", inputs=inp, rtol=1e-6, atol=1e-8)
    ctx.expect_close(o * sgn[None, :], ref.omega, "omega (neurons matched by singular value, each up to the "
                     "sign of the pair (alpha_k, omega_k))", inputs=inp, rtol=1e-6, atol=1e-8)


def _c08_nn_gain(ctx):
    st = _st()

    def body(n, d, dout, seed, kk):
        B, V = _tiny_draw(n, d, dout, seed)
        k = min(kk, d, dout)
        inp = {"B_in": B, "V_goal_proj": V, "k": k}
        a, o, lam = _nn_student(ctx, B, V, k, inp)
        from refgrow.growth.tiny import new_neurons
        ref = new_neurons(B, V, max_neurons=k)
        # Eq. (9): the linearised move B alpha^T omega^T reduces ||V - move||^2 / n by sum lambda_k^2
        move = B @ a.T @ o.T
        gain = (np.sum(V ** 2) - np.sum((V - move) ** 2)) / n
        ctx.expect_close(gain, float(np.sum(ref.singular_values ** 2)), "the decrease (||V||^2 - ||V - B alpha^T "
                         "omega^T||^2) / n of your neurons' linearised move (Eq. 9: sum of the k largest "
                         "lambda_k^2)", inputs=inp, rtol=1e-6, atol=1e-9)

    ctx.forall(body, n=st.integers(8, 16), d=st.integers(1, 4), dout=st.integers(1, 3), seed=_seed(),
               kk=st.integers(1, 3))


def _c08_nn_balance(ctx):
    st = _st()

    def body(n, d, dout, seed):
        B, V = _tiny_draw(n, d, dout, seed)
        k = min(d, dout)
        inp = {"B_in": B, "V_goal_proj": V, "k": k}
        a, o, lam = _nn_student(ctx, B, V, k, inp)
        S = B.T @ B / n
        ctx.expect_close(np.einsum("kd,de,ke->k", a, S, a), lam, "alpha_k^T S alpha_k (= lambda_k for Prop. 3.2's "
                         "alpha_k = sqrt(lambda_k) S^{-1/2} u_k)", inputs=inp, rtol=1e-6, atol=1e-9)
        ctx.expect_close(np.sum(o ** 2, axis=0), lam, "||omega_k||^2 (= lambda_k for omega_k = sqrt(lambda_k) v_k)",
                         inputs=inp, rtol=1e-6, atol=1e-9)

    ctx.forall(body, n=st.integers(8, 16), d=st.integers(1, 4), dout=st.integers(1, 3), seed=_seed())


_BU = ("best_update",)
_SN = ("s_inv_sqrt_n",)
_NN = ("new_neurons",)
CHECKS_08 = [
    Check("best_update on a golden example (Prop. 3.1)", _BU, 2, _H_BU, _c08_bu_golden),
    Check("best_update: the residual is orthogonal to the columns of B (property)", _BU, 1, _H_BU, _c08_bu_normal),
    Check("s_inv_sqrt_n on a golden example", _SN, 2, _H_SN, _c08_sn_golden),
    Check("new_neurons on a golden example (any order, each neuron up to sign)", _NN, 2, _H_NN, _c08_nn_golden),
    Check("new_neurons reduce the bottleneck by sum lambda_k^2 (Eq. 9, property)", _NN, 2, _H_NN, _c08_nn_gain),
    Check("new_neurons split lambda_k evenly: alpha_k^T S alpha_k = ||omega_k||^2 = lambda_k (property)", _NN, 1,
          _H_NN, _c08_nn_balance),
]


CHECKS = {
    "01_affine_relu": CHECKS_01,
    "02_softmax_ce": CHECKS_02,
    "03_triangle": CHECKS_03,
    "04_hyperplane": CHECKS_04,
    "05_weighted_kmeans": CHECKS_05,
    "06_adf": CHECKS_06,
    "07_fold_regularizer": CHECKS_07,
    "08_tiny": CHECKS_08,
}
