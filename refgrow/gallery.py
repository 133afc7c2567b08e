"""The figure gallery: ``python -m refgrow figures [--quick] [--out DIR] [--runs DIR] [--jobs N] [NAME...]``.

Every PNG committed under ``figures/`` is listed in :data:`FIGURES`, with what it shows, the paper
figure or table it corresponds to (cited through ``docs/references.md``) and the job that makes it: a
``python -m refgrow reproduce`` experiment, a tutorial, or the tour. The command runs the jobs needed
for the requested names (all by default), each in its own run directory under ``--runs`` (where the
bulky JSON of every training curve stays), then copies the PNGs and the small human-readable summaries
to ``--out`` and, for a full run, writes the gallery index ``README.md`` there.

``python -m refgrow figures --out figures`` regenerates the committed gallery; the default ``--out`` is
``out/figures`` so that nothing committed is overwritten by accident. ``--quick`` runs every job in its
quick mode (the whole gallery in a few minutes on 2 cores; the pictures are then smaller studies of
the same thing, not the committed ones).

Determinism: each job is a fresh Python process with one BLAS thread and fixed seeds, and PNGs carry no
date, so the same version of refgrow and matplotlib gives the same files.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

__all__ = ["Figure", "Job", "FIGURES", "JOBS", "index_markdown", "jobs_for", "run_job", "pixel_variance",
           "figures_main"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the checkout (tutorials/ lives there)
REFS = "../docs/references.md"                                          # relative to figures/README.md


class Job(NamedTuple):
    """One producer of figures.

    kind : ``"reproduce"`` (``target`` = experiment name), ``"tutorial"`` (``target`` = file under
        ``tutorials/``) or ``"tour"``.
    argv, quick_argv : extra arguments of the full and of the ``--quick`` run.
    keep : small result files the job writes that are copied to the gallery beside the PNGs.
    """
    kind: str
    target: str
    argv: tuple = ()
    quick_argv: tuple = ("--quick",)
    keep: tuple = ()

    def command(self, quick=False) -> str:
        """The command line a reader types to run this job alone."""
        extra = " ".join(self.quick_argv if quick else self.argv)
        if self.kind == "reproduce":
            base = f"python -m refgrow reproduce {self.target}"
        elif self.kind == "tour":
            base = "python -m refgrow tour"
        else:
            base = ("REFGROW_QUICK=1 " if quick else "") + f"python tutorials/{self.target}"
            extra = ""
        return f"{base} {extra}".strip()


class Figure(NamedTuple):
    """One gallery entry: ``figures/<name>.png``."""
    job: str
    shows: str
    paper: str


JOBS = {
    "tour": Job("tour", "", argv=(), quick_argv=("--epochs", "150")),
    "tutorial-01": Job("tutorial", "01_mlp_by_hand.py", quick_argv=()),
    "tutorial-02": Job("tutorial", "02_triangle_waves.py", quick_argv=()),
    "tutorial-03": Job("tutorial", "03_expressivity_bottlenecks.py", quick_argv=()),
    "tutorial-04": Job("tutorial", "04_folding_at_mistakes.py", quick_argv=()),
    "tutorial-05": Job("tutorial", "05_when_to_grow.py", quick_argv=()),
    "triangle-table1": Job("reproduce", "triangle-table1", keep=("triangle_table1.json",)),
    "triangle-table2": Job("reproduce", "triangle-table2", keep=("triangle_table2.json",)),
    "triangle-table3": Job("reproduce", "triangle-table3", keep=("triangle_table3.json",)),
    "triangle-nonconvex": Job("reproduce", "triangle-nonconvex", keep=("triangle_nonconvex.json",)),
    "tiny-vs-gradmax": Job("reproduce", "tiny-vs-gradmax", keep=("tiny_vs_gradmax_summary.json",)),
    "folding-sine": Job("reproduce", "folding-sine"),
    "folding-fashion-mnist": Job("reproduce", "folding-fashion-mnist"),
}

_T, _TINY, _F, _FS = (f"[{k}]({REFS}#{k})" for k in ("triangle", "tiny", "folding", "folding-slides"))
_MK = f"[MacKinnon]({REFS}#mackinnon)"

#: name (PNG stem) -> Figure. The order is the order of the gallery index.
FIGURES = {
    "tour": Figure("tour", "A 2-8-2 ReLU MLP trained on the two-sine set: decision regions with the data "
                   "(class key), and train/validation loss per epoch.", f"the data of {_F} Sec. 4 (Fig. 1)"),
    "01_linear_regions": Figure("tutorial-01", "Linear regions (activation patterns) of a trained 2-8-2 MLP "
                                "on a grid, the region of one input, and its decision regions.",
                                "tutorial 01 (no paper figure)"),
    "triangle_02_waves": Figure("tutorial-02", "Composed triangle waves W_0..W_3 for random peaks: "
                                "2^(i+1) linear pieces whatever the peaks.", f"{_T} Eq. 2, Fig. 1, Fig. 10"),
    "triangle_02_fig3_neurons": Figure("tutorial-02", "Output of every neuron of the width-4 triangle "
                                       "network, layer by layer.", f"{_T} Fig. 3"),
    "triangle_02_fig4_sparse": Figure("tutorial-02", "Pretraining vs Kaiming default on sparse x^3 "
                                      "(10 training points).", f"{_T} Fig. 4"),
    "triangle_fig1_waves": Figure("triangle-table1", "Composed triangle waves, the approximation of x^2 and "
                                  "its derivatives.", f"{_T} Fig. 1"),
    "triangle_fig3_neurons": Figure("triangle-table1", "Neuron outputs of the triangle network against the "
                                    "input.", f"{_T} Fig. 3"),
    "triangle_fig6_table1": Figure("triangle-table1", "Pre-activations per layer of the best Default vs "
                                   "pretrained models on x^3 and x^11.", f"{_T} Fig. 6, Table 1"),
    "triangle_fig6_table2": Figure("triangle-table2", "Pre-activations per layer of the best models on "
                                   "sin and tanh(3x).", f"{_T} Fig. 6, Table 2"),
    "triangle_fig4_sparse": Figure("triangle-table3", "Default vs differentiable pretraining trained on 10 "
                                   "points, tested on 10 unseen points.", f"{_T} Fig. 4, Table 3"),
    "triangle_fig7_cubic_minus_x": Figure("triangle-nonconvex", "x^3 - x as a difference of pretrained "
                                          "convex blocks vs a standard 8x5 network.", f"{_T} Fig. 7"),
    "triangle_fig8_r_cubed": Figure("triangle-nonconvex", "r^3 on the plane: union of pretrained blocks vs "
                                    "a standard 8x5 network.", f"{_T} Fig. 8"),
    "triangle_fig15_spirals": Figure("triangle-nonconvex", "Two spirals: block-diagonal pretrained network "
                                     "vs Kaiming block-diagonal.", f"{_T} Fig. 15 (App. A.9)"),
    "tiny_tutorial_eq9": Figure("tutorial-03", "Expressivity bottleneck after adding K neurons: measured "
                                "vs Eq. (9) (Psi_proj - sum of lambda_k^2).", f"{_TINY} Eq. (9), Prop. 3.2"),
    "tiny_tutorial_growth": Figure("tutorial-03", "TINY vs GradMax vs Random growth on a small regression: "
                                   "train MSE vs steps and vs parameters.", f"{_TINY} Sec. 5"),
    "tiny_teacher_student": Figure("tiny-vs-gradmax", "(a) teacher-student regression, width 5 -> 10: "
                                   "train and test MSE of TINY, GradMax, Random and fixed widths.",
                                   f"GradMax's MLP set-up; {_TINY} Sec. 5.1"),
    "tiny_classification": Figure("tiny-vs-gradmax", "(b) growing one hidden layer on a classification set "
                                  "(Fashion-MNIST, or 10-class synthetic bar images without it): test accuracy vs parameters.",
                                  f"{_TINY} Figs. 5-6 (small-scale analogue)"),
    "tiny_pure_growth": Figure("tiny-vs-gradmax", "(c) pure growth, no gradient step: TINY vs Random "
                               "accuracy vs parameters.", f"{_TINY} Fig. 8 (small-scale analogue)"),
    "folding_tutorial_growth": Figure("tutorial-04", "Growth by folding from 2-2-2: boundary before/after, "
                                      "fold hyperplane, typical mistake and fold point per step.",
                                      f"{_F} Fig. 1, {_FS}"),
    "folding_sine_growth": Figure("folding-sine", "Growth by folding on the two-sine set, one panel per "
                                  "grown neuron, with its explanation.", f"{_F} Fig. 1"),
    "folding_fashion_mnist_mistakes": Figure("folding-fashion-mnist", "The typical mistakes of the first "
                                             "growth steps as images (Fashion-MNIST, or synthetic bar images "
                                             "without it).", f"{_F} Fig. 3"),
    "adf_pvalue_curves": Figure("tutorial-05", "ADF p-value as a function of the statistic tau for the "
                                "three regressions.", f"{_MK} (1994), {_F} Sec. 3.1"),
    "adf_decaying_loss": Figure("tutorial-05", "What the two criteria of 'when to grow' see on decaying "
                                "loss curves.", f"{_F} Sec. 3.1"),
    "adf_small_sample_pvalues": Figure("tutorial-05", "Size of the ADF test on 20-point windows: "
                                       "distribution of p-values under H0 by lag choice.", f"{_F} Sec. 3.1"),
    "adf_training_stop": Figure("tutorial-05", "ADF convergence in a training loop: loss, p-value and "
                                "the epoch where growth would be triggered.", f"{_F} Sec. 3.1"),
}


def jobs_for(names) -> list:
    """The jobs needed for ``names``, in :data:`JOBS` order."""
    needed = {FIGURES[n].job for n in names}
    return [j for j in JOBS if j in needed]


def index_markdown() -> str:
    """The gallery index (``figures/README.md``): one line per figure, generated from :data:`FIGURES`."""
    lines = [
        "# Figure gallery",
        "",
        "Every PNG here is regenerated by one command, from a fresh clone:",
        "",
        "```bash",
        "python -m refgrow figures --out figures          # the whole gallery (the committed files)",
        "python -m refgrow figures --quick                # a quick version in out/figures (minutes)",
        "python -m refgrow figures NAME [NAME ...]        # only these figures",
        "```",
        "",
        "Bulky results (every training curve) stay in the run directories (`--runs`, default `out/runs`);",
        "this directory keeps the PNGs and small summaries (`triangle_table*.json`, `triangle_nonconvex.json`,",
        "`tiny_vs_gradmax_summary.json`). Papers are cited through [docs/references.md](../docs/references.md).",
        "This file is generated by `python -m refgrow figures` (`refgrow/gallery.py`); edit it there.",
        "",
        "| figure | what it shows | paper | made by |",
        "|---|---|---|---|",
    ]
    for name, f in FIGURES.items():
        cmd = JOBS[f.job].command()
        lines.append(f"| [`{name}.png`]({name}.png) | {f.shows} | {f.paper} | `{cmd}` |")
    return "\n".join(lines) + "\n"


def _child_env(quick: bool, figures_dir: str) -> dict:
    env = dict(os.environ)
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(k, "1")
    env["MPLBACKEND"] = "Agg"
    env["PYTHONHASHSEED"] = "0"
    env["REFGROW_FIGURES"] = os.path.abspath(figures_dir)
    env.pop("REFGROW_QUICK", None)
    if quick:
        env["REFGROW_QUICK"] = "1"
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join([pkg_parent] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                                                       if p])
    return env


def run_job(name: str, run_dir: str, *, quick=False) -> tuple:
    """Run job ``name`` in a fresh process writing into ``run_dir``; returns ``(returncode, seconds)``.

    Its output goes to ``run_dir/log.txt``.
    """
    job = JOBS[name]
    os.makedirs(run_dir, exist_ok=True)
    extra = list(job.quick_argv if quick else job.argv)
    if job.kind == "reproduce":
        cmd = [sys.executable, "-m", "refgrow", "reproduce", job.target, *extra, "--out", os.path.abspath(run_dir)]
    elif job.kind == "tour":
        cmd = [sys.executable, "-m", "refgrow", "tour", *extra, "--out", os.path.abspath(run_dir)]
    else:
        path = os.path.join(_ROOT, "tutorials", job.target)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"tutorial {job.target} not found: the tutorials live in the source "
                                    "checkout (tutorials/), not in an installed package")
        cmd = [sys.executable, path]
    t0 = time.perf_counter()
    with open(os.path.join(run_dir, "log.txt"), "w") as log:
        r = subprocess.run(cmd, cwd=run_dir, env=_child_env(quick, run_dir), stdout=log,
                           stderr=subprocess.STDOUT)
    return r.returncode, time.perf_counter() - t0


def pixel_variance(path) -> float:
    """Variance of the grey levels of a PNG (0 for a blank image)."""
    import matplotlib.image as mpimg
    import numpy as np
    img = np.asarray(mpimg.imread(path), dtype=float)
    if img.ndim == 3:
        img = img[..., :3].mean(axis=2)
    return float(img.var())


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m refgrow figures",
        description="Regenerate the figure gallery (figures/README.md lists every figure). With no NAME, "
                    "every figure and the index.")
    p.add_argument("names", nargs="*", metavar="NAME", help="figure names (PNG stems); default: all")
    p.add_argument("--quick", action="store_true", help="quick mode of every job (a few minutes on 2 cores)")
    p.add_argument("--out", default=os.path.join("out", "figures"),
                   help="gallery directory (default out/figures; --out figures rewrites the committed one)")
    p.add_argument("--runs", default=os.path.join("out", "runs"),
                   help="directory of the per-job runs with their full results (default out/runs)")
    p.add_argument("--jobs", type=int, default=1, help="jobs run in parallel (default 1)")
    p.add_argument("--list", action="store_true", help="list the figures and the jobs that make them")
    return p


def figures_main(argv) -> int:
    """Entry point of ``python -m refgrow figures``."""
    a = _parser().parse_args(argv)
    if a.list:
        for name, f in FIGURES.items():
            print(f"  {name:32s} {JOBS[f.job].command()}")
        return 0
    unknown = [n for n in a.names if n not in FIGURES]
    if unknown:
        raise ValueError(f"NAME: unknown figure(s) {', '.join(map(repr, unknown))}; `figures --list` "
                         "shows the names")
    if a.jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {a.jobs}")
    names = list(dict.fromkeys(a.names)) or list(FIGURES)
    jobs = jobs_for(names)
    os.makedirs(a.out, exist_ok=True)
    print(f"refgrow figures: {len(names)} figure(s) from {len(jobs)} job(s){' (quick)' if a.quick else ''}; "
          f"runs in {a.runs}, gallery in {a.out}")
    t0 = time.perf_counter()

    def one(job):
        try:
            return job, run_job(job, os.path.join(a.runs, job), quick=a.quick)
        except FileNotFoundError as exc:           # a tutorial outside a source checkout
            print(f"  {job}: {exc}")
            return job, (127, 0.0)

    failed, written = [], 0
    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for job, (rc, dt) in ex.map(one, jobs):
            run_dir = os.path.join(a.runs, job)
            status = "ok" if rc == 0 else f"FAILED (exit {rc}; see {os.path.join(run_dir, 'log.txt')})"
            print(f"  {job:22s} {dt:7.1f} s  {status}")
            if rc != 0:
                failed.append(job)
                continue
            for keep in JOBS[job].keep:
                src = os.path.join(run_dir, keep)
                if os.path.isfile(src):
                    shutil.copyfile(src, os.path.join(a.out, keep))
            for name in names:
                if FIGURES[name].job != job:
                    continue
                src = os.path.join(run_dir, name + ".png")
                if not os.path.isfile(src):
                    print(f"    {name}.png was not written by {job} (see {os.path.join(run_dir, 'log.txt')})")
                    failed.append(name)
                    continue
                shutil.copyfile(src, os.path.join(a.out, name + ".png"))
                written += 1
    if not a.names:
        with open(os.path.join(a.out, "README.md"), "w") as fh:
            fh.write(index_markdown())
    print(f"wrote {written} figure(s) to {a.out} in "
          f"{time.perf_counter() - t0:.0f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0
