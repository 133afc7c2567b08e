"""Checks of exercise 08 (tiny); see :mod:`refgrow.exercises.checks` for the conventions."""
from __future__ import annotations

import numpy as np

from refgrow.exercises.checks._base import Check, _rng, _seed, _st

__all__ = ["CHECKS_08"]


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
