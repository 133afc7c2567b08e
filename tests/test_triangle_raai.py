"""Baseline initialisations of paper 003 Tables 1-2: PyTorch default, RAI and RAAI (approx.).

Only properties that do not depend on RAAI's missing constants are tested (RAAI [docs/references.md#raai], RAI [docs/references.md#rai]).
"""
import numpy as np
import pytest

from refgrow import triangle as tr

SIZES = [1, 4, 4, 4, 4, 4, 1]


def test_torch_default_bounds_and_moments():
    Ws, bs = tr.torch_default_init([3, 50, 2], rng=0, runs=200)
    for W, b in zip(Ws, bs):
        bound = 1 / np.sqrt(W.shape[-1])
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        # U(-k, k) has variance k^2/3
        assert W.var() == pytest.approx(bound ** 2 / 3, rel=0.03)


@pytest.mark.parametrize("init", [tr.rai_init, tr.raai_init])
def test_exactly_one_beta_entry_per_row(init):
    Ws, bs, idx = init([3, 8, 5], rng=1, runs=4000)
    for W, b, j in zip(Ws, bs, idx):
        V = np.concatenate([W, b[..., None]], axis=-1)            # rows [W, b]
        fan_in = W.shape[-1]
        assert j.shape == V.shape[:-1]
        assert j.min() == 0 and j.max() == fan_in                  # the bias may be chosen
        picked = np.take_along_axis(V, j[..., None], axis=-1)[..., 0]
        assert np.all(picked > 0) and np.all(picked < 1)           # Beta(2, 1) lives in (0, 1)
        # Beta(2, 1): mean 2/3, P(B <= t) = t^2
        assert picked.mean() == pytest.approx(2 / 3, abs=0.01)
        assert np.mean(picked <= 0.5) == pytest.approx(0.25, abs=0.015)
        # the position is uniform over the fan_in + 1 entries
        counts = np.bincount(j.ravel(), minlength=fan_in + 1) / j.size
        np.testing.assert_allclose(counts, 1 / (fan_in + 1), atol=0.01)


def test_rai_gaussian_part_has_sigma():
    Ws, bs, idx = tr.rai_init([10, 8, 5], rng=2, runs=3000)
    W, b, j = Ws[0], bs[0], idx[0]
    V = np.concatenate([W, b[..., None]], axis=-1)
    mask = np.ones(V.shape, bool)
    np.put_along_axis(mask, j[..., None], False, axis=-1)
    g = V[mask]
    assert g.mean() == pytest.approx(0.0, abs=0.005)
    assert g.std() == pytest.approx(0.6007 / np.sqrt(10), rel=0.02)


def test_raai_rows_are_anticorrelated_with_same_variance():
    fan_in = 4
    Ws, bs, idx = tr.raai_init([fan_in, 6, 1], rng=3, runs=20000)
    W, b, j = Ws[0], bs[0], idx[0]
    V = np.concatenate([W, b[..., None]], axis=-1).reshape(-1, fan_in + 1)
    j = j.ravel()
    # two Gaussian entries of a row: choose rows whose Beta entry is neither column 0 nor 1
    rows = (j != 0) & (j != 1)
    x0, x1 = V[rows, 0], V[rows, 1]
    sigma = 0.6007 / np.sqrt(fan_in)
    assert np.corrcoef(x0, x1)[0, 1] == pytest.approx(-1 / fan_in, abs=0.02)
    assert x0.std() == pytest.approx(sigma, rel=0.02)


def _dead_fraction(init, runs=3000, seed=0):
    x = np.linspace(0, 1, 200)[:, None]
    Ws, bs = init(SIZES, rng=seed, runs=runs)[:2]
    _, (inputs, masks) = tr.batched_forward(Ws, bs, x)
    dead = np.zeros(runs, bool)
    for m in masks:
        dead |= ~m.any(axis=(1, 2))
    return dead.mean()


def test_fewer_dead_networks_than_kaiming_on_paper_setup():
    # Sec. 4.2: "RAAI is able to eliminate most, but not all of the dying ReLU instances"
    d_torch = _dead_fraction(tr.torch_default_init)
    d_rai = _dead_fraction(tr.rai_init)
    d_raai = _dead_fraction(tr.raai_init)
    assert d_torch > 0.05
    assert d_raai < d_torch / 3 and d_rai < d_torch / 3


def test_bad_sizes():
    with pytest.raises(ValueError, match="sizes"):
        tr.rai_init([3])
    with pytest.raises(ValueError, match="sizes"):
        tr.torch_default_init([3, 0, 1])
