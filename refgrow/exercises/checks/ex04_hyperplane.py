"""Checks of exercise 04 (hyperplane); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.checks._base import Check, _rng, _seed, _st

__all__ = ["CHECKS_04"]


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
