"""Weighted k-means (refgrow.kmeans): the clustering step of 000's "Find Typical Mis-Predicted
Instance" and of 002's Algorithm 1.

What is asserted: weights act as multiplicities (integer weights == duplicated rows, zero weight ==
absent point, scaling all weights changes nothing), Lloyd's algorithm as a plain restatement,
monotone inertia, the k-means++ seeding distribution and that zero-weight points are never seeds,
empty-cluster relocation, the validation rules, and (optional) scikit-learn's KMeans from the same
init.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from conftest import require_oracle

from refgrow.kmeans import (KMeansResult, kmeans_plusplus, lloyd_iteration, weighted_inertia,
                            weighted_kmeans)


def blobs(seed, n_per=(6, 9, 7), D=3, spread=0.4):
    """Well-separated Gaussian blobs (seeded) with positive exponential weights."""
    rng = np.random.default_rng(seed)
    k = len(n_per)
    means = rng.normal(scale=6.0, size=(k, D))
    X = np.concatenate([m + spread * rng.normal(size=(c, D)) for m, c in zip(means, n_per)])
    w = rng.exponential(size=X.shape[0]) + 0.05
    return X, w


def init_one_per_blob(X, n_per):
    starts = np.cumsum((0,) + tuple(n_per))[:-1]
    return X[starts].copy()


# ------------------------------------------------------------------------------------------------
# plain restatement of weighted Lloyd (loops, direct distances), used as an oracle
# ------------------------------------------------------------------------------------------------
def plain_lloyd(X, w, C, max_iter, tol):
    """Lloyd's algorithm written out with loops: assign to the nearest centre, move each centre to
    the weighted mean of its points; stop on unchanged labels or total squared shift <= tol*mean
    variance; final assignment unless the labels were stable."""
    n, D = X.shape
    k = C.shape[0]
    tol_abs = tol * np.mean(np.var(X, axis=0))
    C = C.copy()
    prev = None
    strict = False
    it = 0

    def assign(C):
        labels = []
        for i in range(n):
            d = [sum((X[i, a] - C[j, a]) ** 2 for a in range(D)) for j in range(k)]
            labels.append(int(np.argmin(d)))
        return labels

    for it in range(max_iter):
        labels = assign(C)
        new = C.copy()
        for j in range(k):
            members = [i for i in range(n) if labels[i] == j]
            W = sum(w[i] for i in members)
            assert W > 0, "plain restatement does not handle empty clusters"
            new[j] = sum(w[i] * X[i] for i in members) / W
        shift = float(((new - C) ** 2).sum())
        C = new
        if labels == prev:
            strict = True
            break
        if shift <= tol_abs:
            break
        prev = labels
    if not strict:
        labels = assign(C)
    inertia = sum(w[i] * float(((X[i] - C[labels[i]]) ** 2).sum()) for i in range(n))
    return C, np.array(labels), inertia, it + 1


def _no_empty_cluster(X, w, C, max_iter):
    """True when plain Lloyd from C never empties a cluster (needed by the plain oracle)."""
    try:
        plain_lloyd(X, w, C, max_iter, 0.0)
    except AssertionError:
        return False
    return True


@settings(max_examples=25)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 4), n=st.integers(8, 25),
       tol=st.sampled_from([0.0, 1e-4, 1e-2]), max_iter=st.integers(1, 8))
def test_equals_plain_restatement_of_lloyd(seed, k, n, tol, max_iter):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) * rng.uniform(0.5, 3.0, size=2) + rng.normal(size=2) * 5
    w = rng.exponential(size=n)
    C0 = X[rng.choice(n, size=k, replace=False)] + 0.01 * rng.normal(size=(k, 2))
    assume(_no_empty_cluster(X, w, C0, max_iter))
    C, labels, inertia, n_iter = plain_lloyd(X, w, C0, max_iter, tol)
    res = weighted_kmeans(X, w, k, init=C0, max_iter=max_iter, tol=tol)
    np.testing.assert_allclose(res.centers, C, rtol=1e-11, atol=1e-11)
    np.testing.assert_array_equal(res.labels, labels)
    assert res.inertia == pytest.approx(inertia, rel=1e-11, abs=1e-12)
    assert res.n_iter == n_iter


@settings(max_examples=20)
@given(seed=st.integers(0, 2**31 - 1), reps=st.lists(st.integers(0, 4), min_size=22, max_size=22))
def test_integer_weights_equal_duplicated_rows(seed, reps):
    n_per = (6, 9, 7)
    X, _ = blobs(seed, n_per)
    counts = np.array(reps)
    starts = np.cumsum((0,) + n_per)[:-1]
    counts[starts] = np.maximum(counts[starts], 1)       # init points keep positive weight
    C0 = init_one_per_blob(X, n_per)
    a = weighted_kmeans(X, counts.astype(float), 3, init=C0, tol=0.0)
    Xd = np.repeat(X, counts, axis=0)
    b = weighted_kmeans(Xd, None, 3, init=C0, tol=0.0)
    np.testing.assert_allclose(a.centers, b.centers, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(np.repeat(a.labels, counts), b.labels)
    assert a.inertia == pytest.approx(b.inertia, rel=1e-11)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 5),
       log2_scale=st.integers(-20, 20))
def test_scaling_weights_by_power_of_two_changes_nothing(seed, k, log2_scale):
    """k-means++ probabilities w D^2 / sum(w D^2) and weighted means are invariant to w -> c w; with
    c = 2^j every floating-point operation is scaled exactly, so the result is identical bit for bit
    (the inertia scales by c)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 3))
    w = rng.exponential(size=30)
    c = 2.0 ** log2_scale
    a = weighted_kmeans(X, w, k, rng=seed, n_init=2)
    b = weighted_kmeans(X, c * w, k, rng=seed, n_init=2)
    np.testing.assert_array_equal(a.centers, b.centers)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert b.inertia == c * a.inertia


def test_scaling_weights_by_generic_factor():
    X, w = blobs(3)
    a = weighted_kmeans(X, w, 3, rng=11, n_init=3)
    b = weighted_kmeans(X, 3.7 * w, 3, rng=11, n_init=3)
    np.testing.assert_allclose(a.centers, b.centers, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert b.inertia == pytest.approx(3.7 * a.inertia, rel=1e-12)


@settings(max_examples=25)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 6), n_zero=st.integers(1, 30))
def test_zero_weight_points_are_never_seeds(seed, k, n_zero):
    """Zero-weight points are placed far away (they would dominate D^2 sampling without weights)."""
    rng = np.random.default_rng(seed)
    Xp = rng.normal(size=(12, 2))
    Xz = rng.normal(size=(n_zero, 2)) * 50 + 100
    X = np.concatenate([Xz[: n_zero // 2], Xp, Xz[n_zero // 2:]])
    w = np.concatenate([np.zeros(n_zero // 2), rng.exponential(size=12) + 1e-3,
                        np.zeros(n_zero - n_zero // 2)])
    centers, idx = kmeans_plusplus(X, w, k, rng=seed)
    assert np.all(w[idx] > 0)
    np.testing.assert_array_equal(centers, X[idx])
    assert len(set(idx.tolist())) == k              # distinct seeds (points are distinct)


def test_all_positive_points_become_centres_when_k_equals_their_number():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 2))
    w = np.array([0, 1, 0, 2, 0, 0.5, 0, 0, 3.0])
    res = weighted_kmeans(X, w, 4, rng=1)
    got = {tuple(r) for r in np.round(res.centers, 12)}
    assert got == {tuple(r) for r in np.round(X[w > 0], 12)}
    assert res.inertia == pytest.approx(0.0, abs=1e-24)


@settings(max_examples=15)
@given(seed=st.integers(0, 2**31 - 1))
def test_zero_weight_points_are_like_absent_points(seed):
    """With tol = 0 (the tolerance depends on the unweighted variance of X) and a fixed init,
    zero-weight rows change neither centres nor the labels of the other rows."""
    n_per = (6, 9, 7)
    X, w = blobs(seed, n_per)
    rng = np.random.default_rng(seed + 1)
    zero = rng.random(X.shape[0]) < 0.3
    starts = np.cumsum((0,) + n_per)[:-1]
    zero[starts] = False
    w0 = np.where(zero, 0.0, w)
    C0 = init_one_per_blob(X, n_per)
    a = weighted_kmeans(X, w0, 3, init=C0, tol=0.0)
    b = weighted_kmeans(X[~zero], w[~zero], 3, init=C0, tol=0.0)
    np.testing.assert_allclose(a.centers, b.centers, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(a.labels[~zero], b.labels)
    assert a.inertia == pytest.approx(b.inertia, rel=1e-11)


def test_first_seed_distribution_is_proportional_to_weight():
    """k = 1 k-means++ draws one seed with probability w_i / sum(w)."""
    X = np.arange(5.0)[:, None]
    w = np.array([1.0, 0.0, 2.0, 3.0, 4.0])
    rng = np.random.default_rng(123)
    draws = 4000
    counts = np.zeros(5)
    for _ in range(draws):
        _, idx = kmeans_plusplus(X, w, 1, rng=rng)
        counts[idx[0]] += 1
    p = w / w.sum()
    sd = np.sqrt(draws * p * (1 - p))
    assert counts[1] == 0
    assert np.all(np.abs(counts - draws * p) <= 5 * sd + 1e-9)


def test_second_seed_distribution_is_proportional_to_weight_times_d2():
    """With one local trial (plain k-means++), the second seed is drawn with probability
    w_i D(x_i)^2 / sum_l w_l D(x_l)^2 given the first seed.  Points: a heavy point at 0 is almost
    surely the first seed (its weight dominates)."""
    X = np.array([[0.0], [1.0], [2.0], [4.0]])
    w = np.array([1e9, 1.0, 3.0, 1.0])
    rng = np.random.default_rng(7)
    draws = 4000
    counts = np.zeros(4)
    for _ in range(draws):
        _, idx = kmeans_plusplus(X, w, 2, rng=rng, n_local_trials=1)
        if idx[0] == 0:
            counts[idx[1]] += 1
    total = counts.sum()
    assert total > 0.99 * draws
    mass = w * X[:, 0] ** 2
    mass[0] = 0.0
    p = mass / mass.sum()                     # 1, 12, 16 over 29
    sd = np.sqrt(total * p * (1 - p))
    assert np.all(np.abs(counts - total * p) <= 5 * sd + 1e-9)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 5))
def test_lloyd_never_increases_the_inertia(seed, k):
    """Each Lloyd step (assignment, then weighted means) cannot increase J = sum w ||x - c||^2."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    w = rng.exponential(size=40)
    C = X[rng.choice(40, size=k, replace=False)]
    prev = np.inf
    for _ in range(6):
        newC, labels = lloyd_iteration(X, w, C)
        J_assign = weighted_inertia(X, w, C, labels)          # after the assignment step
        J_update = weighted_inertia(X, w, newC, labels)       # after the mean update
        assert J_assign <= prev * (1 + 1e-12) + 1e-12
        assert J_update <= J_assign * (1 + 1e-12) + 1e-12
        prev, C = J_update, newC


def test_weighted_mean_minimises_cluster_inertia():
    """The update c = sum w x / sum w is the minimiser of sum w ||x - c||^2 (zero gradient,
    and any perturbation increases it)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(15, 4))
    w = rng.exponential(size=15)
    C, labels = lloyd_iteration(X, w, X[:1])
    J = weighted_inertia(X, w, C, labels)
    for _ in range(20):
        d = 1e-3 * rng.normal(size=(1, 4))
        assert weighted_inertia(X, w, C + d, labels) > J


def test_empty_cluster_is_relocated_to_largest_weighted_contribution():
    X = np.array([[0.0], [1.0], [3.0], [10.0], [30.0]])
    w = np.array([1.0, 1.0, 5.0, 1.0, 0.0])
    C0 = np.array([[0.0], [100.0]])          # centre 1 attracts nothing but the zero-weight point
    C1, labels = lloyd_iteration(X, w, C0)
    np.testing.assert_array_equal(labels, [0, 0, 0, 0, 0])
    # w d^2 to centre 0: 0, 1, 45, 100, 0 -> x = 10 is moved to the empty cluster
    np.testing.assert_allclose(C1[1], [10.0])
    np.testing.assert_allclose(C1[0], [(0 + 1 + 15) / 7.0])
    res = weighted_kmeans(X, w, 2, init=C0)
    assert 30.0 not in res.centers.ravel()        # the zero-weight point never becomes a centre
    assert np.all(np.bincount(res.labels[w > 0], weights=w[w > 0], minlength=2) > 0)


def test_result_type_and_shapes():
    X, w = blobs(0)
    res = weighted_kmeans(X, w, 3, rng=0)
    assert isinstance(res, KMeansResult)
    assert res.centers.shape == (3, X.shape[1]) and res.centers.dtype == np.float64
    assert res.labels.shape == (X.shape[0],) and res.labels.dtype == np.int64
    assert isinstance(res.inertia, float) and res.n_iter >= 1
    assert res.inertia == pytest.approx(weighted_inertia(X, w, res.centers, res.labels), rel=1e-13)
    # centres are the weighted means of their clusters at convergence
    for j in range(3):
        m = res.labels == j
        np.testing.assert_allclose(res.centers[j], (w[m] @ X[m]) / w[m].sum(), rtol=1e-12)


def test_n_init_keeps_the_lowest_inertia():
    X, w = blobs(4, n_per=(10, 10, 10, 10))
    single = [weighted_kmeans(X, w, 4, rng=np.random.default_rng(s)).inertia for s in range(6)]
    best = weighted_kmeans(X, w, 4, rng=0, n_init=6).inertia
    assert best <= max(single) + 1e-12
    assert best == pytest.approx(min(single), rel=1e-12) or best <= min(single)


# ------------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------------
def test_rejects_negative_weights():
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        weighted_kmeans(np.zeros((3, 1)) + [[0], [1], [2]], [1.0, -0.5, 1.0], 2)


def test_rejects_all_zero_weights():
    with pytest.raises(ValueError, match="all zeros"):
        weighted_kmeans(np.arange(3.0)[:, None], np.zeros(3), 1)


def test_rejects_more_clusters_than_positive_weight_points():
    with pytest.raises(ValueError, match="n_clusters must be <= the number of positive-weight"):
        weighted_kmeans(np.arange(4.0)[:, None], [1.0, 0.0, 2.0, 0.0], 3)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(sample_weight=[1.0, np.nan, 1.0]), ValueError, "finite"),
    (dict(sample_weight=[1.0, 1.0]), ValueError, r"shape \(3,\)"),
    (dict(n_clusters=0), ValueError, "n_clusters must be >= 1"),
    (dict(n_clusters=1.5), TypeError, "n_clusters must be an integer"),
    (dict(init=np.zeros((3, 1))), ValueError, "init must have shape"),
    (dict(init="random"), ValueError, "init must be"),
    (dict(init=np.zeros((2, 1)), n_init=2), ValueError, "n_init must be 1"),
    (dict(tol=-1.0), ValueError, "tol must be"),
    (dict(max_iter=0), ValueError, "max_iter must be >= 1"),
])
def test_argument_errors_name_the_argument(kwargs, exc, match):
    args = dict(X=np.arange(3.0)[:, None], sample_weight=np.ones(3), n_clusters=2)
    args.update(kwargs)
    X, sw, k = args.pop("X"), args.pop("sample_weight"), args.pop("n_clusters")
    with pytest.raises(exc, match=match):
        weighted_kmeans(X, sw, k, **args)


def test_rejects_nan_points():
    X = np.array([[0.0], [np.inf], [1.0]])
    with pytest.raises(ValueError, match="X must be finite"):
        weighted_kmeans(X, None, 1)


# ------------------------------------------------------------------------------------------------
# optional cross-check with scikit-learn
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_matches_scikit_learn_from_the_same_init(seed):
    sklearn_cluster = require_oracle("sklearn.cluster")
    rng = np.random.default_rng(seed)
    n, D, k = 300, 5, 4
    group = np.arange(n) % k
    X = rng.normal(size=(n, D)) + 4 * group[:, None]
    w = rng.exponential(size=n)
    # one initial centre per group, so that no cluster empties: the two libraries relocate
    # empty clusters by different (documented) rules
    C0 = X[[rng.choice(np.flatnonzero(group == g)) for g in range(k)]]
    for max_iter, tol in ((1, 1e-4), (3, 0.0), (300, 1e-4), (300, 0.0)):
        km = sklearn_cluster.KMeans(n_clusters=k, init=C0, n_init=1, max_iter=max_iter, tol=tol,
                                    algorithm="lloyd").fit(X, sample_weight=w)
        res = weighted_kmeans(X, w, k, init=C0, max_iter=max_iter, tol=tol)
        np.testing.assert_allclose(res.centers, km.cluster_centers_, rtol=1e-10, atol=1e-10)
        np.testing.assert_array_equal(res.labels, km.labels_)
        assert res.inertia == pytest.approx(km.inertia_, rel=1e-10)
        assert res.n_iter == km.n_iter_


def test_duplicate_points_warn_instead_of_failing():
    """Two clusters requested on two positive-weight copies of one point: the second cluster cannot
    carry weight; the run finishes with zero inertia and says so."""
    X = np.array([[1.0, 1.0], [1.0, 1.0], [5.0, 5.0]])
    w = np.array([1.0, 2.0, 0.0])
    with pytest.warns(RuntimeWarning, match="only 1 of n_clusters=2"):
        res = weighted_kmeans(X, w, 2, rng=0)
    assert res.inertia == pytest.approx(0.0, abs=1e-24)         # up to centring round-off
    assert not np.any(np.all(res.centers == [5.0, 5.0], axis=1))
