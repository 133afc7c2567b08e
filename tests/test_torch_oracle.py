"""Optional cross-check (mine vs theirs) against PyTorch autograd in float64.

Runs when PyTorch is installed (``pip install -e .[torch]``; the CPU build is enough, see the README)."""
import numpy as np
import pytest
from conftest import require_oracle

torch = require_oracle("torch")

from refgrow.losses import mse, softmax_cross_entropy  # noqa: E402
from refgrow.mlp import MLP  # noqa: E402
from refgrow.optim import SGD, Adam  # noqa: E402


def _torch_net(net):
    Ws = [torch.tensor(W, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, requires_grad=True) for b in net.biases]
    return Ws, bs


def _torch_forward(Ws, bs, X, act):
    a = X
    for l, (W, b) in enumerate(zip(Ws, bs)):
        a = a @ W.T + b
        if l < len(Ws) - 1:
            a = act(a)
    return a


@pytest.mark.parametrize("loss", ["ce", "mse"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_three_hidden_layers_match_autograd(loss, activation):
    rng = np.random.default_rng(0)
    net = MLP.init([5, 7, 6, 4, 3], rng=rng, init="torch", activation=activation)
    X = rng.normal(size=(11, 5))
    y = rng.integers(0, 3, size=11) if loss == "ce" else rng.normal(size=(11, 3))
    out, cache = net.forward(X)
    value, d_out = (softmax_cross_entropy if loss == "ce" else mse)(out, y)
    g = net.backward(cache, d_out)

    Ws, bs = _torch_net(net)
    Xt = torch.tensor(X, requires_grad=True)
    act = torch.relu if activation == "relu" else torch.tanh
    out_t = _torch_forward(Ws, bs, Xt, act)
    if loss == "ce":
        lt = torch.nn.functional.cross_entropy(out_t, torch.tensor(y))
    else:
        lt = torch.nn.functional.mse_loss(out_t, torch.tensor(y))
    lt.backward()
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg="forward: mine vs torch")
    assert value == pytest.approx(lt.item(), rel=1e-10), "loss: mine vs torch"
    for l in range(4):
        np.testing.assert_allclose(g.weights[l], Ws[l].grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"dW[{l}]: mine vs torch")
        np.testing.assert_allclose(g.biases[l], bs[l].grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"db[{l}]: mine vs torch")
    np.testing.assert_allclose(g.inputs, Xt.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="dX: mine vs torch")


@pytest.mark.parametrize("name", ["sgd", "sgd-momentum", "adam"])
def test_optimiser_trajectories_match_torch_optim(name):
    rng = np.random.default_rng(1)
    net = MLP.init([4, 6, 3], rng=rng, init="torch")
    X, y = rng.normal(size=(16, 4)), rng.integers(0, 3, size=16)
    Ws, bs = _torch_net(net)
    params = [p for wb in zip(Ws, bs) for p in wb]
    mine, theirs = {
        "sgd": (SGD(0.1, weight_decay=0.01), torch.optim.SGD(params, lr=0.1, weight_decay=0.01)),
        "sgd-momentum": (SGD(0.1, momentum=0.9), torch.optim.SGD(params, lr=0.1, momentum=0.9)),
        "adam": (Adam(0.01, weight_decay=0.01), torch.optim.Adam(params, lr=0.01, weight_decay=0.01)),
    }[name]
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for _ in range(20):
        _, g, _ = net.loss_and_grads(X, y)
        mine.step(net, g)
        theirs.zero_grad()
        torch.nn.functional.cross_entropy(_torch_forward(Ws, bs, Xt, torch.relu), yt).backward()
        theirs.step()
    for p, q in zip(net.parameters(), params):
        np.testing.assert_allclose(p, q.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name}: mine vs torch.optim after 20 steps")
