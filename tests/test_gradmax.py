"""GradMax (slides 000; App. B.1 of 001): function preservation and Ky Fan optimality of the fan-out."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from refgrow.gradcheck import numerical_gradient
from refgrow.growth import gradmax
from refgrow.growth.gradmax import fan_in_gradient_norm, gradmax_matrix, gradmax_neurons, propose_gradmax
from refgrow.growth.proposals import v_goal
from refgrow.mlp import MLP


def _problem(seed, loss="ce", act="relu", sizes=(4, 3, 5), n=30):
    rng = np.random.default_rng(seed)
    mlp = MLP.init(list(sizes), rng=rng, activation=act)
    for b in mlp.biases:
        b += 0.1 * rng.standard_normal(b.shape)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n) if loss == "ce" else rng.standard_normal((n, sizes[-1]))
    return mlp, X, y


@settings(max_examples=15)
@given(st.integers(0, 10_000), st.sampled_from(["relu", "tanh", "identity"]), st.integers(1, 5),
       st.sampled_from(["ce", "mse"]))
def test_function_preserved_bitwise(seed, act, k, loss):
    """Zero fan-in and sigma(0) = 0: the grown network's output equals the old one bit for bit."""
    mlp, X, y = _problem(seed, loss, act)
    nn = propose_gradmax(mlp, X, y, hidden_layer=0, k=k, loss=loss, c=1.0)
    grown = mlp.add_neurons(0, nn.w_in, nn.b_in, nn.w_out)
    assert np.array_equal(grown.predict(X), mlp.predict(X))
    assert np.linalg.norm(nn.w_out) == pytest.approx(1.0)


@settings(max_examples=20)
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(5, 40), st.integers(1, 6))
def test_ky_fan_optimality(seed, k, n, d):
    """Among fan-outs with k mutually orthogonal columns of equal norm c/sqrt(k) (the constraint under which
    the top-k singular directions are optimal, Ky Fan), GradMax's gives the largest ||dL/dw_in||_F; and that
    maximum is c/sqrt(k) * sqrt(sum_{i<=k} sigma_i^2)."""
    rng = np.random.default_rng(seed)
    d_next = 5
    B = np.hstack([rng.standard_normal((n, d)), np.ones((n, 1))])
    V = rng.standard_normal((n, d_next))
    c = 2.0
    nn = gradmax_neurons(B, V, k, c=c)
    best = fan_in_gradient_norm(B, V, nn.w_out)
    s = np.linalg.svd(gradmax_matrix(B, V), compute_uv=False)
    s = np.r_[s, np.zeros(k)][:k]
    assert best == pytest.approx(c / np.sqrt(k) * np.sqrt(np.sum(s ** 2)), rel=1e-10)
    for _ in range(200):
        Q, _ = np.linalg.qr(rng.standard_normal((d_next, k)))
        assert fan_in_gradient_norm(B, V, Q * (c / np.sqrt(k))) <= best * (1 + 1e-12)


@pytest.mark.parametrize("loss", ["ce", "mse"])
def test_fan_in_gradient_matches_backward_for_tanh(loss):
    """The quantity GradMax maximises is the real gradient of the mean loss w.r.t. the new fan-in
    (weights and bias), obtained here from the hand-written backward of a tanh network (sigma'(0) = 1),
    and checked by centred finite differences."""
    mlp, X, y = _problem(3, loss, "tanh")
    k = 2
    nn = propose_gradmax(mlp, X, y, k=k, loss=loss, c=0.7)
    grown = mlp.add_neurons(0, nn.w_in, nn.b_in, nn.w_out)
    _, grads, _ = grown.loss_and_grads(X, y, loss)
    g_new = np.hstack([grads.weights[0][-k:], grads.biases[0][-k:, None]])
    _, cache = mlp.forward(X)
    B = np.hstack([cache.inputs[0], np.ones((X.shape[0], 1))])
    Vg = v_goal(mlp, X, y, hidden_layer=0, loss=loss)
    assert np.linalg.norm(g_new) == pytest.approx(fan_in_gradient_norm(B, Vg, nn.w_out), rel=1e-10)
    assert np.allclose(g_new, -(nn.w_out.T @ gradmax_matrix(B, Vg)))
    fd = numerical_gradient(lambda: grown.loss(X, y, loss), grown.weights[0])[-k:]
    np.testing.assert_allclose(fd, grads.weights[0][-k:], rtol=1e-5, atol=1e-9)


def test_relu_zero_fan_in_is_dead_and_first_step_variant():
    """Interpretation note: with ReLU'(0) = 0 the literal GradMax neurons get zero gradients; the
    'first_step' variant starts at the step they would get with sigma'(0) = 1 and does receive gradient."""
    mlp, X, y = _problem(4, "ce", "relu")
    nn = propose_gradmax(mlp, X, y, k=2, c=1.0)
    grown = mlp.add_neurons(0, nn.w_in, nn.b_in, nn.w_out)
    _, grads, _ = grown.loss_and_grads(X, y, "ce")
    assert np.all(grads.weights[0][-2:] == 0) and np.all(grads.weights[1][:, -2:] == 0)
    nn2 = propose_gradmax(mlp, X, y, k=2, c=1.0, fan_in="first_step", eta=0.5)
    B = np.hstack([mlp.forward(X)[1].inputs[0], np.ones((30, 1))])
    G = gradmax_matrix(B, v_goal(mlp, X, y, hidden_layer=0, loss="ce"))
    assert np.allclose(np.hstack([nn2.w_in, nn2.b_in[:, None]]), 0.5 * nn2.w_out.T @ G)
    g2 = mlp.add_neurons(0, nn2.w_in, nn2.b_in, nn2.w_out)
    _, grads2, _ = g2.loss_and_grads(X, y, "ce")
    assert np.any(grads2.weights[1][:, -2:] != 0)


def test_default_c_and_validation():
    rng = np.random.default_rng(0)
    B, V = rng.standard_normal((10, 3)), rng.standard_normal((10, 4))
    nn = gradmax_neurons(B, V, 2)
    assert np.linalg.norm(nn.w_out) == pytest.approx(1e-3 * np.sqrt(4 * 2))
    assert nn.w_in.shape == (2, 2) and nn.b_in.shape == (2,)
    assert gradmax_neurons(B, V, 2, bias=False).w_in.shape == (2, 3)
    with pytest.raises(ValueError, match="k"):
        gradmax_neurons(B, V, 0)
    with pytest.raises(ValueError, match="d_next"):
        gradmax_neurons(B, V, 5)
    with pytest.raises(ValueError, match="samples"):
        gradmax_neurons(B, V[:5], 1)
    with pytest.raises(ValueError, match="c must"):
        gradmax_neurons(B, V, 1, c=-1.0)
    Bn = B.copy(); Bn[1, 1] = np.inf
    with pytest.raises(ValueError, match="finite"):
        gradmax_neurons(Bn, V, 1)
    with pytest.raises(ValueError):
        gradmax_neurons(B[:0], V[:0], 1)


def test_module_doctests():
    import doctest
    assert doctest.testmod(gradmax).failed == 0
