"""Fuzz of the whole public API (issue 12): every public callable rejects bad input clearly.

The test walks every public module's ``__all__`` (and the public methods of its classes), so a new
function is covered automatically. A callable is called through

* a *recipe* in :data:`RECIPES` (a valid call, built from the small shared context of :func:`ctx`), or
* *auto-call*: every required parameter has a name in :data:`GENERIC` (e.g. ``mlp``, ``X``, ``y``), or
* an explicit entry in :data:`NOT_FUZZED` with the reason (result containers, CLI drivers covered by
  ``tests/test_cli_options.py``, plotting).

``test_every_public_callable_is_covered`` fails when a public callable has none of the three.

For each argument of the valid call a bad value of the argument's kind is injected (NaN/inf, complex,
bool, strings, objects, None, empty, wrong ndim, huge magnitudes, out-of-range labels/indices,
negative/zero/NaN options). The outcome must be

* a ``ValueError`` or ``TypeError`` whose message names the argument, or -- for the *lenient* cases
  (negative, zero, huge, empty, wrong shape: values that may be legitimate) -- a result whose floats are
  all finite;
* never another exception type;
* the inputs are never mutated, and a failing call leaves every input (the network included) unchanged.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import refgrow

# ----------------------------------------------------------------------------- the public API

SKIP_MODULES = ("refgrow.bench", "refgrow.cli", "refgrow.__main__", "refgrow._")


def public_modules():
    mods = []
    for m in pkgutil.walk_packages(refgrow.__path__, "refgrow."):
        if any(m.name.startswith(p) for p in SKIP_MODULES) or any(
                part.startswith("_") for part in m.name.split(".")[1:]):
            continue
        mods.append(importlib.import_module(m.name))
    return mods


def public_callables():
    """``{qualified name: callable}``: functions, classes and the public methods of those classes."""
    out = {}
    for mod in public_modules():
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if not callable(obj) or not getattr(obj, "__module__", "").startswith("refgrow"):
                continue
            qual = f"{obj.__module__}.{obj.__qualname__}"
            out[qual] = obj
            if inspect.isclass(obj):
                for an, av in vars(obj).items():
                    if an.startswith("_") or not (callable(av) or isinstance(av, (classmethod, staticmethod))):
                        continue
                    out[f"{qual}.{an}"] = getattr(obj, an)
    return out


# ----------------------------------------------------------------------------- valid calls

def ctx():
    """A fresh small context: a 2-5-3 ReLU network, 12 samples, labels in [0, 3)."""
    from refgrow.mlp import MLP
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    y = np.arange(12) % 3
    return dict(mlp=MLP.init([2, 5, 3], rng=1), X=X, y=y, rng=0,
                Xr=rng.normal(size=(12, 1)), yr=rng.normal(size=(12, 1)),
                x01=np.linspace(0.0, 1.0, 9), a=np.array([0.3, 0.6, 0.4]))


# parameter name -> valid value built from ctx(); a callable whose required parameters all appear
# here is called automatically (and its defaulted int/float/str/bool options are fuzzed too)
GENERIC = {
    "mlp": lambda c: c["mlp"], "net": lambda c: c["mlp"],
    "X": lambda c: c["X"], "y": lambda c: c["y"], "rng": lambda c: 0,
    "logits": lambda c: c["X"] @ np.ones((2, 3)) + np.arange(3.0),
    "hidden_layer": lambda c: 0, "k": lambda c: 1,
}


def _tiny_arrays(c):
    from refgrow.growth.proposals import v_goal
    mlp = c["mlp"]
    _, cache = mlp.forward(c["X"])
    return cache.inputs[0], cache.inputs[1], v_goal(mlp, c["X"], c["y"], hidden_layer=0)


def _triangle_batch():
    from refgrow.triangle.network import batched_network_parameters
    a = np.array([[0.3, 0.6, 0.4], [0.5, 0.2, 0.7]])
    from refgrow.triangle.waves import differentiable_scales
    S = np.stack([differentiable_scales(r, sign=-1) for r in a])
    sign = np.array([-1.0, -1.0])
    Ws, bs = batched_network_parameters(a, S, sign)
    return a, S, sign, Ws, bs


def _gap_net():
    """f_0 - f_1 = 2 (relu(x_0) - relu(x_1)): the boundary between classes 0 and 1 is x_0 = x_1."""
    from refgrow.mlp import MLP
    return MLP([np.eye(2), np.array([[1.0, -1.0], [-1.0, 1.0], [0.0, 0.0]])], [np.zeros(2), np.zeros(3)])


def _closure_call(g):
    x = np.ones(3)
    return dict(f=lambda: g(x), x=x, eps=1e-6)


def _neurons(c):
    from refgrow.growth.proposals import NewNeurons
    return NewNeurons(w_in=np.ones((1, 2)), b_in=np.zeros(1), w_out=np.zeros((3, 1)))


def _tiny_neurons(c):
    from refgrow.growth.tiny.linalg import new_neurons
    B_in, B, V = _tiny_arrays(c)
    return new_neurons(B_in, V, max_neurons=1)


def _fold_setup(c):
    from refgrow.growth.folding import typical_mistake
    from refgrow.geometry import fold_point
    tm = typical_mistake(c["mlp"], c["X"], c["y"], rng=0)
    fp = fold_point(c["mlp"], tm.x, int(tm.y_true), int(tm.y_pred))
    return tm, fp


def _grower(c):
    from refgrow.growth.folding import FoldingGrowth
    from refgrow.optim import Adam
    return FoldingGrowth(c["mlp"], c["X"], c["y"], optimizer=Adam(1e-2), max_epochs=2, n_restarts=1,
                         rng=0)


def _block_model(c):
    from refgrow.triangle.blocks import random_blocks
    return random_blocks(2, 2, rng=0)


def _adam(c):
    from refgrow.optim import Adam
    return Adam(1e-2)


def _grads(c):
    return c["mlp"].loss_and_grads(c["X"], c["y"])[1]


def _cache(c):
    return c["mlp"].forward(c["X"])[1]


_P = "refgrow."
RECIPES = {
    # layers / losses / mlp
    "layers.affine_forward": lambda c: dict(X=c["X"], W=np.ones((3, 2)), b=np.zeros(3)),
    "layers.affine_backward": lambda c: dict(dZ=np.ones((12, 3)), cache=(c["X"], np.ones((3, 2)))),
    "layers.relu_forward": lambda c: dict(Z=c["X"]),
    "layers.relu_backward": lambda c: dict(dA=np.ones((12, 2)), cache=c["X"] > 0),
    "layers.tanh_forward": lambda c: dict(Z=c["X"]),
    "layers.tanh_backward": lambda c: dict(dA=np.ones((12, 2)), cache=np.tanh(c["X"])),
    "layers.identity_forward": lambda c: dict(Z=c["X"]),
    "layers.identity_backward": lambda c: dict(dA=np.ones((12, 2)), cache=None),
    "losses.softmax_cross_entropy": lambda c: dict(logits=GENERIC["logits"](c), y=c["y"], reduction="mean"),
    "losses.mse": lambda c: dict(pred=c["X"], target=c["X"][::-1].copy(), reduction="mean"),
    "losses.get_loss": lambda c: dict(name="ce"),
    "mlp.MLP": lambda c: dict(weights=[np.ones((3, 2)), np.ones((1, 3))], biases=[np.zeros(3), np.zeros(1)],
                              activation="relu", blocks=[[1, 2]]),
    "mlp.MLP.init": lambda c: dict(sizes=[2, 3, 1], rng=0, init="kaiming", activation="relu"),
    "mlp.MLP.merge_blocks": lambda c: dict(self=c["mlp"]),
    "mlp.MLP.copy": lambda c: dict(self=c["mlp"]),
    "mlp.MLP.parameters": lambda c: dict(self=c["mlp"]),
    "mlp.MLP.forward": lambda c: dict(self=c["mlp"], X=c["X"]),
    "mlp.MLP.backward": lambda c: dict(self=c["mlp"], cache=_cache(c), d_out=np.ones((12, 3))),
    "mlp.MLP.predict": lambda c: dict(self=c["mlp"], X=c["X"]),
    "mlp.MLP.loss": lambda c: dict(self=c["mlp"], X=c["X"], y=c["y"], loss="ce"),
    "mlp.MLP.loss_and_grads": lambda c: dict(self=c["mlp"], X=c["X"], y=c["y"], loss="ce", reduction="mean"),
    "mlp.MLP.preacts_and_patterns": lambda c: dict(self=c["mlp"], X=c["X"]),
    "mlp.MLP.activation_patterns": lambda c: dict(self=c["mlp"], X=c["X"]),
    "mlp.MLP.check_hidden_layer": lambda c: dict(self=c["mlp"], hidden_layer=0),
    "mlp.MLP.add_neurons": lambda c: dict(self=c["mlp"], hidden_layer=0, w_in=np.ones((1, 2)),
                                          b_in=np.zeros(1), w_out=np.zeros((3, 1))),
    "mlp.MLP.remove_neurons": lambda c: dict(self=c["mlp"], hidden_layer=0, idx=np.array([1])),
    "mlp.as_mlp": lambda c: dict(net=c["mlp"], name="net"),
    # optim
    "optim.SGD": lambda c: dict(lr=0.1, momentum=0.5, weight_decay=0.1, nesterov=False),
    "optim.Adam": lambda c: dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
    "optim.Optimizer": lambda c: dict(lr=0.1, weight_decay=0.0),
    "optim.Optimizer.reset": lambda c: dict(self=_adam(c)),
    "optim.Optimizer.step": lambda c: dict(self=_adam(c), mlp=c["mlp"], grads=_grads(c)),
    "optim.Optimizer.add_neurons": lambda c: dict(self=_adam(c), hidden_layer=0, k=1),
    "optim.adam_update": lambda c: dict(param=np.ones(3), grad=np.ones(3), m=np.zeros(3), v=np.zeros(3),
                                        t=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
    # train
    "train.PlateauTest": lambda c: dict(patience=3, min_delta=0.01, key="train_loss"),
    "train.train": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], loss="ce", optimizer=_adam(c),
                                  epochs=2, batch_size=4, rng=0, min_epochs=0,
                                  callbacks=(lambda e, m, h: None,)),
    "train.check_dataset": lambda c: dict(X=c["X"], y=c["y"], loss="ce", n_in=2, n_out=3),
    # datasets
    "datasets.two_sines": lambda c: dict(n=20, rng=0, gap=0.6, noise=0.15),
    "datasets.overlapping_quadratics": lambda c: dict(n=20, rng=0, noise=0.1),
    "datasets.target_1d": lambda c: dict(name="sin", n=20),
    "datasets.sparse_split": lambda c: dict(name="sin", n_train=5, n_test=5),
    "datasets.cubic_minus_x": lambda c: dict(n=20),
    "datasets.r_cubed_2d": lambda c: dict(n=5),
    "datasets.two_spirals": lambda c: dict(n=20, rng=0, turns=1.5, noise=0.1),
    "datasets.teacher_student": lambda c: dict(n=20, rng=0, d=3, hidden=4, out=2),
    "datasets.train_val_split": lambda c: dict(ds=refgrow_datasets().Dataset(c["X"], c["y"]), n_val=3, rng=0),
    # geometry / hyperplane / regions
    "geometry.activation_pattern": lambda c: dict(mlp=c["mlp"], x=c["X"][0]),
    "geometry.local_affine_map": lambda c: dict(mlp=c["mlp"], x=c["X"][0]),
    "geometry.affine_map_of_pattern": lambda c: dict(
        mlp=c["mlp"], pattern=[c["mlp"].activation_patterns(c["X"][:1])[0][0]]),
    "geometry.decision_boundary": lambda c: dict(mlp=c["mlp"], x=c["X"][0], i=0, j=1),
    "hyperplane.closest_point_on_hyperplane": lambda c: dict(x=c["X"][0], w=np.array([1.0, 2.0]), b=0.5),
    "hyperplane.signed_distance": lambda c: dict(x=c["X"], w=np.array([1.0, 2.0]), b=0.5),
    "geometry.logit_gap": lambda c: dict(mlp=c["mlp"], X=c["X"], i=0, j=1),
    "geometry.fold_point": lambda c: dict(mlp=c["mlp"], x_mistake=c["X"][0], i=0, j=1, tol=1e-10, max_iter=20),
    "geometry.regression_hyperplane": lambda c: dict(mlp=refgrow_mlp().MLP.init([2, 4, 1], rng=0),
                                                     x=c["X"][0], output=0),
    "geometry.regression_fold_point": lambda c: dict(mlp=refgrow_mlp().MLP.init([2, 4, 1], rng=0),
                                                     x_mistake=c["X"][0], y_mistake=1.0, output=0,
                                                     tol=1e-10, max_iter=20),
    "geometry.boundary_point_on_segment": lambda c: dict(mlp=_gap_net(), x0=np.array([1.0, 0.0]),
                                                         x1=np.array([0.0, 1.0]), i=0, j=1, tol=1e-12,
                                                         max_iter=60),
    "regions.regions_1d": lambda c: dict(net=refgrow_mlp().MLP.init([1, 6, 1], rng=0), lo=-1.0, hi=1.0,
                                         tol=1e-12, slope_rtol=1e-9),
    "regions.count_linear_regions": lambda c: dict(net=refgrow_mlp().MLP.init([1, 6, 1], rng=0), lo=-1.0, hi=1.0),
    "regions.count_activation_regions": lambda c: dict(net=refgrow_mlp().MLP.init([1, 6, 1], rng=0),
                                                       lo=-1.0, hi=1.0),
    "regions.grid_patterns_2d": lambda c: dict(net=c["mlp"], xlim=(-1.0, 1.0), ylim=(-1.0, 1.0), resolution=5),
    "regions.count_grid_regions_2d": lambda c: dict(net=c["mlp"], xlim=(-1.0, 1.0), ylim=(-1.0, 1.0),
                                                    resolution=5),
    # gradcheck
    "gradcheck.numerical_gradient": lambda c: _closure_call(lambda x: float(np.sum(x ** 2))),
    "gradcheck.numerical_jacobian": lambda c: dict(f=lambda v: v ** 2, x=np.ones(3), eps=1e-6),
    "gradcheck.rel_error": lambda c: dict(a=np.ones(3), b=np.ones(3) * 1.1, floor=1e-12),
    "gradcheck.check_mlp_gradients": lambda c: dict(mlp=c["mlp"], X=c["X"][:3], y=c["y"][:3], loss="ce",
                                                    eps=1e-6),
    "gradcheck.min_abs_preactivation": lambda c: dict(mlp=c["mlp"], X=c["X"]),
    # kmeans
    "kmeans.weighted_kmeans": lambda c: dict(X=c["X"], sample_weight=np.ones(12), n_clusters=3, rng=0,
                                             max_iter=20, tol=1e-4, n_init=1),
    "kmeans.kmeans_plusplus": lambda c: dict(X=c["X"], sample_weight=np.ones(12), n_clusters=3, rng=0),
    "kmeans.lloyd_iteration": lambda c: dict(X=c["X"], sample_weight=np.ones(12), centers=c["X"][:3].copy()),
    "kmeans.weighted_inertia": lambda c: dict(X=c["X"], sample_weight=np.ones(12), centers=c["X"][:3].copy(),
                                              labels=c["y"]),
    # stats
    "stats.adf_test": lambda c: dict(x=np.cumsum(np.random.default_rng(0).normal(size=60)) * 0.1
                                     + np.random.default_rng(1).normal(size=60), maxlag=2, regression="c",
                                     autolag="AIC"),
    "stats.mackinnon_pvalue": lambda c: dict(tau=-2.5, regression="c"),
    "stats.mackinnon_critical_values": lambda c: dict(nobs=50.0, regression="c"),
    "stats.default_maxlag": lambda c: dict(n=50, regression="c"),
    "stats.ADFConvergence": lambda c: dict(window=20, alpha=0.05, key="train_loss", require_local_min=True,
                                           regression="c", autolag="AIC", min_delta=0.0),
    "stats.ADFConvergence.local_minimum": lambda c: dict(self=refgrow_stats().ADFConvergence(window=5),
                                                         values=np.array([3.0, 2.0, 1.0, 1.5, 2.0])),
    # growth: proposals / tiny / gradmax / random / loop
    "growth.proposals.NewNeurons": lambda c: dict(w_in=np.ones((1, 2)), b_in=np.zeros(1), w_out=np.zeros((3, 1))),
    "growth.proposals.apply_proposal": lambda c: dict(mlp=c["mlp"], hidden_layer=0, neurons=_neurons(c)),
    "growth.proposals.v_goal": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], hidden_layer=0, loss="ce"),
    "growth.proposals.amplitude_loss": lambda c: dict(
        mlp=c["mlp"], hidden_layer=0, alpha=np.ones((1, 3)), omega=np.zeros((3, 1)), dW=None, X=c["X"],
        y=c["y"], loss="ce", scaling="sqrt"),
    "growth.proposals.line_search": lambda c: dict(loss_of_gamma=lambda g: (g - 0.3) ** 2, interval=(0.0, 1.0),
                                                   n_grid=11, refine=True),
    "growth.tiny.linalg.with_ones": lambda c: dict(B=c["X"]),
    "growth.tiny.linalg.second_moments": lambda c: dict(B=c["X"], V=c["X"][:, ::-1].copy()),
    "growth.tiny.linalg.pinv_sqrt": lambda c: dict(S=np.array([[2.0, 0.5], [0.5, 1.0]]), rtol=1e-10),
    "growth.tiny.linalg.best_update": lambda c: dict(B=c["X"], V_goal=c["X"][:, ::-1].copy(), rtol=1e-10),
    "growth.tiny.linalg.projected_goal": lambda c: dict(B=c["X"], V_goal=c["X"][:, ::-1].copy(),
                                                        dW=np.ones((2, 2))),
    "growth.tiny.linalg.expressivity_bottleneck": lambda c: dict(V_goal=c["X"], V=c["X"][::-1].copy()),
    "growth.tiny.linalg.new_neurons": lambda c: dict(B_in=_tiny_arrays(c)[0], V_goal_proj=_tiny_arrays(c)[2],
                                                     max_neurons=1, min_singular_value=0.0, rtol=1e-10,
                                                     sv_rtol=1e-8, cholesky=False),
    "growth.tiny.linalg.new_neurons_geig": lambda c: dict(B_in=_tiny_arrays(c)[0],
                                                          V_goal_proj=_tiny_arrays(c)[2], max_neurons=1),
    "growth.tiny.linalg.tiny_from_activations": lambda c: dict(
        B_in=_tiny_arrays(c)[0], B=_tiny_arrays(c)[1], V_goal=_tiny_arrays(c)[2], max_neurons=1,
        min_singular_value=0.0, rtol=1e-10, cholesky=True),
    "growth.tiny.first_order.linearised_move": lambda c: dict(B_in=c["X"], alpha=np.ones((1, 2)),
                                                              omega=np.ones((3, 1))),
    "growth.tiny.first_order.first_order_decrease": lambda c: dict(
        V_goal=_tiny_arrays(c)[2], B=_tiny_arrays(c)[1], dW=np.zeros((3, 5)), B_in=_tiny_arrays(c)[0],
        neurons=_tiny_neurons(c), sigma_prime0=1.0, update_applied=True),
    "growth.tiny.first_order.relu_first_order": lambda c: dict(
        V_goal=_tiny_arrays(c)[2], B=_tiny_arrays(c)[1], dW=np.zeros((3, 5)), B_in=_tiny_arrays(c)[0],
        neurons=_tiny_neurons(c), update_applied=True),
    "growth.tiny.network.tiny_step": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], hidden_layer=0,
                                                    loss="ce", max_neurons=1, min_singular_value=0.0,
                                                    rtol=1e-10, cholesky=True),
    "growth.tiny.network.apply_tiny": lambda c: dict(mlp=c["mlp"], hidden_layer=0, alpha=np.ones((1, 3)),
                                                     omega=np.ones((3, 1)), dW=None, gamma=0.5,
                                                     scaling="sqrt"),
    "growth.tiny.network.propose_tiny": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], hidden_layer=0, k=1,
                                                       rng=0, loss="ce", amplitude="line_search", L=2.0,
                                                       scaling="sqrt", update_existing=True, n_grid=5,
                                                       min_singular_value=0.0),
    "growth.gradmax.gradmax_matrix": lambda c: dict(B_in=_tiny_arrays(c)[0], V_goal=_tiny_arrays(c)[2]),
    "growth.gradmax.gradmax_neurons": lambda c: dict(B_in=_tiny_arrays(c)[0], V_goal=_tiny_arrays(c)[2], k=1,
                                                     c=1.0, bias=True),
    "growth.gradmax.fan_in_gradient_norm": lambda c: dict(B_in=_tiny_arrays(c)[0], V_goal=_tiny_arrays(c)[2],
                                                          w_out=np.ones((3, 1)), sigma_prime0=1.0),
    "growth.gradmax.propose_gradmax": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], hidden_layer=0, k=1,
                                                     rng=0, loss="ce", c=1.0, fan_in="zero", eta=0.1),
    "growth.random_neurons.random_directions": lambda c: dict(d_prev=2, d_next=3, k=1, rng=0,
                                                              distribution="gaussian"),
    "growth.random_neurons.propose_random": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], hidden_layer=0,
                                                           k=1, rng=0, loss="ce", distribution="gaussian",
                                                           L=2.0, n_grid=5),
    "growth.loop.GrowthHistory.to_dict": lambda c: dict(self=refgrow_loop().GrowthHistory()),
    "growth.loop.grow": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"],
                                       propose=refgrow_random().propose_random, loss="ce",
                                       optimizer=_adam(c), hidden_layer=0, k=1, max_steps=1,
                                       epochs_between=1, rng=0, final_epochs=0, max_phase_epochs=2,
                                       callbacks=(lambda s, m, h: None,)),
    # growth: folding
    "growth.folding.mistakes.typical_mistake": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], loss="ce",
                                                              method="largest_cluster", n_clusters=2,
                                                              sample_size=6, tau=0.5, rng=0),
    "growth.folding.fold.fold_objective": lambda c: dict(
        mlp=c["mlp"], w=np.array([1.0, 0.5]), X=c["X"], y=c["y"], x_mistake=c["X"][0], y_mistake=int(c["y"][0]),
        x_fold=c["X"][1], w_out=np.ones(3), loss="ce"),
    "growth.folding.fold.fold_neuron": lambda c: dict(
        mlp=c["mlp"], X=c["X"], y=c["y"], x_mistake=c["X"][0], y_mistake=int(c["y"][0]), x_fold=c["X"][1],
        loss="ce", out_init="uniform", n_restarts=1, max_iter=10, flat_tol=1e-9, rng=0),
    "growth.folding.fold.classification_fold": lambda c: dict(mlp=c["mlp"], X=c["X"], tm=_fold_setup(c)[0],
                                                              refine=True),
    "growth.folding.regularizer.fold_regularizer": lambda c: dict(w=np.array([1.0, 0.5]), b=0.2,
                                                                  p_mistake=c["X"][0], p_fold=c["X"][1]),
    "growth.folding.regularizer.regularizer_value": lambda c: dict(mlp=c["mlp"], fold_terms=()),
    "growth.folding.grow.fine_tune": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], loss="ce",
                                                    optimizer=_adam(c), epochs=2, alpha=0.0, batch_size=4,
                                                    rng=0, min_epochs=0),
    "growth.folding.grow.FoldingGrowth": lambda c: dict(
        mlp=c["mlp"], X=c["X"], y=c["y"], loss="ce", optimizer=_adam(c), alpha=0.1, regularize="last",
        mistake_method="largest_cluster", n_clusters=2, out_init="uniform", n_restarts=1, refine=True,
        max_epochs=2, min_epochs=0, patience=3, rng=0),
    "growth.folding.grow.FoldingGrowth.train_initial": lambda c: dict(self=_grower(c)),
    "growth.folding.grow.FoldingGrowth.step": lambda c: dict(self=_grower(c)),
    "growth.folding.grow.FoldingGrowth.run": lambda c: dict(self=_grower(c), max_steps=1, train_first=False),
    "growth.folding.grow.FoldingGrowth.rollback": lambda c: dict(self=_grower(c), k=0),
    "growth.folding.grow.FoldingGrowth.explanations": lambda c: dict(self=_grower(c)),
    "growth.folding.grow.FoldingGrowth.to_json": lambda c: dict(self=_grower(c)),
    "growth.folding.grow.grow_by_folding": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], max_steps=1,
                                                          train_first=False, max_epochs=2, n_restarts=1,
                                                          rng=0),
    "growth.folding.grow.propose_fold": lambda c: dict(mlp=c["mlp"], X=c["X"], y=c["y"], hidden_layer=0, k=1,
                                                       rng=0, loss="ce", n_restarts=1),
    # triangle
    "triangle.waves.triangle": lambda c: dict(x=c["x01"], a=0.3),
    "triangle.waves.triangle_derivative": lambda c: dict(x=c["x01"], a=0.3, side="right"),
    "triangle.waves.triangle_waves": lambda c: dict(x=c["x01"], a=c["a"]),
    "triangle.waves.triangle_breakpoints": lambda c: dict(a=c["a"], i=1),
    "triangle.waves.random_peaks": lambda c: dict(m=3, c=0.05, rng=0),
    "triangle.waves.differentiable_scales": lambda c: dict(a=c["a"], sign=-1),
    "triangle.waves.scale_ratios": lambda c: dict(s=np.array([0.5, 0.25])),
    "triangle.waves.triangle_series": lambda c: dict(x=c["x01"], a=c["a"], s=np.array([0.5, 0.25]), sign=-1),
    "triangle.waves.yarotsky_error": lambda c: dict(n=3),
    "triangle.waves.theorem31_ratios": lambda c: dict(a=_triangle_batch()[0], sign=_triangle_batch()[2]),
    "triangle.waves.theorem31_ratios_vjp": lambda c: dict(a=_triangle_batch()[0], sign=_triangle_batch()[2],
                                                          dS=np.ones((2, 2))),
    "triangle.network.network_parameters": lambda c: dict(a=c["a"], s=None, sign=-1),
    "triangle.network.triangle_network": lambda c: dict(a=c["a"], s=None, sign=-1),
    "triangle.network.batched_network_parameters": lambda c: dict(zip(("a", "S", "sign"), _triangle_batch()[:3])),
    "triangle.network.batched_network_parameters_vjp": lambda c: dict(
        a=_triangle_batch()[0], S=_triangle_batch()[1], sign=_triangle_batch()[2],
        dWs=[np.ones_like(w) for w in _triangle_batch()[3]], dbs=[np.ones_like(b) for b in _triangle_batch()[4]]),
    "triangle.network.batched_forward": lambda c: dict(Ws=_triangle_batch()[3], bs=_triangle_batch()[4],
                                                       X=c["x01"][:, None]),
    "triangle.network.batched_backward": lambda c: dict(
        Ws=_triangle_batch()[3], cache=refgrow_tri_net().batched_forward(
            _triangle_batch()[3], _triangle_batch()[4], c["x01"][:, None])[1], dout=np.ones((2, 9, 1))),
    "triangle.pretrain.pretrain_loss_and_grad": lambda c: dict(a=c["a"], x=c["x01"], y=c["x01"] ** 2, sign=-1),
    "triangle.pretrain.free_scales_loss_and_grad": lambda c: dict(a=c["a"], s=np.array([0.5, 0.25]), x=c["x01"],
                                                                  y=c["x01"] ** 2, sign=-1),
    "triangle.pretrain.pretrain": lambda c: dict(a=c["a"], x=c["x01"], y=c["x01"] ** 2, epochs=2, lr=1e-3,
                                                 sign=-1, free_scales=False, c=0.05),
    "triangle.pretrain.batched_pretrain": lambda c: dict(a=_triangle_batch()[0], sign=_triangle_batch()[2],
                                                         X=c["x01"][:, None], Y=np.ones((2, 9, 1)), epochs=2,
                                                         lr=1e-3, free=False, c=0.05),
    "triangle.pretrain.batched_pretrain_loss_and_grad": lambda c: dict(
        a=_triangle_batch()[0], S=_triangle_batch()[1], sign=_triangle_batch()[2], X=c["x01"][:, None],
        Y=np.ones((2, 9, 1)), free=False),
    "triangle.pretrain.ArrayAdam": lambda c: dict(params=[np.ones(3)], lr=0.1, betas=(0.9, 0.999), eps=1e-8),
    "triangle.pretrain.ArrayAdam.step": lambda c: dict(self=refgrow_tri_pre().ArrayAdam([np.ones(3)], 0.1),
                                                       params=[np.ones(3)], grads=[np.ones(3)]),
    "triangle.inits.torch_default_init": lambda c: dict(sizes=[1, 4, 1], rng=0, runs=2),
    "triangle.inits.rai_init": lambda c: dict(sizes=[1, 4, 1], rng=0, runs=2),
    "triangle.inits.raai_init": lambda c: dict(sizes=[1, 4, 1], rng=0, runs=2),
    "triangle.blocks.BlockModel.inputs": lambda c: dict(self=_block_model(c), X=c["Xr"]),
    "triangle.blocks.BlockModel.forward": lambda c: dict(self=_block_model(c), X=c["Xr"]),
    "triangle.blocks.BlockModel.loss_and_grad": lambda c: dict(self=_block_model(c), X=c["Xr"], Y=c["yr"],
                                                               loss="mse"),
    "triangle.blocks.BlockModel.fit_output": lambda c: dict(self=_block_model(c), X=c["Xr"], Y=c["yr"]),
    "triangle.blocks.BlockModel.to_mlp": lambda c: dict(self=_block_model(c)),
    "triangle.blocks.random_blocks": lambda c: dict(n_blocks=2, depth=2, D=1, C=1, lo=-1.0, hi=1.0, c=0.05,
                                                    rng=0),
    "triangle.blocks.pretrain_blocks": lambda c: dict(model=_block_model(c), X=c["Xr"], Y=c["yr"], loss="mse",
                                                      epochs=2, lr=1e-3, c=0.05, varpro=False),
    "triangle.blocks.train_mlp_masked": lambda c: dict(mlp=refgrow_mlp().MLP.init([1, 4, 1], rng=0),
                                                       X=c["Xr"], Y=c["yr"], loss="mse", epochs=2, lr=1e-3),
    # the TINY spectrum helpers
    "growth.tiny.spectrum.default_rtol": lambda c: dict(n=12, d=3),
    "growth.tiny.spectrum.gram_noise": lambda c: dict(n=12, d=3),
    "growth.tiny.spectrum.spectrum": lambda c: dict(S=(c["X"].T @ c["X"]) / 12, rtol=1e-10, B=c["X"],
                                                    N=(c["X"].T @ c["X"][:, ::-1]) / 12),
    "growth.tiny.spectrum.energy": lambda c: dict(V=c["X"]),
    "growth.tiny.spectrum.warn_discarded": lambda c: dict(energy=0.0, goal_energy=1.0, what="best_update",
                                                          warn=True),
    # jsonio
    "jsonio.to_jsonable": lambda c: dict(v={"a": np.ones(2), "b": 1.5}),
    # experiments helpers that take arrays
    "experiments.triangle.tables.batched_mse": lambda c: dict(Ws=_triangle_batch()[3], bs=_triangle_batch()[4],
                                                              X=c["x01"][:, None], Y=np.ones((2, 9, 1))),
    "experiments.triangle.tables.collapsed_runs": lambda c: dict(Ws=_triangle_batch()[3],
                                                                 bs=_triangle_batch()[4], X=c["x01"][:, None]),
    "experiments.triangle.tables.train_raw": lambda c: dict(Ws=_triangle_batch()[3], bs=_triangle_batch()[4],
                                                            X=c["x01"][:, None], Y=np.ones((2, 9, 1)), epochs=2,
                                                            lr=1e-3, batch_size=4, rng=0),
}
RECIPES = {_P + k: v for k, v in RECIPES.items()}


def refgrow_train():
    return importlib.import_module("refgrow.train")


def refgrow_datasets():
    return importlib.import_module("refgrow.datasets")


def refgrow_mlp():
    return importlib.import_module("refgrow.mlp")


def refgrow_stats():
    return importlib.import_module("refgrow.stats")


def refgrow_loop():
    return importlib.import_module("refgrow.growth.loop")


def refgrow_random():
    return importlib.import_module("refgrow.growth.random_neurons")


def refgrow_tri_net():
    return importlib.import_module("refgrow.triangle.network")


def refgrow_tri_pre():
    return importlib.import_module("refgrow.triangle.pretrain")


# Result containers (returned by refgrow, not built by users), drivers tested elsewhere, and the
# functions whose arguments are not values (global state, figures, files): name -> reason.
_RESULT = "result container returned by refgrow (users read it, they do not build it)"
_CLI = "command-line driver (argv); its options are fuzzed in tests/test_cli_options.py"
_FILES = "reads/writes files; covered by tests/test_saveload.py and tests/test_datasets.py"
_PLOT = "draws on a matplotlib figure; its array arguments go through the fuzzed geometry/MLP functions"
_EXP = "experiment driver (minutes per valid call); its public options are fuzzed through its CLI"
NOT_FUZZED = {_P + k: v for k, v in {
    "backend.get_xp": "no arguments", "backend.backend_name": "no arguments",
    "backend.set_backend": "changes process-wide state; tested in tests/test_backend.py",
    "backend.to_numpy": "identity-like conversion of any array; tested in tests/test_backend.py",
    "datasets.Splits": _RESULT, "datasets.read_idx": _FILES, "datasets.write_idx": _FILES,
    "datasets.load_idx_dataset": _FILES, "datasets.load_fashion_mnist": _FILES,
    "geometry.FoldPoint": _RESULT, "geometry.FoldPoint.to_dict": _RESULT,
    "geometry.RegressionFoldPoint": _RESULT, "geometry.RegressionFoldPoint.to_dict": _RESULT,
    "growth.folding.mistakes.TypicalMistake": _RESULT, "growth.folding.mistakes.TypicalMistake.to_dict": _RESULT,
    "growth.folding.grow.FoldRecord": _RESULT, "growth.folding.grow.FoldRecord.to_dict": _RESULT,
    "growth.folding.grow.FoldingResult": _RESULT, "growth.loop.GrowthHistory": _RESULT,
    "growth.loop.GrowthResult": _RESULT, "growth.tiny.network.TinyStep": _RESULT,
    "growth.tiny.linalg.TinyNeurons": _RESULT,
    "kmeans.KMeansResult": _RESULT, "mlp.ForwardCache": _RESULT, "mlp.Gradients": _RESULT,
    "regions.Regions1D": _RESULT, "stats.ADFResult": _RESULT, "train.History": _RESULT,
    "train.History.append": _RESULT, "train.History.to_dict": _RESULT,
    "datasets.Dataset": "a plain (X, y) NamedTuple; the functions that take one validate it "
                        "(train_val_split is fuzzed)",
    "triangle.pretrain.PretrainLossGrad": _RESULT, "triangle.pretrain.FreeScalesLossGrad": _RESULT,
    "triangle.pretrain.PretrainResult": _RESULT, "triangle.inits.RAIInit": _RESULT,
    "triangle.blocks.BlockModel": "built by random_blocks (fuzzed); its methods are fuzzed below",
    "mlp.MLP.save": _FILES, "mlp.MLP.load": _FILES, "jsonio.dump_json": _FILES,
    "plotting.plt": _PLOT, "plotting.decision_regions": _PLOT, "plotting.plot_history": _PLOT,
    "plotting.plot_layer_outputs": _PLOT, "plotting.savefig": _PLOT,
    "experiments.folding.folding_sine": _CLI, "experiments.folding.folding_quadratic": _CLI,
    "experiments.folding.folding_fashion_mnist": _CLI, "experiments.tiny.tiny_vs_gradmax": _CLI,
    "experiments.triangle.tables.table1": _CLI, "experiments.triangle.tables.table2": _CLI,
    "experiments.triangle.tables.table3": _CLI, "experiments.triangle.nonconvex.nonconvex": _CLI,
    "experiments.folding.table1_protocol": _EXP, "experiments.tiny.teacher_student_run": _EXP,
    "experiments.tiny.classification_run": _EXP, "experiments.tiny.pure_growth_run": _EXP,
    "experiments.triangle.tables.run_protocol": _EXP, "experiments.triangle.nonconvex.nonconvex_runs": _EXP,
    "experiments.triangle.tables.format_table": _EXP, "experiments.triangle.tables.make_parser": _CLI,
    "experiments.triangle.tables.quick_settings": _CLI, "experiments.triangle.tables.write_json": _FILES,
    "experiments.triangle.figures.best_run": _EXP, "experiments.triangle.figures.figure_construction": _PLOT,
    "experiments.triangle.figures.figure_layers": _PLOT, "experiments.triangle.figures.figure_sparse": _PLOT,
    "experiments.triangle.figures.figure_nonconvex": _PLOT,
}.items()}

# Whole modules outside the value-taking API, each with the reason (every public callable of the
# module is exempt; a new module must be added here or get recipes).
_NS = ("array-namespace plumbing: its first argument is an array module and the arrays are that "
       "module's; tested in tests/test_backend.py and tests/test_array_namespace.py")
NOT_FUZZED_MODULES = {
    "refgrow.exercises": "classroom harness: runs students' files in a child process and reports "
                         "(tests/test_exercises.py); its reference solutions mirror the skeletons' "
                         "contracts, which carry no validation on purpose",
    "refgrow.gallery": "figure-gallery driver (jobs, files); its CLI options are fuzzed in "
                       "tests/test_cli_options.py",
    "refgrow.notebooks": "writes/executes tutorial notebooks (files); tests/test_tutorials.py",
    "refgrow.oracle": "golden-vector files and the harness that loads another implementation "
                      "(JSON/npz I/O, module specs); tests/test_oracle.py",
    "refgrow.testing": "assertion helpers comparing another implementation with refgrow: NaN or "
                       "mismatched values in `yours` are what they report (AssertionError); "
                       "tests/test_testing.py",
}
for _name in ("astype", "column_signs", "concat", "copy", "device_kw", "from_numpy", "is_numpy", "ldexp",
              "matrix_transpose"):
    NOT_FUZZED[_P + "backend." + _name] = _NS
NOT_FUZZED.update({_P + k: v for k, v in {
    "plotting.show": _PLOT, "plotting.figure_dir": "creates a folder (files); tests/test_tutorials.py", "experiments.folding.plot_fold_step": _PLOT,
    "experiments.folding.fold_step_legend": _PLOT,
}.items()})


def auto_recipe(f):
    """A valid call built from :data:`GENERIC`, or None when a required parameter is unknown."""
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return None
    required = [p for p in sig.parameters.values() if p.default is p.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if any(p.name not in GENERIC for p in required):
        return None
    return lambda c: {p.name: GENERIC[p.name](c) for p in required}


def recipe_for(name, f):
    return RECIPES.get(name) or auto_recipe(f)


CALLABLES = public_callables()
for _n in CALLABLES:
    for _mod, _why in NOT_FUZZED_MODULES.items():
        if _n.startswith(_mod + "."):
            NOT_FUZZED.setdefault(_n, _why)
FUZZED = sorted(n for n in CALLABLES if n not in NOT_FUZZED)


def test_every_public_callable_is_covered():
    missing = [n for n in FUZZED if recipe_for(n, CALLABLES[n]) is None]
    assert not missing, f"public callables with neither a recipe nor an auto-call: {missing}"
    stale = sorted(set(RECIPES) - set(CALLABLES)) + sorted(set(NOT_FUZZED) - set(CALLABLES))
    assert not stale, f"recipes/exemptions for names that are not public any more: {stale}"


# ----------------------------------------------------------------------------- bad values

class _Obj:
    def __repr__(self):
        return "<object>"


def _with_defaults(f, call):
    """Add the defaulted int/float/str/bool options of ``f`` to ``call`` so they are fuzzed too."""
    try:
        params = inspect.signature(f).parameters
    except (TypeError, ValueError):
        return call
    call = dict(call)
    for p in params.values():
        if p.name not in call and p.default is not p.empty and type(p.default) in (int, float, str, bool):
            call[p.name] = p.default
    return call


STRICT, LENIENT = "strict", "lenient"


# options that take a keyword string or a number: (callable, argument)
STR_OR_NUMBER = {(_P + "growth.tiny.network.propose_tiny", "amplitude")}


def bad_values(name, v, fname=""):
    """``[(label, value, strictness)]`` for argument ``name`` whose valid value is ``v``."""
    from refgrow.mlp import MLP
    out = []
    if isinstance(v, MLP):
        return [("None", None, STRICT), ("string", "net", STRICT), ("object", _Obj(), STRICT)]
    if isinstance(v, (bool, np.bool_)):
        return [("string", "yes", STRICT), ("int 2", 2, STRICT), ("None", None, STRICT)]
    if isinstance(v, str):
        if (fname, name) in STR_OR_NUMBER:
            return [("unknown choice", "no-such-choice", STRICT)]
        return [("unknown choice", "no-such-choice", STRICT), ("int", 3, STRICT)]
    if name == "rng":
        return [("string", "seed", STRICT), ("float", 1.5, STRICT), ("object", _Obj(), STRICT)]
    if isinstance(v, (int, np.integer)):
        return [("nan", float("nan"), STRICT), ("fraction", 1.5, STRICT), ("bool", True, STRICT),
                ("string", "3", STRICT), ("complex", 1 + 1j, STRICT), ("negative", -1, LENIENT),
                ("zero", 0, LENIENT)]
    if isinstance(v, (float, np.floating)):
        return [("nan", float("nan"), STRICT), ("inf", float("inf"), LENIENT), ("-inf", -float("inf"), LENIENT),
                ("string", "0.1", STRICT), ("complex", 1j, STRICT), ("bool", True, STRICT),
                ("negative", -1.0, LENIENT), ("zero", 0.0, LENIENT), ("huge", 1e300, LENIENT),
                ("-huge", -1e300, LENIENT)]
    if isinstance(v, np.ndarray) and v.dtype.kind in "iu":
        out = [("float labels", v + 0.5, STRICT), ("strings", v.astype(str), STRICT),
               ("bools", v > 0, STRICT), ("None", None, STRICT), ("object", _Obj(), STRICT)]
        if v.size:
            hi = v.copy(); hi.flat[0] = 10 ** 6
            lo = v.copy(); lo.flat[0] = -1
            out += [("out of range", hi, STRICT), ("negative", lo, STRICT), ("short", v[:-1], LENIENT),
                    ("2-d", v[:, None], LENIENT)]
        return out
    if isinstance(v, np.ndarray) and v.dtype.kind == "f":
        out = [("complex", v + 1j, STRICT), ("bools", v > 0, STRICT), ("strings", v.astype(str), STRICT),
               ("None", None, LENIENT), ("object", _Obj(), STRICT), ("string", "abc", STRICT),
               ("empty", v[:0], LENIENT), ("wrong ndim", v[..., None], LENIENT),
               ("scalar", np.float64(0.5), LENIENT), ("huge", v * 1e300 + 1e300, LENIENT),
               ("-huge", -v * 1e300 - 1e300, LENIENT), ("tiny", v * 1e-300, LENIENT)]
        if v.size:
            for lab, val in (("nan", np.nan), ("inf", np.inf)):
                w = v.copy(); w.flat[v.size // 2] = val
                out.append((lab, w, STRICT))
        return out
    if isinstance(v, (list, tuple)) and v and all(callable(e) for e in v):    # callbacks
        return [("int", 5, STRICT), ("string", "abc", STRICT), ("non-callable element", (5,), STRICT)]
    if isinstance(v, tuple) and hasattr(v, "_fields"):          # a NamedTuple result passed back in
        return [("None", None, STRICT), ("string", "abc", STRICT), ("object", _Obj(), STRICT)]
    if isinstance(v, (list, tuple)) and v and all(isinstance(e, np.ndarray) and e.dtype.kind == "f" for e in v):
        w = list(v); w[0] = np.full_like(v[0], np.nan)
        return [("nan element", type(v)(w), STRICT), ("string", "abc", STRICT), ("None", None, STRICT)]
    if isinstance(v, (list, tuple)) and v and all(isinstance(e, numbers_real()) for e in v):
        res = [("string", "abc", STRICT), ("object", _Obj(), STRICT)]
        for lab, bad in (("nan element", float("nan")), ("string element", "a"), ("bool element", True)):
            w = list(v); w[0] = bad
            res.append((lab, type(v)(w), STRICT))
        w = list(v); w[-1] = -w[-1] - 1
        res.append(("negative element", type(v)(w), LENIENT))
        return res
    return []


def numbers_real():
    import numbers
    return numbers.Real


# ----------------------------------------------------------------------------- checks

def snapshot(v, depth=0):
    """A comparable deep copy of everything an argument holds (arrays, lists, objects' fields)."""
    if depth > 6:
        return None
    if isinstance(v, np.ndarray):
        return ("arr", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, np.random.Generator) or callable(v) and not hasattr(v, "__dict__"):
        return ("skip",)
    if isinstance(v, dict):
        return ("dict", tuple((k, snapshot(x, depth + 1)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(snapshot(x, depth + 1) for x in v))
    if isinstance(v, float) and math.isnan(v):
        return ("nan",)
    if hasattr(v, "__dict__") and not inspect.isfunction(v) and not inspect.isclass(v) \
            and type(v).__module__.startswith("refgrow"):
        return (type(v).__name__, tuple((k, snapshot(x, depth + 1)) for k, x in sorted(vars(v).items())))
    try:
        hash(v)
        return v
    except TypeError:
        return ("id", id(v))


def nonfinite(v, depth=0):
    """Paths of non-finite floats inside a result."""
    if depth > 6:
        return []
    if isinstance(v, np.ndarray):
        return ["array"] if v.dtype.kind in "fc" and not np.all(np.isfinite(v)) else []
    if isinstance(v, (float, np.floating)):
        return [] if math.isfinite(v) else [repr(v)]
    if isinstance(v, dict):
        return [p for x in v.values() for p in nonfinite(x, depth + 1)]
    if isinstance(v, (list, tuple)):
        return [p for x in v for p in nonfinite(x, depth + 1)]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return [f".{f.name}" + p for f in dataclasses.fields(v) for p in nonfinite(getattr(v, f.name), depth + 1)]
    if hasattr(v, "weights") and hasattr(v, "biases"):
        return nonfinite(list(v.weights) + list(v.biases), depth + 1)
    return []


def nonfinite_allowed(name):
    """A callable (or a method of a class) listed in NONFINITE_OK."""
    return name in NONFINITE_OK or name.rsplit(".", 1)[0] in NONFINITE_OK


def names_argument(msg, name):
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", msg) is not None


# results may hold inf/NaN by documented convention: name -> reason
NONFINITE_OK = {_P + k: v for k, v in {
    "growth.folding.grow.FoldingGrowth": "records NaN for 'not measured yet'",
    "train.train": "a run that diverges records its NaN loss and stops with stopped_by='diverged'",
    "growth.folding.grow.fine_tune": "as train: divergence is recorded, not raised",
    "growth.loop.grow": "as train: divergence is recorded, not raised",
    "experiments.triangle.tables.train_raw": "a diverging run records its non-finite losses (tables "
                                             "count such runs instead of aborting the experiment)",
    "triangle.pretrain.batched_pretrain": "as train_raw: the losses of a diverging run are recorded",
    "growth.folding.grow.grow_by_folding": "its histories record NaN validation losses when no "
                                           "validation set is given",
}.items()}

# arguments a successful call modifies by design (documented "in place"): name -> argument names
MUTATES = {_P + k: v for k, v in {
    "train.train": ("mlp", "optimizer"), "growth.folding.grow.fine_tune": ("mlp", "optimizer"),
    "optim.Optimizer.step": ("mlp",), "optim.adam_update": ("param", "m", "v"),
    "triangle.pretrain.ArrayAdam.step": ("params",), "experiments.triangle.tables.train_raw": ("Ws", "bs"),
    "gradcheck.numerical_gradient": ("x",), "growth.loop.grow": ("optimizer",),
    "growth.folding.grow.FoldingGrowth": ("optimizer",), "growth.folding.grow.grow_by_folding": ("optimizer",),
    "triangle.blocks.pretrain_blocks": ("model",), "triangle.blocks.train_mlp_masked": ("mlp",),
}.items()}

# the name an error message uses for an argument, where it differs from the parameter's name
ALIASES = {(_P + "losses.get_loss", "name"): "loss"}

# free-text string arguments (any string is valid): (callable, argument)
FREE_TEXT = {(_P + "mlp.as_mlp", "name"), (_P + "growth.tiny.spectrum.warn_discarded", "what"), (_P + "jsonio.to_jsonable", "v"),
             (_P + "stats.ADFConvergence", "key"), (_P + "mlp.check_mlp", "name")}


# a wrong shape may be reported as a mismatch with another array argument, named instead
SHAPE_CASES = ("empty", "wrong ndim", "scalar", "short", "2-d")


def call_case(name, f, call, arg, bad, strictness, label=""):
    """Run one case; return a failure description or None."""
    call = dict(call)
    call[arg] = bad
    obj = call.pop("self", None)
    mutable = MUTATES.get(name, ())
    before = snapshot({k: v for k, v in call.items() if k != arg})
    before_kept = snapshot({k: v for k, v in call.items() if k != arg and k not in mutable})
    shown = ALIASES.get((name, arg), arg)
    target = getattr(obj, name.rsplit(".", 1)[1]) if obj is not None else f
    if obj is not None:
        before_self = snapshot(obj)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = target(**call)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        others = [k for k, v in call.items() if isinstance(v, (np.ndarray, list, tuple))] \
            if label in SHAPE_CASES else []
        if not any(names_argument(msg, nm) for nm in [shown] + others):
            return f"{type(exc).__name__} does not name {shown!r}: {msg[:160]}"
        if snapshot({k: v for k, v in call.items() if k != arg}) != before:
            return "a failing call mutated its inputs"
        if obj is not None and snapshot(obj) != before_self:
            return "a failing call changed the object it was called on"
        return None
    except Exception as exc:  # noqa: BLE001 -- the point of the test
        return f"{type(exc).__name__} leaked: {str(exc)[:160]}"
    if strictness == STRICT:
        return f"accepted a bad value silently (returned {type(res).__name__})"
    if snapshot({k: v for k, v in call.items() if k != arg and k not in mutable}) != before_kept:
        return "mutated its inputs"
    bad_paths = [] if nonfinite_allowed(name) else nonfinite(res)
    if bad_paths:
        return f"returned non-finite values at {bad_paths[:3]}"
    return None


def cases_for(name):
    f = CALLABLES[name]
    rec = recipe_for(name, f)
    call = rec(ctx())
    if "self" not in call:
        call = _with_defaults(f, call)
    out = []
    for arg, v in call.items():
        if arg == "self" or (name, arg) in FREE_TEXT:
            continue
        for label, bad, strictness in bad_values(arg, v, name):
            out.append((arg, label, strictness))
    return out


def _bad_value(name, arg, label):
    call = recipe_for(name, CALLABLES[name])(ctx())
    if "self" not in call:
        call = _with_defaults(CALLABLES[name], call)
    for lab, bad, strictness in bad_values(arg, call[arg], name):
        if lab == label:
            return call, bad, strictness
    raise AssertionError(label)


@pytest.mark.parametrize("name", FUZZED)
def test_valid_call_succeeds(name):
    """The recipe itself is a valid call (otherwise every bad-value case would pass vacuously), and its
    result is finite, the rule the bad-value cases are held to (except the documented NaN records)."""
    f = CALLABLES[name]
    call = recipe_for(name, f)(ctx())
    obj = call.pop("self", None)
    target = getattr(obj, name.rsplit(".", 1)[1]) if obj is not None else f
    res = target(**call)
    bad_paths = [] if nonfinite_allowed(name) else nonfinite(res)
    assert not bad_paths, f"{name}: the valid call returned non-finite values at {bad_paths[:3]}"


@pytest.mark.parametrize("name", FUZZED)
def test_bad_values_rejected(name):
    """Every bad value of every argument: a clear error naming it, or a finite result."""
    failures = []
    for arg, label, _ in cases_for(name):
        call, bad, strictness = _bad_value(name, arg, label)
        why = call_case(name, CALLABLES[name], call, arg, bad, strictness, label)
        if why:
            failures.append(f"{arg}={label}: {why}")
    assert not failures, f"{name}:\n  " + "\n  ".join(failures)


# ----------------------------------------------------------------------------- hypothesis: drawn values

def _numeric_args(name):
    """Arguments of the valid call whose value is a real scalar or a float array."""
    call = recipe_for(name, CALLABLES[name])(ctx())
    if "self" not in call:
        call = _with_defaults(CALLABLES[name], call)
    return sorted(k for k, v in call.items() if k != "self" and (
        (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
         and k != "rng") or (isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size)))


NUMERIC = [n for n in FUZZED if _numeric_args(n)]

_any_float = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from([1e308, -1e308, 1e-308, 5e-324, 1e154, -1e154, 0.0, -0.0]))


@pytest.mark.parametrize("name", NUMERIC)
@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_drawn_values(name, data):
    """Hypothesis draws the argument and its value: any float for a real option or for one entry of
    an array, any scale factor for a whole array, any integer for an integer option. A NaN/inf must
    be refused with an error naming the argument; any finite value must give that error or a finite
    result; nothing else may escape and no input may change."""
    arg = data.draw(st.sampled_from(_numeric_args(name)), label="argument")
    call = recipe_for(name, CALLABLES[name])(ctx())
    if "self" not in call:
        call = _with_defaults(CALLABLES[name], call)
    v = call[arg]
    if isinstance(v, np.ndarray):
        if data.draw(st.booleans(), label="scale the whole array"):
            with np.errstate(over="ignore", invalid="ignore"):
                bad = v * data.draw(st.floats(min_value=-1e308, max_value=1e308), label="scale")
        else:
            bad = v.copy()
            bad.flat[data.draw(st.integers(0, v.size - 1), label="index")] = data.draw(_any_float, label="entry")
        strict = not np.all(np.isfinite(bad))
    elif isinstance(v, (int, np.integer)):
        bad = data.draw(st.integers(-10 ** 3, 10 ** 3), label="value")
        strict = False
    else:
        bad = data.draw(_any_float, label="value")
        strict = math.isnan(bad)
    why = call_case(name, CALLABLES[name], call, arg, bad, STRICT if strict else LENIENT, "drawn")
    assert why is None, f"{name}({arg}={bad!r}): {why}"


# ----------------------------------------------------------------------------- the cases, by name

def test_complex_bool_and_string_inputs_are_refused_not_cast():
    from refgrow.mlp import MLP
    net = MLP.init([2, 3, 2], rng=0)
    X = np.ones((4, 2))
    with pytest.raises(TypeError, match="X must be a real numeric array, got complex"):
        net.forward(X + 1j)
    with pytest.raises(TypeError, match="booleans"):
        net.forward(X > 0)
    with pytest.raises(TypeError, match="X must be a real numeric array"):
        net.forward(X.astype(str))


def test_labels_do_not_wrap_around_and_indices_are_checked():
    from refgrow.geometry import logit_gap
    from refgrow.losses import accuracy
    from refgrow.mlp import MLP
    from refgrow.train import evaluate
    net = MLP.init([2, 3, 3], rng=0)
    X = np.ones((4, 2))
    for bad in (np.array([0, 1, 2, 3]), np.array([0, 1, 2, -1])):
        with pytest.raises(ValueError, match=r"y must lie in \[0, 3\)"):
            accuracy(net.predict(X), bad)
        with pytest.raises(ValueError, match=r"y must lie in \[0, 3\)"):
            evaluate(net, X, bad)
    with pytest.raises(TypeError, match="integer class labels"):
        accuracy(net.predict(X), np.array([0.5, 1, 2, 0]))
    with pytest.raises(ValueError, match="i must satisfy 0 <= i < K=3"):
        logit_gap(net, X, -1, 0)


def test_numeric_options_nan_and_out_of_range_are_refused():
    from refgrow.datasets import two_spirals
    from refgrow.mlp import MLP
    from refgrow.optim import SGD, Adam
    from refgrow.regions import regions_1d
    from refgrow.train import PlateauTest
    net = MLP.init([1, 8, 1], rng=0)
    with pytest.raises(ValueError, match="tol must be a finite number"):
        regions_1d(net, -1.0, 1.0, tol=float("nan"))
    for lo, hi in ((-1e300, 1e300), (-1e7, 1e7)):
        with pytest.raises(ValueError, match="too wide for tol"):
            regions_1d(net, lo, hi)
    with pytest.raises(ValueError, match="weight_decay"):
        SGD(0.1, weight_decay=float("nan"))
    with pytest.raises(ValueError, match="weight_decay"):
        Adam(weight_decay=float("inf"))
    with pytest.raises(ValueError, match="turns"):
        two_spirals(10, turns=float("nan"))
    with pytest.raises(ValueError, match="min_delta"):
        PlateauTest(min_delta=float("nan"))
    with pytest.raises(TypeError, match=r"blocks\[0\]\[0\] must be an integer"):
        MLP([np.ones((4, 1)), np.ones((1, 4))], [np.zeros(4), np.zeros(1)], blocks=[[1.5, 2.5]])


def test_a_failing_growth_call_leaves_the_network_unchanged():
    from refgrow.growth.tiny import propose_tiny, tiny_step
    from refgrow.mlp import MLP
    net = MLP.init([2, 4, 3], rng=0)
    before = [p.copy() for p in net.parameters()]
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 3
    with pytest.raises(ValueError, match="amplitude must be >= 0"):
        propose_tiny(net, X, y, amplitude=-1.0)
    with pytest.raises(ValueError, match="min_singular_value"):
        tiny_step(net, X, y, min_singular_value=-1)
    with pytest.raises(ValueError, match="too large in magnitude"):
        tiny_step(net, X * 1e300, y)
    assert all(np.array_equal(p, q) for p, q in zip(net.parameters(), before))


def test_folding_errors_name_their_argument():
    from refgrow.growth.folding import FoldingGrowth, fold_neuron, fold_regularizer, grow_by_folding
    from refgrow.mlp import MLP
    net = MLP.init([2, 3, 2], rng=0)
    X, y = np.random.default_rng(0).normal(size=(10, 2)), np.arange(10) % 2
    with pytest.raises(ValueError, match="max_epochs must be >= 0"):
        FoldingGrowth(net, X, y, max_epochs=-5)
    with pytest.raises(ValueError, match="max_steps must be >= 0"):
        grow_by_folding(net, X, y, max_steps=-1)
    with pytest.raises(ValueError, match="y_mistake must satisfy 0 <= y_mistake < K=2"):
        fold_neuron(net, X, y, X[0], 7, X[1])
    # Def. 5 is invariant to scaling the hyperplane (w, b): tiny weights give the same value
    v, gw, gb = fold_regularizer([1.0, 0.5], 0.2, [1.0, 2.0], [0.0, 1.0])
    vt, gwt, gbt = fold_regularizer([1e-200, 0.5e-200], 0.2e-200, [1.0, 2.0], [0.0, 1.0])
    assert vt == pytest.approx(v, rel=1e-14)
    assert np.allclose(gwt * 1e-200, gw, rtol=1e-12) and gbt * 1e-200 == pytest.approx(gb, rel=1e-12)


def test_mlp_backward_refuses_another_networks_cache():
    from refgrow.mlp import MLP
    a, b = MLP.init([2, 3, 2], rng=0), MLP.init([2, 5, 2], rng=0)
    _, cache = b.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="cache must come from this network"):
        a.backward(cache, np.ones((4, 2)))


def test_overflowing_losses_give_the_finite_value_or_a_clear_error():
    from refgrow.losses import mse
    with pytest.raises(ValueError, match="pred and target are too large"):
        mse(np.array([[1e300]]), np.array([[-1e300]]))
    # the squares overflow, the mean does not: mean(1.5e154^2, 0) = 1.125e308
    value, grad = mse(np.array([[1.5e154, 0.0]]), np.zeros((1, 2)))
    assert value == pytest.approx(1.125e308, rel=1e-12)
    assert np.allclose(grad, [[1.5e154, 0.0]], rtol=1e-14)


def test_kmeans_of_huge_data_is_the_scaled_result():
    """k-means is scale-equivariant; power-of-two scaling makes the huge run match bit for bit."""
    from refgrow.kmeans import weighted_kmeans
    X = np.random.default_rng(0).normal(size=(40, 2))
    w = np.ones(40)
    ref = weighted_kmeans(X, w, 3, rng=0)
    big = weighted_kmeans(np.ldexp(X, 450), w, 3, rng=0)       # squared distances ~2**900
    assert np.array_equal(big.labels, ref.labels)
    assert np.array_equal(big.centers, np.ldexp(ref.centers, 450))
    assert big.inertia == np.ldexp(ref.inertia, 900)
    with pytest.raises(ValueError, match="inertia"):
        weighted_kmeans(X * 1e200, w, 3, rng=0)           # inertia ~1e400: not representable


def test_adf_is_scale_invariant_and_refuses_an_exact_line():
    from refgrow.stats import adf_test
    x = np.cumsum(np.random.default_rng(3).normal(size=80)) * 0.3 + np.random.default_rng(4).normal(size=80)
    ref = adf_test(x, maxlag=2, autolag=None)
    for scale in (1e-300, 1e300, 3.7):
        r = adf_test(x * scale, maxlag=2, autolag=None)
        assert r.statistic == pytest.approx(ref.statistic, rel=1e-10)
    with pytest.raises(ValueError, match="fitted exactly"):
        adf_test(2.0 + 0.5 * np.arange(40.0), maxlag=1, autolag=None)
