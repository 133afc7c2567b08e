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
