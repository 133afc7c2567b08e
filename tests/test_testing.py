"""refgrow.testing: each helper accepts the true ambiguity and rejects a real difference."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from refgrow.growth.gradmax import gradmax_neurons
from refgrow.growth.tiny import new_neurons, with_ones
from refgrow.mlp import MLP
from refgrow.testing import (assert_allclose_report, assert_neurons_equivalent, assert_same_function,
                             convention_hints)


# ------------------------------------------------------------------------------ assert_allclose_report
def test_allclose_report_passes_within_tolerance_and_reports_worst_entries():
    ref = np.arange(12.0).reshape(3, 4)
    rep = assert_allclose_report(ref + 1e-13, ref)
    assert rep["ok"] and rep["max_abs"] < 2e-13
    yours = ref.copy()
    yours[2, 1] += 1e-3
    yours[0, 3] += 1e-6
    with pytest.raises(AssertionError) as e:
        assert_allclose_report(yours, ref, name="dW")
    msg = str(e.value)
    assert msg.startswith("dW: refgrow vs yours: 2 of 12 entries differ")
    lines = msg.splitlines()
    worst = [ln for ln in lines if ln.strip().startswith("[")]
    assert worst[0].split()[0] == "[2," and worst[0].split()[1] == "1]"      # largest first
    assert worst[1].split()[0] == "[0," and worst[1].split()[1] == "3]"
    assert "max abs deviation 1.000e-03" in msg


def test_allclose_report_hints_known_conventions():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(3, 5))
    with pytest.raises(AssertionError, match="transposed weight"):
        assert_allclose_report(ref.T, ref)
    with pytest.raises(AssertionError, match="sign of the update"):
        assert_allclose_report(-ref, ref)
    with pytest.raises(AssertionError, match="factor K in MSE"):
        assert_allclose_report(3 * ref, ref, factors={"K": 3, "n": 10})
    with pytest.raises(AssertionError, match="factor n"):
        assert_allclose_report(ref / 10, ref, factors={"K": 3, "n": 10})
    # a real difference gets no hint
    with pytest.raises(AssertionError) as e:
        assert_allclose_report(ref + rng.normal(size=ref.shape) * 1e-3, ref, factors={"K": 3})
    assert "hint" not in str(e.value)


def test_convention_hints_svd_sign_and_order():
    rng = np.random.default_rng(1)
    ref = rng.normal(size=(4, 3))
    flipped = ref * np.array([1.0, -1.0, 1.0])
    assert convention_hints(flipped, ref)[0].startswith("SVD sign: columns [1]")
    perm = ref[:, [2, 0, 1]]
    assert convention_hints(perm, ref)[0].startswith("order of neurons")
    assert convention_hints(ref + 1e-3, ref) == []


# ------------------------------------------------------------------------------ assert_neurons_equivalent
def _tiny(seed, n=40, d=3, d_out=3):
    rng = np.random.default_rng(seed)
    return new_neurons(with_ones(rng.normal(size=(n, d))), rng.normal(size=(n, d_out))), rng


@given(seed=st.integers(0, 2**31 - 1), data=st.data())
def test_tiny_neurons_equivalent_up_to_permutation_sign_and_rescaling(seed, data):
    nn, rng = _tiny(seed)
    k = nn.alpha.shape[0]
    perm = data.draw(st.permutations(range(k)))
    signs = np.array(data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=k, max_size=k)))
    c = np.array(data.draw(st.lists(st.floats(0.1, 10.0), min_size=k, max_size=k))) * signs
    yours = (nn.alpha[perm] * c[perm, None], nn.omega[:, perm] / c[perm])
    assert_neurons_equivalent(yours, nn)                                  # must not raise
    bad = (yours[0].copy(), yours[1])
    i = data.draw(st.integers(0, k - 1))
    bad[0][i, 0] += 1e-4 * np.abs(bad[0]).max()                         # a real difference in one unit
    with pytest.raises(AssertionError, match="has no counterpart in yours"):
        assert_neurons_equivalent(bad, nn)


def _degenerate_units(theta, pair):
    """Neurons with lambda = [2, 1, 1]; units ``pair`` rotated by ``theta`` (a valid SVD iff degenerate)."""
    rng = np.random.default_rng(5)
    Wl = np.linalg.qr(rng.normal(size=(4, 3)))[0]       # fan-in directions
    Vl = np.linalg.qr(rng.normal(size=(3, 3)))[0]       # fan-out directions
    lam = np.array([2.0, 1.0, 1.0])
    ref = (Wl.T * np.sqrt(lam)[:, None], Vl * np.sqrt(lam))
    R = np.eye(3)
    i, j = pair
    R[np.ix_([i, j], [i, j])] = [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]
    yours = ((Wl @ R).T * np.sqrt(lam)[:, None], (Vl @ R) * np.sqrt(lam))
    return ref, yours, lam


def test_rotation_within_equal_singular_values_is_accepted_and_across_is_rejected():
    ref, yours, lam = _degenerate_units(0.7, (1, 2))
    assert_neurons_equivalent(yours, ref, singular_values=lam)
    with pytest.raises(AssertionError):                                   # without the grouping: different units
        assert_neurons_equivalent(yours, ref)
    ref, yours, lam = _degenerate_units(0.7, (0, 1))                       # lambda 2 and 1: not an SVD ambiguity
    with pytest.raises(AssertionError, match="no counterpart"):
        assert_neurons_equivalent(yours, ref, singular_values=lam)


def test_relu_kind_accepts_positive_rescaling_only():
    rng = np.random.default_rng(2)
    w_in, b_in, w_out = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(4, 3))
    c = np.array([0.5, 2.0, 3.0])
    perm = [2, 0, 1]
    yours = ((w_in * c[:, None])[perm], (b_in * c)[perm], (w_out / c)[:, perm])
    assert_neurons_equivalent(yours, (w_in, b_in, w_out), kind="relu")
    flipped = (yours[0] * np.array([[1.0], [-1.0], [1.0]]), yours[1] * np.array([1.0, -1.0, 1.0]),
               yours[2] * np.array([1.0, -1.0, 1.0]))
    with pytest.raises(AssertionError, match="changes a ReLU network's function"):
        assert_neurons_equivalent(flipped, (w_in, b_in, w_out), kind="relu")
    assert_neurons_equivalent(flipped, (w_in, b_in, w_out), kind="tiny")   # same linearised move


def test_gradmax_kind_accepts_sign_and_order_but_not_norm():
    rng = np.random.default_rng(3)
    B, V = with_ones(rng.normal(size=(30, 3))), rng.normal(size=(30, 4))
    nn = gradmax_neurons(B, V, 3, c=1.0)
    yours = (nn.w_in, nn.b_in, nn.w_out[:, [1, 2, 0]] * np.array([-1.0, 1.0, -1.0]))
    assert_neurons_equivalent(yours, nn, kind="gradmax")
    with pytest.raises(AssertionError):
        assert_neurons_equivalent((nn.w_in, nn.b_in, 1.01 * nn.w_out), nn, kind="gradmax")
    assert np.all(nn.w_in == 0)
    with pytest.raises(AssertionError):                       # zero fan-in must not make everything equal
        assert_neurons_equivalent((nn.w_in, nn.b_in, rng.normal(size=nn.w_out.shape)), nn, kind="gradmax")


def test_neurons_shape_mismatch_is_reported():
    nn, _ = _tiny(0)
    with pytest.raises(AssertionError, match="shapes differ"):
        assert_neurons_equivalent((nn.alpha[:, :-1], nn.omega), nn)
    with pytest.raises(ValueError, match="kind must be one of"):
        assert_neurons_equivalent(nn, nn, kind="svd")


# ------------------------------------------------------------------------------ assert_same_function
def _permuted_rescaled(net, perm, c):
    W0, b0, W1 = net.weights[0][perm] * c[:, None], net.biases[0][perm] * c, net.weights[1][:, perm] / c
    return MLP([W0, W1], [b0, net.biases[1]])


@given(seed=st.integers(0, 2**31 - 1))
def test_same_function_accepts_permuted_rescaled_relu_units(seed):
    rng = np.random.default_rng(seed)
    net = MLP.init([2, 5, 3], rng=rng, init="torch")
    other = _permuted_rescaled(net, rng.permutation(5), rng.uniform(0.2, 5.0, size=5))
    assert assert_same_function(net, other, rng=seed, n_segments=4, rtol=1e-9, atol=1e-12) > 64


def test_same_function_rejects_a_bump_between_sampled_points():
    """The two networks agree at the sampled points x = -1, 1 and differ only on [0.5, 0.51], which the
    segment between the samples crosses: the region check must find it."""
    base = MLP([np.array([[1.0]]), np.array([[1.0]])], [np.array([0.0]), np.array([0.0])])
    bump_w = np.array([[100.0], [100.0], [100.0]])
    bump_b = np.array([-50.0, -50.5, -51.0])
    bumped = base.add_neurons(0, bump_w, bump_b, np.array([[1.0, -2.0, 1.0]]))
    X = np.array([[-1.0], [1.0]])
    np.testing.assert_allclose(bumped.predict(X), base.predict(X), atol=1e-12)    # the samples agree
    with pytest.raises(AssertionError, match="segment 0"):
        assert_same_function(base, bumped, X)
    with pytest.raises(AssertionError):                                  # as a callable too (bumped's kinks known)
        assert_same_function(bumped, lambda Z: base.predict(Z), X)


def test_same_function_rejects_a_different_affine_map():
    rng = np.random.default_rng(4)
    net = MLP.init([3, 4, 2], rng=rng, init="torch")
    other = net.copy()
    other.weights[1][0, 0] += 1e-6
    with pytest.raises(AssertionError, match="refgrow vs yours"):
        assert_same_function(net, other, rng=1)
    with pytest.raises(ValueError, match="X must be given"):
        assert_same_function(net.predict, other.predict)
