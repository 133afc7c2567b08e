"""Benchmark: one SGD step (forward, softmax cross-entropy, backward including dL/dX, update) of a
784-256-10 ReLU MLP, batch 512, float64, against PyTorch CPU doing the same work with the same number
of threads.

Sides (each timed in rotating blocks by :mod:`refgrow.bench._timing`)
    ``public``      ``MLP.forward`` -> ``softmax_cross_entropy`` -> ``MLP.backward`` -> ``SGD.step``
                    (validation on: what a user writes)
    ``core``        the same with validation off: ``MLP.forward(X, check_input=False)``, the loss of
                    ``get_loss("ce", validate=False)``, ``MLP.backward(..., check_input=False)``
    ``peer``        PyTorch: ``linear``/``relu``/``cross_entropy``, ``backward()`` with the input
                    requiring grad (so dL/dX is computed, as refgrow does), ``optim.SGD.step``
    ``blas_floor``  the six bare products of the step in NumPy: two forward ``a W^T``, and per layer
                    ``dZ^T a`` (dW) and ``dZ W`` (dA, including dX)

Target: ``public/peer <= 1.0``.

Command: ``python -m refgrow bench mlp-step [--batch 512 --sizes 784,256,10]`` plus the common options
(``--quick --threads --rounds --number --json FILE``, see ``python -m refgrow bench --help``).
"""
from __future__ import annotations

import numpy as np

from refgrow.cliargs import positive_int
from refgrow.bench._timing import (common_parser, make_result, resolve_common, run_sides,
                                   thread_limits)
from refgrow.losses import get_loss, softmax_cross_entropy
from refgrow.mlp import MLP
from refgrow.optim import SGD

TITLE = "one SGD step of a 784-256-10 MLP, batch 512, float64, vs PyTorch CPU (target public/peer <= 1)"


def _parser():
    p = common_parser("refgrow bench mlp-step", __doc__.split("\n\n")[0])
    p.add_argument("--batch", type=positive_int, default=None, help="batch size (default 512, --quick 512)")
    p.add_argument("--sizes", default="784,256,10", help="layer widths D,h_1,...,K")
    return p


def sides(sizes, batch, *, rng=0, with_peer=True):
    """The callables of the four sides (peer only when PyTorch imports); also returns the peer info."""
    rng = np.random.default_rng(rng)
    net = MLP.init(sizes, rng=rng, init="torch")
    X, y = rng.normal(size=(batch, sizes[0])), rng.integers(0, sizes[-1], size=batch)
    opt = SGD(1e-3)
    core_loss = get_loss("ce", validate=False)

    def public():
        out, cache = net.forward(X)
        _, d = softmax_cross_entropy(out, y)
        opt.step(net, net.backward(cache, d))

    def core():
        out, cache = net.forward(X, check_input=False)
        _, d = core_loss(out, y)
        opt.step(net, net.backward(cache, d, check_input=False))

    Ws = [w.copy() for w in net.weights]
    As = [X] + [np.maximum(rng.normal(size=(batch, w.shape[0])), 0.0) for w in Ws[:-1]]
    dZs = [rng.normal(size=(batch, w.shape[0])) for w in Ws]

    def floor():
        for a, W in zip(As, Ws):
            a @ W.T                                      # forward products
        for a, W, dz in zip(As, Ws, dZs):
            dz.T @ a                                     # dW_l
            dz @ W                                       # dA_l (dX for l = 0)

    out = {"public": public, "core": core, "blas_floor": floor}
    peer = None
    if with_peer:
        try:
            import torch
        except ImportError:
            return out, None
        tW = [torch.tensor(W, requires_grad=True) for W in net.weights]
        tb = [torch.tensor(b, requires_grad=True) for b in net.biases]
        params = [q for wb in zip(tW, tb) for q in wb]
        Xt = torch.tensor(X, requires_grad=True)         # the input gradient is part of the work
        yt = torch.tensor(y)
        topt = torch.optim.SGD(params, lr=1e-3)

        def peer_step():
            topt.zero_grad()
            Xt.grad = None
            h = Xt
            for l, (W, b) in enumerate(zip(tW, tb)):
                h = torch.nn.functional.linear(h, W, b)
                if l < len(tW) - 1:
                    h = torch.relu(h)
            torch.nn.functional.cross_entropy(h, yt).backward()
            topt.step()

        out["peer"] = peer_step
        peer = {"name": "torch", "version": torch.__version__}
    return out, peer


def run(argv) -> dict:
    a = _parser().parse_args(argv)
    opts = resolve_common(a)
    batch = a.batch if a.batch is not None else 512
    try:
        sizes = [int(s) for s in a.sizes.split(",")]
    except ValueError:
        raise ValueError(f"--sizes must be comma-separated integers, got {a.sizes!r}") from None
    if len(sizes) < 2 or min(sizes) < 1 or batch < 1:
        raise ValueError(f"--sizes needs >= 2 positive widths and --batch >= 1, got {a.sizes!r}, {batch}")
    try:
        import torch  # noqa: F401  (imported before the limits, so thread_limits also sets its pool)
    except ImportError:
        pass
    with thread_limits(opts["threads"]):
        fns, peer = sides(sizes, batch)
        times = run_sides(fns, opts)
    notes = [] if peer else ["PyTorch is not installed (pip install -e .[torch]): no peer timed"]
    res = make_result("mlp-step", params={"sizes": sizes, "batch": batch, "dtype": "float64"},
                      times=times, threads=opts["threads"], backend=opts["backend"], peer=peer,
                      target={"ratio": "public/peer", "max": 1.0}, notes=notes)
    res["title"] = TITLE
    return res
