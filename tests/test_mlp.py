"""MLP forward/backward, growth, persistence and validation."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from refgrow.gradcheck import min_abs_preactivation, numerical_gradient, rel_error
from refgrow.losses import mse, softmax_cross_entropy
from refgrow.mlp import MLP


def _data(rng, n, D, K, loss):
    X = rng.normal(size=(n, D))
    y = rng.integers(0, K, size=n) if loss == "ce" else rng.normal(size=(n, K))
    return X, y


@given(depth=st.integers(1, 4), width=st.integers(1, 6), n=st.integers(1, 7), D=st.integers(1, 4),
       K=st.integers(2, 4), loss=st.sampled_from(["ce", "mse"]),
       activation=st.sampled_from(["relu", "tanh", "identity"]), seed=st.integers(0, 2**31 - 1),
       bias=st.lists(st.booleans(), min_size=5, max_size=5))
def test_backward_matches_centred_finite_differences(depth, width, n, D, K, loss, activation, seed, bias):
    """Every hand-written gradient (dW, db, dX) equals centred finite differences, rel. error < 1e-6,
    also with some layers bias-free (``nn.Linear(bias=False)``): the gradient of an absent bias is zero,
    and perturbing its unused zero array does not change the loss."""
    rng = np.random.default_rng(seed)
    flags = bias[:depth + 1]
    net = MLP.init([D] + [width] * depth + [K], rng=rng, init="torch", activation=activation, bias=flags)
    X, y = _data(rng, n, D, K, loss)
    # finite differences are only valid away from ReLU kinks (the function is piecewise affine)
    assume(activation != "relu" or min_abs_preactivation(net, X) > 1e-4)
    fn = softmax_cross_entropy if loss == "ce" else mse
    out, cache = net.forward(X)
    g = net.backward(cache, fn(out, y)[1])

    def value():
        return fn(net.forward(X)[0], y)[0]

    for l in range(len(net.weights)):
        assert rel_error(g.weights[l], numerical_gradient(value, net.weights[l])) < 1e-6, f"dW[{l}]"
        assert rel_error(g.biases[l], numerical_gradient(value, net.biases[l])) < 1e-6, f"db[{l}]"
        assert flags[l] or np.all(g.biases[l] == 0), f"db[{l}] of a bias-free layer"
    assert rel_error(g.inputs, numerical_gradient(value, X)) < 1e-6, "dX"
    assert g.inputs.shape == X.shape
    assert all(gw.shape == w.shape for gw, w in zip(g.weights, net.weights))


def test_preact_gradients_are_the_chain_rule_intermediates():
    """grads.preacts[l] is dL/dz_l: dW_l = dz_l^T a_l and db_l = column sums."""
    rng = np.random.default_rng(1)
    net = MLP.init([3, 5, 4, 2], rng=rng)
    X = rng.normal(size=(6, 3))
    out, cache = net.forward(X)
    g = net.backward(cache, rng.normal(size=out.shape))
    for l in range(3):
        np.testing.assert_allclose(g.weights[l], g.preacts[l].T @ cache.inputs[l], rtol=1e-13)
        np.testing.assert_allclose(g.biases[l], g.preacts[l].sum(0), rtol=1e-13)


def test_forward_is_the_composition_of_the_paper_formula():
    rng = np.random.default_rng(2)
    net = MLP.init([3, 4, 5, 2], rng=rng, init="torch")
    X = rng.normal(size=(7, 3))
    ref = X
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        ref = np.maximum(W @ ref.T + b[:, None], 0).T          # sigma(W x + b), column form
    ref = (net.weights[-1] @ ref.T + net.biases[-1][:, None]).T
    np.testing.assert_allclose(net.predict(X), ref, rtol=1e-13, atol=1e-14)


def test_relu_derivative_at_zero_is_zero():
    net = MLP([np.array([[1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)])
    out, cache = net.forward(np.array([[0.0]]))
    g = net.backward(cache, np.ones_like(out))
    assert g.inputs[0, 0] == 0.0 and g.weights[0][0, 0] == 0.0


@given(seed=st.integers(0, 10_000), h=st.integers(0, 2), k=st.integers(1, 4))
def test_add_neurons_with_zero_fan_out_preserves_outputs_bitwise(seed, h, k):
    rng = np.random.default_rng(seed)
    net = MLP.init([3, 4, 5, 6, 2], rng=rng)
    X = rng.normal(size=(9, 3))
    d_prev, d_next = net.weights[h].shape[1], net.weights[h + 1].shape[0]
    grown = net.add_neurons(h, rng.normal(size=(k, d_prev)), rng.normal(size=k), np.zeros((d_next, k)))
    assert grown.sizes[h + 1] == net.sizes[h + 1] + k
    assert np.array_equal(grown.predict(X), net.predict(X))
    assert grown.n_params == net.n_params + k * (d_prev + 1 + d_next)


@given(seed=st.integers(0, 10_000), alpha=st.floats(-5, 5), k=st.integers(1, 3))
def test_uniform_fan_out_in_last_hidden_layer_keeps_softmax_loss(seed, alpha, k):
    """w_out = alpha*1 shifts all logits by the same amount: softmax and its loss are unchanged."""
    rng = np.random.default_rng(seed)
    net = MLP.init([2, 5, 3], rng=rng)
    X, y = rng.normal(size=(10, 2)), rng.integers(0, 3, size=10)
    grown = net.add_neurons(0, rng.normal(size=(k, 2)), rng.normal(size=k), alpha * np.ones((3, k)))
    before, after = net.loss(X, y), grown.loss(X, y)
    assert after == pytest.approx(before, rel=1e-12, abs=1e-13)


def test_add_neurons_does_not_modify_the_original():
    net = MLP.init([2, 3, 1], rng=0)
    W0 = net.weights[0].copy()
    net.add_neurons(0, np.ones((1, 2)), np.ones(1), np.ones((1, 1)))
    assert np.array_equal(net.weights[0], W0) and net.sizes == [2, 3, 1]


def test_remove_neurons_undoes_add_neurons():
    rng = np.random.default_rng(3)
    net = MLP.init([2, 3, 2], rng=rng)
    grown = net.add_neurons(0, rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(2, 2)))
    back = grown.remove_neurons(0, [3, 4])
    assert all(np.array_equal(a, b) for a, b in zip(back.parameters(), net.parameters()))


def test_activation_patterns_are_the_signs_of_preactivations():
    rng = np.random.default_rng(4)
    net = MLP.init([2, 3, 4, 1], rng=rng)
    X = rng.normal(size=(5, 2))
    pats = net.activation_patterns(X)
    _, cache = net.forward(X)
    assert [p.shape for p in pats] == [(5, 3), (5, 4)]
    assert np.array_equal(pats[1], cache.preacts[1] > 0)


def test_preacts_and_patterns_follow_the_layer_recursion():
    """z_0 = x W_0^T + b_0, a_{l+1} = max(z_l, 0), z_{l+1} = a_{l+1} W_{l+1}^T + b_{l+1}; pattern = z > 0."""
    rng = np.random.default_rng(5)
    net = MLP.init([3, 4, 5, 2], rng=rng, init="torch")
    X = rng.normal(size=(6, 3))
    zs, pats = net.preacts_and_patterns(X)
    a = X
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        z = a @ W.T + b
        np.testing.assert_allclose(zs[l], z, rtol=1e-14, atol=1e-14)
        a = np.maximum(z, 0.0)
    assert len(pats) == net.n_hidden and [p.dtype for p in pats] == [bool, bool]
    assert all(np.array_equal(p, z > 0) for p, z in zip(pats, zs))
    assert np.array_equal(zs[-1], net.predict(X))                       # the forward of the outputs


def test_patterns_count_a_zero_preactivation_as_off():
    net = MLP([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])
    _, pats = net.preacts_and_patterns(np.array([[0.0], [1.0]]))
    assert pats[0].tolist() == [[False, False], [True, False]]


def test_preacts_and_patterns_of_a_grown_network_are_its_forward():
    rng = np.random.default_rng(6)
    net = MLP.init([2, 3, 2], rng=rng).add_neurons(0, rng.normal(size=(2, 2)), rng.normal(size=2),
                                                    rng.normal(size=(2, 2)))
    X = rng.normal(size=(7, 2))
    zs, pats = net.preacts_and_patterns(X)
    _, cache = net.forward(X)
    assert all(np.array_equal(z, c) for z, c in zip(zs, cache.preacts))
    zs2, _ = net.preacts_and_patterns(X, check_input=False)
    assert all(np.array_equal(z, c) for z, c in zip(zs, zs2))
    with pytest.raises(ValueError, match="X must have 2 columns"):
        net.preacts_and_patterns(np.ones((3, 3)))


def test_as_mlp_accepts_parameter_lists_and_checks_the_activation():
    from types import SimpleNamespace

    from refgrow.mlp import as_mlp
    net = MLP.init([2, 3, 1], rng=0, activation="tanh")
    assert as_mlp(net) is net
    X = np.random.default_rng(0).normal(size=(4, 2))
    duck = as_mlp(SimpleNamespace(weights=net.weights, biases=net.biases, activation="tanh"))
    assert duck.activation == "tanh" and np.array_equal(duck.predict(X), net.predict(X))
    pair = as_mlp((net.weights, net.biases))
    assert pair.activation == "relu"
    assert np.array_equal(pair.predict(X), MLP(net.weights, net.biases).predict(X))
    with pytest.raises(TypeError, match="net must be an MLP"):
        as_mlp(3)
    with pytest.raises(ValueError, match="relu"):
        as_mlp(net, activation="relu")
    with pytest.raises(ValueError, match="weights\\[0\\]"):
        as_mlp(([np.ones(3)], [np.zeros(1)]))


def test_init_schemes_have_the_documented_distributions():
    rng = np.random.default_rng(5)
    fan_in = 400
    k = MLP.init([fan_in, 300, 1], rng=rng, init="kaiming")
    assert np.var(k.weights[0]) == pytest.approx(2 / fan_in, rel=0.03)
    assert np.all(k.biases[0] == 0)
    t = MLP.init([fan_in, 300, 1], rng=rng, init="torch")
    bound = 1 / np.sqrt(fan_in)
    assert np.abs(t.weights[0]).max() <= bound and np.abs(t.biases[0]).max() <= bound
    assert np.var(t.weights[0]) == pytest.approx(bound**2 / 3, rel=0.03)   # U(-a, a) has var a^2/3
    z = MLP.init([3, 2, 1], init="zeros")
    assert all(np.all(p == 0) for p in z.parameters())


def test_same_seed_same_bits():
    a, b = MLP.init([4, 7, 3], rng=11), MLP.init([4, 7, 3], rng=np.random.default_rng(11))
    assert all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


# ----------------------------------------------------------------------------- persistence
def test_save_load_round_trip_is_exact(tmp_path):
    net = MLP.init([3, 4, 2], rng=6, activation="tanh")
    net.save(tmp_path / "m.npz")
    back = MLP.load(tmp_path / "m.npz")
    assert back.activation == "tanh" and back.sizes == net.sizes
    assert all(np.array_equal(p, q) for p, q in zip(back.parameters(), net.parameters()))


def _write(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("case", ["missing", "shape", "dtype", "object", "garbage"])
def test_load_rejects_bad_files(tmp_path, case):
    p = tmp_path / "bad.npz"
    good = dict(n_layers=np.int64(2), activation=np.str_("relu"), W0=np.ones((3, 2)), b0=np.ones(3),
                W1=np.ones((1, 3)), b1=np.ones(1))
    if case == "missing":
        del good["b1"]
    elif case == "shape":
        good["W1"] = np.ones((1, 4))
    elif case == "dtype":
        good["W0"] = np.array([["a", "b"]] * 3)
    elif case == "object":
        good["W0"] = np.array([None, 1], dtype=object)
    if case == "garbage":
        p.write_bytes(b"not a zip file")
    else:
        _write(p, **good)
    with pytest.raises(ValueError):
        MLP.load(p)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("X, match", [
    (np.array([[np.nan, 1.0]]), "finite"), (np.array([[np.inf, 1.0]]), "finite"),
    (np.ones(2), "ndim"), (np.ones((3, 5)), "columns"), (np.ones((0, 2)), "empty")])
def test_forward_rejects_bad_X(X, match):
    with pytest.raises(ValueError, match=match):
        MLP.init([2, 3, 1], rng=0).forward(X)


def test_constructor_and_init_validation():
    with pytest.raises(ValueError, match="weights\\[1\\]"):
        MLP([np.ones((3, 2)), np.ones((1, 4))], [np.ones(3), np.ones(1)])
    with pytest.raises(ValueError, match="biases\\[0\\]"):
        MLP([np.ones((3, 2))], [np.ones(2)])
    with pytest.raises(ValueError, match="sizes\\[1\\]"):
        MLP.init([2, 0, 1])
    with pytest.raises(TypeError, match="sizes\\[0\\]"):
        MLP.init([2.5, 3, 1])
    with pytest.raises(ValueError, match="init"):
        MLP.init([2, 3, 1], init="xavier")
    with pytest.raises(ValueError, match="activation"):
        MLP.init([2, 3, 1], activation="gelu")


def test_add_neurons_validation():
    net = MLP.init([2, 3, 4, 1], rng=0)
    with pytest.raises(ValueError, match="hidden_layer"):
        net.add_neurons(2, np.ones((1, 4)), np.ones(1), np.ones((1, 1)))
    with pytest.raises(ValueError, match="w_in"):
        net.add_neurons(0, np.ones((1, 3)), np.ones(1), np.ones((4, 1)))
    with pytest.raises(ValueError, match="w_out"):
        net.add_neurons(0, np.ones((1, 2)), np.ones(1), np.ones((3, 1)))
    with pytest.raises(ValueError, match="b_in"):
        net.add_neurons(0, np.ones((2, 2)), np.ones(1), np.ones((4, 2)))
    with pytest.raises(ValueError, match="finite"):
        net.add_neurons(0, np.full((1, 2), np.nan), np.ones(1), np.ones((4, 1)))


def test_backward_rejects_wrong_d_out():
    net = MLP.init([2, 3, 2], rng=0)
    out, cache = net.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="d_out"):
        net.backward(cache, np.ones((4, 3)))
    with pytest.raises(TypeError, match="cache"):
        net.backward({}, np.ones((4, 2)))


@given(seed=st.integers(0, 10_000), ks=st.lists(st.integers(1, 3), min_size=1, max_size=4))
def test_grown_network_gradients_match_finite_differences(seed, ks):
    """The block-wise evaluation kept after add_neurons (see the MLP note) has correct gradients."""
    rng = np.random.default_rng(seed)
    net = MLP.init([2, 3, 3, 2], rng=rng, init="torch", activation="tanh")
    for i, k in enumerate(ks):
        h = i % 2
        d_prev, d_next = net.weights[h].shape[1], net.weights[h + 1].shape[0]
        net = net.add_neurons(h, rng.normal(size=(k, d_prev)), rng.normal(size=k),
                              rng.normal(size=(d_next, k)))
    X, y = rng.normal(size=(5, 2)), rng.integers(0, 2, size=5)
    out, cache = net.forward(X)
    g = net.backward(cache, softmax_cross_entropy(out, y)[1])

    def value():
        return softmax_cross_entropy(net.forward(X)[0], y)[0]

    for l in range(3):
        assert rel_error(g.weights[l], numerical_gradient(value, net.weights[l])) < 1e-6
    assert rel_error(g.inputs, numerical_gradient(value, X)) < 1e-6
    np.testing.assert_allclose(net.merge_blocks().predict(X), out, rtol=1e-12, atol=1e-13)


def test_blocks_survive_remove_and_save(tmp_path):
    rng = np.random.default_rng(7)
    net = MLP.init([2, 4, 2], rng=rng)
    g = net.add_neurons(0, rng.normal(size=(2, 2)), rng.normal(size=2), np.zeros((2, 2)))
    g = g.add_neurons(0, rng.normal(size=(1, 2)), rng.normal(size=1), np.zeros((2, 1)))
    assert g.blocks == [[4, 2, 1]]
    assert g.remove_neurons(0, [4, 5]).blocks == [[4, 1]]
    g.save(tmp_path / "g.npz")
    back = MLP.load(tmp_path / "g.npz")
    assert back.blocks == g.blocks
    X = rng.normal(size=(6, 2))
    assert np.array_equal(back.predict(X), net.predict(X))


def test_loss_and_grads_sum_is_n_times_mean_and_rejects_none():
    """'sum' differentiates sum_i l_i (TINY's per-sample convention) = n * the mean loss."""
    rng = np.random.default_rng(8)
    net = MLP.init([2, 3, 2], rng=rng)
    X, y = rng.normal(size=(6, 2)), rng.integers(0, 2, size=6)
    m, gm, _ = net.loss_and_grads(X, y)
    s, gs, _ = net.loss_and_grads(X, y, reduction="sum")
    assert s == pytest.approx(6 * m, rel=1e-13)
    np.testing.assert_allclose(gs.preacts[0], 6 * gm.preacts[0], rtol=1e-12)
    with pytest.raises(ValueError, match="reduction"):
        net.loss_and_grads(X, y, reduction="none")
