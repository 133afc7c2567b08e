"""Benchmark: one SGD step (forward + backward incl. dX + update) of a 784-256-10 MLP, batch 512,
float64, against PyTorch CPU doing the same work with the same thread count, in the same run.

Target (issue 2): ratio refgrow / PyTorch <= 1.0.
"""
from __future__ import annotations

import argparse

import numpy as np

from refgrow.bench._timing import blas_threads, compare, default_threads, report
from refgrow.losses import get_loss
from refgrow.mlp import MLP
from refgrow.optim import SGD


def run(argv) -> dict:
    p = argparse.ArgumentParser(prog="refgrow bench mlp-step")
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--sizes", default="784,256,10")
    p.add_argument("--threads", type=int, default=default_threads())
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--number", type=int, default=10)
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    a = p.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("bench mlp-step: PyTorch is not installed (pip install -e .[torch]; CPU build: see the README); nothing to compare")
        return {"skipped": "torch not installed"}
    sizes = [int(s) for s in a.sizes.split(",")]
    rng = np.random.default_rng(0)
    net = MLP.init(sizes, rng=rng, init="torch")
    X, y = rng.normal(size=(a.batch, sizes[0])), rng.integers(0, sizes[-1], size=a.batch)
    opt = SGD(1e-3)
    loss = get_loss("ce", validate=False)

    def mine():
        out, cache = net._forward(X)
        _, d = loss(out, y)
        opt.step(net, net._backward(cache, d))

    torch.set_num_threads(a.threads)
    Ws = [torch.tensor(W, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, requires_grad=True) for b in net.biases]
    params = [q for wb in zip(Ws, bs) for q in wb]
    Xt = torch.tensor(X, requires_grad=True)           # the input gradient is part of the work
    yt = torch.tensor(y)
    topt = torch.optim.SGD(params, lr=1e-3)

    def theirs():
        topt.zero_grad()
        Xt.grad = None
        h = Xt
        for l, (W, b) in enumerate(zip(Ws, bs)):
            h = torch.nn.functional.linear(h, W, b)
            if l < len(Ws) - 1:
                h = torch.relu(h)
        torch.nn.functional.cross_entropy(h, yt).backward()
        topt.step()

    with blas_threads(a.threads):
        res = compare(mine, theirs, repeat=a.repeat, number=a.number)
    res.update(threads=a.threads, sizes=sizes, batch=a.batch, torch=torch.__version__)
    report(f"mlp-step {sizes} batch {a.batch} float64, {a.threads} threads (refgrow vs PyTorch)", res,
           target=1.0)
    return res
