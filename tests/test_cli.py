"""The command line a newcomer types."""
import json
import subprocess
import sys

import pytest

from refgrow.cli import COMMANDS, main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_module_entry_point_runs():
    r = subprocess.run([sys.executable, "-m", "refgrow", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "tour" in r.stdout


def test_tour_trains_and_writes_a_figure(tmp_path, capsys):
    assert main(["tour", "--epochs", "150", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "tour.png").stat().st_size > 1000
    rec = json.loads((tmp_path / "tour.json").read_text())
    assert rec["gradcheck_max_rel_err"] < 1e-6
    h = rec["history"]
    assert h["train_loss"][-1] < h["train_loss"][0]            # training lowered the loss
    assert "gradient check" in out


def test_tour_counts_regions_on_the_window_it_draws(tmp_path, capsys):
    """The regions are counted on the plotted window (the data's box plus the plot margin)."""
    from refgrow.datasets import two_sines
    import numpy as np
    assert main(["tour", "--epochs", "20", "--out", str(tmp_path)]) == 0
    rec = json.loads((tmp_path / "tour.json").read_text())
    rng = np.random.default_rng(0)                             # the tour's data, drawn the same way
    X = two_sines(400, rng=rng).X
    lo, hi = np.asarray(rec["regions_window"])
    np.testing.assert_allclose(lo, X.min(axis=0) - 0.3, rtol=0, atol=1e-12)
    np.testing.assert_allclose(hi, X.max(axis=0) + 0.3, rtol=0, atol=1e-12)
    assert "plotted window" in capsys.readouterr().out


def test_import_refgrow_is_light_and_gives_its_submodules():
    code = (
        "import sys, refgrow\n"
        "assert 'numpy' not in sys.modules and 'refgrow.mlp' not in sys.modules, sorted(sys.modules)\n"
        "net = refgrow.mlp.MLP.init([2, 3, 2], rng=0)\n"
        "for name in refgrow.SUBMODULES:\n"
        "    assert getattr(refgrow, name).__name__ == 'refgrow.' + name\n"
        "assert 'torch' not in sys.modules and 'cupy' not in sys.modules\n"
        "try:\n"
        "    refgrow.no_such_module\n"
        "except AttributeError as e:\n"
        "    assert 'no_such_module' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
        "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def _env():
    import os
    import pathlib
    root = str(pathlib.Path(__file__).resolve().parents[1])
    return dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
                MPLBACKEND="Agg")


def _no_fashion_mnist(monkeypatch, tmp_path):
    import refgrow.datasets
    import refgrow.experiments.tiny
    absent = str(tmp_path / "no-fashion-mnist")
    monkeypatch.setattr(refgrow.datasets, "FASHION_MNIST_DIR", absent)
    monkeypatch.setattr(refgrow.experiments.tiny, "FASHION_DIR", absent)


def test_reproduce_tiny_quick_runs_without_data_and_writes_each_part(tmp_path, monkeypatch, capsys):
    """Without Fashion-MNIST, parts (b, c) run on the 10-class synthetic images, where GradMax's
    k <= number of classes holds; each finished part is on disk with its summary table."""
    _no_fashion_mnist(monkeypatch, tmp_path)
    out = tmp_path / "tiny"
    argv = ["reproduce", "tiny-vs-gradmax", "--quick", "--seeds", "1", "--n-train", "300",
            "--target-width", "9", "--pure-steps", "3", "--steps-between", "20", "--out", str(out)]
    assert main(argv + ["--part", "b", "--no-figures"]) == 0
    summary = json.loads((out / "tiny_vs_gradmax_summary.json").read_text())
    assert "synthetic" in summary["classification_data"]
    assert set(summary["classification"]["table"]) >= {"tiny", "gradmax-step", "random", "fixed"}
    assert "runs" not in summary["classification"]            # curves stay in the full JSON only
    assert main(argv + ["--part", "c"]) == 0                  # adds part (c), keeps part (b)
    summary = json.loads((out / "tiny_vs_gradmax_summary.json").read_text())
    assert {"classification", "pure_growth"} <= set(summary)
    assert (out / "tiny_pure_growth.png").is_file() and (out / "tiny_classification.png").is_file()
    assert "synthetic" in capsys.readouterr().out


def test_reproduce_folding_fashion_mnist_quick_falls_back_to_synthetic_images(tmp_path, monkeypatch, capsys):
    _no_fashion_mnist(monkeypatch, tmp_path)
    argv = ["reproduce", "folding-fashion-mnist", "--quick", "--n-train", "500", "--steps", "2",
            "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "synthetic bar images" in out
    rec = json.loads((tmp_path / "folding_fashion_mnist_seed0.json").read_text())
    assert 1 <= len(rec["records"]) <= 2
    assert (tmp_path / "folding_fashion_mnist_mistakes.png").is_file()


def test_reproduce_folding_quadratic_on_missing_explicit_data_is_an_error(tmp_path, capsys):
    argv = ["reproduce", "folding-quadratic", "--quick", "--dataset", "fashion-mnist", "--data-dir",
            str(tmp_path / "absent"), "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "no data at" in capsys.readouterr().out


def test_notebooks_without_the_extra_prints_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "jupytext", None)          # import jupytext -> ImportError
    assert main(["notebooks", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "notebooks" in err and "pip install" in err


def test_reproduce_and_bench_list(capsys):
    assert main(["reproduce", "--list"]) == 0
    assert "triangle-table1" in capsys.readouterr().out
    assert main(["bench", "--list"]) == 0
    assert "mlp-step" in capsys.readouterr().out


def test_unknown_names_fail_clearly(capsys):
    assert main(["reproduce", "no-such-thing"]) == 2
    assert "unknown experiment" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["frobnicate"])


def test_registry_leaves_out_absent_modules_but_not_broken_ones(tmp_path, monkeypatch):
    """A broken import of an existing module is an error, never a silent "not available"."""
    from refgrow._registry import Registry
    (tmp_path / "refgrow_broken_mod.py").write_text("raise ImportError('broken on purpose')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry("thing", {"absent": ("refgrow_no_such_module", "run", "absent"),
                             "ok": ("json", "dumps", "present")})
    assert reg.available() == {"ok": "present"}
    broken = Registry("thing", {"broken": ("refgrow_broken_mod", "run", "broken")})
    with pytest.raises(ImportError, match="broken on purpose"):
        broken.available()


def test_folding_quadratic_writes_its_table_after_every_seed(tmp_path, monkeypatch):
    """The partial table is on disk after each seed (a cut run keeps its finished seeds)."""
    import refgrow.experiments.folding as fx
    seen = []
    real = fx.table1_protocol

    def spy(*args, on_seed=None, **kw):
        def wrapped(rows, reached):
            on_seed(rows, reached)
            seen.append(json.loads((tmp_path / "folding_table1_quadratics.json").read_text()))
        return real(*args, on_seed=wrapped, **kw)

    monkeypatch.setattr(fx, "table1_protocol", spy)
    argv = ["reproduce", "folding-quadratic", "--seeds", "2", "--n", "120", "--epochs", "30",
            "--min-epochs", "20", "--widths", "2", "--out", str(tmp_path)]
    assert main(argv) == 0
    assert [s["seeds_done"] for s in seen] == [1, 2] and not seen[0]["complete"]
    final = json.loads((tmp_path / "folding_table1_quadratics.json").read_text())
    assert final["complete"] and set(final["rows"]) == set(final["rows_raw"])
    assert all(len(v) == 2 for v in final["rows_raw"].values())


def test_tutorials_lists_each_tutorial_with_its_papers(capsys):
    assert main(["tutorials"]) == 0
    out = capsys.readouterr().out
    assert out.count("Tutorial 0") == 5
    assert out.count("papers: docs/references.md#") == 5
