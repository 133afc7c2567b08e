"""Paper 003 statements about triangle waves, Theorem 3.1 scales and the App. A.1 network."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refgrow import triangle as tr
from refgrow.gradcheck import numerical_gradient
from refgrow.mlp import MLP
from refgrow.optim import Adam
from refgrow.regions import regions_1d

C = tr.DEFAULT_C


def peaks(min_size=2, max_size=11, lo=C, hi=1 - C):
    return st.lists(st.floats(lo, hi), min_size=min_size, max_size=max_size).map(np.array)


signs = st.sampled_from([-1, 1])
GRID = np.linspace(0.0, 1.0, 2001)


# ----------------------------------------------------------------------------- the triangle, Eq. (1), (2)
@given(st.floats(0.01, 0.99))
def test_triangle_peak_and_endpoints(a):
    # Sec. 3: "a triangular shape with a peak at x = a_i and with both endpoints satisfying y = 0"
    assert tr.triangle(np.array([0.0, a, 1.0]), a).tolist() == pytest.approx([0.0, 1.0, 0.0], abs=1e-15)


@given(st.floats(0.05, 0.95))
def test_triangle_derivative_matches_difference_quotients(a):
    # Eq. (1): slopes 1/a on (0, a) and -1/(1-a) on (a, 1) (the falling side is negative)
    x = np.array([0.3 * a, a + 0.5 * (1 - a)])
    h = 1e-6 * min(a, 1 - a)
    fd = (tr.triangle(x + h, a) - tr.triangle(x - h, a)) / (2 * h)
    np.testing.assert_allclose(tr.triangle_derivative(x, a), fd, rtol=1e-8)
    np.testing.assert_allclose(tr.triangle_derivative(x, a), [1 / a, -1 / (1 - a)], rtol=1e-15)


@given(peaks(1, 6), st.lists(st.floats(0, 1), min_size=1, max_size=20).map(np.array))
def test_waves_are_compositions(a, x):
    # Eq. (2): W_i = T_i(W_{i-1}), W_0 = T_0
    W = tr.triangle_waves(x, a)
    ref = x
    for i, ai in enumerate(a):
        ref = tr.triangle(ref, ai)
        np.testing.assert_array_equal(W[i], ref)


@given(peaks(1, 9))
def test_wave_i_has_exactly_2_pow_i_plus_1_pieces(a):
    # Sec. 3 ("any choice produces 2^d regions") and Fig. 10: peaks alternate with valleys
    for i in range(len(a)):
        B = tr.triangle_breakpoints(a, i)
        assert B.shape == (2 ** (i + 1) + 1,)
        assert np.all(np.diff(B) > 0)
        W = tr.triangle_waves(B, a[: i + 1])[i]
        np.testing.assert_allclose(W[0::2], 0.0, atol=1e-9)      # valleys
        np.testing.assert_allclose(W[1::2], 1.0, atol=1e-9)      # peaks
        # affine between consecutive bends, and each bend is a real bend (slope changes sign)
        mid = 0.5 * (B[:-1] + B[1:])
        Wm = tr.triangle_waves(mid, a[: i + 1])[i]
        np.testing.assert_allclose(Wm, 0.5, atol=1e-9)
    # peaks of W_{i-1} are valleys of W_i (Fig. 10)
    for i in range(1, len(a)):
        np.testing.assert_allclose(tr.triangle_breakpoints(a, i)[0::2], tr.triangle_breakpoints(a, i - 1),
                                   atol=1e-15)


# ----------------------------------------------------------------------------- Theorem 3.1 scales
@given(peaks(2, 12, 1e-3, 1 - 1e-3), signs)
def test_scales_satisfy_eq4_and_first_scale_rule(a, sign):
    s = tr.differentiable_scales(a, sign=sign)
    s0 = a[0] * a[1] if sign == -1 else (1 - a[0]) * a[1]
    assert s[0] == pytest.approx(s0, rel=1e-15)
    for i in range(len(s) - 1):
        assert s[i + 1] == pytest.approx(s[i] * (1 - a[i + 1]) * a[i + 2], rel=1e-13)
    np.testing.assert_allclose(np.cumprod(tr.scale_ratios(s)), s, rtol=1e-13)


@given(peaks(4, 12, 1e-3, 1 - 1e-3), signs)
def test_lemma_a6_two_step_ratio_at_most_quarter(a, sign):
    s = tr.differentiable_scales(a, sign=sign)
    assert np.all(s[2:] / s[:-2] <= 0.25 + 1e-15)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=15))
def test_eq8_eq9_discontinuity_identity(a):
    # Eq. (9): 1 - sum_{n} a_n prod_{m<n} (1 - a_m) = prod_m (1 - a_m)
    a = np.array(a)
    terms = a * np.concatenate([[1.0], np.cumprod(1 - a)[:-1]])
    assert 1 - terms.sum() == pytest.approx(np.prod(1 - a), abs=1e-14)


# ----------------------------------------------------------------------------- the network of App. A.1
@given(peaks(2, 11), signs)
def test_network_equals_series(a, sign):
    s = tr.differentiable_scales(a, sign=sign)
    net = tr.triangle_network(a, sign=sign)
    assert net.sizes == [1] + [4] * (len(a) - 1) + [1]
    np.testing.assert_allclose(net.predict(GRID[:, None])[:, 0], tr.triangle_series(GRID, a, s, sign=sign),
                               rtol=0, atol=1e-12)


@given(peaks(2, 8), signs, st.lists(st.floats(0.3, 3.0), min_size=10, max_size=10))
def test_network_equals_series_for_user_scales(a, sign, factors):
    # user scales: partial sums that go negative are handled by the sum-neuron offset
    s = tr.differentiable_scales(a, sign=sign) * np.array(factors[: len(a) - 1])
    W, b, info = tr.network_parameters(a, s, sign=sign)
    net = tr.triangle_network(a, s, sign=sign)
    np.testing.assert_allclose(net.predict(GRID[:, None])[:, 0], tr.triangle_series(GRID, a, s, sign=sign),
                               rtol=0, atol=1e-12)
    # the offset is the negative part of the smallest partial sum x + sign sum_{i<k} s_i W_i (k < H);
    # the partial sums are piecewise linear with bends among those of W_{m-2}, so evaluating them on
    # the grid joined with those bends finds their exact minimum
    x = np.union1d(GRID, tr.triangle_breakpoints(a, len(a) - 2))
    partial = x[None] + sign * np.cumsum(s[:-1, None] * tr.triangle_waves(x, a[:-1])[:-1], axis=0)
    lowest = min(0.0, float(partial[:len(a) - 2].min(initial=0.0)))
    assert info["offset"] == pytest.approx(-lowest, abs=1e-12)


def test_offset_needed_for_large_scales():
    a = np.array([0.5, 0.5, 0.5])
    s = np.array([2.0, 0.1])            # x - 2 T(x) has its minimum -1.5 at x = 1/2
    W, b, info = tr.network_parameters(a, s, sign=-1)
    assert info["offset"] == pytest.approx(1.5)
    net = tr.triangle_network(a, s, sign=-1)
    np.testing.assert_allclose(net.predict(GRID[:, None])[:, 0], tr.triangle_series(GRID, a, s), atol=1e-12)


def test_app_a1_structure_shared_weights_and_ratios():
    a = np.array([0.3, 0.6, 0.4, 0.7])
    W, b, info = tr.network_parameters(a, sign=-1)
    S = info["S"]
    np.testing.assert_allclose(S, [0.3 * 0.6, 0.4 * 0.4, 0.6 * 0.7])
    for l in (1, 2):
        al = a[l - 1]
        # t1, t2 and the sum take the wave in the same proportion (shared weights)
        np.testing.assert_allclose(W[l][1, 1:3], S[l - 1] * np.array([1 / al, -1 / (al - al ** 2)]))
        np.testing.assert_array_equal(W[l][1, 1:3], W[l][2, 1:3])
        np.testing.assert_allclose(W[l][0, 1:3], -W[l][1, 1:3])
        assert W[l][2, 3] == pytest.approx(-S[l - 1] * a[l])   # t2 cut at the next peak
        assert W[l][3, 3] == pytest.approx(S[l - 1])           # decaying bias neuron
        assert W[l][0, 0] == 1.0
    assert b[0].tolist() == [0.0, 0.0, -0.3, 1.0]


@given(peaks(2, 10), signs)
@settings(max_examples=15)
def test_region_count_is_2_pow_depth_for_any_peaks(a, sign):
    # "any choice produces 2^d regions": H = len(a)-1 hidden layers -> exactly 2^H linear and
    # activation regions on [0, 1], whatever a
    H = len(a) - 1
    r = regions_1d(tr.triangle_network(a, sign=sign))
    assert r.n_linear_regions == 2 ** H
    assert r.n_activation_regions == 2 ** H
    assert r.n_patterns == 2 ** H
    np.testing.assert_allclose(r.breakpoints, tr.triangle_breakpoints(a, H - 1), atol=1e-12)


# ----------------------------------------------------------------------------- Thm 3.1 / A.5, Lemma A.9
def _slopes(a, s=None, sign=-1):
    r = regions_1d(tr.triangle_network(a, s, sign=sign))
    return r.slopes[:, 0], r.breakpoints


@given(peaks(2, 11), signs)
@settings(max_examples=20)
def test_slope_jumps_shrink_geometrically(a, sign):
    # Thm A.5 + Eq. (9): with Theorem 3.1 scales the slope jump of f_n at a peak x of W_j is
    # (R_j + L_j) s_j prod_{q=j+2}^{n} (1 - a_q); hence max jump <= 2 kappa_0 (1 - c)^n with
    # c = min_i min(a_i, 1 - a_i), kappa_0 = max(1, a_0/(1-a_0)) (sign -1) or max(1, (1-a_0)/a_0) (+1)
    n = len(a) - 1
    slopes, B = _slopes(a, sign=sign)
    jumps = np.abs(np.diff(slopes))
    c = min(a.min(), (1 - a).min())
    k0 = max(1.0, a[0] / (1 - a[0])) if sign == -1 else max(1.0, (1 - a[0]) / a[0])
    assert jumps.max() <= 2 * k0 * (1 - c) ** n * (1 + 1e-9)
    # exact jump at the first bend x = a_0 (j = 0): (1/a_0 + 1/(1-a_0)) s_0 prod_{q=2}^{n} (1 - a_q)
    s0 = tr.differentiable_scales(a, sign=sign)[0]
    k = int(np.argmin(np.abs(B[1:-1] - a[0])))
    expect = (1 / a[0] + 1 / (1 - a[0])) * s0 * np.prod(1 - a[2:n + 1])
    assert jumps[k] == pytest.approx(expect, rel=1e-8)


@given(st.floats(0.75, 0.95))
@settings(max_examples=15)
def test_other_scales_keep_a_jump_lemma_a2(a_val):
    # Lemma A.2: with geometric scales s_i = 4^{-(i+1)} and a_i = a != 1/2 the jump at x = a_0
    # tends to (R+L) |-s_0 + s_1/(1-a) + 1/(1-a) sum_{k>=2} s_k a^{-(k-1)}| != 0: no differentiability
    m = 13
    a = np.full(m, a_val)
    s = 4.0 ** -(np.arange(m - 1) + 1.0)
    slopes, B = _slopes(a, s, sign=-1)
    k = int(np.argmin(np.abs(B[1:-1] - a_val)))
    J = abs(slopes[k + 1] - slopes[k])
    RL = 1 / a_val + 1 / (1 - a_val)
    q = 1 / (4 * a_val)
    tail_sum = 4.0 ** -3 / a_val / (1 - q)         # sum_{k>=2} 4^{-(k+1)} a^{-(k-1)}
    J_inf = RL * abs(-0.25 + 1 / 16 / (1 - a_val) + tail_sum / (1 - a_val))
    n = m - 1
    tail = RL / (1 - a_val) * 4.0 ** -(n + 1) * a_val ** -(n - 1) / (1 - q)
    assert abs(J - J_inf) <= tail * (1 + 1e-9) + 1e-12
    assert J_inf > 0.05


@given(peaks(2, 10), signs)
@settings(max_examples=20)
def test_lemma_a9_convex_or_concave(a, sign):
    slopes, _ = _slopes(a, sign=sign)
    d = np.diff(slopes)
    assert np.all(-sign * d > -1e-12)  # sign -1: slopes increase (convex); +1: decrease (concave)


@given(peaks(2, 11), signs)
@settings(max_examples=20)
def test_endpoint_derivative_vanishes(a, sign):
    # F'(0) -> 0 for sign -1, F'(1) -> 0 for sign +1: f_n' there is prod_{q=1}^{n} (1 - a_q)
    slopes, _ = _slopes(a, sign=sign)
    end = slopes[0] if sign == -1 else slopes[-1]
    assert end == pytest.approx(np.prod(1 - a[1:]), rel=1e-9, abs=1e-13)


@pytest.mark.parametrize("n", range(1, 11))
def test_yarotsky_x_squared(n):
    # all a_i = 1/2, sign -1: f_n interpolates x^2 on the grid k 2^-n; sup error 2^{-2n-2}
    a = np.full(n + 1, 0.5)
    s = tr.differentiable_scales(a)
    np.testing.assert_allclose(s, 4.0 ** -(np.arange(n) + 1.0), rtol=1e-15)
    x = np.random.default_rng(n).uniform(0, 1, 500)
    grid = np.linspace(0, 1, 2 ** n + 1)
    f = tr.triangle_series(x, a, s)
    np.testing.assert_allclose(f, np.interp(x, grid, grid ** 2), atol=1e-14)
    mids = 0.5 * (grid[:-1] + grid[1:])
    err = tr.triangle_series(mids, a, s) - mids ** 2
    np.testing.assert_allclose(err, tr.yarotsky_error(n), rtol=1e-9)
    assert np.abs(tr.triangle_series(x, a, s) - x ** 2).max() <= tr.yarotsky_error(n) * (1 + 1e-9)


# ----------------------------------------------------------------------------- pretraining gradient
@given(peaks(2, 7, 0.1, 0.9), signs)
@settings(max_examples=15)
def test_pretrain_gradient_matches_finite_differences(a, sign):
    # data off the kinks (a data point exactly at a bend makes the loss non-differentiable in a)
    x = np.sort(np.random.default_rng(7).uniform(0, 1, 37))
    y = x ** 3 if sign == -1 else np.sin(np.pi * x / 2)
    loss, g = tr.pretrain_loss_and_grad(a, x, y, sign=sign)
    fd = numerical_gradient(lambda: tr.pretrain_loss_and_grad(a, x, y, sign=sign).loss, a)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-9)
    s = tr.differentiable_scales(a, sign=sign) * np.linspace(0.7, 1.3, len(a) - 1)
    loss, ga, gs = tr.free_scales_loss_and_grad(a, s, x, y, sign=sign)
    fda = numerical_gradient(lambda: tr.free_scales_loss_and_grad(a, s, x, y, sign=sign).loss, a)
    # s spans decades: differentiate in log s (d/d log s_i = s_i d/d s_i)
    log_s = np.log(s)
    fds = numerical_gradient(lambda: tr.free_scales_loss_and_grad(a, np.exp(log_s), x, y, sign=sign).loss,
                             log_s) / s
    np.testing.assert_allclose(ga, fda, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(gs, fds, rtol=1e-5, atol=1e-9 / s.min())
    # with fixed scales pretrain_loss_and_grad returns the same partial gradient w.r.t. a (2 fields)
    fixed = tr.pretrain_loss_and_grad(a, x, y, s=s, sign=sign)
    assert len(fixed) == 2
    np.testing.assert_array_equal(fixed.grad, ga)


def test_pretrain_loss_is_network_mse():
    a = np.array([0.3, 0.6, 0.45, 0.55])
    x = np.linspace(0, 1, 50)
    y = x ** 3
    loss, _ = tr.pretrain_loss_and_grad(a, x, y)
    pred = tr.triangle_network(a).predict(x[:, None])[:, 0]
    assert loss == pytest.approx(np.mean((pred - y) ** 2), rel=1e-13)


@pytest.mark.parametrize("sizes, shared", [([1, 4, 4, 4, 1], True), ([1, 4, 4, 4, 1], False),
                                            ([3, 5, 2, 2], True), ([2, 6, 3], False)])
def test_batched_engine_is_the_batched_form_of_mlp(sizes, shared):
    # one engine: batched_forward / batched_backward equal MLP.forward / MLP.backward network by network
    rng = np.random.default_rng(3)
    R, n = 3, 20
    Ws, bs, _ = tr.rai_init(sizes, rng=rng, runs=R)
    X = rng.uniform(0, 1, (n, sizes[0]) if shared else (R, n, sizes[0]))
    dout = rng.normal(size=(R, n, sizes[-1]))
    out, cache = tr.batched_forward(Ws, bs, X)
    dWs, dbs = tr.batched_backward(Ws, cache, dout)
    assert out.shape == (R, n, sizes[-1])
    for r in range(R):
        net = MLP([W[r] for W in Ws], [b[r] for b in bs])
        o, c = net.forward(X if shared else X[r])
        np.testing.assert_allclose(out[r], o, rtol=0, atol=1e-12)
        g = net.backward(c, dout[r])
        for l in range(len(Ws)):
            np.testing.assert_allclose(dWs[l][r], g.weights[l], rtol=0, atol=1e-12)
            np.testing.assert_allclose(dbs[l][r], g.biases[l], rtol=0, atol=1e-12)


@given(peaks(2, 9), signs)
@settings(max_examples=20)
def test_batched_network_parameters_equal_the_plain_listing(a, sign):
    # App. A.1: the batched weight-setting map (training engine) equals the readable per-network listing
    s = tr.differentiable_scales(a, sign=sign)
    W, b, info = tr.network_parameters(a, sign=sign)
    Ws, bs = tr.batched_network_parameters(np.stack([a, a[::-1]]), np.stack([info["S"], tr.scale_ratios(
        tr.differentiable_scales(a[::-1], sign=sign))]), np.array([float(sign)] * 2),
        np.array([info["offset"], 0.0]))
    for l in range(len(W)):
        np.testing.assert_allclose(Ws[l][0], W[l], rtol=1e-15, atol=0)
        np.testing.assert_allclose(bs[l][0], b[l], rtol=1e-15, atol=0)
    W2, b2, _ = tr.network_parameters(a[::-1], sign=sign)
    for l in range(len(W)):
        np.testing.assert_allclose(Ws[l][1], W2[l], rtol=1e-15, atol=0)
    np.testing.assert_allclose(np.cumprod(info["S"]), s, rtol=1e-14)


@given(peaks(2, 12, 1e-3, 1 - 1e-3), signs)
def test_batched_theorem31_ratios_equal_the_loop(a, sign):
    # Theorem 3.1: the batched ratios (training engine) give the scales of the plain Eq. (4) loop
    A = np.stack([a, a[::-1]])
    S = tr.theorem31_ratios(A, np.array([float(sign)] * 2))
    np.testing.assert_allclose(np.cumprod(S[0]), tr.differentiable_scales(a, sign=sign), rtol=1e-15)
    np.testing.assert_allclose(np.cumprod(S[1]), tr.differentiable_scales(a[::-1], sign=sign), rtol=1e-15)


def test_theorem31_ratios_vjp_matches_finite_differences():
    rng = np.random.default_rng(5)
    A = rng.uniform(0.1, 0.9, (2, 6))
    sign = np.array([-1.0, 1.0])
    dS = rng.normal(size=(2, 5))
    fd = numerical_gradient(lambda: float(np.sum(dS * tr.theorem31_ratios(A, sign))), A)
    np.testing.assert_allclose(tr.theorem31_ratios_vjp(A, sign, dS), fd, rtol=1e-7, atol=1e-10)


def test_array_adam_follows_the_optim_adam_rule():
    # one Adam rule: the batched engines' ArrayAdam and the growing-network Adam move a parameter alike
    net = MLP([np.array([[0.5, -1.0]])], [np.array([0.25])])
    p = [net.weights[0].copy(), net.biases[0].copy()]
    opt, arr = Adam(1e-2), tr.ArrayAdam(p, 1e-2)
    X, Y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[0.3], [-0.2]])
    for _ in range(5):
        _, g, _ = net.loss_and_grads(X, Y, "mse")
        _, g2, _ = MLP([p[0]], [p[1]]).loss_and_grads(X, Y, "mse")
        opt.step(net, g)
        arr.step(p, [g2.weights[0], g2.biases[0]])
    np.testing.assert_array_equal(p[0], net.weights[0])
    np.testing.assert_array_equal(p[1], net.biases[0])
    assert not np.array_equal(p[0], np.array([[0.5, -1.0]]))


def test_pretrain_gradient_against_torch_autograd():
    torch = pytest.importorskip("torch")
    a = np.array([0.3, 0.62, 0.45, 0.71, 0.5])
    x = np.linspace(0, 1, 40)
    y = x ** 3
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tx = torch.tensor(x, dtype=torch.float64)
    # series written directly in torch (an independent route: no weight-setting map)
    w = tx
    out = tx.clone()
    s = ta[0] * ta[1]
    for i in range(len(a) - 1):
        w = torch.where(w <= ta[i], w / ta[i], (1 - w) / (1 - ta[i]))
        if i:
            s = s * (1 - ta[i]) * ta[i + 1]
        out = out - s * w
    loss = torch.mean((out - torch.tensor(y)) ** 2)
    loss.backward()
    l2, g = tr.pretrain_loss_and_grad(a, x, y)
    assert l2 == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(g, ta.grad.numpy(), rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("sign", [-1, 1])
def test_pretraining_decreases_loss_and_keeps_peaks_inside(sign):
    x = np.linspace(0, 1, 100)
    y = x ** 3 if sign == -1 else np.sin(np.pi * x / 2)
    a0 = tr.random_peaks(6, rng=0)
    res = tr.pretrain(a0, x, y, epochs=200, lr=1e-2, sign=sign)
    assert res.loss[-1] < 0.5 * res.loss[0]
    assert np.all(res.a >= C) and np.all(res.a <= 1 - C)
    np.testing.assert_allclose(res.s, tr.differentiable_scales(res.a, sign=sign), rtol=1e-12)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("call, match", [
    (lambda: tr.differentiable_scales([0.5]), "at least 2"),
    (lambda: tr.differentiable_scales([0.5, 1.0]), "inside"),
    (lambda: tr.differentiable_scales([0.0, 0.5]), "inside"),
    (lambda: tr.differentiable_scales([0.5, np.nan]), "finite"),
    (lambda: tr.differentiable_scales([[0.5, 0.5]]), "ndim"),
    (lambda: tr.differentiable_scales([0.5, 0.5], sign=2), "sign"),
    (lambda: tr.triangle(1.5, 0.5), "x must lie"),
    (lambda: tr.triangle(0.5, 1.5), "a must lie"),
    (lambda: tr.triangle_series(np.ones(3), [0.5, 0.5, 0.5], [0.1]), r"s must have shape \(2,\)"),
    (lambda: tr.triangle_network([0.5, 0.5, 0.5], [0.1, -0.1]), "strictly positive"),
    (lambda: tr.triangle_network([0.5, 0.5, 0.5], [0.1]), r"s must have shape"),
    (lambda: tr.pretrain_loss_and_grad([0.5, 0.5], np.ones((3, 2)) / 2, np.ones(3)), "x must have shape"),
    (lambda: tr.pretrain_loss_and_grad([0.5, 0.5], np.ones(3) / 2, np.ones(4)), "y must have shape"),
    (lambda: tr.pretrain_loss_and_grad([0.5, 0.5], np.ones(3) * 2, np.ones(3)), "x must lie"),
])
def test_bad_input_raises_valueerror_naming_it(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------- package layout
# every public name refgrow.triangle offered when it was one module (before the split into a package)
_NAMES_BEFORE_SPLIT = [
    "BlockModel", "DEFAULT_C", "PretrainResult", "S_MIN", "differentiable_scales", "network_parameters",
    "pretrain", "pretrain_blocks", "pretrain_loss_and_grad", "raai_init", "rai_init", "random_blocks",
    "random_peaks", "scale_ratios", "torch_default_init", "train_mlp_masked", "triangle",
    "triangle_breakpoints", "triangle_derivative", "triangle_network", "triangle_series", "triangle_waves",
    "yarotsky_error"]


def test_package_reexports_every_public_name_it_had_as_a_module():
    missing = [n for n in _NAMES_BEFORE_SPLIT if not hasattr(tr, n)]
    assert missing == []
    assert set(_NAMES_BEFORE_SPLIT) <= set(tr.__all__)
    assert all(hasattr(tr, n) for n in tr.__all__)


def test_fixed_arity_results():
    x = np.linspace(0, 1, 9)
    res = tr.pretrain_loss_and_grad([0.4, 0.6, 0.5], x, x ** 3)
    assert isinstance(res, tr.PretrainLossGrad) and len(res) == 2 and res.grad.shape == (3,)
    res_s = tr.pretrain_loss_and_grad([0.4, 0.6, 0.5], x, x ** 3, s=[0.2, 0.05])
    assert isinstance(res_s, tr.PretrainLossGrad) and len(res_s) == 2
    for init in (tr.rai_init, tr.raai_init):
        out = init([2, 3, 1], rng=0)
        assert isinstance(out, tr.RAIInit) and len(out) == 3
        assert [j.shape for j in out.index] == [(3,), (1,)]


def test_batched_pretrain_free_scales_start_from_theorem31_ratios_by_default():
    """Algorithm 1 with free scales ("differentiability not enforced"): S=None means the ratios of
    Theorem 3.1 at the initial peaks, so both calls take the same steps from the same start."""
    from refgrow.triangle import batched_pretrain, theorem31_ratios
    a = np.array([[0.3, 0.6, 0.4], [0.5, 0.2, 0.7]])
    sign = np.array([-1.0, 1.0])
    X = np.linspace(0, 1, 17)[:, None]
    Y = np.stack([X ** 3, np.sin(X)])
    kw = dict(epochs=3, lr=1e-3, free=True, c=0.05)
    a1, S1, l1 = batched_pretrain(a, sign, X, Y, **kw)
    a2, S2, l2 = batched_pretrain(a, sign, X, Y, S=theorem31_ratios(a, sign), **kw)
    assert S1.shape == (2, 2) and np.array_equal(a1, a2) and np.array_equal(S1, S2)
    assert np.array_equal(l1, l2)
