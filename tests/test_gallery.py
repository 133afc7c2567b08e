"""The figure gallery (``python -m refgrow figures``), its index, and references that resolve.

The whole ``figures --quick`` takes one to two minutes, too slow for the suite, so the suite runs a
representative subset of names (one figure made by the tour, one by a tutorial, one by a ``reproduce``
experiment) into ``tmp_path`` and checks separately that the set of names equals the gallery index and
the committed PNGs; ``python -m refgrow figures --quick`` runs every job.
"""
import os
import pathlib
import re

import pytest

from refgrow import gallery
from refgrow.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIGDIR = ROOT / "figures"


def _index_names():
    text = (FIGDIR / "README.md").read_text()
    return re.findall(r"^\| \[`([^`]+)\.png`\]", text, flags=re.M)


def test_gallery_names_equal_the_index_and_the_committed_pngs():
    names = _index_names()
    assert len(names) == len(set(names)), "a figure is listed twice in figures/README.md"
    assert set(names) == set(gallery.FIGURES)
    assert {p.stem for p in FIGDIR.glob("*.png")} == set(gallery.FIGURES)


def test_committed_index_is_the_generated_one():
    assert (FIGDIR / "README.md").read_text() == gallery.index_markdown()


def test_every_figure_has_a_job_and_every_job_makes_a_figure():
    assert {f.job for f in gallery.FIGURES.values()} == set(gallery.JOBS)
    for name, f in gallery.FIGURES.items():
        assert f.shows.strip() and f.paper.strip(), name


def test_figures_directory_keeps_only_small_files():
    """Bulky curves go to the run directories; the gallery keeps PNGs and small summaries."""
    for p in FIGDIR.iterdir():
        limit = 400_000 if p.suffix == ".png" else 50_000
        assert p.stat().st_size < limit, f"{p.name} is {p.stat().st_size} bytes"
        assert p.suffix in (".png", ".json", ".md"), p.name


def test_figures_quick_subset_writes_non_blank_pngs(tmp_path, capsys):
    names = ["tour", "01_linear_regions", "triangle_fig4_sparse"]
    out, runs = tmp_path / "gallery", tmp_path / "runs"
    assert main(["figures", "--quick", "--out", str(out), "--runs", str(runs), *names]) == 0
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(names)
    for n in names:
        assert gallery.pixel_variance(out / f"{n}.png") > 1e-3, f"{n}.png looks blank"
    assert (out / "triangle_table3.json").is_file()            # the job's small summary is kept
    assert not (out / "README.md").exists()                     # the index is written by full runs only
    assert "wrote 3 figure(s)" in capsys.readouterr().out


def test_the_same_job_gives_the_same_bytes(tmp_path):
    for k in (1, 2):
        rc, _ = gallery.run_job("tour", str(tmp_path / f"r{k}"), quick=True)
        assert rc == 0
    assert (tmp_path / "r1" / "tour.png").read_bytes() == (tmp_path / "r2" / "tour.png").read_bytes()


def test_pixel_variance_tells_blank_from_drawn(tmp_path):
    from refgrow.plotting import plt, savefig
    blank = savefig(plt().figure(), str(tmp_path / "blank.png"))
    fig, ax = plt().subplots()
    ax.plot([0, 1], [0, 1], lw=8)
    drawn = savefig(fig, str(tmp_path / "drawn.png"))
    assert gallery.pixel_variance(blank) == 0.0
    assert gallery.pixel_variance(drawn) > 1e-3


def test_unknown_figure_name_is_a_one_line_error(capsys):
    assert main(["figures", "no_such_figure"]) == 2
    err = capsys.readouterr().err
    assert "no_such_figure" in err and "figures --list" in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------------------------------------- references
_TEXT_SUFFIXES = {".py", ".md", ".cfg", ".toml"}


def _project_files():
    for sub in ("refgrow", "tutorials", "docs", "tests", "figures"):
        for p in (ROOT / sub).rglob("*"):
            if p.suffix in _TEXT_SUFFIXES and "__pycache__" not in p.parts:
                yield p
    yield ROOT / "README.md"


def test_every_cited_anchor_of_references_exists():
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', (ROOT / "docs" / "references.md").read_text()))
    assert {"tiny", "folding-slides", "folding", "triangle", "mackinnon", "rai"} <= anchors
    cited = {}
    for p in _project_files():
        for a in re.findall(r"references\.md#([A-Za-z0-9_-]+)", p.read_text(errors="replace")):
            cited.setdefault(a, p.relative_to(ROOT).as_posix())
    assert cited, "nothing cites docs/references.md"
    missing = {a: f for a, f in cited.items() if a not in anchors}
    assert not missing, f"anchors cited but not defined in docs/references.md: {missing}"


# Files whose owners replace their own paths (see the report of the gallery branch); empty when done.
_PENDING_OWNERS: set = set()


def test_no_path_points_outside_the_project():
    bad = re.compile("|".join([r"\.\./" + "shared", "shared/" + "reference", "shared/" + "papers",
                               r"\breference/" + r"(adf|raai)\.md", r"\b00[0-3]_[0-9a-f]{16}\.txt"]))
    hits = []
    for p in list(_project_files()) + [ROOT / "DESIGN.md"]:
        rel = p.relative_to(ROOT).as_posix()
        if rel in _PENDING_OWNERS or not p.is_file():
            continue
        for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1):
            if bad.search(line):
                hits.append(f"{rel}:{i}: {line.strip()[:80]}")
    assert not hits, "paths outside the project (cite docs/references.md instead):\n" + "\n".join(hits)


@pytest.mark.parametrize("name", sorted(gallery.FIGURES))
def test_index_line_names_the_command_and_cites_a_paper_or_tutorial(name):
    line = next(ln for ln in gallery.index_markdown().splitlines() if f"[`{name}.png`]" in ln)
    assert "python" in line and ("references.md#" in line or "tutorial" in line)
    assert gallery.JOBS[gallery.FIGURES[name].job].command() in line
