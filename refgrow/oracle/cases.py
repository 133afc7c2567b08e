"""The golden-vector cases: one or more per pinned function of DESIGN.md and per growth method.

Every case is built from a fixed seed, so exporting twice gives the same bits. A case calls its
function with the pinned argument order of DESIGN.md; networks are passed as an object with
``weights`` (list of (out, in) arrays), ``biases`` (list of (out,) arrays, zeros for a layer without
bias), ``activation`` and ``has_bias``. Methods of :class:`refgrow.mlp.MLP` become functions of that
object (``mlp.forward(net, X) -> out``, ``mlp.backward(net, X, d_out) -> (weights, biases, inputs)``,
``mlp.add_neurons(net, hidden_layer, w_in, b_in, w_out) -> net``).

``REFERENCE`` maps each function name to refgrow's implementation under that calling convention; the
expected outputs are what it returns.

Symbol table
------------
=============  ======================  ==============================================================
symbol         code                    meaning
=============  ======================  ==============================================================
case           ``Case``                name, function, arguments, inputs, networks, outputs, tolerances
argument       ``Arr(name)``           the input array ``name`` (a fresh copy per call)
network        ``Net(name)``           the network ``name``: ``weights`` (out, in), ``biases``, ``has_bias``
outputs        ``OUTPUTS[function]``   output names, read by attribute, key or position
refgrow        ``REFERENCE[function]`` refgrow's implementation under the case calling convention
=============  ======================  ==============================================================
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

__all__ = ["Case", "Arr", "Net", "REFERENCE", "OUTPUTS", "CONVENTIONS", "build_cases", "as_network"]

#: conventions every case follows (written into the manifest)
CONVENTIONS = {
    "layout": "rows are samples: X is (n, D); weight matrices are (out, in) as torch nn.Linear.weight; "
              "a layer computes Z = X @ W.T + b",
    "dtype": "float64 everywhere",
    "relu_prime_at_0": "ReLU'(0) = 0 (as torch and JAX)",
    "losses": "softmax_cross_entropy: mean over samples; mse: mean over all n*K entries (torch MSELoss "
              "reduction='mean'), so a per-sample MSE is (1/K) sum_k (f_k - y_k)^2",
    "tiny_matrices": "B (n, d) carries a trailing ones column when a bias is wanted (B_paper = B.T); "
                     "V_goal = -dl_i/da per sample (the loss is not averaged over the batch); S = B.T@B/n, "
                     "N = B.T@V/n",
    "tiny_update_sign": "dW (d_out, d) is added to the weights: W <- W + gamma dW (its last column is the "
                        "bias when B carries ones); gromo subtracts its update",
    "tiny_neurons": "alpha (k, d_in) fan-in (bias last), omega (d_out, k) fan-out; defined up to SVD sign, "
                    "order within equal singular values and (alpha c, omega / c); refgrow makes the "
                    "largest-|omega| entry of each neuron positive",
    "hidden_layer": "0-based: hidden layer h sits between weights[h] and weights[h+1]",
}


class Arr(str):
    """Marks an argument that is the input array of that name."""


class Net(str):
    """Marks an argument that is the network of that name."""


@dataclass
class Case:
    """One golden vector (see :mod:`refgrow.oracle.io` for the file format)."""

    name: str
    function: str
    description: str
    args: list
    kwargs: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)       # name -> ndarray (arguments and evaluation points)
    networks: dict = field(default_factory=dict)     # name -> SimpleNamespace(weights, biases, activation, has_bias)
    outputs: dict = field(default_factory=dict)      # flat output name -> ndarray (filled by build_cases)
    compare: list = field(default_factory=list)      # list of comparison groups (filled by build_cases)
    conventions: list = field(default_factory=list)
    factors: dict = field(default_factory=dict)
    rtol: float = 1e-9
    atol: float = 1e-12


def as_network(weights, biases, activation="relu", has_bias=None):
    """The network object passed to implementations: ``weights``, ``biases`` (zeros where absent), ``activation``, ``has_bias``."""
    weights = [np.asarray(w, dtype=np.float64) for w in weights]
    hb = [b is not None for b in biases] if has_bias is None else [bool(v) for v in has_bias]
    biases = [np.zeros(w.shape[0]) if b is None else np.asarray(b, dtype=np.float64) for w, b in zip(weights, biases)]
    return SimpleNamespace(weights=weights, biases=biases, activation=str(activation), has_bias=hb)


def _mlp(net):
    from refgrow.mlp import MLP
    if isinstance(net, MLP):
        return net
    return MLP(list(net.weights), [b if hb else None for b, hb in zip(net.biases, net.has_bias)],
               activation=net.activation)


def _net_of(mlp):
    return as_network(mlp.weights, mlp.biases, mlp.activation, mlp.has_bias)


# ------------------------------------------------------------------------------------------ reference
def _forward(net, X):
    return _mlp(net).forward(X)[0]


def _backward(net, X, d_out):
    m = _mlp(net)
    _, cache = m.forward(X)
    return m.backward(cache, d_out)


def _add_neurons(net, hidden_layer, w_in, b_in, w_out):
    return _net_of(_mlp(net).add_neurons(hidden_layer, w_in, b_in, w_out))


def _imp(path, name):
    import importlib
    return getattr(importlib.import_module(path), name)


def _lazy(path, name, wrap=None):
    def f(*args, **kwargs):
        args = [_mlp(a) if isinstance(a, SimpleNamespace) else a for a in args]
        out = _imp(path, name)(*args, **kwargs)
        return wrap(out) if wrap else out
    f.__name__ = name
    return f


REFERENCE = {
    "mlp.forward": _forward,
    "mlp.backward": _backward,
    "mlp.add_neurons": _add_neurons,
    "losses.softmax_cross_entropy": _lazy("refgrow.losses", "softmax_cross_entropy"),
    "losses.mse": _lazy("refgrow.losses", "mse"),
    "stats.adf_test": _lazy("refgrow.stats", "adf_test"),
    "kmeans.weighted_kmeans": _lazy("refgrow.kmeans", "weighted_kmeans"),
    "geometry.closest_point_on_hyperplane": _lazy("refgrow.geometry", "closest_point_on_hyperplane"),
    "geometry.local_affine_map": _lazy("refgrow.geometry", "local_affine_map"),
    "geometry.decision_boundary": _lazy("refgrow.geometry", "decision_boundary"),
    "tiny.best_update": _lazy("refgrow.growth.tiny", "best_update"),
    "tiny.projected_goal": _lazy("refgrow.growth.tiny", "projected_goal"),
    "tiny.new_neurons": _lazy("refgrow.growth.tiny", "new_neurons"),
    "tiny.expressivity_bottleneck": _lazy("refgrow.growth.tiny", "expressivity_bottleneck"),
    "tiny.tiny_step": _lazy("refgrow.growth.tiny", "tiny_step"),
    "gradmax.gradmax_neurons": _lazy("refgrow.growth.gradmax", "gradmax_neurons"),
    "gradmax.propose_gradmax": _lazy("refgrow.growth.gradmax", "propose_gradmax"),
    "folding.fold_regularizer": _lazy("refgrow.growth.folding", "fold_regularizer"),
    "triangle.triangle": _lazy("refgrow.triangle", "triangle"),
    "triangle.triangle_waves": _lazy("refgrow.triangle", "triangle_waves"),
    "triangle.differentiable_scales": _lazy("refgrow.triangle", "differentiable_scales"),
    "triangle.triangle_series": _lazy("refgrow.triangle", "triangle_series"),
    "triangle.triangle_network": _lazy("refgrow.triangle", "triangle_network", _net_of),
    "triangle.pretrain_loss_and_grad": _lazy("refgrow.triangle", "pretrain_loss_and_grad"),
}

#: per function, the names of its outputs (a result is read by attribute, key or position, in this order);
#: "@network" outputs are read from a returned network (its weights/biases or, for "@function", its
#: values at the case's ``x_eval`` points)
OUTPUTS = {
    "mlp.forward": ["out"],
    "mlp.backward": ["weights", "biases", "inputs"],
    "mlp.add_neurons": "@network",
    "losses.softmax_cross_entropy": ["loss", "d_logits"],
    "losses.mse": ["loss", "d_pred"],
    "stats.adf_test": ["statistic", "pvalue", "usedlag", "nobs", "critical_values"],
    "kmeans.weighted_kmeans": ["centers", "labels", "inertia"],
    "geometry.closest_point_on_hyperplane": ["point"],
    "geometry.local_affine_map": ["A", "c"],
    "geometry.decision_boundary": ["w", "b"],
    "tiny.best_update": ["dW"],
    "tiny.projected_goal": ["V_goal_proj"],
    "tiny.new_neurons": ["alpha", "omega", "singular_values"],
    "tiny.expressivity_bottleneck": ["bottleneck"],
    "tiny.tiny_step": ["V_goal", "dW", "V_goal_proj", "neurons"],
    "gradmax.gradmax_neurons": ["w_in", "b_in", "w_out"],
    "gradmax.propose_gradmax": ["w_in", "b_in", "w_out"],
    "folding.fold_regularizer": ["value", "grad_w", "grad_b"],
    "triangle.triangle": ["y"],
    "triangle.triangle_waves": ["waves"],
    "triangle.differentiable_scales": ["s"],
    "triangle.triangle_series": ["y"],
    "triangle.triangle_network": "@function",
    "triangle.pretrain_loss_and_grad": ["loss", "grad"],
}

_HINT_TINY = ["tiny_update_sign", "tiny_matrices"]


# ------------------------------------------------------------------------------------------ builders
def _rng(seed):
    return np.random.default_rng(seed)


def _ones(B):
    return np.hstack([B, np.ones((B.shape[0], 1))])


def _init_net(sizes, seed, activation="relu", bias=True):
    from refgrow.mlp import MLP
    return _net_of(MLP.init(sizes, rng=seed, init="torch", activation=activation, bias=bias))


def _cases():
    out = []
    add = out.append
    # ---------------------------------------------------------------- MLP
    r = _rng(100)
    net = _init_net([3, 5, 4, 2], 100)
    X = r.normal(size=(7, 3))
    add(Case("mlp.forward/relu", "mlp.forward", "3-5-4-2 ReLU MLP, torch init", [Net("net"), Arr("X")],
             inputs={"X": X}, networks={"net": net}, conventions=["layout"]))
    net_nb = _init_net([3, 4, 2], 101, activation="tanh", bias=[False, True])
    add(Case("mlp.forward/tanh_no_bias", "mlp.forward", "tanh MLP whose first layer has no bias "
             "(nn.Linear(bias=False))", [Net("net"), Arr("X")], inputs={"X": X}, networks={"net": net_nb},
             conventions=["layout"]))
    add(Case("mlp.backward/relu", "mlp.backward", "gradients of sum(d_out * f(X)) for a ReLU MLP",
             [Net("net"), Arr("X"), Arr("d_out")], inputs={"X": X, "d_out": r.normal(size=(7, 2))},
             networks={"net": net}, conventions=["layout", "relu_prime_at_0"]))
    add(Case("mlp.backward/tanh_no_bias", "mlp.backward", "gradients for a tanh MLP with a bias-free "
             "first layer (its bias gradient is zeros; None is accepted)", [Net("net"), Arr("X"), Arr("d_out")],
             inputs={"X": X, "d_out": r.normal(size=(7, 2))}, networks={"net": net_nb}, conventions=["layout"]))
    add(Case("mlp.add_neurons/layer1", "mlp.add_neurons", "append 2 neurons to hidden layer 1 (0-based)",
             [Net("net"), 1, Arr("w_in"), Arr("b_in"), Arr("w_out")],
             inputs={"w_in": r.normal(size=(2, 5)), "b_in": r.normal(size=2), "w_out": r.normal(size=(2, 2))},
             networks={"net": net}, conventions=["hidden_layer", "layout"]))
    # ---------------------------------------------------------------- losses
    logits = r.normal(size=(6, 4)) * 3
    add(Case("losses.softmax_cross_entropy/basic", "losses.softmax_cross_entropy", "mean over samples",
             [Arr("logits"), Arr("y")], inputs={"logits": logits, "y": r.integers(0, 4, size=6)},
             conventions=["losses"], factors={"n": 6}))
    add(Case("losses.mse/basic", "losses.mse", "mean over all n*K entries (torch MSELoss default)",
             [Arr("pred"), Arr("target")], inputs={"pred": r.normal(size=(5, 3)), "target": r.normal(size=(5, 3))},
             conventions=["losses"], factors={"K": 3, "n": 5, "nK": 15}))
    # ---------------------------------------------------------------- stats, kmeans
    e = r.normal(size=120)
    ar = np.zeros(120)
    for t in range(1, 120):
        ar[t] = 0.6 * ar[t - 1] + e[t]
    add(Case("stats.adf_test/ar1_aic", "stats.adf_test", "AR(1) series, constant, lag chosen by AIC",
             [Arr("x")], {"maxlag": 4, "regression": "c", "autolag": "AIC"}, inputs={"x": ar}))
    add(Case("stats.adf_test/walk_ct_fixed", "stats.adf_test", "random walk, constant + trend, fixed lag 2",
             [Arr("x")], {"maxlag": 2, "regression": "ct", "autolag": None}, inputs={"x": np.cumsum(e)}))
    Xk = np.vstack([r.normal(loc=c, scale=0.3, size=(10, 2)) for c in (-2.0, 0.0, 2.0)])
    add(Case("kmeans.weighted_kmeans/init_array", "kmeans.weighted_kmeans", "3 blobs, weights, given initial centres",
             [Arr("X"), Arr("sample_weight"), 3], {"init": Arr("init")},
             inputs={"X": Xk, "sample_weight": r.uniform(0.5, 2.0, size=30), "init": Xk[[0, 1, 2]]}))
    # ---------------------------------------------------------------- geometry
    w = r.normal(size=3)
    add(Case("geometry.closest_point_on_hyperplane/point", "geometry.closest_point_on_hyperplane",
             "one point", [Arr("x"), Arr("w"), 0.7], inputs={"x": r.normal(size=3), "w": w}))
    add(Case("geometry.closest_point_on_hyperplane/batch", "geometry.closest_point_on_hyperplane",
             "rows of x projected", [Arr("x"), Arr("w"), -0.3], inputs={"x": r.normal(size=(4, 3)), "w": w}))
    net_g = _init_net([3, 6, 5, 3], 102)
    x0 = r.normal(size=3)
    add(Case("geometry.local_affine_map/relu", "geometry.local_affine_map", "f(x') = A x' + c on x's region",
             [Net("net"), Arr("x")], inputs={"x": x0}, networks={"net": net_g}, conventions=["layout"]))
    add(Case("geometry.decision_boundary/relu", "geometry.decision_boundary", "w = A[i]-A[j], b = c[i]-c[j]",
             [Net("net"), Arr("x"), 0, 2], inputs={"x": x0}, networks={"net": net_g}))
    # ---------------------------------------------------------------- TINY (pure)
    B = _ones(r.normal(size=(30, 4)))
    V = r.normal(size=(30, 3))
    add(Case("tiny.best_update/full_rank", "tiny.best_update", "Prop. 3.1, B with a ones column",
             [Arr("B"), Arr("V_goal")], inputs={"B": B, "V_goal": V}, conventions=_HINT_TINY,
             factors={"n": 30}, rtol=1e-8))
    Bd = _ones(r.normal(size=(30, 2)) @ r.normal(size=(2, 4)))            # rank 3 (2 + ones) of 5 columns
    add(Case("tiny.best_update/rank_deficient", "tiny.best_update", "B of rank 3 < 5 columns: minimum-norm "
             "solution (pseudo-inverse)", [Arr("B"), Arr("V_goal")], inputs={"B": Bd, "V_goal": V},
             conventions=_HINT_TINY, factors={"n": 30}, rtol=1e-7, atol=1e-10))
    dW = r.normal(size=(3, 5))
    add(Case("tiny.projected_goal/basic", "tiny.projected_goal", "V_goal - B @ dW.T",
             [Arr("B"), Arr("V_goal"), Arr("dW")], inputs={"B": B, "V_goal": V, "dW": dW}, conventions=_HINT_TINY))
    add(Case("tiny.new_neurons/full", "tiny.new_neurons", "Prop. 3.2: all R neurons",
             [Arr("B_in"), Arr("V_goal_proj")], inputs={"B_in": _ones(r.normal(size=(30, 3))), "V_goal_proj": V},
             conventions=["tiny_neurons", "tiny_matrices"], factors={"n": 30}, rtol=1e-8))
    add(Case("tiny.new_neurons/max2", "tiny.new_neurons", "Prop. 3.2: the 2 largest", [Arr("B_in"), Arr("V_goal_proj")],
             {"max_neurons": 2}, inputs={"B_in": _ones(r.normal(size=(30, 3))), "V_goal_proj": V},
             conventions=["tiny_neurons"], factors={"n": 30}, rtol=1e-8))
    add(Case("tiny.expressivity_bottleneck/basic", "tiny.expressivity_bottleneck", "||V - V_goal||^2 / n",
             [Arr("V_goal"), Arr("V")], inputs={"V_goal": V, "V": r.normal(size=(30, 3))}, factors={"n": 30}))
    # ---------------------------------------------------------------- growth methods (network level)
    net_t = _init_net([4, 5, 3], 103)
    Xt = r.normal(size=(40, 4))
    add(Case("tiny.tiny_step/relu_mse", "tiny.tiny_step", "one TINY step at hidden layer 0, per-sample MSE "
             "(1/K) sum_k (f_k - y_k)^2", [Net("net"), Arr("X"), Arr("y")], {"hidden_layer": 0, "loss": "mse"},
             inputs={"X": Xt, "y": r.normal(size=(40, 3))}, networks={"net": net_t},
             conventions=["tiny_matrices", "tiny_update_sign", "tiny_neurons", "losses"],
             factors={"K": 3, "n": 40}, rtol=1e-8, atol=1e-11))
    net_c = _init_net([4, 6, 5, 3], 104, activation="tanh")
    add(Case("tiny.tiny_step/tanh_ce_layer1", "tiny.tiny_step", "TINY at hidden layer 1 of a tanh net, "
             "cross-entropy (summed per sample)", [Net("net"), Arr("X"), Arr("y")], {"hidden_layer": 1, "loss": "ce"},
             inputs={"X": Xt, "y": r.integers(0, 3, size=40)}, networks={"net": net_c},
             conventions=["tiny_matrices", "tiny_update_sign", "tiny_neurons", "hidden_layer"],
             factors={"n": 40}, rtol=1e-8, atol=1e-11))
    Xp = np.random.default_rng(1).standard_normal((100, 4)) * 0.01          # the ill-conditioned probe of docs/oracle.md
    net_p = _init_net([4, 5, 3], 105, activation="tanh")
    out_p = _mlp(net_p).forward(Xp)[0]
    add(Case("tiny.tiny_step/ill_conditioned_probe", "tiny.tiny_step", "inputs scaled by 0.01: the hidden "
             "activity's Gram matrix has an eigenvalue ~1e-11 of its largest, which float64 resolves; a "
             "pseudo-inverse threshold of 1e-10 on it changes lambda by ~10%. Gram-based "
             "implementations with a noise-level threshold agree to ~1e-6", [Net("net"), Arr("X"), Arr("y")],
             {"hidden_layer": 0, "loss": "mse"},
             inputs={"X": Xp, "y": out_p + np.random.default_rng(2).standard_normal(out_p.shape)},
             networks={"net": net_p}, conventions=["tiny_matrices", "tiny_update_sign", "tiny_neurons", "losses"],
             factors={"K": 3, "n": 100}, rtol=1e-5, atol=1e-6))
    net_nb2 = _init_net([4, 5, 3], 106, bias=False)
    add(Case("tiny.tiny_step/no_bias", "tiny.tiny_step", "ReLU network of nn.Linear(bias=False) layers: no ones "
             "column in B_in or B, alpha (k, d_in) and dW (d_out, width) without bias columns",
             [Net("net"), Arr("X"), Arr("y")], {"hidden_layer": 0, "loss": "mse"},
             inputs={"X": Xt, "y": r.normal(size=(40, 3))}, networks={"net": net_nb2},
             conventions=["tiny_matrices", "tiny_update_sign", "tiny_neurons", "losses"],
             factors={"K": 3, "n": 40}, rtol=1e-8, atol=1e-11))
    add(Case("gradmax.gradmax_neurons/k2", "gradmax.gradmax_neurons", "zero fan-in, top-2 left singular vectors "
             "of V_goal.T @ B_in / n, ||w_out||_F = c", [Arr("B_in"), Arr("V_goal"), 2], {"c": 1.0},
             inputs={"B_in": B, "V_goal": V}, conventions=["tiny_matrices"], rtol=1e-8))
    add(Case("gradmax.propose_gradmax/ce", "gradmax.propose_gradmax", "GradMax proposal on a network, hidden layer 0",
             [Net("net"), Arr("X"), Arr("y")], {"hidden_layer": 0, "k": 2, "loss": "ce", "c": 1.0},
             inputs={"X": Xt, "y": r.integers(0, 3, size=40)}, networks={"net": net_t}, rtol=1e-8))
    # ---------------------------------------------------------------- folding, triangle
    add(Case("folding.fold_regularizer/basic", "folding.fold_regularizer", "Def. 5 of the folding paper and its gradient",
             [Arr("w"), 0.4, Arr("p_mistake"), Arr("p_fold")],
             inputs={"w": r.normal(size=3), "p_mistake": r.normal(size=3), "p_fold": r.normal(size=3)}))
    xs = np.linspace(0.0, 1.0, 17)
    a = np.array([0.3, 0.6, 0.45, 0.7])
    add(Case("triangle.triangle/a0.3", "triangle.triangle", "T_a(x) on [0, 1]", [Arr("x"), 0.3], inputs={"x": xs}))
    add(Case("triangle.triangle_waves/basic", "triangle.triangle_waves", "row i = W_i", [Arr("x"), Arr("a")],
             inputs={"x": xs, "a": a}))
    for sign in (-1, 1):
        add(Case(f"triangle.differentiable_scales/sign{sign:+d}", "triangle.differentiable_scales",
                 "Theorem 3.1 scales", [Arr("a")], {"sign": sign}, inputs={"a": a}))
    s = np.array([0.2, 0.05, 0.01])
    add(Case("triangle.triangle_series/basic", "triangle.triangle_series", "x + sign sum_i s_i W_i(x)",
             [Arr("x"), Arr("a"), Arr("s")], {"sign": -1}, inputs={"x": xs, "a": a, "s": s}))
    add(Case("triangle.triangle_network/theorem_scales", "triangle.triangle_network", "width-4 network equal to "
             "the series; compared as a function at x_eval (its units may be listed in any order)",
             [Arr("a")], {"sign": -1}, inputs={"a": a, "x_eval": np.linspace(0, 1, 41)[:, None]}))
    add(Case("triangle.pretrain_loss_and_grad/basic", "triangle.pretrain_loss_and_grad", "MSE of the network with "
             "Theorem 3.1 scales and d loss / d a", [Arr("a"), Arr("x"), Arr("y")], {"sign": -1},
             inputs={"a": a, "x": xs, "y": xs ** 3}))
    return out


# ------------------------------------------------------------------------------------------ outputs
def _flatten(name, v, into):
    """Flatten a result value: dict -> name.key, namedtuple/object with fields -> name.field, list -> name.i."""
    if v is None:
        return
    if isinstance(v, dict):
        for k, x in v.items():
            _flatten(f"{name}.{k}", x, into)
    elif hasattr(v, "_fields"):
        for k in v._fields:
            _flatten(f"{name}.{k}", getattr(v, k), into)
    elif isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            _flatten(f"{name}.{i}", x, into)
    else:
        a = np.asarray(v)
        if a.dtype == object:
            raise TypeError(f"output {name}: cannot compare a {type(v).__name__}")
        into[name] = a


def _get(result, key, pos, n_names):
    if isinstance(result, dict):
        return result.get(key)
    if hasattr(result, key):
        return getattr(result, key)
    if isinstance(result, (list, tuple)) and not hasattr(result, "_fields") and n_names > 1 and pos < len(result):
        return result[pos]
    return None


def _network_params(result):
    if hasattr(result, "weights") and hasattr(result, "biases"):
        return list(result.weights), list(result.biases)
    if isinstance(result, (list, tuple)) and len(result) == 2:
        return list(result[0]), list(result[1])
    raise TypeError("expected a network: an object with .weights and .biases, or a (weights, biases) pair; "
                    f"got {type(result).__name__}")


def _eval_network(result, X):
    if hasattr(result, "weights") and hasattr(result, "biases"):
        from refgrow.mlp import MLP
        bs = [np.zeros(np.shape(w)[0]) if b is None else b for w, b in zip(result.weights, result.biases)]
        return MLP(list(result.weights), bs, activation=getattr(result, "activation", "relu")).forward(X)[0]
    if callable(result):
        return np.asarray(result(X), dtype=np.float64)
    raise TypeError("expected a network (.weights/.biases) or a callable; got " + type(result).__name__)


def read_outputs(function, result, inputs):
    """Flat ``{name: ndarray}`` of the outputs of ``function`` read from an implementation's ``result``."""
    spec = OUTPUTS[function]
    flat = {}
    if spec == "@network":
        W, b = _network_params(result)
        _flatten("weights", W, flat)
        _flatten("biases", b, flat)
        return flat
    if spec == "@function":
        flat["f(x_eval)"] = _eval_network(result, inputs["x_eval"])
        return flat
    if len(spec) == 1:
        if isinstance(result, tuple) and not hasattr(result, "_fields"):
            result = result[0]                        # e.g. forward's (out, cache)
        v = _get(result, spec[0], 0, 1) if isinstance(result, dict) or hasattr(result, spec[0]) else result
        _flatten(spec[0], v, flat)
        return flat
    for pos, key in enumerate(spec):
        _flatten(key, _get(result, key, pos, len(spec)), flat)
    return flat


def _comparisons(case):
    """Comparison groups of a case: neurons compared up to their ambiguities, everything else entry-wise."""
    groups, done = [], set()
    names = list(case.outputs)
    neuron_specs = {
        "tiny.new_neurons": ("tiny", ["alpha"], "omega", "singular_values"),
        "tiny.tiny_step": ("tiny", ["neurons.alpha"], "neurons.omega", "neurons.singular_values"),
        "gradmax.gradmax_neurons": ("gradmax", ["w_in", "b_in"], "w_out", None),
        "gradmax.propose_gradmax": ("gradmax", ["w_in", "b_in"], "w_out", None),
    }
    if case.function in neuron_specs:
        kind, fan_in, fan_out, sv = neuron_specs[case.function]
        groups.append({"kind": "neurons", "mode": kind, "fan_in": fan_in, "fan_out": fan_out,
                       "singular_values": sv, "rtol": case.rtol, "atol": case.atol})
        done.update(fan_in + [fan_out])
    for nm in names:
        if nm in done:
            continue
        ref = case.outputs[nm]
        if ref.dtype.kind in "iub" or nm.startswith(("usedlag", "nobs", "labels")):
            groups.append({"kind": "exact", "output": nm})
        else:
            scale = max(1.0, float(np.max(np.abs(ref)))) if ref.size else 1.0
            groups.append({"kind": "allclose", "output": nm, "rtol": case.rtol, "atol": case.atol * scale})
    return groups


def build_cases(names=None):
    """Build every case (or those whose name or function starts with one of ``names``) with refgrow's outputs."""
    cases = _cases()
    if names:
        cases = [c for c in cases if any(c.name.startswith(p) or c.function == p for p in names)]
    for c in cases:
        res = call(REFERENCE[c.function], c)
        c.outputs = read_outputs(c.function, res, c.inputs)
        c.compare = _comparisons(c)
        c.conventions = [f"{k}: {CONVENTIONS[k]}" if k in CONVENTIONS else k for k in c.conventions]
    return cases


def resolve(v, case):
    """The value of an argument: an input array, a network object, or the literal itself."""
    if isinstance(v, Net):
        net = case.networks[str(v)]                   # a fresh copy for every call
        return as_network([w.copy() for w in net.weights], [b.copy() for b in net.biases], net.activation,
                          net.has_bias)
    if isinstance(v, Arr):
        return np.array(case.inputs[str(v)])          # a fresh copy for every call
    return v


def call(fn, case):
    """Call ``fn`` on the case's arguments (pinned order; networks as objects)."""
    args = [resolve(a, case) for a in case.args]
    kwargs = {k: resolve(v, case) for k, v in case.kwargs.items()}
    return fn(*args, **kwargs)
