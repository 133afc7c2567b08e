"""Every tutorial runs top to bottom in quick mode (REFGROW_QUICK=1).

The expected set is listed explicitly, so a broken glob (or a tutorial that silently disappeared)
fails instead of passing with nothing run.
"""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXPECTED = [
    "01_mlp_by_hand.py",
    "02_triangle_waves.py",
    "03_expressivity_bottlenecks.py",
    "04_folding_at_mistakes.py",
    "05_when_to_grow.py",
]
FOUND = sorted(p.name for p in (ROOT / "tutorials").glob("[0-9]*.py"))


def test_the_glob_finds_every_tutorial():
    assert len(FOUND) == len(EXPECTED), f"found {FOUND}, expected {EXPECTED}"
    assert FOUND == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_tutorial_runs_in_quick_mode(name, tmp_path):
    path = ROOT / "tutorials" / name
    assert path.is_file(), f"missing tutorial {name}"
    text = path.read_text()
    assert "# %% [markdown]" in text and "Exercises" in text and "earning goals" in text
    # no REFGROW_FIGURES: the figures must land in ./out/figures of the working directory (here a
    # temporary one), so running a tutorial as a script never touches the committed figures/
    env = {k: v for k, v in os.environ.items() if k != "REFGROW_FIGURES"}
    env.update(REFGROW_QUICK="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, f"{name} failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    written = sorted(p.name for p in (tmp_path / "out" / "figures").glob("*.png"))
    assert len(written) == text.count("show(fig") >= 1, written


@pytest.mark.parametrize("name", EXPECTED)
def test_tutorial_opens_as_a_notebook(name):
    """The percent format is real: jupytext reads markdown and code cells (runs when jupytext is installed)."""
    jupytext = pytest.importorskip("jupytext")
    nb = jupytext.read(ROOT / "tutorials" / name)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds.count("markdown") >= 3 and kinds.count("code") >= 3
    assert nb.cells[0].cell_type == "markdown" or nb.cells[1].cell_type == "markdown"


def test_every_tutorial_cites_its_papers_and_points_to_the_exercise_checker():
    """A reader goes from a tutorial to the paper section (docs/references.md) and to checked exercises."""
    for name in EXPECTED:
        text = (ROOT / "tutorials" / name).read_text()
        assert "](../docs/references.md#" in text, name
        assert "**Follows**" in text and "python -m refgrow check " in text, name


def test_tutorials_do_not_depend_on_file_paths_or_write_into_the_gallery():
    """A notebook has no ``__file__``; figures go to out/ or REFGROW_FIGURES, never figures/."""
    for name in EXPECTED:
        text = (ROOT / "tutorials" / name).read_text()
        assert "__file__" not in text, name
        assert '"figures")' not in text and "'figures')" not in text, name
        assert "figure_dir()" in text and "show(fig" in text, name


@pytest.mark.parametrize("name", ["01_mlp_by_hand.py"])
def test_tutorial_executes_as_a_notebook_with_figures_inline(name, tmp_path):
    """Converted with jupytext and executed with nbclient (the ``notebooks`` extra), in quick mode."""
    pytest.importorskip("jupytext")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from refgrow.notebooks import execute_notebook, to_notebook
    nb = execute_notebook(to_notebook(ROOT / "tutorials" / name), str(tmp_path), quick=True)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    n_saved = (ROOT / "tutorials" / name).read_text().count("show(fig")
    assert len(images) == n_saved >= 1                          # every figure is shown inline, once
    assert len(list((tmp_path / "figures").glob("*.png"))) == n_saved
