"""Tests of refgrow.geometry against the statements of 000 (slides) and 002.

- closest point (000, "Supplementary Details" 2): lies on the hyperplane, x - x' is parallel to w,
  idempotent, no other point of the hyperplane is closer;
- local affine map (000, Proposition 1): reproduces the network exactly on the activation region;
- decision boundary (000, Definition (Decision Boundary)): its zero set is where logits i and j tie;
- fold point: refinement ends on the real boundary; the in-region flag matches the pattern.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from refgrow import geometry as G
from refgrow.gradcheck import numerical_jacobian
from refgrow.mlp import MLP

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


def _net(seed, sizes, activation="relu"):
    return MLP.init(sizes, rng=seed, activation=activation)


@st.composite
def hyperplane_and_point(draw):
    D = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    scale = 10.0 ** draw(st.integers(-3, 3))
    w = rng.normal(size=D) * scale
    b = float(rng.normal() * 3)
    x = rng.normal(size=D) * 5
    return x, w, b, rng


@given(hyperplane_and_point())
def test_closest_point_lies_on_hyperplane_and_is_orthogonal(data):
    x, w, b, _ = data
    xp = G.closest_point_on_hyperplane(x, w, b)
    scale = np.abs(w) @ np.abs(xp) + abs(b)
    assert abs(w @ xp + b) <= 1e-12 * scale
    # x - x' is parallel to w: its component orthogonal to w vanishes
    r = x - xp
    orth = r - (r @ w) / (w @ w) * w
    assert np.linalg.norm(orth) <= 1e-12 * max(1.0, np.linalg.norm(r), np.linalg.norm(x))


@given(hyperplane_and_point())
def test_closest_point_idempotent(data):
    x, w, b, _ = data
    xp = G.closest_point_on_hyperplane(x, w, b)
    xpp = G.closest_point_on_hyperplane(xp, w, b)
    np.testing.assert_allclose(xpp, xp, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(x).max()))


@given(hyperplane_and_point())
def test_no_random_hyperplane_point_is_closer(data):
    x, w, b, rng = data
    xp = G.closest_point_on_hyperplane(x, w, b)
    d0 = np.linalg.norm(x - xp)
    # random points of the hyperplane: x' + (component of a random vector orthogonal to w)
    V = rng.normal(size=(200, w.size)) * rng.uniform(0.0, 5.0, size=(200, 1))
    V -= np.outer(V @ w / (w @ w), w)
    P = xp + V
    d = np.linalg.norm(x - P, axis=1)
    assert np.all(d >= d0 * (1 - 1e-12) - 1e-12)
    # Pythagoras: ||x - p||^2 = ||x - x'||^2 + ||x' - p||^2 (x - x' is the normal component)
    np.testing.assert_allclose(d**2, d0**2 + np.sum(V**2, axis=1), rtol=1e-9, atol=1e-9)


@given(hyperplane_and_point())
def test_closest_point_batch_and_signed_distance(data):
    x, w, b, rng = data
    X = np.vstack([x, rng.normal(size=(4, x.size))])
    XP = G.closest_point_on_hyperplane(X, w, b)
    for k in range(X.shape[0]):
        np.testing.assert_allclose(XP[k], G.closest_point_on_hyperplane(X[k], w, b), rtol=1e-13, atol=1e-13)
    sd = G.signed_distance(X, w, b)
    np.testing.assert_allclose(np.abs(sd), np.linalg.norm(X - XP, axis=1), rtol=1e-10, atol=1e-12)
    # the sign says which side: moving along +w increases w.x + b
    assert np.all(np.sign(sd) == np.sign(X @ w + b))


def test_closest_point_validation():
    with pytest.raises(ValueError, match="w"):
        G.closest_point_on_hyperplane([1.0, 2.0], [0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="NaN"):
        G.closest_point_on_hyperplane([np.nan, 2.0], [1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="x"):
        G.closest_point_on_hyperplane([1.0, 2.0, 3.0], [1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="b"):
        G.closest_point_on_hyperplane([1.0, 2.0], [1.0, 0.0], [1.0, 2.0])


@st.composite
def net_and_point(draw, max_hidden=2):
    D = draw(st.integers(1, 4))
    K = draw(st.integers(2, 4))
    hidden = draw(st.lists(st.integers(1, 6), min_size=1, max_size=max_hidden))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    net = _net(seed, [D, *hidden, K])
    for b in net.biases:
        b += rng.normal(size=b.shape) * 0.5
    x = rng.normal(size=D)
    return net, x, rng


@given(net_and_point())
def test_local_affine_map_reproduces_network_on_region(data):
    net, x, rng = data
    A, c = G.local_affine_map(net, x)
    pat = G.activation_pattern(net, x)
    X = x + rng.normal(size=(400, x.size)) * 10.0 ** rng.uniform(-4, 0, size=(400, 1))
    pats = G.activation_pattern(net, X)
    same = np.all(np.hstack([p == q for p, q in zip(pats, pat)]), axis=1)
    assert same.any()
    F = net.predict(X[same])
    np.testing.assert_allclose(X[same] @ A.T + c, F, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(F).max()))
    np.testing.assert_allclose(A @ x + c, net.predict(x[None])[0], rtol=1e-12, atol=1e-12)
    # and it agrees with the affine map of the pattern
    A2, c2 = G.affine_map_of_pattern(net, pat)
    np.testing.assert_array_equal(A, A2)
    np.testing.assert_array_equal(c, c2)


@given(net_and_point())
def test_local_affine_map_is_the_input_jacobian(data):
    net, x, _ = data
    # centred differences are exact on the region unless a kink is within h of x
    zs, pats = net.preacts_and_patterns(x[None])
    assume(all(np.all(np.abs(z) >= 1e-5) for z in zs[:-1]))
    A, _ = G.local_affine_map(net, x)
    J = numerical_jacobian(lambda v: net.predict(v[None])[0], x, eps=1e-6)
    np.testing.assert_allclose(J, A, rtol=1e-6, atol=1e-7)
    assert [p.tolist() for p in G.activation_pattern(net, x)] == [p[0].tolist() for p in pats]


def test_tanh_tangent_map_matches_finite_differences():
    net = _net(3, [3, 5, 4, 2], activation="tanh")
    x = np.array([0.3, -0.2, 0.7])
    A, c = G.local_affine_map(net, x)
    J = numerical_jacobian(lambda v: net.predict(v[None])[0], x, eps=1e-6)
    np.testing.assert_allclose(A, J, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(A @ x + c, net.predict(x[None])[0], rtol=1e-13, atol=1e-13)
    with pytest.raises(ValueError, match="tanh"):
        G.affine_map_of_pattern(net, G.activation_pattern(net, x))


@given(net_and_point())
def test_decision_boundary_zero_set_is_where_logits_tie(data):
    net, x, rng = data
    K = net.sizes[-1]
    i, j = rng.choice(K, size=2, replace=False)
    w, b = G.decision_boundary(net, x, int(i), int(j))
    pat = G.activation_pattern(net, x)
    out = net.predict(x[None])[0]
    # on the region, w.x' + b is the logit gap f_i - f_j
    assert np.isclose(w @ x + b, out[i] - out[j], rtol=1e-12, atol=1e-12 * max(1.0, np.abs(out).max()))
    assume(np.any(w))
    # points of the zero set inside the region are ties of logits i and j
    P = G.closest_point_on_hyperplane(x + rng.normal(size=(300, x.size)) * 0.5, w, b)
    pats = G.activation_pattern(net, P)
    same = np.all(np.hstack([p == q for p, q in zip(pats, pat)]), axis=1)
    assume(same.any())
    F = net.predict(P[same])
    np.testing.assert_allclose(F[:, i] - F[:, j], 0.0, atol=1e-11 * max(1.0, np.abs(F).max()))


def test_decision_boundary_validation():
    net = _net(0, [2, 3, 3])
    x = np.zeros(2)
    with pytest.raises(ValueError, match="differ"):
        G.decision_boundary(net, x, 1, 1)
    with pytest.raises(ValueError, match="K=3"):
        G.decision_boundary(net, x, 0, 3)
    with pytest.raises(TypeError, match="int"):
        G.decision_boundary(net, x, 0.5, 1)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        G.local_affine_map(net, np.zeros(3))


@given(net_and_point())
@settings(max_examples=20)
def test_fold_point_lies_on_real_boundary_and_flag_is_honest(data):
    net, x, rng = data
    K = net.sizes[-1]
    out = net.predict(x[None])[0]
    i = int(np.argmax(out))
    j = int((i + 1 + rng.integers(K - 1)) % K)
    w, b = G.decision_boundary(net, x, i, j)
    assume(np.any(w))
    fp = G.fold_point(net, x, i, j, refine=True, tol=1e-10, max_iter=100)
    # first projection = slides' closed form on the mistake's region
    np.testing.assert_allclose(fp.x_linear, x - (w @ x + b) * w / (w @ w), rtol=1e-13, atol=1e-13)
    same = all(np.array_equal(p, q) for p, q in zip(G.activation_pattern(net, fp.x_fold),
                                                    G.activation_pattern(net, x)))
    assert fp.in_region == same
    # the first projection is already a tie when it stays in the region: then no refinement
    assert not fp.linear_in_region or (np.array_equal(fp.x_fold, fp.x_linear) and fp.n_iter == 0)
    F = net.predict(fp.x_fold[None])[0]
    assert fp.gap == pytest.approx(F[i] - F[j], abs=1e-12)
    # converged <=> the logits tie at x_fold within the tolerance
    assert fp.converged == (abs(F[i] - F[j]) <= 1e-10 * max(1.0, np.abs(F).max()))


def test_fold_point_refinement_on_a_hand_built_kink():
    # 1-D input, 2 classes, hand-computed tie points.
    W0 = np.array([[1.0], [1.0]])
    b0 = np.array([0.0, -2.0])                 # units: relu(x), relu(x - 2)
    W1 = np.array([[1.0, -3.0], [0.0, 0.0]])   # f_0 - f_1 = relu(x) - 3 relu(x-2) - 1.5
    b1 = np.array([-1.5, 0.0])
    net = MLP([W0, W1], [b0, b1])
    # gap(x) = x - 1.5 on [0, 2]; = x - 3(x-2) - 1.5 = -2x + 4.5 on [2, inf): zeros at 1.5 and 2.25
    x = np.array([5.0])            # gap = -5.5 < 0: predicted class 1, true class 0
    fp = G.fold_point(net, x, 1, 0)
    # region of x=5 (both units on): gap' = -2, so the closed form gives 2.25 (inside, exact)
    assert fp.linear_in_region and fp.converged
    np.testing.assert_allclose(fp.x_fold, [2.25], rtol=1e-15)
    # from x = 1.0 (only unit 0 on), gap = -0.5 -> projection to 1.5 (inside region)
    fp2 = G.fold_point(net, np.array([1.0]), 1, 0)
    np.testing.assert_allclose(fp2.x_fold, [1.5], rtol=1e-15)
    # two tie points on either side of the kink at 0
    W0 = np.array([[1.0], [-1.0]])
    b0 = np.array([0.0, 0.0])                  # relu(x), relu(-x)
    W1 = np.array([[1.0, 0.2], [0.0, 0.0]])
    b1 = np.array([-1.0, 0.0])                 # gap = relu(x) + 0.2 relu(-x) - 1, zeros at 1 and -5
    net = MLP([W0, W1], [b0, b1])
    x = np.array([-0.5])                       # gap = -0.9; local slope -0.2 -> projects to -5 (in region)
    fp3 = G.fold_point(net, x, 1, 0)
    np.testing.assert_allclose(fp3.x_fold, [-5.0], rtol=1e-14)
    x = np.array([0.5])                        # local slope +1 -> projects to 1.0 (in region)
    np.testing.assert_allclose(G.fold_point(net, x, 1, 0).x_fold, [1.0], rtol=1e-14)


def test_fold_point_outside_region_is_flagged_and_refined():
    # f_0 - f_1 = 2 relu(x) - 4 relu(x - 1) - 3: x<0: -3; [0,1]: 2x - 3; x>1: -2x + 1; max -1 at x=1
    W0 = np.array([[1.0], [1.0]])
    b0 = np.array([0.0, -1.0])
    W1 = np.array([[2.0, -4.0], [0.0, 0.0]])
    b1 = np.array([-3.0, 0.0])
    net = MLP([W0, W1], [b0, b1])
    # mistake at x=0.9 (predicted 1, true 0; region [0,1], slope 2) -> projects to 1.5, which lies in
    # the region x>1 where f_1 - f_0 = 2 (not a tie).
    fp = G.fold_point(net, np.array([0.9]), 1, 0, refine=False)
    np.testing.assert_allclose(fp.x_linear, [1.5], rtol=1e-15)
    assert not fp.linear_in_region and not fp.in_region and not fp.converged
    assert fp.gap == pytest.approx(2.0, rel=1e-14)
    # refining: in x>1 the tie line is x = 0.5 -> 0.5 lies in [0,1], whose tie line is x = 1.5 -> ...
    # the logits never tie (f_0 - f_1 <= -1), so there is no convergence and the flag says so.
    fp = G.fold_point(net, np.array([0.9]), 1, 0, refine=True, max_iter=10)
    assert not fp.converged and fp.n_iter == 10
    out = net.predict(fp.x_fold[None])[0]
    assert fp.gap == pytest.approx(out[1] - out[0], abs=1e-14)


def test_fold_point_refinement_converges_on_real_boundary():
    # gap = relu(x) + relu(x - 1) - 1.6 : slope 1 on [0,1] (gap <= -0.6), slope 2 for x > 1, zero at 1.3
    W0 = np.array([[1.0], [1.0]])
    b0 = np.array([0.0, -1.0])
    W1 = np.array([[1.0, 1.0], [0.0, 0.0]])
    b1 = np.array([-1.6, 0.0])
    net = MLP([W0, W1], [b0, b1])
    x = np.array([0.2])                     # gap -1.4, slope 1 -> projects to 1.6 (outside [0,1])
    fp = G.fold_point(net, x, 1, 0, refine=False)
    np.testing.assert_allclose(fp.x_linear, [1.6], rtol=1e-15)
    assert not fp.in_region and not fp.converged
    fp = G.fold_point(net, x, 1, 0, refine=True)
    assert fp.converged and not fp.in_region and fp.n_iter == 1
    np.testing.assert_allclose(fp.x_fold, [1.3], rtol=1e-14)


def test_regression_fold_point_on_the_graph():
    rng = np.random.default_rng(5)
    net = _net(5, [2, 6, 1])
    for _ in range(20):
        x = rng.normal(size=2)
        y = float(net.predict(x[None])[0, 0] + rng.normal() * 2)
        w, b = G.regression_hyperplane(net, x, 0)
        A, _ = G.local_affine_map(net, x)
        np.testing.assert_array_equal(w, np.r_[A[0], -1.0])
        rp = G.regression_fold_point(net, x, y, refine=True, max_iter=100)
        z0 = np.r_[x, y]
        # refinement ends on the graph of the real network
        assert rp.converged
        assert abs(net.predict(rp.x_fold[None])[0, 0] - rp.z_fold[-1]) <= 1e-10 * max(1, abs(rp.z_fold[-1]))
        assert rp.distance == pytest.approx(np.linalg.norm(rp.z_fold - z0))
        # the first projection is the closest point of the local hyperplane, and on that hyperplane
        # the distance is never larger than the vertical residual |f(x) - y|
        z_lin = G.closest_point_on_hyperplane(z0, w, b)
        assert np.linalg.norm(z_lin - z0) <= abs(net.predict(x[None])[0, 0] - y) + 1e-12
        assert rp.n_iter > 0 or np.allclose(rp.z_fold, z_lin, rtol=1e-13, atol=0)


@given(net_and_point())
@settings(max_examples=15)
def test_boundary_point_on_segment_is_a_tie(data):
    net, x, rng = data
    X = rng.normal(size=(200, x.size)) * 3
    pred = np.argmax(net.predict(X), axis=1)
    classes = np.unique(pred)
    assume(classes.size >= 2)
    i, j = int(classes[0]), int(classes[1])
    x0, x1 = X[pred == i][0], X[pred == j][0]
    p = G.boundary_point_on_segment(net, x0, x1, i, j)
    F = net.predict(p[None])[0]
    assert abs(F[i] - F[j]) <= 1e-12 * max(1.0, np.abs(F).max()) * 10
    # p lies on the segment
    t = (p - x0) @ (x1 - x0) / ((x1 - x0) @ (x1 - x0))
    np.testing.assert_allclose(p, x0 + t * (x1 - x0), rtol=1e-12, atol=1e-12)
    assert 0 <= t <= 1
    with pytest.raises(ValueError, match="sign"):
        G.boundary_point_on_segment(net, x0, x0, i, j)


def test_fold_point_records_round_trip_through_json_exactly():
    import json
    net = _net(2, [2, 5, 3])
    x = np.array([0.4, -0.3])
    out = net.predict(x[None])[0]
    i = int(np.argmax(out))
    fp = G.fold_point(net, x, i, (i + 1) % 3)
    back = json.loads(json.dumps(fp.to_dict()))
    assert np.array_equal(np.array(back["x_fold"]), fp.x_fold) and back["n_iter"] == fp.n_iter
    assert back["converged"] is fp.converged and back["b"] == fp.b
    rp = G.regression_fold_point(_net(3, [2, 4, 1]), x, 0.7)
    back = json.loads(json.dumps(rp.to_dict()))
    assert np.array_equal(np.array(back["z_fold"]), rp.z_fold) and back["residual"] == rp.residual
