"""The array-namespace seam under a strict namespace (CuPy-compatible code, tested without a GPU).

The core computations run with ``array_api_strict`` inputs placed on its non-CPU test device
``Device("device1")``: such arrays refuse ``np.asarray`` / ``__array__`` / the buffer protocol, and
refuse to be combined with arrays on another device, exactly as CuPy arrays refuse an implicit host
copy. So a ``np.*`` call on an input, a host round trip, or a creation function that forgets the
inputs' device fails here, on a machine without a GPU. Each test checks that every output array is
still in the strict namespace, on that device, and equal to the NumPy result to 1e-12.
"""
import subprocess
import sys

import numpy as np
import pytest

import array_api_strict as xps  # noqa: E402  (the `test` extra installs it)


DEV = xps.Device("device1")
TOL = dict(rtol=1e-12, atol=1e-12)
_FROM_DLPACK = np.from_dlpack          # the tests' own host copies (refgrow's go through to_numpy)


@pytest.fixture(autouse=True)
def no_explicit_host_copies(request, monkeypatch):
    """Outside the tests of documented host fallbacks (``host_fallback`` in the name), refgrow must not
    copy to the host even explicitly: ``backend.to_numpy`` of a strict array (DLPack) raises."""
    if "host_fallback" not in request.node.name:
        def refuse(a, *args, **kwargs):
            raise AssertionError("refgrow copied an array to the host (backend.to_numpy) outside a "
                                 "documented host fallback")
        monkeypatch.setattr(np, "from_dlpack", refuse)


def S(a):
    """A float64 (or int64 for integer input) strict array on the test device."""
    a = np.asarray(a)
    return xps.asarray(a, dtype=xps.float64 if a.dtype.kind == "f" else xps.int64, device=DEV)


def assert_same(out, ref):
    """``out`` is a strict array on DEV and equals the NumPy reference to 1e-12."""
    assert isinstance(out, xps._array_object.Array), type(out)
    assert out.device == DEV
    np.testing.assert_allclose(_FROM_DLPACK(out), ref, **TOL)


def test_the_strict_device_refuses_implicit_host_copies():
    a = S(np.ones(3))
    with pytest.raises((RuntimeError, TypeError)):
        np.asarray(a)
    with pytest.raises(ValueError, match="device"):
        a + xps.ones(3, dtype=xps.float64)          # CPU-device array: a missing device= is caught


def test_the_host_copy_guard_catches_an_explicit_to_numpy():
    from refgrow.backend import to_numpy
    with pytest.raises(AssertionError, match="copied an array to the host"):
        to_numpy(S(np.ones(2)))


def test_import_refgrow_never_imports_cupy():
    code = ("import sys, refgrow, refgrow.mlp, refgrow.backend, refgrow.growth.tiny, refgrow.kmeans, "
            "refgrow.geometry, refgrow.triangle; print('cupy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------- MLP step
def _net_and_data(seed=0, activation="relu"):
    from refgrow.mlp import MLP
    rng = np.random.default_rng(seed)
    net = MLP.init([5, 7, 6, 3], rng=rng, init="torch", activation=activation)
    X = rng.standard_normal((11, 5))
    y = rng.integers(0, 3, 11)
    return net, X, y


def _strict_net(net):
    from refgrow.mlp import MLP
    return MLP([S(w) for w in net.weights], [S(b) for b in net.biases], activation=net.activation)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_forward_backward_in_strict_namespace(activation):
    from refgrow.losses import softmax_cross_entropy
    net, X, y = _net_and_data(activation=activation)
    out, cache = net.forward(X)
    loss, d = softmax_cross_entropy(out, y)
    g = net.backward(cache, d)
    snet = _strict_net(net)
    sout, scache = snet.forward(S(X))
    sloss, sd = softmax_cross_entropy(sout, S(y))
    sg = snet.backward(scache, sd)
    assert_same(sout, out)
    assert abs(sloss - loss) <= 1e-12 * abs(loss)
    assert_same(sg.inputs, g.inputs)
    for a, b in zip(sg.weights + sg.biases + sg.preacts, g.weights + g.biases + g.preacts):
        assert_same(a, b)


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_optimiser_steps_and_growth_in_strict_namespace(opt):
    from refgrow.optim import SGD, Adam
    net, X, y = _net_and_data(1)
    snet = _strict_net(net)
    make = (lambda: SGD(0.1, momentum=0.9, weight_decay=1e-3)) if opt == "sgd" else (lambda: Adam(0.01))
    o, so = make(), make()
    for step in range(3):
        if step == 2:                                  # grow between steps: state padding in the namespace
            rng = np.random.default_rng(5)
            w_in, b_in, w_out = rng.standard_normal((2, 7)), rng.standard_normal(2), np.zeros((3, 2))
            net, snet = net.add_neurons(1, w_in, b_in, w_out), snet.add_neurons(1, S(w_in), S(b_in), S(w_out))
            o.add_neurons(1, 2)
            so.add_neurons(1, 2)
        o.step(net, net.loss_and_grads(X, y)[1])
        so.step(snet, snet.loss_and_grads(S(X), S(y))[1])
    for a, b in zip(snet.parameters(), net.parameters()):
        assert_same(a, b)


def test_mse_in_strict_namespace():
    from refgrow.losses import mse
    rng = np.random.default_rng(2)
    p, t = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    for red in ("mean", "sum", "none"):
        loss, d = mse(p, t, reduction=red)
        sloss, sd = mse(S(p), S(t), reduction=red)
        assert_same(sd, d)
        if red == "none":
            assert_same(sloss, loss)
        else:
            assert abs(sloss - loss) <= 1e-12 * abs(loss)


def test_cross_entropy_reductions_in_strict_namespace():
    from refgrow.losses import softmax_cross_entropy
    rng = np.random.default_rng(3)
    z, y = 5 * rng.standard_normal((8, 4)), rng.integers(0, 4, 8)
    loss, d = softmax_cross_entropy(z, y, reduction="none")
    sloss, sd = softmax_cross_entropy(S(z), S(y), reduction="none")
    assert_same(sloss, loss)
    assert_same(sd, d)


# ---------------------------------------------------------------------------- TINY, GradMax
def _tiny_data(seed=4, n=40, d=6, d_out=3):
    from refgrow.growth.tiny import with_ones
    rng = np.random.default_rng(seed)
    return with_ones(rng.standard_normal((n, d))), rng.standard_normal((n, d_out))


@pytest.mark.parametrize("rank_deficient", [False, True])
def test_tiny_best_update_and_new_neurons_in_strict_namespace(rank_deficient):
    from refgrow.growth.tiny import best_update, new_neurons, projected_goal
    B, V = _tiny_data()
    if rank_deficient:                                 # a repeated column: the SVD path of the spectrum
        B = np.hstack([B, B[:, :1]])
    dW = best_update(B, V)
    sdW = best_update(S(B), S(V))
    assert_same(sdW, dW)
    Vp = projected_goal(B, V, dW)
    sVp = projected_goal(S(B), S(V), sdW)
    assert_same(sVp, Vp)
    nn = new_neurons(B, Vp, max_neurons=2)
    snn = new_neurons(S(B), sVp, max_neurons=2)
    assert_same(snn.alpha, nn.alpha)
    assert_same(snn.omega, nn.omega)
    assert_same(snn.singular_values, nn.singular_values)
    assert (snn.rank, snn.S_rank) == (nn.rank, nn.S_rank)


def test_tiny_cholesky_shortcut_runs_in_strict_namespace():
    """The certified Cholesky shortcut (``cholesky=True``, the default of the network-level steps) uses
    only the namespace's cholesky/inv/products, so it runs on the device too and gives NumPy's result."""
    from refgrow.growth.tiny import new_neurons, second_moments
    from refgrow.growth.tiny import spectrum
    B, V = _tiny_data(8, n=60, d=7)
    Sm = second_moments(B, V)[0]
    Linv, sLinv = (spectrum._certified_cholesky(M, spectrum.GRAM_MIN_RATIO) for M in (Sm, S(Sm)))
    assert Linv is not None and sLinv is not None          # the shortcut is taken in both namespaces
    assert_same(sLinv, Linv)
    nn, snn = new_neurons(B, V, cholesky=True), new_neurons(S(B), S(V), cholesky=True)
    assert_same(snn.alpha, nn.alpha)
    assert_same(snn.omega, nn.omega)
    assert_same(snn.singular_values, nn.singular_values)
    Bd = np.hstack([B, B[:, :1]])                         # singular S: no certificate in either namespace
    Sd = second_moments(Bd, V)[0]
    assert spectrum._certified_cholesky(S(Sd), spectrum.GRAM_MIN_RATIO) is None
    assert spectrum._certified_cholesky(Sd, spectrum.GRAM_MIN_RATIO) is None


def test_gradmax_neurons_in_strict_namespace():
    from refgrow.growth.gradmax import gradmax_neurons
    B, V = _tiny_data(5, d_out=4)
    nn = gradmax_neurons(B, V, 2, c=0.5)
    snn = gradmax_neurons(S(B), S(V), 2, c=0.5)
    assert_same(snn.w_in, nn.w_in)
    assert_same(snn.b_in, nn.b_in)
    assert_same(snn.w_out, nn.w_out)
    assert snn.info["singular_values"] == pytest.approx(nn.info["singular_values"], rel=1e-12)


# ---------------------------------------------------------------------------- weighted k-means
def _blobs(seed=6):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 0.5, size=(15, 2)) for c in ((0, 0), (4, 0), (0, 4))])
    return X, rng.uniform(0.1, 2.0, X.shape[0])


def test_lloyd_iteration_in_strict_namespace():
    from refgrow.kmeans import lloyd_iteration
    X, w = _blobs()
    C = X[[0, 20, 40]] + 0.3
    c, lab = lloyd_iteration(X, w, C)
    sc, slab = lloyd_iteration(S(X), S(w), S(C))
    assert_same(sc, c)
    assert_same(slab, lab)


def test_weighted_kmeans_with_fixed_init_in_strict_namespace():
    from refgrow.kmeans import weighted_kmeans
    X, w = _blobs(7)
    C = X[[1, 2, 3]]                                   # a poor start: several Lloyd steps are needed
    r = weighted_kmeans(X, w, 3, init=C)
    sr = weighted_kmeans(S(X), S(w), 3, init=S(C))
    assert_same(sr.centers, r.centers)
    assert_same(sr.labels, r.labels)
    assert sr.n_iter == r.n_iter > 1
    assert sr.inertia == pytest.approx(r.inertia, rel=1e-12)


# ---------------------------------------------------------------------------- geometry
def test_closest_point_on_hyperplane_in_strict_namespace():
    from refgrow.geometry import closest_point_on_hyperplane
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((5, 3)), rng.standard_normal(3)
    assert_same(closest_point_on_hyperplane(S(x), S(w), 0.7), closest_point_on_hyperplane(x, w, 0.7))
    assert_same(closest_point_on_hyperplane(S(x[0]), S(w), -0.2), closest_point_on_hyperplane(x[0], w, -0.2))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_local_affine_map_in_strict_namespace(activation):
    from refgrow.geometry import local_affine_map
    net, X, _ = _net_and_data(9, activation=activation)
    A, c = local_affine_map(net, X[0])
    sA, sc = local_affine_map(_strict_net(net), S(X[0]))
    assert_same(sA, A)
    assert_same(sc, c)


# ---------------------------------------------------------------------------- triangle
def test_triangle_waves_and_series_in_strict_namespace():
    from refgrow.triangle import differentiable_scales, triangle_series, triangle_waves
    a = np.array([0.3, 0.6, 0.45, 0.7])
    x = np.linspace(0.0, 1.0, 17)
    s = differentiable_scales(a)
    assert_same(triangle_waves(S(x), S(a)), triangle_waves(x, a))
    assert_same(differentiable_scales(S(a)), s)
    assert_same(triangle_series(S(x), S(a), S(s)), triangle_series(x, a, s))


@pytest.mark.parametrize("free", [False, True])
def test_pretrain_loss_and_grad_in_strict_namespace(free):
    from refgrow.triangle import pretrain_loss_and_grad
    a = np.array([0.35, 0.55, 0.4])
    x = np.linspace(0.0, 1.0, 13)
    y = x * x
    kw = {"s": np.array([0.4, 0.1])} if free else {}
    loss, g = pretrain_loss_and_grad(a, x, y, **kw)
    sloss, sg = pretrain_loss_and_grad(S(a), S(x), S(y), **{k: S(v) for k, v in kw.items()})
    assert sloss == pytest.approx(loss, rel=1e-12)
    assert_same(sg, g)


def test_weighted_kmeans_plusplus_seeding_host_fallback_gives_the_numpy_result():
    from refgrow.kmeans import weighted_kmeans
    X, w = _blobs(10)
    r = weighted_kmeans(X, w, 3, rng=3)
    sr = weighted_kmeans(S(X), S(w), 3, rng=3)          # seeds drawn on the host from the same rng
    assert_same(sr.centers, r.centers)
    assert_same(sr.labels, r.labels)


def test_decision_boundary_and_fold_points_in_strict_namespace():
    from refgrow.geometry import decision_boundary, fold_point, logit_gap, regression_fold_point
    net, X, _ = _net_and_data(11)
    snet = _strict_net(net)
    out = net.forward(X)[0]
    i, j = int(np.argmax(out[0])), int(np.argmin(out[0]))
    x = next(x for x in X if np.any(decision_boundary(net, x, i, j)[0] != 0))   # a point with a boundary
    w, b = decision_boundary(net, x, i, j)
    sw, sb = decision_boundary(snet, S(x), i, j)
    assert_same(sw, w)
    assert sb == pytest.approx(b, rel=1e-12, abs=1e-12)
    assert_same(logit_gap(snet, S(X), i, j), logit_gap(net, X, i, j))
    fp, sfp = fold_point(net, x, i, j), fold_point(snet, S(x), i, j)
    assert_same(sfp.x_fold, fp.x_fold)
    assert_same(sfp.x_linear, fp.x_linear)
    assert (sfp.in_region, sfp.converged, sfp.n_iter) == (fp.in_region, fp.converged, fp.n_iter)
    rp, srp = regression_fold_point(net, x, 0.3, output=1), regression_fold_point(snet, S(x), 0.3, output=1)
    assert_same(srp.z_fold, rp.z_fold)
    assert srp.distance == pytest.approx(rp.distance, rel=1e-12)


@pytest.mark.parametrize("free", [False, True])
def test_pretrain_loop_and_triangle_network_host_fallback_in_strict_namespace(free):
    from refgrow.triangle import pretrain, triangle_network
    a = np.array([0.35, 0.55, 0.4, 0.6])
    x = np.linspace(0.0, 1.0, 21)
    r = pretrain(a, x, x * x, epochs=4, lr=0.01, free_scales=free)
    sr = pretrain(S(a), S(x), S(x * x), epochs=4, lr=0.01, free_scales=free)
    assert_same(sr.a, r.a)
    assert_same(sr.s, r.s)
    np.testing.assert_allclose(sr.loss, r.loss, **TOL)
    net, snet = triangle_network(r.a, r.s), triangle_network(sr.a, sr.s)
    assert_same(snet.forward(S(x[:, None]))[0], net.forward(x[:, None])[0])


def test_tiny_step_and_gradmax_proposal_on_a_strict_network():
    from refgrow.growth.gradmax import fan_in_gradient_norm, propose_gradmax
    from refgrow.growth.tiny import relu_first_order, tiny_step
    net, X, y = _net_and_data(12)
    snet = _strict_net(net)
    st, sst = tiny_step(net, X, y, hidden_layer=1, max_neurons=2), tiny_step(snet, S(X), S(y), hidden_layer=1,
                                                                              max_neurons=2)
    for a, b in ((sst.V_goal, st.V_goal), (sst.dW, st.dW), (sst.neurons.alpha, st.neurons.alpha),
                 (sst.neurons.omega, st.neurons.omega)):
        assert_same(a, b)
    assert sst.bottleneck_proj == pytest.approx(st.bottleneck_proj, rel=1e-12)
    fo = relu_first_order(st.V_goal, st.B, st.dW, st.B_in, st.neurons)
    sfo = relu_first_order(sst.V_goal, sst.B, sst.dW, sst.B_in, sst.neurons)
    assert sfo == pytest.approx(fo, rel=1e-12, abs=1e-14)
    for fan_in in ("zero", "first_step"):
        p, sp = propose_gradmax(net, X, y, k=2, fan_in=fan_in), propose_gradmax(snet, S(X), S(y), k=2, fan_in=fan_in)
        assert_same(sp.w_in, p.w_in)
        assert_same(sp.b_in, p.b_in)
        assert_same(sp.w_out, p.w_out)
    B = np.hstack([net.forward(X)[1].inputs[0], np.ones((X.shape[0], 1))])
    V = np.random.default_rng(1).standard_normal((X.shape[0], 6))
    W = np.random.default_rng(2).standard_normal((6, 2))
    assert fan_in_gradient_norm(S(B), S(V), S(W)) == pytest.approx(fan_in_gradient_norm(B, V, W), rel=1e-12)


def test_train_minibatches_in_strict_namespace():
    from refgrow.optim import Adam
    from refgrow.train import train
    net, X, y = _net_and_data(13)
    snet = _strict_net(net)
    h = train(net, X, y, optimizer=Adam(0.01), epochs=3, batch_size=4, rng=7)
    sh = train(snet, S(X), S(y), optimizer=Adam(0.01), epochs=3, batch_size=4, rng=7)
    np.testing.assert_allclose(sh.train_loss, h.train_loss, **TOL)
    assert sh.train_acc == h.train_acc
    for a, b in zip(snet.parameters(), net.parameters()):
        assert_same(a, b)


def test_signed_distance_and_boundary_bisection_in_strict_namespace():
    from refgrow.geometry import boundary_point_on_segment, logit_gap, signed_distance
    rng = np.random.default_rng(14)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal(3)
    assert_same(signed_distance(S(x), S(w), 0.4), signed_distance(x, w, 0.4))
    net, X, _ = _net_and_data(15)
    g = logit_gap(net, X, 0, 1)
    k0, k1 = int(np.argmax(g)), int(np.argmin(g))                 # two points on both sides
    p = boundary_point_on_segment(net, X[k0], X[k1], 0, 1)
    sp = boundary_point_on_segment(_strict_net(net), S(X[k0]), S(X[k1]), 0, 1)
    assert_same(sp, p)


def test_empty_cluster_relocation_and_geig_host_fallbacks_give_the_numpy_results():
    from refgrow.growth.tiny import new_neurons_geig
    from refgrow.kmeans import lloyd_iteration
    X, w = _blobs(16)
    C = np.vstack([X[[0, 20]], [[50.0, 50.0]]])             # the far centre receives no point: relocated
    c, lab = lloyd_iteration(X, w, C)
    sc, slab = lloyd_iteration(S(X), S(w), S(C))
    assert np.all(np.abs(c[2]) < 10)                       # the relocation did happen
    assert_same(sc, c)
    assert_same(slab, lab)
    B, V = _tiny_data(17)
    nn, snn = new_neurons_geig(B, V), new_neurons_geig(S(B), S(V))
    assert_same(snn.alpha, nn.alpha)
    assert_same(snn.omega, nn.omega)
    assert_same(snn.singular_values, nn.singular_values)
