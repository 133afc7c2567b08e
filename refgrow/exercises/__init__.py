"""Classroom exercises: skeleton files to fill in and an automatic checker.

Eight exercises in increasing difficulty, each a skeleton file shipped with the package
(``refgrow/exercises/skeletons/NN_<id>.py``) holding the signatures, the docstrings (shapes, the
paper's equation) and ``raise NotImplementedError`` where the student writes code.

=====  ==================  ====================================================================
no.    id                  functions to write (paper)
=====  ==================  ====================================================================
01     affine_relu         affine_forward, affine_backward, relu_forward, relu_backward
02     softmax_ce          softmax_cross_entropy (mean over n)
03     triangle            triangle, triangle_waves, differentiable_scales (003, Eq. 2, Thm. 3.1)
04     hyperplane          closest_point_on_hyperplane, local_affine_map (000 / 002 Alg. 1)
05     weighted_kmeans     lloyd_step, kmeans_plusplus (000 / 002 Sec. 3)
06     adf                 adf_statistic (002 Sec. 3.1)
07     fold_regularizer    fold_regularizer (002 Def. 5)
08     tiny                best_update, s_inv_sqrt_n, new_neurons (001 Prop. 3.1, 3.2)
=====  ==================  ====================================================================

``python -m refgrow exercises --list`` lists them, ``python -m refgrow exercises copy DIR`` hands
them out, ``python -m refgrow check ID FILE`` checks a solution (:mod:`refgrow.exercises.checker`).
"""
from __future__ import annotations

import argparse
import os
import shutil
from dataclasses import dataclass

__all__ = ["Exercise", "EXERCISES", "get_exercise", "skeleton_path", "copy_skeletons", "exercises_main"]

_HERE = os.path.dirname(os.path.abspath(__file__))
SKELETON_DIR = os.path.join(_HERE, "skeletons")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its number, id, title, the functions the student writes and the paper."""

    number: int
    name: str
    title: str
    functions: tuple
    paper: str

    @property
    def key(self) -> str:
        """``"NN_name"``, the skeleton's file stem and the id used in reports."""
        return f"{self.number:02d}_{self.name}"

    @property
    def filename(self) -> str:
        return self.key + ".py"


EXERCISES = (
    Exercise(1, "affine_relu", "affine layer forward/backward and ReLU backward",
             ("affine_forward", "affine_backward", "relu_forward", "relu_backward"),
             "chain rule (CS231n style)"),
    Exercise(2, "softmax_ce", "softmax cross-entropy value and gradient (mean over n)",
             ("softmax_cross_entropy",), "softmax Jacobian, log-sum-exp"),
    Exercise(3, "triangle", "triangle map T_a, waves W_i, Theorem 3.1 scales",
             ("triangle", "triangle_waves", "differentiable_scales"),
             "triangle paper Sec. 3, Eq. (2), Thm. 3.1 / Eq. (4)"),
    Exercise(4, "hyperplane", "closest point on a hyperplane, local affine map of a ReLU net",
             ("closest_point_on_hyperplane", "local_affine_map"),
             "folding slides (Prop. 1, Fold Point Search), folding paper Alg. 1"),
    Exercise(5, "weighted_kmeans", "one weighted Lloyd step and weighted k-means++ seeding",
             ("lloyd_step", "kmeans_plusplus"), "folding slides / folding paper Alg. 1"),
    Exercise(6, "adf", "the Augmented Dickey-Fuller regression statistic",
             ("adf_statistic",), "folding paper Sec. 3.1"),
    Exercise(7, "fold_regularizer", "fold regulariser value and gradient",
             ("fold_regularizer",), "folding paper Def. 5"),
    Exercise(8, "tiny", "TINY best update, S^-1/2 N and the new neurons",
             ("best_update", "s_inv_sqrt_n", "new_neurons"), "TINY Prop. 3.1, 3.2, Eq. (9)"),
)


def get_exercise(key) -> Exercise:
    """The exercise named by ``key``: ``"01"``, ``"1"``, ``"affine_relu"`` or ``"01_affine_relu"``.

    Raises
    ------
    ValueError
        Unknown key (the message lists the valid ids).
    """
    if isinstance(key, Exercise):
        return key
    k = str(key).strip()
    if k.endswith(".py"):
        k = k[:-3]
    for ex in EXERCISES:
        if k in (ex.key, ex.name) or (k.isdigit() and int(k) == ex.number):
            return ex
    valid = ", ".join(ex.key for ex in EXERCISES)
    raise ValueError(f"exercise {key!r} is unknown; use a number (01..{len(EXERCISES):02d}), a name "
                     f"or one of: {valid}")


def skeleton_path(key) -> str:
    """Path of the skeleton file of an exercise (inside the installed package)."""
    return os.path.join(SKELETON_DIR, get_exercise(key).filename)


def copy_skeletons(dest, *, overwrite: bool = False, only=None) -> list:
    """Copy the skeleton files into folder ``dest`` (created); return the paths written.

    Existing files are kept unless ``overwrite`` (a student's work is never replaced by accident):
    ``FileExistsError`` names the first one. ``only`` restricts to some exercise keys.
    """
    exs = EXERCISES if not only else tuple(get_exercise(k) for k in only)
    dest = os.fspath(dest)
    targets = [(skeleton_path(ex), os.path.join(dest, ex.filename)) for ex in exs]
    if not overwrite:
        for _, dst in targets:
            if os.path.exists(dst):
                raise FileExistsError(f"{dst} exists; pass --force to overwrite it")
    os.makedirs(dest, exist_ok=True)
    for src, dst in targets:
        shutil.copyfile(src, dst)
    return [dst for _, dst in targets]


def _listing() -> str:
    lines = [f"  {ex.key:22s} {ex.title}  [{ex.paper}]\n  {'':22s} writes: {', '.join(ex.functions)}"
             for ex in EXERCISES]
    return "\n".join(lines)


def exercises_main(argv) -> int:
    """``python -m refgrow exercises --list | copy DIR [--force] [--only ID ...]``."""
    p = argparse.ArgumentParser(
        prog="python -m refgrow exercises",
        description="The classroom exercise set: list it, or copy the skeleton files to hand out. "
                    "Check a solution with `python -m refgrow check ID FILE`.")
    p.add_argument("--list", action="store_true", help="list the exercises (the default)")
    sub = p.add_subparsers(dest="action")
    c = sub.add_parser("copy", help="copy the skeleton files into DIR")
    c.add_argument("dir", help="destination folder (created)")
    c.add_argument("--force", action="store_true", help="overwrite existing files")
    c.add_argument("--only", nargs="+", metavar="ID", help="copy only these exercises")
    a = p.parse_args(argv)
    if a.action == "copy":
        try:
            paths = copy_skeletons(a.dir, overwrite=a.force, only=a.only)
        except FileExistsError as exc:
            raise ValueError(str(exc)) from None
        for path in paths:
            print(f"wrote {path}")
        print(f"students fill them in and run: python -m refgrow check --all {a.dir}")
        return 0
    print(f"refgrow exercises ({len(EXERCISES)}, in increasing difficulty); skeletons in {SKELETON_DIR}\n")
    print(_listing())
    print("\nhand out: python -m refgrow exercises copy DIR    check: python -m refgrow check ID FILE "
          "| --all DIR [--json FILE]")
    return 0
