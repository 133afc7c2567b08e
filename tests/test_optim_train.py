"""Optimisers (PyTorch rules, grow-aware) and the training loop."""
import numpy as np
import pytest

from refgrow.mlp import MLP
from refgrow.optim import SGD, Adam
from refgrow.train import History, PlateauTest, train


def _linear_problem(seed=0, n=50, D=3, K=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, D))
    Y = X @ rng.normal(size=(D, K)) + 0.5 + 0.1 * rng.normal(size=(n, K))
    Xa = np.hstack([X, np.ones((n, 1))])
    coef = np.linalg.lstsq(Xa, Y, rcond=None)[0]          # the known minimum of the convex MSE
    return X, Y, coef[:-1].T, coef[-1]


@pytest.mark.parametrize("opt, epochs", [(SGD(0.1), 3000), (SGD(0.05, momentum=0.9), 1500),
                                         (Adam(0.05), 3000)])
def test_optimisers_reach_the_least_squares_minimum(opt, epochs):
    X, Y, W_star, b_star = _linear_problem()
    net = MLP.init([3, 2], rng=0)                          # no hidden layer: linear regression
    train(net, X, Y, loss="mse", optimizer=opt, epochs=epochs)
    np.testing.assert_allclose(net.weights[0], W_star, atol=1e-6)
    np.testing.assert_allclose(net.biases[0], b_star, atol=1e-6)


def test_sgd_step_is_theta_minus_lr_grad():
    rng = np.random.default_rng(1)
    net = MLP.init([2, 3, 1], rng=rng)
    before = [p.copy() for p in net.parameters()]
    _, g, _ = net.loss_and_grads(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), "mse")
    SGD(0.3, weight_decay=0.1).step(net, g)
    grads = [x for wb in zip(g.weights, g.biases) for x in wb]
    for p, p0, gp in zip(net.parameters(), before, grads):
        np.testing.assert_allclose(p, p0 - 0.3 * (gp + 0.1 * p0), rtol=1e-14)


def test_adam_first_step_moves_each_entry_by_lr_times_sign():
    """With m_hat = g and v_hat = g^2, Adam's first update is -lr g / (|g| + eps)."""
    rng = np.random.default_rng(2)
    net = MLP.init([2, 3, 1], rng=rng)
    before = [p.copy() for p in net.parameters()]
    _, g, _ = net.loss_and_grads(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), "mse")
    Adam(0.01).step(net, g)
    grads = [x for wb in zip(g.weights, g.biases) for x in wb]
    for p, p0, gp in zip(net.parameters(), before, grads):
        np.testing.assert_allclose(p, p0 - 0.01 * gp / (np.abs(gp) + 1e-8), rtol=1e-12, atol=1e-15)


def _grown_after_training(make, key):
    """Train 5 epochs, then add 2 neurons to hidden layer 0 and to the optimiser state."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, size=30)
    net = MLP.init([2, 4, 2], rng=rng)
    opt = make()
    train(net, X, y, optimizer=opt, epochs=5)
    old_state = opt.state[0][key].copy()
    net = net.add_neurons(0, rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(2, 2)) * 0.1)
    opt.add_neurons(0, 2)
    return net, opt, key, old_state, X, y


@pytest.mark.parametrize("make, key", [(lambda: Adam(0.01), "m"), (lambda: SGD(0.1, momentum=0.9), "buf")])
def test_growth_keeps_old_state_and_starts_new_entries_fresh(make, key):
    net, opt, key, old_state, X, y = _grown_after_training(make, key)
    shapes = [s[key].shape for s in opt.state]
    assert shapes == [p.shape for p in net.parameters()]
    np.testing.assert_array_equal(opt.state[0][key][:4], old_state)      # old rows kept
    assert np.all(opt.state[0][key][4:] == 0) and np.all(opt.state[2][key][:, 4:] == 0)
    h = train(net, X, y, optimizer=opt, epochs=30)
    assert h.train_loss[-1] < h.train_loss[0]


def test_adam_new_entries_take_a_fresh_first_step():
    """A new entry's first Adam step is a fresh first step, -lr g / (|g| + eps); old entries keep t."""
    net, opt, _, _, X, y = _grown_after_training(lambda: Adam(0.01), "m")
    W_new = net.weights[0][4:].copy()
    _, g, _ = net.loss_and_grads(X, y)
    opt.step(net, g)
    np.testing.assert_allclose(net.weights[0][4:], W_new - 0.01 * g.weights[0][4:]
                               / (np.abs(g.weights[0][4:]) + 1e-8), rtol=1e-12)
    assert np.all(opt.state[0]["t"][:4] == 6) and np.all(opt.state[0]["t"][4:] == 1)


def test_step_refuses_state_of_another_shape():
    rng = np.random.default_rng(4)
    net = MLP.init([2, 3, 2], rng=rng)
    opt = Adam()
    X, y = rng.normal(size=(5, 2)), rng.integers(0, 2, 5)
    train(net, X, y, optimizer=opt, epochs=1)
    net = net.add_neurons(0, np.ones((1, 2)), np.ones(1), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="add_neurons"):
        train(net, X, y, optimizer=opt, epochs=1)


def test_optimizer_validation():
    with pytest.raises(ValueError, match="lr"):
        SGD(0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="weight_decay"):
        Adam(weight_decay=-1)


def test_same_seed_gives_bit_identical_histories():
    def run():
        rng = np.random.default_rng(5)
        X, y = rng.normal(size=(64, 3)), rng.integers(0, 3, size=64)
        net = MLP.init([3, 8, 3], rng=rng)
        h = train(net, X, y, optimizer=Adam(0.01), epochs=10, batch_size=16, rng=rng)
        return h, net
    (h1, n1), (h2, n2) = run(), run()
    assert h1.train_loss == h2.train_loss and h1.train_acc == h2.train_acc
    assert all(np.array_equal(p, q) for p, q in zip(n1.parameters(), n2.parameters()))


def test_full_batch_training_equals_manual_steps():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=20)
    a = MLP.init([2, 5, 2], rng=1)
    b = a.copy()
    train(a, X, y, optimizer=SGD(0.1), epochs=3)
    opt = SGD(0.1)
    for _ in range(3):
        _, g, _ = b.loss_and_grads(X, y)
        opt.step(b, g)
    assert all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_history_records_loss_of_the_updated_network():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=20)
    net = MLP.init([2, 5, 2], rng=1)
    h = train(net, X, y, optimizer=SGD(0.1), epochs=4, X_val=X[:5], y_val=y[:5], record_initial=True)
    assert h.epoch == [0, 1, 2, 3, 4]
    assert h.train_loss[-1] == pytest.approx(net.loss(X, y), rel=1e-15)
    assert h.val_loss[-1] == pytest.approx(net.loss(X[:5], y[:5]), rel=1e-15)


def test_plateau_test_and_early_stopping():
    h = History()
    for e, v in enumerate([5, 4, 3, 3.0, 3.0, 3.0]):
        h.append(e, v, np.nan, v, np.nan)
    assert PlateauTest(patience=3)(h) is True
    assert PlateauTest(patience=3, key="train_loss")(h) and not PlateauTest(patience=4)(h)
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, size=30)
    net = MLP.init([2, 3, 2], rng=1)
    h = train(net, X, y, optimizer=SGD(1e-9), epochs=100, X_val=X, y_val=y,
              early_stopping=PlateauTest(3, min_delta=1e-6, key="val_loss"))
    assert h.stopped_by == "early_stopping" and len(h) < 100


def test_convergence_test_and_callbacks_stop_training():
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, size=30)
    h = train(MLP.init([2, 3, 2], rng=1), X, y, optimizer=Adam(), epochs=50,
              convergence=lambda hist: len(hist) >= 7)
    assert h.stopped_by == "convergence" and len(h) == 7
    h = train(MLP.init([2, 3, 2], rng=1), X, y, optimizer=Adam(), epochs=50,
              callbacks=[lambda e, m, hist: e == 4])
    assert h.stopped_by == "callback" and h.epoch[-1] == 4


def test_divergence_is_reported_not_raised():
    rng = np.random.default_rng(10)
    X, Y = rng.normal(size=(20, 2)) * 100, rng.normal(size=(20, 1))
    with np.errstate(all="ignore"):
        h = train(MLP.init([2, 3, 1], rng=1), X, Y, loss="mse", optimizer=SGD(10.0), epochs=200)
    assert h.stopped_by == "diverged"


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(y=np.array([0, 1, 5])), ValueError, "y must lie"),
    (dict(X=np.ones((3, 4))), ValueError, "columns"),
    (dict(y=np.array([0, 1])), ValueError, "shape"),
    (dict(epochs=-1), ValueError, "epochs"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(early_stopping=3), ValueError, "validation"),
    (dict(optimizer="adam"), TypeError, "optimizer"),
])
def test_train_validates_inputs(kwargs, exc, match):
    args = dict(X=np.ones((3, 2)), y=np.array([0, 1, 0]), optimizer=SGD(0.1), epochs=1)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        train(MLP.init([2, 3, 2], rng=0), args.pop("X"), args.pop("y"), **args)


def test_grad_hook_adds_a_regulariser_gradient():
    """An L2 penalty added through grad_hook equals SGD's weight_decay (PyTorch's L2 rule)."""
    rng = np.random.default_rng(11)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=20)
    a, b = MLP.init([2, 4, 2], rng=2), MLP.init([2, 4, 2], rng=2)

    def l2(net, grads):
        for W, gW, bb, gb in zip(net.weights, grads.weights, net.biases, grads.biases):
            gW += 0.1 * W
            gb += 0.1 * bb

    train(a, X, y, optimizer=SGD(0.1), epochs=5, grad_hook=l2)
    train(b, X, y, optimizer=SGD(0.1, weight_decay=0.1), epochs=5)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-14)


def test_min_epochs_delays_the_convergence_test():
    rng = np.random.default_rng(12)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=20)
    h = train(MLP.init([2, 3, 2], rng=1), X, y, optimizer=Adam(), epochs=50,
              convergence=lambda hist: True, min_epochs=6)
    assert h.stopped_by == "convergence" and len(h) == 6
