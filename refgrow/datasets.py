"""Data sets of the four papers, as seeded generators, plus an IDX (MNIST-format) reader.

refgrow downloads nothing. Real images come from files on disk: Debian's package
``dataset-fashion-mnist`` (IDX files under ``/usr/share/datasets/fashion-mnist``) or any directory
holding MNIST-format files (real MNIST works the same).

Symbol table (n samples, D inputs, K classes or outputs)
--------------------------------------------------------
=========  ============  ========  ============================================
symbol     code          shape     meaning
=========  ============  ========  ============================================
x          ``ds.X``      (n, D)    inputs (float64)
y          ``ds.y``      (n,)      integer labels (classification)
y          ``ds.y``      (n, K)    float targets (regression)
=========  ============  ========  ============================================

Interpretation notes
--------------------
* **Two sines (002 Sec. 4).** The paper only says "classification of two sine functions (separable
  in the input dimension by a non-linear function)". We draw ``x1 ~ U(-pi, pi)`` and place class 0 at
  ``x2 = sin(2 x1) + gap/2 + eps`` and class 1 at ``x2 = sin(2 x1) - gap/2 + eps`` with
  ``eps ~ N(0, noise^2)``: the classes are separated by the curve ``x2 = sin(2 x1)``, which a
  narrow ReLU network cannot follow, so growth has mistakes to fold at.
* **Overlapping quadratics (002 Sec. 4).** "Two overlapped quadratic functions (inseparable in the
  current space)": class 0 at ``x2 = x1^2 + eps``, class 1 at ``x2 = 1 - x1^2 + eps`` (``x1 ~ U(-1, 1)``,
  ``eps ~ N(0, noise^2)``); the two parabolas cross, so near the crossings the classes overlap.
* **1-D targets (003 Sec. 4.1).** x^3, x^11, tanh(3x) and "a quarter period of a sine wave", which we
  read as ``sin(pi x / 2)`` on [0, 1] (concave, flat at x = 1, matching the "waves added" case with
  F'(1) -> 0). Dense data: 500 evenly spaced points on [0, 1] (``np.linspace(0, 1, 500)``).
  Sparse split: "10 points, with a test set of 10 points spaced in between": we take the 20 points
  ``k/19``, k = 0..19, and give even k to training and odd k to test, so every test point lies halfway
  between training points (the last one, x = 1, just past the last training point).
* **Teacher-student (GradMax's MLP set-up).** ``x ~ N(0, I_10)``; the teacher is a 10-10-10 ReLU MLP
  with He-normal weights and zero biases drawn from the same ``rng``; targets ``y = teacher(x)``.
"""
from __future__ import annotations

import gzip
import os
from typing import NamedTuple

import numpy as np

from refgrow._validation import check_bool, check_positive_int, check_real, check_rng

__all__ = ["Dataset", "Splits", "two_sines", "overlapping_quadratics", "target_1d", "TARGETS_1D",
           "sparse_split", "cubic_minus_x", "r_cubed_2d", "two_spirals", "teacher_student",
           "read_idx", "write_idx", "load_idx_dataset", "load_fashion_mnist", "train_val_split",
           "FASHION_MNIST_DIR", "FASHION_MNIST_CLASSES", "synthetic_images", "SYNTHETIC_IMAGE_CLASSES"]

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                         "Sneaker", "Bag", "Ankle boot")


class Dataset(NamedTuple):
    """A data set; unpacks as ``X, y = ds``."""

    X: np.ndarray
    y: np.ndarray


class Splits(NamedTuple):
    """Train / validation / test data sets."""

    train: Dataset
    val: Dataset
    test: Dataset


def _finite_points(X, names):
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{names} is too large: the generated points overflow float64")
    return X


def _check_noise(noise):
    return check_real(noise, "noise", low=0.0)


def _two_curves(n, rng, x_low, x_high, curve0, curve1, noise):
    """n points on two curves x2 = curve_c(x1) + N(0, noise^2), classes drawn with equal probability."""
    n = check_positive_int(n, "n", minimum=2)
    rng = check_rng(rng)
    y = np.arange(n) % 2                    # exactly balanced classes
    y = rng.permutation(y)
    x1 = rng.uniform(x_low, x_high, size=n)
    x2 = np.where(y == 0, curve0(x1), curve1(x1)) + noise * rng.normal(size=n)
    return Dataset(_finite_points(np.column_stack([x1, x2]), "noise (or gap)"), y.astype(np.int64))


def two_sines(n=400, *, rng=None, gap=0.6, noise=0.15) -> Dataset:
    """Two-sine classification set of 002 Sec. 4 (see the module's interpretation note).

    Returns ``Dataset(X (n, 2), y (n,))`` with classes 0 (upper sine) and 1 (lower sine).
    """
    noise = _check_noise(noise)
    gap = check_real(gap, "gap", low=0.0)
    return _two_curves(n, rng, -np.pi, np.pi, lambda t: np.sin(2 * t) + gap / 2,
                       lambda t: np.sin(2 * t) - gap / 2, noise)


def overlapping_quadratics(n=400, *, rng=None, noise=0.1) -> Dataset:
    """Two overlapping parabolas of 002 Sec. 4: ``x2 = x1^2`` (class 0) and ``x2 = 1 - x1^2`` (class 1)."""
    noise = _check_noise(noise)
    return _two_curves(n, rng, -1.0, 1.0, lambda t: t ** 2, lambda t: 1.0 - t ** 2, noise)


#: name -> (function on [0, 1], sign used by paper 003: -1 waves subtracted (convex), +1 added (concave))
TARGETS_1D = {
    "x3": (lambda x: x ** 3, -1),
    "x11": (lambda x: x ** 11, -1),
    "tanh3x": (lambda x: np.tanh(3 * x), +1),
    "sin": (lambda x: np.sin(np.pi * x / 2), +1),
}


def _target_fn(name):
    if name not in TARGETS_1D:
        raise ValueError(f"name must be one of {sorted(TARGETS_1D)}, got {name!r}")
    return TARGETS_1D[name][0]


def target_1d(name, n=500) -> Dataset:
    """Dense 1-D regression data of 003 Sec. 4.1: ``n`` evenly spaced x in [0, 1], y = target(x).

    Returns ``Dataset(X (n, 1), y (n, 1))``.
    """
    f = _target_fn(name)
    n = check_positive_int(n, "n", minimum=2)
    x = np.linspace(0.0, 1.0, n)
    return Dataset(x[:, None], f(x)[:, None])


def sparse_split(name, n_train=10, n_test=10):
    """Sparse train/test split of 003 Sec. 4.1 (Table 3): test points halfway between training points.

    The ``n_train + n_test`` points ``k / (n_train + n_test - 1)`` are interleaved: even k train, odd k
    test (needs ``n_test`` in ``{n_train - 1, n_train}``). Returns ``(train, test)`` Datasets.
    """
    f = _target_fn(name)
    n_train = check_positive_int(n_train, "n_train", minimum=2)
    n_test = check_positive_int(n_test, "n_test")
    if n_test not in (n_train - 1, n_train):
        raise ValueError(f"n_test must be n_train or n_train - 1 to interleave, got {n_test} with "
                         f"n_train={n_train}")
    x = np.linspace(0.0, 1.0, n_train + n_test)
    xtr, xte = x[0::2], x[1::2]
    return (Dataset(xtr[:, None], f(xtr)[:, None]), Dataset(xte[:, None], f(xte)[:, None]))


def cubic_minus_x(n=500) -> Dataset:
    """``y = x^3 - x`` on ``n`` evenly spaced points of [-1, 1] (003 Sec. 5, Fig. 7)."""
    n = check_positive_int(n, "n", minimum=2)
    x = np.linspace(-1.0, 1.0, n)
    return Dataset(x[:, None], (x ** 3 - x)[:, None])


def r_cubed_2d(n=50) -> Dataset:
    """``y = r^3 = (x1^2 + x2^2)^{3/2}`` on an ``n x n`` grid of [-1, 1]^2 (003 Sec. 5, Fig. 8)."""
    n = check_positive_int(n, "n", minimum=2)
    g = np.linspace(-1.0, 1.0, n)
    x1, x2 = np.meshgrid(g, g, indexing="ij")
    X = np.column_stack([x1.ravel(), x2.ravel()])
    return Dataset(X, (np.sum(X ** 2, axis=1) ** 1.5)[:, None])


def two_spirals(n=400, *, rng=None, turns=1.5, noise=0.0) -> Dataset:
    """The classic two-spirals set (003 App. A.9): two interleaved Archimedean spirals.

    Class 0: ``r = t``, angle ``2 pi turns t``; class 1 is class 0 rotated by pi; ``t ~ U(0.05, 1)``;
    Gaussian ``noise`` added to the coordinates. X is in roughly [-1, 1]^2.
    """
    n = check_positive_int(n, "n", minimum=2)
    noise = _check_noise(noise)
    turns = check_real(turns, "turns", low=0.0, low_open=True)
    rng = check_rng(rng)
    y = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0.05, 1.0, size=n)
    ang = 2 * np.pi * turns * t + np.pi * y
    X = np.column_stack([t * np.cos(ang), t * np.sin(ang)]) + noise * rng.normal(size=(n, 2))
    return Dataset(_finite_points(X, "noise or turns"), y.astype(np.int64))


def teacher_student(n=1000, *, rng=None, d=10, hidden=10, out=10, return_teacher=False):
    """Teacher-student regression in GradMax's MLP set-up: ``x ~ N(0, I_d)``, ``y = teacher(x)``.

    The teacher is a d-hidden-out ReLU MLP with He-normal weights, zero biases (drawn from ``rng``).
    Returns ``Dataset(X (n, d), y (n, out))`` (and the teacher MLP if ``return_teacher``).
    """
    from refgrow.mlp import MLP
    n = check_positive_int(n, "n")
    return_teacher = check_bool(return_teacher, "return_teacher")
    rng = check_rng(rng)
    teacher = MLP.init([check_positive_int(d, "d"), check_positive_int(hidden, "hidden"),
                        check_positive_int(out, "out")], rng=rng)
    X = rng.normal(size=(n, d))
    ds = Dataset(X, teacher.predict(X))
    return (ds, teacher) if return_teacher else ds


SYNTHETIC_IMAGE_CLASSES = tuple(f"bar {18 * k}\u00b0" for k in range(10))


def synthetic_images(n=1000, *, rng=None, side=28, noise=0.1) -> Dataset:
    """Ten classes of ``side x side`` grey images of an oriented bar: a stand-in for Fashion-MNIST.

    Used by the experiments when no image files are on disk (refgrow downloads nothing). Class ``k``
    is a soft bar through the centre at angle ``18 k`` degrees (``SYNTHETIC_IMAGE_CLASSES``), jittered
    by ``N(0, 0.08^2)`` rad, shifted across its direction by ``N(0, 2^2)`` pixels, of width
    ``U(1, 2.5)`` pixels, plus pixel noise ``N(0, noise^2)``, clipped to [0, 1]. Neighbouring angles
    look alike, so a small network makes systematic mistakes, as on the real data.

    Returns
    -------
    Dataset(X (n, side**2) in [0, 1], y (n,) in 0..9), balanced classes in random order.
    """
    n = check_positive_int(n, "n", minimum=10)
    side = check_positive_int(side, "side", minimum=4)
    noise = _check_noise(noise)
    rng = check_rng(rng)
    y = rng.permutation(np.arange(n) % 10).astype(np.int64)
    theta = np.pi * y / 10 + rng.normal(0.0, 0.08, size=n)
    shift = rng.normal(0.0, 2.0 * side / 28, size=n)
    width = rng.uniform(1.0, 2.5, size=n) * side / 28
    c = (side - 1) / 2
    rows, cols = np.meshgrid(np.arange(side) - c, np.arange(side) - c, indexing="ij")
    dist = (rows[None] * np.cos(theta)[:, None, None] + cols[None] * np.sin(theta)[:, None, None]
            - shift[:, None, None])
    img = np.exp(-0.5 * (dist / width[:, None, None]) ** 2) + noise * rng.normal(size=(n, side, side))
    return Dataset(np.clip(img, 0.0, 1.0).reshape(n, side * side), y)


# ---------------------------------------------------------------------------------------------- IDX
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (MNIST format), plain or gzip-compressed (by content, not by name).

    The header is two zero bytes, a type code, the number of dimensions, then one big-endian uint32 per
    dimension. Raises ``ValueError`` on a bad magic number, an unknown type or a truncated file.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"path {path!r} is not a file")
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: corrupted gzip stream: {exc}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: bad IDX magic number {raw[:4].hex() if raw else '(empty)'} "
                         "(expected 0x0000 then a type code and ndim)")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes for {ndim} dimensions)")
    shape = tuple(int(v) for v in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[code])
    need = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != need:
        raise ValueError(f"{path}: truncated or oversized IDX data: shape {shape} needs {need} bytes, "
                         f"file has {len(raw) - header}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path, array, *, compress=None) -> None:
    """Write ``array`` as an IDX file (gzip if ``compress`` or the name ends in ``.gz``)."""
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in _IDX_DTYPES.items()}
    dt = array.dtype.newbyteorder("=")
    if dt not in codes:
        raise ValueError(f"array dtype {array.dtype} has no IDX type code")
    code = codes[dt]
    body = (bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
            + array.astype(np.dtype(_IDX_DTYPES[code])).tobytes())
    path = os.fspath(path)
    if compress or (compress is None and path.endswith(".gz")):
        body = gzip.compress(body)
    with open(path, "wb") as fh:
        fh.write(body)


def _find(data_dir, stem):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        p = os.path.join(data_dir, name)
        if os.path.isfile(p):
            return p
    raise ValueError(f"data_dir {data_dir!r} has no {stem}[.gz] file (MNIST-format IDX files expected: "
                     "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                     "t10k-labels-idx1-ubyte)")


def load_idx_dataset(data_dir, split="train", *, normalize=True, flatten=True) -> Dataset:
    """Images and labels of an MNIST-format directory; ``split`` is ``"train"`` or ``"test"`` (t10k).

    Images become float64 in [0, 1] (``normalize``) and rows of 784 (``flatten``).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(_find(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(data_dir, f"{prefix}-labels-idx1-ubyte"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{data_dir}: {images.shape[0]} images but {labels.shape[0]} labels")
    X = images.astype(np.float64)
    if normalize:
        X /= 255.0
    if flatten:
        X = X.reshape(X.shape[0], -1)
    return Dataset(X, labels.astype(np.int64))


def train_val_split(ds: Dataset, n_val, *, rng=None):
    """Random split of ``ds`` into ``(train, val)`` with ``n_val`` validation samples (seeded)."""
    if not isinstance(ds, tuple) or not hasattr(ds, "X") or not hasattr(ds, "y"):
        raise TypeError(f"ds must be a Dataset (X, y), got {type(ds).__name__}")
    n = getattr(ds.X, "shape", (None,))[0]
    if n is None or getattr(ds.y, "shape", (None,))[0] != n:
        raise ValueError("ds must hold arrays X and y with one row per sample")
    n_val = check_positive_int(n_val, "n_val", minimum=0)
    if n_val >= n:
        raise ValueError(f"n_val must be smaller than the {n} samples, got {n_val}")
    perm = check_rng(rng).permutation(n)
    va, tr = perm[:n_val], perm[n_val:]
    return Dataset(ds.X[tr], ds.y[tr]), Dataset(ds.X[va], ds.y[va])


def load_fashion_mnist(data_dir=None, *, rng=None, n_val=10000, n_train=None, n_test=None) -> Splits:
    """Fashion-MNIST (or any MNIST-format directory) as seeded train / validation / test splits.

    Parameters
    ----------
    data_dir : str, optional
        Directory with the four IDX files (plain or .gz). Defaults to ``FASHION_MNIST_DIR``
        (Debian: ``apt-get install dataset-fashion-mnist``). Real MNIST files work the same.
    rng : seed or Generator for the validation split and subsampling
    n_val : int
        Validation samples taken from the official training set.
    n_train, n_test : int, optional
        Keep only this many (random) training / test samples (for quick runs).

    Returns
    -------
    Splits(train, val, test), each ``Dataset(X (m, 784) in [0, 1], y (m,) in 0..9)``.
    """
    data_dir = FASHION_MNIST_DIR if data_dir is None else os.fspath(data_dir)
    if not os.path.isdir(data_dir):
        raise ValueError(f"data_dir {data_dir!r} does not exist; install Debian's dataset-fashion-mnist "
                         "package or pass a directory with MNIST-format IDX files")
    rng = check_rng(rng)
    full, test = load_idx_dataset(data_dir, "train"), load_idx_dataset(data_dir, "test")
    train, val = train_val_split(full, n_val, rng=rng) if n_val else (full, Dataset(full.X[:0], full.y[:0]))
    if n_train is not None:
        idx = rng.permutation(train.X.shape[0])[:check_positive_int(n_train, "n_train")]
        train = Dataset(train.X[idx], train.y[idx])
    if n_test is not None:
        idx = rng.permutation(test.X.shape[0])[:check_positive_int(n_test, "n_test")]
        test = Dataset(test.X[idx], test.y[idx])
    return Splits(train, val, test)
