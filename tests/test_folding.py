"""Tests of refgrow.growth.folding against the statements of 002 (Alg. 1, Thm. 3, Def. 5, Sec. 3.1)
and the slides 000.

- fold neuron: b = -w.x_fold exactly (Thm. 3: the new hyperplane passes through x_fold);
- uniform output weights leave the softmax loss and predictions unchanged (002 Sec. 2.3 "contributes
  equally to all classes"), so Algorithm 1's objective is flat for softmax CE (DESIGN note);
- the regulariser (Def. 5) is the sum of the two point-hyperplane distances, zero iff both points lie
  on the hyperplane; its gradient and the objective's gradient agree with centred finite differences;
- the growth loop on the two-sine set grows, every record points at a then-mispredicted instance,
  and accuracy after each growth step is not below accuracy before (fixed seed).
"""
import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from refgrow import geometry as G
from refgrow.datasets import two_sines
from refgrow.gradcheck import numerical_jacobian as numerical_gradient
from refgrow.growth import folding as F
from refgrow.losses import softmax, softmax_cross_entropy
from refgrow.mlp import MLP
from refgrow.optim import SGD, Adam


# ------------------------------------------------------------------------------- regulariser
@st.composite
def reg_case(draw):
    d = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    return rng.normal(size=d), float(rng.normal()), rng.normal(size=d) * 2, rng.normal(size=d) * 2


@given(reg_case())
def test_regularizer_is_sum_of_point_hyperplane_distances(case):
    w, b, pm, pf = case
    v, _, _ = F.fold_regularizer(w, b, pm, pf)
    ref = abs(G.signed_distance(pm, w, b)) + abs(G.signed_distance(pf, w, b))
    assert v == pytest.approx(ref, rel=1e-12, abs=1e-14)
    # invariant to rescaling the hyperplane equation (it is a geometric distance)
    v2, _, _ = F.fold_regularizer(3.7 * w, 3.7 * b, pm, pf)
    assert v2 == pytest.approx(v, rel=1e-12, abs=1e-14)


@given(reg_case())
def test_regularizer_gradient_matches_finite_differences(case):
    w, b, pm, pf = case
    _, gw, gb = F.fold_regularizer(w, b, pm, pf)
    theta = np.r_[w, b]
    num = numerical_gradient(lambda t: F.fold_regularizer(t[:-1], t[-1], pm, pf)[0], theta, eps=1e-6)
    # |.| has a kink on the hyperplane; random draws are away from it
    np.testing.assert_allclose(np.r_[gw, gb], num, rtol=1e-6, atol=1e-7)


@given(reg_case())
def test_regularizer_zero_iff_both_points_on_hyperplane(case):
    w, _, pm, pf = case
    # a hyperplane through both points: w orthogonal to pm - pf, b = -w.pf
    r = pm - pf
    w_on = w - (w @ r) / (r @ r) * r
    assume(np.linalg.norm(w_on) >= 1e-8)
    b_on = -(w_on @ pf)
    v, gw, gb = F.fold_regularizer(w_on, b_on, pm, pf)
    assert v <= 1e-12 * (1 + np.abs(pm).max() + np.abs(pf).max())
    # only one point on it: strictly positive (the other one's distance)
    b_f = -(w @ pf)
    v_f, _, _ = F.fold_regularizer(w, b_f, pm, pf)
    assert v_f == pytest.approx(abs(w @ (pm - pf)) / np.linalg.norm(w), rel=1e-12)
    assume(abs(w @ r) > 1e-6 * np.linalg.norm(w) * np.linalg.norm(r))   # x_mistake off the plane
    assert v_f > 0


def test_regularizer_validation():
    with pytest.raises(ValueError, match="zero"):
        F.fold_regularizer([0.0, 0.0], 1.0, [1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="shapes"):
        F.fold_regularizer([1.0, 0.0], 1.0, [1.0, 2.0, 3.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        F.fold_regularizer([1.0, np.nan], 1.0, [1.0, 2.0], [0.0, 1.0])


# ------------------------------------------------------------------------------- fold neuron
@st.composite
def grown_case(draw):
    D = draw(st.integers(1, 4))
    K = draw(st.integers(2, 4))
    h = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    net = MLP.init([D, h, K], rng=seed)
    X = rng.normal(size=(30, D))
    y = rng.integers(0, K, size=30)
    w = rng.normal(size=D)
    x_fold = rng.normal(size=D)
    beta = float(rng.normal())
    return net, X, y, w, x_fold, beta


@given(grown_case())
def test_uniform_output_weights_leave_softmax_loss_and_predictions_unchanged(case):
    net, X, y, w, x_fold, beta = case
    K = net.sizes[-1]
    grown = net.add_neurons(0, w[None], np.array([-(w @ x_fold)]), np.full((K, 1), beta))
    out0, out1 = net.predict(X), grown.predict(X)
    np.testing.assert_allclose(softmax(out1), softmax(out0), rtol=1e-10, atol=1e-13)
    assert softmax_cross_entropy(out1, y)[0] == pytest.approx(softmax_cross_entropy(out0, y)[0], rel=1e-11, abs=1e-13)
    # predictions are unchanged except where two logits tie within rounding
    top2 = np.sort(out0, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 1e-9 * (1 + np.abs(out0).max())
    np.testing.assert_array_equal(np.argmax(out1, 1)[clear], np.argmax(out0, 1)[clear])


def _problem(seed=0, D=2, K=2, h=3, n=40):
    rng = np.random.default_rng(seed)
    net = MLP.init([D, h, K], rng=seed)
    net.biases[0][:] = rng.normal(size=h) * 0.3
    X = rng.normal(size=(n, D))
    return net, X, rng


@pytest.mark.parametrize("seed", range(6))
def test_objective_gradient_matches_finite_differences_mse(seed):
    net, X, rng = _problem(seed, K=3)
    Y = rng.normal(size=(X.shape[0], 3))
    x_m, y_m, x_f = X[0], Y[0], X[0] + rng.normal(size=2) * 0.5
    v = rng.normal(size=3)
    w = rng.normal(size=2)
    f = lambda ww: F.fold_objective(net, ww, X, Y, x_m, y_m, x_f, v, loss="mse")[0]
    val, grad, parts = F.fold_objective(net, w, X, Y, x_m, y_m, x_f, v, loss="mse")
    s = (X - x_f) @ w
    # fixed seeds: none of them draws a point within 1e-4 of a ReLU kink (where centred differences fail)
    assert np.min(np.abs(s)) >= 1e-4 and abs((x_m - x_f) @ w) >= 1e-4, "seed draws a ReLU kink"
    np.testing.assert_allclose(grad, numerical_gradient(f, w, eps=1e-6), rtol=1e-6, atol=1e-8)
    assert val == pytest.approx(parts["cos"] + parts["norm_term"])


@pytest.mark.parametrize("seed", range(6))
def test_objective_gradient_matches_finite_differences_ce_descent(seed):
    net, X, rng = _problem(seed, K=3)
    y = rng.integers(0, 3, size=X.shape[0])
    x_m, x_f = X[0], X[0] + rng.normal(size=2) * 0.5
    v = rng.normal(size=3)                       # non-uniform: the objective is not flat
    w = rng.normal(size=2)
    f = lambda ww: F.fold_objective(net, ww, X, y, x_m, int(y[0]), x_f, v, loss="ce")[0]
    _, grad, _ = F.fold_objective(net, w, X, y, x_m, int(y[0]), x_f, v, loss="ce")
    np.testing.assert_allclose(grad, numerical_gradient(f, w, eps=1e-6), rtol=1e-6, atol=1e-8)


def test_objective_input_gradient_is_the_grown_networks_input_gradient():
    # 002 Thm. 5: g = dl/dx of the grown network at x_mistake
    net, X, rng = _problem(3, K=3)
    y = rng.integers(0, 3, size=X.shape[0])
    x_m, x_f, v, w = X[0], X[0] - rng.normal(size=2), rng.normal(size=3), rng.normal(size=2)
    _, _, parts = F.fold_objective(net, w, X, y, x_m, int(y[0]), x_f, v, loss="ce")
    grown = net.add_neurons(0, w[None], np.array([-(w @ x_f)]), v[:, None])
    num = numerical_gradient(lambda x: softmax_cross_entropy(grown.predict(x[None]), y[:1])[0], x_m)
    np.testing.assert_allclose(parts["g"], num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("out_init", ["uniform", "zero", "descent"])
def test_fold_neuron_bias_and_flatness(out_init):
    ds = two_sines(120, rng=1)
    net = MLP.init([2, 3, 2], rng=1)
    out = net.predict(ds.X)
    wrong = np.flatnonzero(np.argmax(out, 1) != ds.y)
    t = wrong[0]
    yp = int(np.argmax(out[t]))
    fp = G.fold_point(net, ds.X[t], yp, int(ds.y[t]))
    nn = F.fold_neuron(net, ds.X, ds.y, ds.X[t], int(ds.y[t]), fp.x_fold, out_init=out_init, rng=0)
    w, b = nn.w_in[0], nn.b_in[0]
    assert b == -(w @ fp.x_fold)                                    # exactly (002 Alg. 1)
    assert np.linalg.norm(w) == pytest.approx(np.mean(np.linalg.norm(net.weights[0], axis=1)), rel=1e-12)
    grown = net.add_neurons(0, nn.w_in, nn.b_in, nn.w_out)
    l0, l1 = net.loss(ds.X, ds.y), grown.loss(ds.X, ds.y)
    if out_init == "uniform":
        np.testing.assert_allclose(nn.w_out[:, 0], np.mean(net.weights[1]), rtol=0, atol=0)
        assert nn.info["flat"] is True                              # DESIGN note: flat for softmax
        assert l1 == pytest.approx(l0, rel=1e-12)
        assert nn.info["objective_after"] == nn.info["objective_before"]
    elif out_init == "zero":
        assert nn.info["flat"] is True
        np.testing.assert_array_equal(grown.predict(ds.X), net.predict(ds.X))
    else:
        assert nn.info["flat"] is False
        assert nn.info["objective_after"] >= nn.info["objective_before"]
        # the output direction is a descent direction at the mistake: a small step of the new
        # unit lowers that instance's loss
        eps = 1e-4
        small = net.add_neurons(0, nn.w_in, nn.b_in, eps * nn.w_out)
        s_t = nn.w_in[0] @ ds.X[t] + nn.b_in[0]
        assert s_t > 0                                              # the neuron is active at the mistake
        assert (softmax_cross_entropy(small.predict(ds.X[t:t + 1]), ds.y[t:t + 1])[0]
                < softmax_cross_entropy(net.predict(ds.X[t:t + 1]), ds.y[t:t + 1])[0])


def test_fold_neuron_mse_is_not_flat_and_ascends():
    rng = np.random.default_rng(0)
    net = MLP.init([2, 4, 1], rng=0)
    X = rng.uniform(-1, 1, size=(60, 2))
    Y = np.sin(3 * X[:, :1]) + X[:, 1:] ** 2
    res = np.abs(net.predict(X) - Y)[:, 0]
    t = int(np.argmax(res))
    rp = G.regression_fold_point(net, X[t], Y[t, 0])
    nn = F.fold_neuron(net, X, Y, X[t], Y[t], rp.x_fold, loss="mse", rng=0)
    assert nn.info["flat"] is False
    assert nn.info["objective_after"] >= nn.info["objective_before"]
    assert nn.b_in[0] == -(nn.w_in[0] @ rp.x_fold)


# ------------------------------------------------------------------------------- typical mistakes
def test_typical_mistake_none_when_nothing_mispredicted():
    X = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, 0.5], [2.0, -1.0]])
    y = np.array([0, 0, 1, 1])
    # logits f_1 - f_0 = 2 relu(x1) - 2 relu(-x1): perfect on this set
    net = MLP([np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([[-1.0, 1.0], [1.0, -1.0]])],
              [np.zeros(2), np.zeros(2)])
    for method in F.MISTAKE_METHODS:
        assert F.typical_mistake(net, X, y, method=method, rng=0) is None


@pytest.mark.parametrize("method", F.MISTAKE_METHODS)
def test_typical_mistake_is_a_mistake(method):
    ds = two_sines(300, rng=2)
    net = MLP.init([2, 3, 2], rng=2)
    out = net.predict(ds.X)
    wrong = np.argmax(out, 1) != ds.y
    tm = F.typical_mistake(net, ds.X, ds.y, method=method, n_clusters=4, rng=0)
    assert wrong[tm.index]
    assert tm.y_true == ds.y[tm.index] and tm.y_pred == int(np.argmax(out[tm.index]))
    assert tm.n_mistakes == int(wrong.sum())
    np.testing.assert_array_equal(tm.x, ds.X[tm.index])
    json.dumps(tm.to_dict())
    if method == "largest_cluster":
        # it is the mistake nearest the centroid of its cluster, and that cluster is the largest
        from refgrow.kmeans import weighted_kmeans
        idx = np.flatnonzero(wrong)
        km = weighted_kmeans(ds.X[idx], np.ones(idx.size), tm.n_clusters, rng=np.random.default_rng(0))
        sizes = np.bincount(km.labels, minlength=tm.n_clusters)
        assert tm.cluster_size == sizes.max()
    else:
        # slides: loss-weighted k-means; the chosen cluster has the highest mean loss among the
        # clusters that contain a mistake, and the instance is its mistake nearest the centroid
        from refgrow.kmeans import weighted_kmeans
        losses = softmax_cross_entropy(out, ds.y, reduction="none")[0]
        km = weighted_kmeans(ds.X, losses, tm.n_clusters, rng=np.random.default_rng(0))
        c = km.labels[tm.index]
        means = [losses[km.labels == k].mean() for k in range(tm.n_clusters)
                 if np.any(wrong[km.labels == k])]
        assert losses[km.labels == c].mean() == pytest.approx(max(means), rel=1e-12)
        assert tm.cluster_mean_loss == pytest.approx(max(means), rel=1e-12)
        cand = np.flatnonzero((km.labels == c) & wrong)
        d = np.sum((ds.X[cand] - km.centers[c]) ** 2, axis=1)
        assert tm.index == cand[np.argmin(d)]


# ------------------------------------------------------------------------------- fine-tuning
def test_fine_tune_step_uses_regulariser_gradient():
    # one full-batch SGD step moves the parameters by -lr * grad(L + alpha L_fold-reg)
    net, X, rng = _problem(4, K=2, h=3)
    y = rng.integers(0, 2, size=X.shape[0])
    pm, pf, alpha, lr = X[0], X[1], 0.7, 1e-3
    terms = [(2, pm, pf)]
    before = net.copy()

    def total(theta):
        m = before.copy()
        m.weights[0][2] = theta[:2]
        m.biases[0][2] = theta[2]
        return m.loss(X, y) + alpha * F.regularizer_value(m, terms)
    theta0 = np.r_[before.weights[0][2], before.biases[0][2]]
    F.fine_tune(net, X, y, optimizer=SGD(lr), epochs=1, alpha=alpha, fold_terms=terms)
    step = np.r_[net.weights[0][2], net.biases[0][2]] - theta0
    np.testing.assert_allclose(step, -lr * numerical_gradient(total, theta0), rtol=1e-6, atol=1e-12)


# ------------------------------------------------------------------------------- growth loop
@pytest.fixture(scope="module")
def grown_sines():
    ds = two_sines(400, rng=0)
    net = MLP.init([2, 2, 2], rng=0)
    g = F.FoldingGrowth(net, ds.X, ds.y, optimizer=Adam(1e-2), batch_size=32, rng=0, max_epochs=400,
                        min_epochs=100, alpha=0.1)
    g.run(max_steps=3)
    return ds, g


def test_growth_on_two_sines_grows_at_mistakes_and_does_not_lose_accuracy(grown_sines):
    ds, g = grown_sines
    assert len(g.records) >= 1
    assert g.mlp.sizes[1] == 2 + len(g.records)
    for rec, (before, _) in zip(g.records, g._snapshots):
        pred = int(np.argmax(before.predict(ds.X[rec.mistake_index:rec.mistake_index + 1])))
        assert pred != ds.y[rec.mistake_index]                    # mispredicted when chosen
        assert rec.y_true == ds.y[rec.mistake_index] and rec.y_pred == pred
        assert rec.acc_after >= rec.acc_before                    # the growth step did not hurt
        # growth with uniform output weights preserves the softmax function
        assert rec.loss_at_init == pytest.approx(rec.loss_before, rel=1e-12)
        assert rec.acc_at_init == rec.acc_before
        assert rec.flat
        # the new hyperplane passes through the fold point at init (002 Thm. 3)
        assert rec.b_in == -(np.array(rec.w_in) @ np.array(rec.x_fold))


def test_records_json_and_rollback(grown_sines, tmp_path):
    ds, g0 = grown_sines
    # a fresh grower to keep the fixture intact
    g = F.FoldingGrowth(MLP.init([2, 2, 2], rng=0), ds.X, ds.y, optimizer=Adam(1e-2), batch_size=32,
                        rng=0, max_epochs=120, min_epochs=20, alpha=0.1)
    g.train_initial()
    net0 = g.mlp.copy()
    r1 = g.step()
    net1 = g.mlp.copy()
    r2 = g.step()
    assert r1 is not None and r2 is not None and g.mlp.sizes[1] == 4
    data = json.loads(g.to_json(tmp_path / "rec.json"))
    assert [r["mistake_index"] for r in data["records"]] == [r1.mistake_index, r2.mistake_index]
    assert json.loads((tmp_path / "rec.json").read_text()) == data
    restored = g.rollback(1)
    assert restored.sizes[1] == 3 and len(g.records) == 1 and g.rolled_back == [r2]
    for a, b in zip(restored.parameters(), net1.parameters()):
        np.testing.assert_array_equal(a, b)
    g.rollback(1)
    for a, b in zip(g.mlp.parameters(), net0.parameters()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="k"):
        g.rollback(1)
    # growth continues after a rollback
    assert g.step() is not None and g.mlp.sizes[1] == 3


def test_grow_by_folding_is_folding_growth_run_in_one_call():
    """grow_by_folding promises Algorithm 1 end to end: the same network, records and histories as
    FoldingGrowth(...).run(...) with the same arguments and seed, gathered in a FoldingResult."""
    ds = two_sines(200, rng=2)
    net = MLP.init([2, 2, 2], rng=2)
    kw = dict(batch_size=32, rng=3, max_epochs=60, min_epochs=20, alpha=0.1)
    res = F.grow_by_folding(net, ds.X, ds.y, max_steps=2, optimizer=Adam(1e-2), **kw)
    assert isinstance(res, F.FoldingResult)
    g = F.FoldingGrowth(net, ds.X, ds.y, optimizer=Adam(1e-2), **kw)
    g.run(max_steps=2)
    assert res.mlp.sizes == g.mlp.sizes == [2, 2 + len(g.records), 2]
    for a, b in zip(res.mlp.parameters(), g.mlp.parameters()):
        np.testing.assert_array_equal(a, b)
    assert [r.to_dict() for r in res.records] == [r.to_dict() for r in g.records]
    assert res.stopped_by == g.stopped_by and res.stopped_by in ("max_steps", "plateau", "no_mistake")
    assert len(res.histories) == 1 + len(res.records)             # initial training + one per step
    assert res.mlp is res.grower.mlp and res.records is res.grower.records
    assert net.sizes == [2, 2, 2]                                  # the input network is not modified


def test_propose_fold_works_with_the_generic_loop():
    from refgrow.growth.loop import grow
    ds = two_sines(200, rng=3)
    net = MLP.init([2, 2, 2], rng=3)
    res = grow(net, ds.X, ds.y, propose=F.propose_fold, optimizer=Adam(1e-2), max_steps=2,
               epochs_between=20, rng=0)
    assert res.mlp.sizes[1] >= 3
    nn = F.propose_fold(res.mlp, ds.X, ds.y, rng=0)
    assert nn is None or (nn.k == 1 and nn.b_in[0] == -(nn.w_in[0] @ np.array(nn.info["x_fold"])))


def test_validation_messages():
    net = MLP.init([2, 3, 3, 2], rng=0)
    X = np.zeros((4, 2))
    y = np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match="single-hidden-layer"):
        F.FoldingGrowth(net, X, y)
    net = MLP.init([2, 3, 2], rng=0)
    with pytest.raises(ValueError, match="out_init"):
        F.FoldingGrowth(net, X, y, out_init="ones")
    with pytest.raises(ValueError, match="method"):
        F.typical_mistake(net, X, y, method="kmeans")
    with pytest.raises(ValueError, match="loss"):
        F.typical_mistake(net, X, y, loss="hinge")


def test_regression_growth_folds_on_the_regression_graph():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 1))
    Y = np.sin(3 * X)
    g = F.FoldingGrowth(MLP.init([1, 2, 1], rng=0), X, Y, loss="mse", optimizer=Adam(1e-2), batch_size=32,
                        rng=0, max_epochs=300, min_epochs=50, alpha=0.1)
    g.run(max_steps=2)
    assert len(g.records) >= 1
    for rec, (before, _) in zip(g.records, g._snapshots):
        t = rec.mistake_index
        per_sample = (before.predict(X[t:t + 1])[0, 0] - Y[t, 0]) ** 2
        mean_loss = np.mean((before.predict(X) - Y) ** 2)
        assert per_sample > mean_loss                  # a regression mistake: loss above tau = mean
        rp = G.regression_fold_point(before, X[t], Y[t, 0])
        np.testing.assert_allclose(rec.x_fold, rp.x_fold, rtol=1e-12, atol=1e-12)
        assert rec.b_in == -(np.array(rec.w_in) @ np.array(rec.x_fold))
        assert rec.flat is False                       # MSE: Algorithm 1's objective is not flat
        # the fold point lies on the old network's regression graph (it is the graph's fold point)
        assert rp.converged
        assert abs(before.predict(rp.x_fold[None])[0, 0] - rp.z_fold[-1]) <= 1e-10


def test_fashion_mnist_experiment_without_data_says_how_to_get_it(tmp_path, capsys):
    from refgrow.experiments.folding import folding_fashion_mnist
    rc = folding_fashion_mnist(["--data-dir", str(tmp_path / "absent"), "--out", str(tmp_path)])
    msg = capsys.readouterr().out
    assert rc == 2
    assert "dataset-fashion-mnist" in msg and "--data-dir" in msg and "downloads no data" in msg


def test_objective_and_fine_tune_validation():
    net = MLP.init([2, 3, 2], rng=0)
    X = np.zeros((4, 2))
    y = np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match="w, w_out"):
        F.fold_objective(net, np.ones(3), X, y, X[0], 0, X[1], np.ones(2))
    with pytest.raises(TypeError, match="optimizer"):
        F.fine_tune(net, X, y, optimizer="adam", epochs=1)
    with pytest.raises(ValueError, match="alpha"):
        F.fine_tune(net, X, y, optimizer=Adam(), epochs=1, alpha=-1.0)


def test_classification_fold_lies_on_the_boundary_between_predicted_and_true_class():
    """002 Alg. 1 / Thm. 3: the fold point of a mistake is a point of the decision boundary between the
    predicted and the true class (equal logits), at the reported distance from the mistake."""
    ds = two_sines(120, rng=1)
    net = MLP.init([2, 3, 2], rng=1)
    tm = F.typical_mistake(net, ds.X, ds.y, rng=0)
    x_fold, _, _, converged, dist, method = F.classification_fold(net, ds.X, tm)
    assert converged and method in ("projection", "bisection")
    out = net.predict(x_fold[None])[0]
    assert abs(out[tm.y_pred] - out[tm.y_true]) <= 1e-9 * (1 + np.abs(out).max())
    assert dist == pytest.approx(np.linalg.norm(x_fold - tm.x), rel=1e-12)


def test_folding_refuses_a_bias_free_hidden_layer_with_the_reason():
    """A fold neuron is the hyperplane w.x + b = 0 through the fold point (002 Alg. 1): without a
    hidden bias it cannot be placed, so every folding entry point says so before any work (it used to
    fail deep inside add_neurons, or let the regulariser read a missing bias)."""
    d = two_sines(60, rng=0)
    net = MLP.init([2, 3, 2], rng=0, bias=False)
    x = d.X[0]
    for call in (lambda: F.FoldingGrowth(net, d.X, d.y),
                 lambda: F.grow_by_folding(net, d.X, d.y, max_steps=1, rng=0),
                 lambda: F.propose_fold(net, d.X, d.y, rng=0),
                 lambda: F.fold_neuron(net, d.X, d.y, x, np.array([0.0, 1.0]), x),
                 lambda: F.regularizer_value(net, [(0, x, x)])):
        with pytest.raises(ValueError, match=r"folding needs biases on hidden layer 0.*has_bias\[0\] = False"):
            call()
    # a bias-free output layer is no obstacle: the fold neuron only needs the hidden bias
    net = MLP.init([2, 3, 2], rng=0, bias=[True, False])
    p = F.propose_fold(net, d.X, d.y, rng=0)
    grown = net.add_neurons(0, p.w_in, p.b_in, p.w_out)
    assert list(grown.sizes) == [2, 4, 2] and grown.has_bias == (True, False)
    assert np.isclose(grown.weights[0][3] @ p.info["x_fold"] + grown.biases[0][3], 0.0, atol=1e-10)
