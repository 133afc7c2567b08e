"""The worked examples under examples/ run and their checks hold (when torch / gromo are installed)."""
import importlib.util
import os
import sys

import pytest

from refgrow.cli import main as cli_main

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(f"refgrow_example_{name}", os.path.join(HERE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_torch_tiny_example_agrees_with_refgrow(capsys):
    pytest.importorskip("torch")
    _load("torch_tiny").main()                           # raises AssertionError on any disagreement
    assert "torch TINY agrees with refgrow" in capsys.readouterr().out


def test_torch_tiny_example_catches_a_sign_error(monkeypatch):
    """The example's check is not vacuous: a torch TINY that flips V_goal's sign is rejected."""
    torch = pytest.importorskip("torch")
    mod = _load("torch_tiny")
    right = mod.torch_tiny
    monkeypatch.setattr(mod, "torch_tiny", lambda *a: {k: (-v if k == "V_goal" else v) for k, v in right(*a).items()})
    with pytest.raises(AssertionError, match="sign of the update"):
        mod.main()
    del torch


def test_gromo_example_agrees_with_refgrow(capsys):
    pytest.importorskip("gromo")
    mod = _load("gromo_tiny")
    mod.main()
    mod.probe()
    out = capsys.readouterr().out
    assert "gromo TINY agrees with refgrow" in out and "probe: gromo and refgrow agree" in out


def test_torch_impl_passes_oracle_check_in_one_command(tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    assert cli_main(["oracle", "export", "--out", str(tmp_path)]) == 0
    monkeypatch.syspath_prepend(HERE)
    assert cli_main(["oracle", "check", str(tmp_path), "--impl", "torch_impl"]) == 0
    out = capsys.readouterr().out
    assert "8 of 8 cases pass" in out
    sys.modules.pop("torch_impl", None)
