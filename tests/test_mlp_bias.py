"""Layers without bias in MLP (``nn.Linear(bias=False)``): forward/backward, growth, persistence."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from refgrow.mlp import MLP

_flags = st.integers(1, 3).flatmap(lambda depth: st.lists(st.booleans(), min_size=depth + 1,
                                                           max_size=depth + 1))

# The finite-difference check of bias-free layers is part of
# tests/test_mlp.py::test_backward_matches_centred_finite_differences (bias flags drawn per layer).


def test_bias_free_forward_is_a_product_without_bias():
    rng = np.random.default_rng(0)
    net = MLP.init([3, 4, 2], rng=rng, init="torch", bias=False)
    X = rng.normal(size=(5, 3))
    expected = np.maximum(X @ net.weights[0].T, 0) @ net.weights[1].T
    np.testing.assert_array_equal(net.predict(X), expected)
    assert net.has_bias == (False, False)
    assert net.n_params == 3 * 4 + 4 * 2
    assert net.predict(np.zeros((1, 3))).tolist() == [[0.0, 0.0]]   # f(0) = 0 without biases


def test_init_torch_without_bias_draws_only_weights():
    """init="torch", bias=False: the weights are the draws nn.Linear(bias=False) would make, in order."""
    net = MLP.init([3, 4, 2], rng=1, init="torch", bias=False)
    rng = np.random.default_rng(1)
    W0 = rng.uniform(-1 / np.sqrt(3), 1 / np.sqrt(3), size=(4, 3))
    W1 = rng.uniform(-1 / np.sqrt(4), 1 / np.sqrt(4), size=(2, 4))
    np.testing.assert_array_equal(net.weights[0], W0)
    np.testing.assert_array_equal(net.weights[1], W1)


def test_constructor_with_none_bias_and_per_layer_flags():
    W = [np.ones((2, 3)), np.ones((1, 2))]
    net = MLP(W, [None, np.array([0.5])])
    assert net.has_bias == (False, True)
    np.testing.assert_array_equal(net.biases[0], np.zeros(2))
    np.testing.assert_array_equal(net.predict(np.ones((1, 3))), [[6.5]])
    for other in (net.copy(), net.merge_blocks()):
        assert other.has_bias == (False, True)


@pytest.mark.parametrize("bad", [[True], "no", [1, 0], None])
def test_init_rejects_bad_bias_flags(bad):
    with pytest.raises(ValueError, match="bias must be a bool or a sequence of 2 bools"):
        MLP.init([2, 3, 1], bias=bad)


def test_add_neurons_on_bias_free_layer():
    rng = np.random.default_rng(2)
    net = MLP.init([2, 3, 2], rng=rng, bias=[False, True])
    X = rng.normal(size=(6, 2))
    w_in = rng.normal(size=(2, 2))
    grown = net.add_neurons(0, w_in, None, np.zeros((2, 2)))
    assert grown.has_bias == (False, True)
    np.testing.assert_array_equal(grown.predict(X), net.predict(X))          # zero fan-out preserves f
    grown2 = net.add_neurons(0, w_in, np.zeros(2), np.ones((2, 2)))          # zeros accepted
    H = np.maximum(X @ w_in.T, 0)
    np.testing.assert_allclose(grown2.predict(X), net.predict(X) + H @ np.ones((2, 2)).T, rtol=1e-13, atol=1e-13)
    with pytest.raises(ValueError, match=r"b_in must be None or zeros: hidden layer 0 has no bias"):
        net.add_neurons(0, w_in, np.array([0.0, 1e-3]), np.zeros((2, 2)))
    biased = MLP.init([2, 3, 2], rng=rng)
    with pytest.raises(ValueError, match=r"b_in must be an array of shape \(2,\): hidden layer 0 has a bias"):
        biased.add_neurons(0, w_in, None, np.zeros((2, 2)))
    shrunk = grown2.remove_neurons(0, [0])
    assert shrunk.has_bias == (False, True)


def test_save_load_round_trip_keeps_flags(tmp_path):
    rng = np.random.default_rng(3)
    net = MLP.init([3, 5, 4, 2], rng=rng, init="torch", bias=[False, True, False]).add_neurons(
        1, rng.normal(size=(2, 5)), rng.normal(size=2), rng.normal(size=(2, 2)))
    net.save(tmp_path / "m.npz")
    back = MLP.load(tmp_path / "m.npz")
    assert back.has_bias == (False, True, False)
    assert back.blocks == net.blocks
    X = rng.normal(size=(7, 3))
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    # a file whose bias-free layer carries a non-zero bias is refused
    data = dict(np.load(tmp_path / "m.npz"))
    data["b0"] = np.ones_like(data["b0"])
    np.savez(tmp_path / "bad.npz", **data)
    with pytest.raises(ValueError, match=r"b0 must be zeros since has_bias\[0\] is False"):
        MLP.load(tmp_path / "bad.npz")
    data["has_bias"] = np.array([1, 0, 1])
    np.savez(tmp_path / "bad2.npz", **data)
    with pytest.raises(ValueError, match="has_bias must be a bool array"):
        MLP.load(tmp_path / "bad2.npz")


def test_optimiser_keeps_absent_bias_at_zero():
    from refgrow.optim import Adam
    rng = np.random.default_rng(4)
    net = MLP.init([2, 4, 3], rng=rng, bias=[False, True])
    X, y = rng.normal(size=(10, 2)), rng.integers(0, 3, size=10)
    opt = Adam(0.1, weight_decay=0.01)
    for _ in range(5):
        opt.step(net, net.loss_and_grads(X, y)[1])
    assert np.all(net.biases[0] == 0)
    assert np.any(net.biases[1] != 0)


@given(flags=_flags, seed=st.integers(0, 2**31 - 1), activation=st.sampled_from(["relu", "tanh"]),
       loss=st.sampled_from(["ce", "mse"]))
def test_bias_free_matches_torch_linear_bias_false(flags, seed, activation, loss):
    """Forward and every gradient equal a torch network of nn.Linear(..., bias=False/True) layers, 1e-12."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    sizes = [3] + [4] * (len(flags) - 1) + [3]
    net = MLP.init(sizes, rng=rng, init="torch", activation=activation, bias=flags)
    layers = []
    for l, hb in enumerate(flags):
        lin = torch.nn.Linear(sizes[l], sizes[l + 1], bias=hb).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(net.weights[l]))
            if hb:
                lin.bias.copy_(torch.from_numpy(net.biases[l]))
        layers.append(lin)
    X = rng.normal(size=(8, 3))
    y = rng.integers(0, 3, size=8) if loss == "ce" else rng.normal(size=(8, 3))
    Xt = torch.tensor(X, requires_grad=True)
    a = Xt
    for l, lin in enumerate(layers):
        a = lin(a)
        if l < len(layers) - 1:
            a = torch.relu(a) if activation == "relu" else torch.tanh(a)
    lt = (torch.nn.functional.cross_entropy(a, torch.tensor(y)) if loss == "ce"
          else torch.nn.functional.mse_loss(a, torch.tensor(y)))
    lt.backward()
    value, g, out = net.loss_and_grads(X, y, loss)
    np.testing.assert_allclose(out, a.detach().numpy(), rtol=0, atol=1e-12, err_msg="forward: refgrow vs torch")
    assert abs(value - lt.item()) <= 1e-12 * max(1.0, abs(value))
    for l, lin in enumerate(layers):
        np.testing.assert_allclose(g.weights[l], lin.weight.grad.numpy(), rtol=0, atol=1e-12)
        if flags[l]:
            np.testing.assert_allclose(g.biases[l], lin.bias.grad.numpy(), rtol=0, atol=1e-12)
        else:
            assert lin.bias is None and np.all(g.biases[l] == 0)
    np.testing.assert_allclose(g.inputs, Xt.grad.numpy(), rtol=0, atol=1e-12)


def test_save_writes_zeros_for_an_absent_bias_even_if_its_array_was_written_to(tmp_path):
    """The unused zero array of a bias-free layer may be written to by generic code (an optimiser with a
    hand-edited gradient); the network ignores it, and save/copy do not carry it."""
    net = MLP.init([2, 3, 1], rng=0, bias=[False, True])
    X = np.random.default_rng(0).normal(size=(4, 2))
    before = net.predict(X)
    net.biases[0] += 1.0
    np.testing.assert_array_equal(net.predict(X), before)
    net.save(tmp_path / "m.npz")
    back = MLP.load(tmp_path / "m.npz")
    assert back.has_bias == (False, True) and np.all(back.biases[0] == 0) and np.all(net.copy().biases[0] == 0)
