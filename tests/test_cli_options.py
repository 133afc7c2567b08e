"""Every numeric and path option of every command refuses bad values up front (issue 12, item 7).

The options are discovered from the commands' own parsers (a new option is covered automatically):
each parser is captured when the command calls ``parse_args``. A bad value must give exit code 2 and
one line on stderr naming the option and its rule -- no traceback, no output files, and no work: the
parse is checked to fail before the command could start (an accepted value stops the command right
after parsing, so a regression fails fast instead of running an experiment).
"""
from __future__ import annotations

import pytest

from refgrow import bench, cliargs, experiments
from refgrow.cli import main


class _Parsed(BaseException):
    """Raised right after a successful parse: the command would now start working."""


COMMAND_LINES = ([["tour"], ["bench", "all"]] + [["reproduce", n] for n in experiments.EXPERIMENTS]
                 + [["bench", n] for n in bench.REGISTRY.entries])


def _capture_parser(cmd):
    """The ArgumentParser the command builds (captured at its parse_args call)."""
    box = {}
    orig = cliargs.ArgumentParser.parse_args

    def grab(self, args=None, namespace=None):
        box["parser"] = self
        raise _Parsed

    cliargs.ArgumentParser.parse_args = grab
    try:
        with pytest.raises(_Parsed):
            main(cmd)
    finally:
        cliargs.ArgumentParser.parse_args = orig
    return box["parser"]


BAD = {
    cliargs.positive_int: ["0", "-1", "1.5", "abc", "nan"],
    cliargs.nonneg_int: ["-1", "2.5", "x"],
    cliargs.positive_float: ["0", "-1", "nan", "inf", "abc"],
    cliargs.nonneg_float: ["-0.5", "nan", "-inf", "x"],
    cliargs.int_list: ["0,5", "a", "", "50,-1"],
    cliargs.out_dir: ["<file>", "<file>/sub"],
    cliargs.out_file: ["<dir>", "<missing>/r.json"],
    cliargs.existing_dir: ["<missing>"],
}


def _cases():
    out = []
    for cmd in COMMAND_LINES:
        parser = _capture_parser(cmd)
        for act in parser._actions:
            if act.option_strings and act.type in BAD:
                for bad in BAD[act.type]:
                    out.append(pytest.param(cmd, act.option_strings[-1], bad,
                                            id=f"{' '.join(cmd)} {act.option_strings[-1]}={bad}"))
    return out


CASES = _cases()


@pytest.mark.parametrize("cmd", COMMAND_LINES, ids=[" ".join(c) for c in COMMAND_LINES])
def test_numeric_and_path_options_use_the_checked_types(cmd):
    """No option parses a number or a path with a bare int/float/str (those accept -1, nan, files)."""
    parser = _capture_parser(cmd)
    bare = [a.option_strings for a in parser._actions if a.option_strings and a.type in (int, float)]
    assert bare == [], f"{cmd}: options with unchecked numeric types: {bare}"
    paths = [a.option_strings[-1] for a in parser._actions
             if a.dest in ("out", "figures") and a.type is None   # --data-dir: the loader explains
             and a.choices is None]
    assert paths == [], f"{cmd}: path options without a checked type: {paths}"


def test_every_command_has_options_under_test():
    assert len(CASES) > 100
    assert {c.values[0][0] for c in CASES} >= {"tour", "reproduce", "bench"}


@pytest.mark.parametrize("cmd, option, bad", CASES)
def test_bad_option_value_is_one_line_exit_2(cmd, option, bad, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    value = (bad.replace("<file>", "afile").replace("<dir>", "adir")
             .replace("<missing>", str(tmp_path / "no" / "such")))
    before = sorted(p.name for p in tmp_path.iterdir())
    orig = cliargs.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        orig(self, args, namespace)
        raise _Parsed

    monkeypatch.setattr(cliargs.ArgumentParser, "parse_args", parse_then_stop)
    try:
        code = main(cmd + [f"{option}={value}"])            # '=' form: values like -1 are not options
    except _Parsed:
        pytest.fail(f"{' '.join(cmd)} accepted {option} {value!r}")
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2
    assert len(lines) == 1, err
    assert option in lines[0] and "must" in lines[0]
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before           # nothing written


def test_good_values_parse(monkeypatch, tmp_path):
    """The checked types accept the values the documentation uses."""
    assert cliargs.positive_int("3") == 3 and cliargs.nonneg_int("0") == 0
    assert cliargs.positive_float("1e-3") == 1e-3 and cliargs.nonneg_float("0") == 0.0
    assert cliargs.int_list("50,100") == [50, 100]
    assert cliargs.out_dir(str(tmp_path / "new" / "deeper")) == str(tmp_path / "new" / "deeper")
    assert cliargs.out_file(str(tmp_path / "r.json")) == str(tmp_path / "r.json")
    assert cliargs.existing_dir(str(tmp_path)) == str(tmp_path)


def test_values_that_reached_the_code_before_are_refused(capsys):
    """The issue's cases: --seeds 0, --lr -1, --lr2 -1, --batch-size 0, --steps -1 (all before any work)."""
    for cmd in (["reproduce", "tiny-vs-gradmax", "--seeds", "0"],
                ["reproduce", "triangle-table3", "--seeds", "0"],
                ["reproduce", "triangle-table1", "--lr", "-1"],
                ["reproduce", "triangle-table1", "--lr2", "-1"],
                ["reproduce", "triangle-table3", "--batch-size", "0"],
                ["reproduce", "folding-sine", "--steps", "-1"]):
        assert main(cmd) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and cmd[2] in err
