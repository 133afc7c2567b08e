"""Exact 1-D region counting (App. A.2 definitions of 003) and the 2-D grid count."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from refgrow.mlp import MLP
from refgrow.regions import count_grid_regions_2d, count_linear_regions, regions_1d


def _patterns(net, x):
    out, cache = net.forward(x[:, None])
    return np.concatenate([z > 0 for z in cache.preacts[:-1]], axis=1), out[:, 0]


@given(st.integers(0, 10_000), st.lists(st.integers(1, 6), min_size=1, max_size=4))
@settings(max_examples=25)
def test_pieces_are_affine_and_patterns_constant(seed, widths):
    # App. A.2: on an activation region the output is affine and the pattern is constant
    net = MLP.init([1] + widths + [1], rng=seed, init="torch")
    r = regions_1d(net, -2.0, 2.0)
    B = r.breakpoints
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.05, 0.95, (B.shape[0] - 1, 3))
    x = (B[:-1, None] + t * np.diff(B)[:, None]).ravel()
    pats, out = _patterns(net, x)
    np.testing.assert_array_equal(pats.reshape(-1, 3, pats.shape[1]),
                                  np.repeat(r.patterns[:, None, :], 3, axis=1))
    lin = (r.values[:-1, 0, None] + t * (r.values[1:, 0] - r.values[:-1, 0])[:, None]).ravel()
    np.testing.assert_allclose(out, lin, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(r.values[:, 0], net.predict(B[:, None])[:, 0], rtol=1e-9, atol=1e-12)
    # every interior breakpoint is a real pattern change, so pieces == activation regions
    assert r.n_activation_regions == B.shape[0] - 1
    assert r.n_linear_regions <= r.n_activation_regions
    assert r.n_patterns <= r.n_activation_regions


@given(st.lists(st.floats(0.02, 0.98), min_size=1, max_size=8, unique=True),
       st.lists(st.floats(0.5, 2.0), min_size=8, max_size=8), st.integers(0, 1000))
def test_shallow_network_known_count(knots, amps, seed):
    # one hidden layer relu(x - k_j) with non-zero output weights: a bend at every distinct knot
    knots = np.array(knots)
    assume(len(knots) == 1 or np.min(np.diff(np.sort(knots))) >= 1e-6)
    k = len(knots)
    sgn = np.where(np.random.default_rng(seed).uniform(size=k) < 0.5, -1.0, 1.0)
    W = [np.ones((k, 1)), (sgn * np.array(amps[:k]))[None, :]]
    b = [-knots, np.zeros(1)]
    r = regions_1d((W, b), 0.0, 1.0)
    assert r.n_linear_regions == k + 1
    assert r.n_activation_regions == k + 1
    np.testing.assert_allclose(r.breakpoints[1:-1], np.sort(knots), atol=1e-15)


def test_sawtooth_doubles_per_layer():
    # Telgarsky's symmetric tent map composed d times: 2^d linear pieces
    for d in range(1, 9):
        W = [np.array([[2.0], [2.0]])] + [np.array([[2.0, -4.0], [2.0, -4.0]])] * (d - 1) \
            + [np.array([[1.0, -2.0]])]
        b = [np.array([0.0, -1.0])] + [np.array([0.0, -1.0])] * (d - 1) + [np.zeros(1)]
        # hidden: relu(2x), relu(2x - 1); tent(x) = relu(2x) - 2 relu(2x - 1)... as 2-wide layers
        assert count_linear_regions((W, b)) == 2 ** d


def test_dead_network_has_one_region():
    W = [np.array([[1.0], [1.0]]), np.array([[1.0, 1.0]])]
    b = [np.array([-5.0, -6.0]), np.zeros(1)]
    r = regions_1d((W, b))
    assert r.n_linear_regions == 1 and r.n_activation_regions == 1


def test_grid_count_two_lines():
    W = [np.array([[1.0, 0.0], [0.0, 1.0]]), np.ones((1, 2))]
    b = [np.zeros(2), np.zeros(1)]
    assert count_grid_regions_2d((W, b), resolution=51) == 4


@pytest.mark.parametrize("bad, match", [
    (lambda: regions_1d(([np.ones((2, 2))], [np.zeros(2)])), "1-D input"),
    (lambda: regions_1d(([np.ones((2, 1)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)]), 1.0, 0.0), "lo < hi"),
    (lambda: regions_1d(MLP.init([1, 3, 1], rng=0, activation="tanh")), "relu"),
])
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def test_grid_labels_are_the_networks_activation_patterns():
    """Two grid points share a label exactly when MLP.activation_patterns agree there."""
    from refgrow.regions import grid_patterns_2d
    net = MLP.init([2, 4, 3, 1], rng=3)
    labels, xs, ys = grid_patterns_2d(net, resolution=9)
    XX, YY = np.meshgrid(xs, ys)
    P = np.concatenate(net.activation_patterns(np.stack([XX.ravel(), YY.ravel()], axis=1)), axis=1)
    same_label = labels.ravel()[:, None] == labels.ravel()[None, :]
    same_pattern = np.all(P[:, None, :] == P[None, :, :], axis=2)
    assert np.array_equal(same_label, same_pattern)
    assert np.unique(labels).size > 1


def test_parameter_pair_and_mlp_give_the_same_regions():
    net = MLP.init([1, 5, 5, 1], rng=4, init="torch")
    a, b = regions_1d(net, -2.0, 2.0), regions_1d((net.weights, net.biases), -2.0, 2.0)
    assert np.array_equal(a.breakpoints, b.breakpoints) and np.array_equal(a.patterns, b.patterns)
    # the output values at the breakpoints are the network's own outputs
    np.testing.assert_allclose(a.values, net.predict(a.breakpoints[:, None]), rtol=1e-12, atol=1e-12)
