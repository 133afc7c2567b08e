"""The generic growth loop (refgrow.growth.loop.grow) with TINY, GradMax and Random proposals."""
import functools

import numpy as np
import pytest

from refgrow.growth import NewNeurons
from refgrow.growth.gradmax import propose_gradmax
from refgrow.growth.loop import grow
from refgrow.growth.random_neurons import propose_random, random_directions
from refgrow.growth.tiny import propose_tiny
from refgrow.mlp import MLP
from refgrow.optim import SGD, Adam


def _teacher(seed=0, n=200):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    teacher = MLP.init([4, 6, 2], rng=rng)
    return X, teacher.predict(X)


def test_gradmax_growth_preserves_function_and_reaches_target_width():
    """GradMax steps are function preserving: the loss right after every growth step equals the loss
    right before it; the loop stops at the target width and pads the optimiser (training continues)."""
    X, Y = _teacher()
    mlp = MLP.init([4, 2, 2], rng=1, activation="tanh")
    opt = Adam(1e-2)
    res = grow(mlp, X, Y, propose=propose_gradmax, loss="mse", optimizer=opt, target_width=5, k=2,
               epochs_between=5, final_epochs=3, rng=0)
    assert res.mlp.sizes == [4, 5, 2] and res.history.stopped_by == "target_width"
    assert [s["k"] for s in res.history.steps] == [2, 1]
    for s in res.history.steps:
        assert s["train_loss_after"] == s["train_loss_before"]
        assert s["n_params_after"] - s["n_params_before"] == s["k"] * (4 + 1 + 2)
    assert res.history.curve["epoch"][-1] == 2 * 5 + 3
    assert mlp.sizes == [4, 2, 2]                       # input network untouched


def test_pure_growth_tiny_decreases_loss_monotonically():
    """Pure growth (Fig. 8 protocol, no gradient steps): every TINY step picks gamma in [0, L] by line
    search, so the training loss never increases from one step to the next."""
    X, Y = _teacher(1)
    mlp = MLP.init([4, 1, 2], rng=2)
    res = grow(mlp, X, Y, propose=propose_tiny, loss="mse", max_steps=4, rng=0)
    losses = [s["train_loss_after"] for s in res.history.steps]
    befores = [s["train_loss_before"] for s in res.history.steps]
    assert all(a <= b + 1e-12 for a, b in zip(losses, befores))
    assert losses[-1] < befores[0]
    assert all("singular_values" in s["info"] for s in res.history.steps)
    assert res.history.stopped_by == "max_steps"


def test_none_proposal_stops_or_falls_back():
    X, Y = _teacher()
    mlp = MLP.init([4, 2, 2], rng=1)
    res = grow(mlp, X, Y, propose=lambda *a, **kw: None, loss="mse", max_steps=3)
    assert res.history.stopped_by == "no_proposal" and res.mlp.sizes == mlp.sizes
    fb = functools.partial(propose_random, L=1.0)
    res2 = grow(mlp, X, Y, propose=lambda *a, **kw: None, fallback=fb, loss="mse", max_steps=2, rng=0)
    assert res2.mlp.sizes[1] == 4 and all(s["fallback"] for s in res2.history.steps)


def test_convergence_test_triggers_growth():
    X, Y = _teacher()
    calls = []

    def conv(h):
        calls.append(len(h))
        return len(h) >= 3

    res = grow(MLP.init([4, 2, 2], rng=1), X, Y, propose=propose_gradmax, loss="mse", optimizer=SGD(0.05),
               convergence=conv, max_steps=2, rng=0)
    assert [s["epoch"] for s in res.history.steps] == [3, 6]


def test_random_directions_normalisation_and_random_never_increases_loss():
    a, w = random_directions(5, 3, 2, rng=0, distribution="uniform")
    assert a.shape == (2, 6) and w.shape == (3, 2)
    assert np.mean(a * a) == pytest.approx(1.0) and np.mean(w * w) == pytest.approx(1.0)
    X, Y = _teacher()
    mlp = MLP.init([4, 2, 2], rng=1)
    nn = propose_random(mlp, X, Y, k=1, loss="mse", rng=3)
    assert mlp.add_neurons(0, nn.w_in, nn.b_in, nn.w_out).loss(X, Y, "mse") <= mlp.loss(X, Y, "mse") + 1e-12


def test_validation_errors():
    X, Y = _teacher()
    mlp = MLP.init([4, 2, 2], rng=1)
    with pytest.raises(ValueError, match="target_width or max_steps"):
        grow(mlp, X, Y, propose=propose_tiny, loss="mse")
    with pytest.raises(ValueError, match="optimizer"):
        grow(mlp, X, Y, propose=propose_tiny, loss="mse", max_steps=1, epochs_between=2)
    with pytest.raises(ValueError, match="k"):
        grow(mlp, X, Y, propose=propose_tiny, loss="mse", max_steps=1, k=0)
    with pytest.raises(TypeError, match="propose"):
        grow(mlp, X, Y, propose=3, loss="mse", max_steps=1)
    with pytest.raises(TypeError, match="NewNeurons"):
        grow(mlp, X, Y, propose=lambda *a, **kw: 5, loss="mse", max_steps=1)


def test_history_is_json_serialisable():
    import json
    X, Y = _teacher()
    res = grow(MLP.init([4, 2, 2], rng=1), X, Y, propose=propose_tiny, loss="mse", max_steps=1, rng=0)
    d = json.loads(json.dumps(res.history.to_dict()))
    assert d["steps"][0]["width_after"] == res.mlp.sizes[1]
    assert isinstance(NewNeurons(np.zeros((1, 4)), np.zeros(1), np.zeros((2, 1))).k, int)


def test_teacher_student_experiment_statements():
    """Experiment (a) in miniature: literal GradMax in a ReLU net (ReLU'(0) = 0) adds dead neurons, so its
    losses equal the fixed-width-5 run (to rounding: the zero columns only change the BLAS summation); every TINY growth step lowers the loss at once."""
    from refgrow.experiments.tiny import teacher_student_run
    r = teacher_student_run(0, methods=("tiny", "gradmax", "fixed5"), steps_between=5, n=200)
    assert r["gradmax"]["curve"]["train_loss"][-1] == pytest.approx(r["fixed5"]["curve"]["train_loss"][-1], rel=1e-12)
    assert all(s["train_loss_after"] < s["train_loss_before"] for s in r["tiny"]["steps"])
    assert r["tiny"]["n_params"] == r["gradmax"]["n_params"] == 10 * 10 + 10 + 10 * 10 + 10


def test_apply_proposal_adds_the_fan_out_update_then_the_neurons():
    """A proposal carrying TINY's update of the existing fan-out (dW_next, db_next) is applied as
    weights[h+1][:, :width] + dW_next, biases[h+1] + db_next, then k appended neurons; mlp untouched."""
    from refgrow.growth.proposals import apply_proposal
    rng = np.random.default_rng(5)
    mlp = MLP.init([3, 2, 4], rng=0)
    dW, db = rng.standard_normal((4, 2)), rng.standard_normal(4)
    nn = NewNeurons(rng.standard_normal((1, 3)), rng.standard_normal(1), rng.standard_normal((4, 1)),
                    dW_next=dW, db_next=db)
    saved = [p.copy() for p in mlp.parameters()]
    new = apply_proposal(mlp, 0, nn)
    assert all(np.array_equal(a, b) for a, b in zip(saved, mlp.parameters()))
    np.testing.assert_array_equal(new.weights[1][:, :2], mlp.weights[1] + dW)
    np.testing.assert_array_equal(new.weights[1][:, 2:], nn.w_out)
    np.testing.assert_array_equal(new.biases[1], mlp.biases[1] + db)
    np.testing.assert_array_equal(new.weights[0][2:], nn.w_in)
    with pytest.raises(ValueError, match="together"):
        NewNeurons(nn.w_in, nn.b_in, nn.w_out, dW_next=dW)
    with pytest.raises(ValueError, match="dW_next"):
        NewNeurons(nn.w_in, nn.b_in, nn.w_out, dW_next=np.zeros((3, 2)), db_next=np.zeros(3))
    with pytest.raises(ValueError, match="dW_next"):
        apply_proposal(mlp, 0, NewNeurons(nn.w_in, nn.b_in, nn.w_out, dW_next=np.zeros((4, 5)),
                                          db_next=np.zeros(4)))


def test_no_growth_method_imports_another():
    """Layout rule: TINY, GradMax, Random and folding share pieces only through growth.proposals."""
    import ast
    import pathlib

    import refgrow.growth as growth
    root = pathlib.Path(growth.__file__).parent
    methods = {"tiny", "gradmax", "random_neurons", "folding"}
    seen = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).parts
        own = rel[0].removesuffix(".py")
        if own not in methods:
            continue
        seen.add(own)
        for node in ast.walk(ast.parse(path.read_text())):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for m in mods:
                parts = m.split(".")
                if parts[:2] == ["refgrow", "growth"] and len(parts) > 2:
                    assert parts[2] in (own, "proposals"), f"{path.name} imports {m}"
    assert seen == methods
