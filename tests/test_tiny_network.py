"""Paper 001 (TINY) statements at network level: v_goal from the backward pass (finite differences),
Prop. 3.3 (first-order loss decrease; tanh and identity), the ReLU measurement, apply/line search,
and the rescaling invariance of a hidden layer."""
import functools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from refgrow.gradcheck import numerical_gradient
from refgrow.growth.loop import grow
from refgrow.growth.proposals import apply_proposal
from refgrow.growth.random_neurons import propose_random
from refgrow.growth.tiny import (amplitude_loss, apply_tiny, first_order_decrease, line_search, propose_tiny,
                                 relu_first_order, tiny_step, v_goal, with_ones)
from refgrow.mlp import MLP


def _problem(seed, loss, act="relu", sizes=(3, 4, 2), n=40):
    rng = np.random.default_rng(seed)
    mlp = MLP.init(list(sizes), rng=rng, activation=act)
    for b in mlp.biases:                  # non-zero biases: no pre-activation sits exactly on the ReLU kink
        b += 0.1 * rng.standard_normal(b.shape)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n) if loss == "ce" else rng.standard_normal((n, sizes[-1]))
    return mlp, X, y


def _v_goal_at(mlp, X, y, layer, loss):
    """V_goal at preacts[layer]: hidden_layer = layer - 1; layer 0 only through the deprecated keyword."""
    if layer == 0:
        with pytest.warns(DeprecationWarning, match="hidden_layer"):
            return v_goal(mlp, X, y, layer=0, loss=loss)
    return v_goal(mlp, X, y, hidden_layer=layer - 1, loss=loss)


def test_v_goal_deprecated_layer_keyword_is_hidden_layer_plus_one():
    mlp, X, y = _problem(1, "ce", "tanh", sizes=(3, 4, 3, 2), n=10)
    for h in range(2):
        with pytest.warns(DeprecationWarning):
            old = v_goal(mlp, X, y, layer=h + 1)
        assert np.array_equal(old, v_goal(mlp, X, y, hidden_layer=h))
    with pytest.raises(TypeError, match="not both"):
        v_goal(mlp, X, y, layer=1, hidden_layer=0)


@settings(max_examples=10)
@given(st.integers(0, 10_000), st.sampled_from(["ce", "mse"]), st.sampled_from(["relu", "tanh"]))
def test_v_goal_is_minus_per_sample_gradient_finite_differences(seed, loss, act):
    """Sec. 2.3: v_goal(x_i) = -d l_i / d a_l(x_i). Summing over samples, -sum_i v_goal_i = d(sum l)/d b_l and
    -V_goal^T B_{l-1} = d(sum l)/d W_l: both checked by centred finite differences of the real loss."""
    mlp, X, y = _problem(seed, loss, act, sizes=(3, 4, 3, 2), n=15)
    n = X.shape[0]
    for layer in range(3):                      # index into mlp.weights; hidden_layer = layer - 1
        V = _v_goal_at(mlp, X, y, layer, loss)
        assert V.shape == (n, mlp.sizes[layer + 1])
        _, cache = mlp.forward(X)
        gW = -(V.T @ cache.inputs[layer])
        gb = -V.sum(axis=0)
        for (arr, g) in ((mlp.biases[layer], gb), (mlp.weights[layer], gW)):
            fd = numerical_gradient(lambda: mlp.loss(X, y, loss) * n, arr)
            np.testing.assert_allclose(fd, g, rtol=1e-5, atol=1e-7)


def test_tiny_step_shapes_and_bottleneck_relation():
    mlp, X, y = _problem(0, "ce", sizes=(3, 4, 3))
    st_ = tiny_step(mlp, X, y, hidden_layer=0, loss="ce")
    n = X.shape[0]
    assert st_.B_in.shape == (n, 4) and st_.B.shape == (n, 5) and st_.V_goal.shape == (n, 3)
    assert st_.dW.shape == (3, 5) and st_.neurons.alpha.shape[1] == 4
    # Pythagoras: ||V_goal||^2 = ||projection||^2 + ||V_goal_proj||^2
    P = st_.B @ st_.dW.T
    assert np.isclose(st_.bottleneck, np.sum(P * P) / n + st_.bottleneck_proj)
    assert np.isclose(st_.loss, mlp.loss(X, y, "ce"))


def _loss_change(mlp, st_, gamma, loss, X, y):
    nn = st_.neurons
    return apply_tiny(mlp, 0, nn.alpha, nn.omega, st_.dW, gamma).loss(X, y, loss) - mlp.loss(X, y, loss)


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prop33_first_order_identity_activation(loss, seed):
    """Prop. 3.3, Eq. (10) exactly as written (sigma'(0) = 1): for the identity activation span(B) is inside
    span(B_in), the cross term vanishes and (L(g) - L(0)) / g -> -(sum lambda^2 + Delta_dW) as g -> 0."""
    mlp, X, y = _problem(seed, loss, "identity")
    st_ = tiny_step(mlp, X, y, hidden_layer=0, loss=loss)
    fo = first_order_decrease(st_.V_goal, st_.B, st_.dW, st_.B_in, st_.neurons)
    assert abs(fo["cross"]) < 1e-10 * (1 + fo["paper"])
    assert fo["delta_update"] >= 0                                    # Eq. (12)
    ratios = [_loss_change(mlp, st_, g, loss, X, y) / (-g * fo["paper"]) for g in (1e-3, 1e-4, 1e-5)]
    assert abs(ratios[-1] - 1) < 1e-3
    assert abs(ratios[-1] - 1) < abs(ratios[0] - 1) + 1e-9              # converges as gamma -> 0


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prop33_first_order_tanh(loss, seed):
    """Prop. 3.3 with tanh (sigma'(0) = 1): the real loss change divided by -gamma times the exact
    first-order coefficient (Eq. 10 plus the cross term of the interpretation note) tends to 1."""
    mlp, X, y = _problem(seed, loss, "tanh")
    st_ = tiny_step(mlp, X, y, hidden_layer=0, loss=loss)
    fo = first_order_decrease(st_.V_goal, st_.B, st_.dW, st_.B_in, st_.neurons)
    assert fo["delta_neurons"] == pytest.approx(np.sum(st_.neurons.singular_values ** 2))
    r = [_loss_change(mlp, st_, g, loss, X, y) / (-g * fo["exact"]) for g in (1e-3, 1e-5)]
    assert abs(r[-1] - 1) < 1e-3 and abs(r[-1] - 1) <= abs(r[0] - 1) + 1e-9
    # the neurons alone: slope sigma'(0) (1/n)<V_goal, V(theta)> = sum lambda^2 + cross
    fo_n = first_order_decrease(st_.V_goal, st_.B, st_.dW, st_.B_in, st_.neurons, update_applied=False)
    nn, g = st_.neurons, 1e-5
    change = apply_tiny(mlp, 0, nn.alpha, nn.omega, None, g).loss(X, y, loss) - mlp.loss(X, y, loss)
    assert change / (-g * fo_n["exact"]) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_relu_measurement(loss, seed):
    """ReLU (interpretation note): positive homogeneity makes the neurons' contribution exactly linear in
    gamma, so the real slope equals delta_update + (1/n)<V_goal, relu(B_in alpha^T) omega^T>; that equals
    the 'sigma'(0) = 1/2' linearisation plus the even part (1/2)(1/n)<V_goal, |B_in alpha^T| omega^T>, and
    the update part stays >= 0 (Eq. 12)."""
    mlp, X, y = _problem(seed, loss, "relu")
    st_ = tiny_step(mlp, X, y, hidden_layer=0, loss=loss)
    rf = relu_first_order(st_.V_goal, st_.B, st_.dW, st_.B_in, st_.neurons)
    fo = first_order_decrease(st_.V_goal, st_.B, st_.dW, st_.B_in, st_.neurons, sigma_prime0=0.5)
    assert rf["delta_update"] >= 0
    assert np.isclose(rf["relu"], rf["linear_half"] + rf["abs_half"])
    assert np.isclose(rf["linear_half"], 0.5 * (fo["delta_neurons"] + fo["cross"]))
    g = 1e-6
    slope = _loss_change(mlp, st_, g, loss, X, y) / g
    assert slope == pytest.approx(-rf["exact"], rel=1e-3, abs=1e-8)


def test_rescaling_hidden_layer_invariance():
    """Rescaling weights[0], biases[0] by c > 0 and weights[1] by 1/c leaves a ReLU network's function,
    V_goal, S, N and the singular values unchanged; the best update changes as dW' = dW D^{-1},
    D = diag(c, ..., c, 1) (because B' = B D)."""
    mlp, X, y = _problem(5, "ce", sizes=(3, 5, 3))
    c = 3.7
    m2 = mlp.copy()
    m2.weights[0] *= c; m2.biases[0] *= c; m2.weights[1] /= c
    assert np.allclose(mlp.predict(X), m2.predict(X))
    a = tiny_step(mlp, X, y, hidden_layer=0)
    b = tiny_step(m2, X, y, hidden_layer=0)
    assert np.allclose(a.V_goal, b.V_goal)
    D = np.r_[np.full(5, c), 1.0]
    assert np.allclose(b.dW, a.dW / D)
    assert np.allclose(a.V_goal_proj, b.V_goal_proj)
    assert np.allclose(a.neurons.singular_values, b.neurons.singular_values)


def test_apply_tiny_scalings_and_zero_gamma():
    mlp, X, y = _problem(1, "mse", "relu")
    st_ = tiny_step(mlp, X, y, hidden_layer=0, loss="mse")
    nn = st_.neurons
    m0 = apply_tiny(mlp, 0, nn.alpha, nn.omega, st_.dW, 0.0)
    assert np.array_equal(m0.predict(X), mlp.predict(X)) and m0.sizes[1] == mlp.sizes[1] + nn.alpha.shape[0]
    # ReLU homogeneity: sqrt scaling with g^2 == linear scaling with g for the neurons
    ms = apply_tiny(mlp, 0, nn.alpha, nn.omega, None, 0.3 ** 2, scaling="sqrt")
    ml = apply_tiny(mlp, 0, nn.alpha, nn.omega, None, 0.3, scaling="linear")
    assert np.allclose(ms.predict(X), ml.predict(X))
    with pytest.raises(ValueError, match="gamma"):
        apply_tiny(mlp, 0, nn.alpha, nn.omega, None, -1.0)
    with pytest.raises(ValueError, match="scaling"):
        apply_tiny(mlp, 0, nn.alpha, nn.omega, None, 1.0, scaling="cubic")


def test_line_search_finds_minimum_of_a_parabola():
    g, v = line_search(lambda t: (t - 0.37) ** 2 + 1.0, (0.0, 2.0))
    assert g == pytest.approx(0.37, abs=1e-5) and v == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ValueError, match="interval"):
        line_search(lambda t: t, (1.0, 0.0))


@pytest.mark.parametrize("loss", ["ce", "mse"])
def test_propose_tiny_never_increases_loss_and_records_gain(loss):
    """Eq. (14) with gamma in [0, L]: gamma = 0 is allowed, so the proposal never increases the loss; the
    recorded gain equals the sum of the kept squared singular values."""
    mlp, X, y = _problem(2, loss, "relu", sizes=(3, 2, 3))
    before = mlp.loss(X, y, loss)
    saved = [w.copy() for w in mlp.parameters()]
    nn = propose_tiny(mlp, X, y, hidden_layer=0, k=2, loss=loss, rng=0)
    assert all(np.array_equal(a, b) for a, b in zip(saved, mlp.parameters()))   # mlp not modified
    assert nn.dW_next is not None and nn.info["updated_existing"] is True
    grown = apply_proposal(mlp, 0, nn)
    assert grown.loss(X, y, loss) <= before + 1e-12
    assert nn.info["gain"] == pytest.approx(sum(v ** 2 for v in nn.info["singular_values"][:nn.k]))
    assert grown.loss(X, y, loss) == pytest.approx(nn.info["loss_after_search"])


def test_propose_tiny_fallback_when_nothing_to_learn():
    """completed-TINY (Sec. 4): a network already at the target has V_goal = 0 -> rank 0 -> TINY proposes
    nothing (None); the random fallback is composed by the loop and recorded there."""
    rng = np.random.default_rng(0)
    mlp = MLP.init([2, 3, 1], rng=rng)
    X = rng.standard_normal((20, 2))
    y = mlp.predict(X)
    assert propose_tiny(mlp, X, y, loss="mse") is None
    res = grow(mlp, X, y, propose=propose_tiny, fallback=functools.partial(propose_random, L=2.0),
               loss="mse", max_steps=1, rng=1)
    assert res.mlp.sizes[1] == 4
    assert res.history.steps[0]["fallback"] is True and res.history.steps[0]["info"]["method"] == "random"
    with pytest.warns(DeprecationWarning):
        assert propose_tiny(mlp, X, y, loss="mse", fallback=None) is None
    with pytest.raises(TypeError, match="grow"):
        propose_tiny(mlp, X, y, loss="mse", fallback="random")


def test_v_goal_bad_inputs():
    mlp, X, y = _problem(0, "ce")
    with pytest.raises(ValueError, match="hidden_layer"):
        v_goal(mlp, X, y, hidden_layer=5)
    with pytest.raises(ValueError):
        v_goal(mlp, X[:, :2], y, hidden_layer=0)
    with pytest.raises(ValueError, match="k"):
        propose_tiny(mlp, X, y, k=0)


@pytest.mark.parametrize("h", [0, 1])
def test_prop33_in_a_deeper_tanh_network(h):
    """Prop. 3.3 at an inner layer: growing hidden layer h of a 3-weight-layer tanh network, the real loss
    change / (-gamma * exact first-order coefficient) tends to 1 (v_goal is taken at preacts[h+1])."""
    mlp, X, y = _problem(7, "ce", "tanh", sizes=(3, 4, 3, 2), n=50)
    st_ = tiny_step(mlp, X, y, hidden_layer=h, loss="ce")
    assert st_.B_in.shape[1] == mlp.sizes[h] + 1 and st_.B.shape[1] == mlp.sizes[h + 1] + 1
    fo = first_order_decrease(st_.V_goal, st_.B, st_.dW, st_.B_in, st_.neurons)
    g = 1e-5
    nn = st_.neurons
    change = apply_tiny(mlp, h, nn.alpha, nn.omega, st_.dW, g).loss(X, y, "ce") - mlp.loss(X, y, "ce")
    assert change / (-g * fo["exact"]) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("act", ["relu", "tanh"])
@pytest.mark.parametrize("h", [0, 1])
@pytest.mark.parametrize("scaling", ["sqrt", "linear"])
def test_amplitude_loss_equals_the_grown_network_loss(act, h, scaling):
    """The line-search objective (Eq. 14) computed from cached activities equals the loss of the
    network actually built by apply_tiny, for several gamma, inner and last hidden layers."""
    mlp, X, y = _problem(11, "ce", act, sizes=(3, 4, 3, 2), n=30)
    st_ = tiny_step(mlp, X, y, hidden_layer=h, loss="ce")
    nn = st_.neurons
    f = amplitude_loss(mlp, h, nn.alpha, nn.omega, st_.dW, X, y, loss="ce", scaling=scaling)
    for g in (0.0, 0.3, 1.7):
        ref = apply_tiny(mlp, h, nn.alpha, nn.omega, st_.dW, g, scaling=scaling).loss(X, y, "ce")
        assert f(g) == pytest.approx(ref, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("loss", ["ce", "mse"])
def test_v_goal_matches_pytorch_autograd(loss):
    """Optional oracle: V_goal = -d l_i / d a (per sample) from PyTorch autograd on the same network."""
    torch = pytest.importorskip("torch")
    mlp, X, y = _problem(9, loss, "tanh", sizes=(3, 5, 4, 2), n=25)
    Ws = [torch.tensor(W, requires_grad=True) for W in mlp.weights]
    bs = [torch.tensor(b) for b in mlp.biases]
    a = torch.tensor(X)
    pre = []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W.T + b
        z.retain_grad()
        pre.append(z)
        a = torch.tanh(z) if l < len(Ws) - 1 else z
    if loss == "ce":
        per = torch.nn.functional.cross_entropy(a, torch.tensor(y), reduction="none")
    else:
        per = ((a - torch.tensor(y)) ** 2).mean(dim=1)
    per.sum().backward()
    for layer in range(3):
        assert np.allclose(_v_goal_at(mlp, X, y, layer, loss), -pre[layer].grad.numpy(),
                           rtol=1e-10, atol=1e-12)
