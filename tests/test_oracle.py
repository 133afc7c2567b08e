"""Golden vectors: exported bitwise stably, refgrow passes its own check, wrong implementations fail usefully."""
import json
import os
import textwrap

import numpy as np
import pytest

import refgrow
from refgrow.cli import main as cli_main
from refgrow.growth import tiny
from refgrow.oracle import REFERENCE, check, export, load_cases
from refgrow.oracle.cases import OUTPUTS


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    d = tmp_path_factory.mktemp("golden")
    export(d)
    return d


def test_export_is_bitwise_stable_and_json_equals_npz(golden, tmp_path):
    export(tmp_path)
    files = sorted(os.listdir(golden))
    assert files == sorted(os.listdir(tmp_path))
    for f in files:
        with open(golden / f, "rb") as a, open(tmp_path / f, "rb") as b:
            assert a.read() == b.read(), f"{f} differs between two exports"
    from_npz, from_json = load_cases(golden), load_cases(golden, source="json")
    for c, j in zip(from_npz, from_json):
        for k in c.outputs:
            assert c.outputs[k].dtype == j.outputs[k].dtype and c.outputs[k].shape == j.outputs[k].shape
            assert c.outputs[k].tobytes() == j.outputs[k].tobytes(), f"{c.name} {k}: JSON floats do not round-trip"
        for k in c.inputs:
            assert c.inputs[k].tobytes() == j.inputs[k].tobytes()


def test_every_pinned_function_and_growth_method_has_a_case(golden):
    manifest = json.loads((golden / "manifest.json").read_text())
    assert manifest["refgrow_version"] == refgrow.__version__
    functions = {c["function"] for c in manifest["cases"]}
    assert functions == set(OUTPUTS) == set(REFERENCE)
    pinned = {"mlp.forward", "mlp.backward", "mlp.add_neurons", "losses.softmax_cross_entropy", "losses.mse",
              "stats.adf_test", "kmeans.weighted_kmeans", "geometry.closest_point_on_hyperplane",
              "geometry.local_affine_map", "geometry.decision_boundary", "tiny.best_update", "tiny.projected_goal",
              "tiny.new_neurons", "tiny.expressivity_bottleneck", "gradmax.gradmax_neurons",
              "folding.fold_regularizer", "triangle.triangle", "triangle.triangle_waves",
              "triangle.differentiable_scales", "triangle.triangle_series", "triangle.triangle_network",
              "triangle.pretrain_loss_and_grad", "tiny.tiny_step", "gradmax.propose_gradmax"}
    assert pinned <= functions
    size = sum(os.path.getsize(golden / f) for f in os.listdir(golden))
    assert size < 2_000_000, f"golden vectors too large to commit: {size} bytes"


def test_refgrow_passes_its_own_check(golden):
    res = check(golden, "refgrow")
    assert res and all(r.passed for r in res), [r.line() for r in res if not r.passed]
    assert cli_main(["oracle", "check", str(golden), "--impl", "refgrow"]) == 0


def test_independent_lstsq_best_update_passes(golden):
    """A different correct algorithm (lstsq, no explicit pseudo-inverse) passes the best_update cases."""
    def best_update(B, V_goal):
        return np.linalg.lstsq(B, V_goal, rcond=None)[0].T
    res = check(golden, best_update)
    assert [r.name for r in res] == ["tiny.best_update/full_rank", "tiny.best_update/rank_deficient"]
    assert all(r.passed for r in res), [r.line() for r in res]


def test_svd_sign_and_order_of_new_neurons_are_accepted(golden):
    def new_neurons(B_in, V_goal_proj, **kw):
        nn = tiny.new_neurons(B_in, V_goal_proj, **kw)
        k = nn.alpha.shape[0]
        s = np.where(np.arange(k) % 2 == 0, -1.0, 1.0)
        perm = np.arange(k)[::-1]
        return {"alpha": (nn.alpha * s[:, None])[perm], "omega": (nn.omega * s)[:, perm],
                "singular_values": nn.singular_values}        # singular values stay sorted (an SVD's)
    res = check(golden, new_neurons)
    assert len(res) == 2 and all(r.passed for r in res), [r.line() for r in res]


@pytest.mark.parametrize("name, wrong, hint", [
    ("best_update", lambda B, V_goal: -tiny.best_update(B, V_goal), "sign of the update"),
    ("mse", lambda pred, target: (np.mean(np.sum((pred - target) ** 2, axis=1)), 2 * (pred - target) / len(pred)),
     "factor K in MSE"),
    ("local_affine_map", lambda net, x: tuple(a.T if a.ndim == 2 else a for a in REFERENCE["geometry.local_affine_map"](net, x)),
     "transposed weight"),
    ("new_neurons", lambda B_in, V_goal_proj, **kw: tiny.new_neurons(B_in, 2 * V_goal_proj, **kw), "times 2"),
])
def test_wrong_implementation_fails_with_its_hint(golden, name, wrong, hint):
    wrong.__name__ = name
    res = check(golden, wrong)
    assert res and all(r.status == "fail" for r in res)
    text = "\n".join(r.line() for r in res)
    assert hint in text
    assert "refgrow" in text


def test_implementation_that_raises_is_reported_not_crashing(golden):
    def triangle(x, a):
        raise RuntimeError("not implemented yet")
    res = check(golden, triangle)
    assert [r.status for r in res] == ["error"] and "not implemented yet" in res[0].line()


def test_cli_check_module_impl_and_exit_codes(golden, tmp_path, monkeypatch, capsys):
    (tmp_path / "theirs_oracle_mod.py").write_text(textwrap.dedent("""
        import numpy as np
        def best_update(B, V_goal):
            return np.linalg.lstsq(B, V_goal, rcond=None)[0].T
        def expressivity_bottleneck(V_goal, V):
            return float(np.sum((V - V_goal) ** 2))          # forgot the 1/n
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cli_main(["oracle", "check", str(golden), "--impl", "theirs_oracle_mod:best_update"]) == 0
    assert cli_main(["oracle", "check", str(golden), "--impl", "theirs_oracle_mod"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  tiny.expressivity_bottleneck/basic" in out and "factor n" in out
    assert "2 of 3 cases pass, 1 fail" in out
    assert cli_main(["oracle", "check", str(golden), "--impl", "theirs_oracle_mod:nothing"]) == 2
    assert "has no attribute 'nothing'" in capsys.readouterr().err
    assert cli_main(["oracle", "check", str(tmp_path / "missing"), "--impl", "refgrow"]) == 2


def test_former_tiny_threshold_fails_only_the_ill_conditioned_probe(golden):
    """A TINY that drops eigenvalues below 1e-10 of the largest (refgrow's former default) passes the
    well-conditioned cases and fails the ill-conditioned probe case."""
    from refgrow.mlp import MLP

    def tiny_step(net, X, y, **kw):
        mlp = MLP(net.weights, [b if hb else None for b, hb in zip(net.biases, net.has_bias)],
                  activation=net.activation)
        return tiny.tiny_step(mlp, X, y, rtol=1e-10, warn_discarded=False, **kw)
    res = {r.name: r for r in check(golden, tiny_step)}
    assert not res.pop("tiny.tiny_step/ill_conditioned_probe").passed
    assert res and all(r.passed for r in res.values()), [r.line() for r in res.values()]


def _gram_tiny_step(net, X, y, hidden_layer=0, loss="mse"):
    """An independent NumPy TINY for one-hidden-layer MSE networks, written from the paper with Gram matrices
    and numpy's pinv-style threshold max(n, d) eps on their eigenvalues (the noise level of S)."""
    act = np.tanh if net.activation == "tanh" else (lambda z: np.maximum(z, 0))
    H = act(X @ net.weights[0].T + net.biases[0])
    out = H @ net.weights[1].T + net.biases[1]
    n, K = out.shape
    V = -2 * (out - y) / K                                    # per-sample (1/K) sum_k (f_k - y_k)^2
    B_in = np.hstack([X, np.ones((n, 1))]) if net.has_bias[0] else X
    B = np.hstack([H, np.ones((n, 1))]) if net.has_bias[1] else H

    def kept(S):
        mu, Q = np.linalg.eigh(S)
        keep = mu > max(n, S.shape[0]) * np.finfo(float).eps * mu[-1]
        return mu[keep], Q[:, keep]
    mu, Q = kept(B.T @ B / n)
    dW = ((Q / mu) @ (Q.T @ (B.T @ V / n))).T
    Vp = V - B @ dW.T
    mu, Q = kept(B_in.T @ B_in / n)
    M = (Q / np.sqrt(mu)) @ Q.T
    U, lam, Vt = np.linalg.svd(M @ (B_in.T @ Vp / n), full_matrices=False)
    k = int(np.sum(lam > 1e-8 * lam[0]))
    sq = np.sqrt(lam[:k])
    return {"V_goal": V, "dW": dW, "V_goal_proj": Vp,
            "neurons": {"alpha": (M @ U[:, :k] * sq).T, "omega": Vt[:k].T * sq, "singular_values": lam[:k]}}


def test_independent_gram_based_tiny_passes_including_the_probe(golden):
    res = check(golden, _gram_tiny_step, function="tiny.tiny_step",
                cases=["tiny.tiny_step/relu_mse", "tiny.tiny_step/ill_conditioned_probe", "tiny.tiny_step/no_bias"])
    assert len(res) == 3 and all(r.passed for r in res), [r.line() for r in res]
