"""MLP.save / MLP.load: round trips with and without the extension, and malformed files (issue 12)."""
from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

from refgrow.mlp import MLP


def _net():
    net = MLP.init([3, 4, 2], rng=0, activation="tanh")
    return net.add_neurons(0, np.ones((2, 3)), np.zeros(2), np.zeros((2, 2)))    # two growth blocks


def _same(a, b):
    return (a.activation == b.activation and a.blocks == b.blocks and a.sizes == b.sizes
            and all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters())))


@pytest.mark.parametrize("save_name, load_name", [
    ("model", "model"), ("model", "model.npz"), ("model.npz", "model"), ("model.npz", "model.npz")])
def test_round_trip_with_and_without_extension(tmp_path, save_name, load_name):
    net = _net()
    net.save(tmp_path / save_name)
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
    back = MLP.load(str(tmp_path / load_name))
    assert _same(back, net)
    X = np.random.default_rng(1).normal(size=(5, 3))
    assert np.array_equal(back.predict(X), net.predict(X))      # same blocks: same bits


def test_save_refuses_a_folder_and_a_missing_parent(tmp_path):
    net = _net()
    with pytest.raises(ValueError, match="folder"):
        net.save(tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        net.save(tmp_path / "no" / "such" / "model.npz")
    assert os.listdir(tmp_path) == []


def test_load_refuses_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        MLP.load(tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        MLP.load(tmp_path / "missing.npz")


def _write(path, content: bytes):
    with open(path, "wb") as fh:
        fh.write(content)
    return path


@pytest.mark.parametrize("kind, content, word", [
    ("text", b"W0 = [[1, 2], [3, 4]]\n", "not a zip"),
    ("random bytes", np.random.default_rng(0).bytes(256), "not a zip"),
    ("gzip", gzip.compress(b"hello"), "gzip"),
    ("empty", b"", "empty"),
])
def test_malformed_files_are_named_and_described(tmp_path, kind, content, word):
    path = _write(tmp_path / "bad.npz", content)
    with pytest.raises(ValueError) as exc:
        MLP.load(path)
    msg = str(exc.value)
    assert str(path) in msg and word in msg and "pickle" not in msg


def test_an_npy_array_is_not_a_network(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match=r"\.npy array"):
        MLP.load(path)


def test_n_layers_must_match_the_stored_layers(tmp_path):
    net = MLP.init([2, 3, 1], rng=0)
    path = tmp_path / "lying.npz"
    np.savez(path, n_layers=np.int64(1), activation=np.str_("relu"), W0=net.weights[0], b0=net.biases[0],
             W1=net.weights[1], b1=net.biases[1], blocks0=np.array([3]))
    with pytest.raises(ValueError, match="n_layers") as exc:
        MLP.load(path)
    assert str(path) in str(exc.value)
    np.savez(path, n_layers=np.int64(3), activation=np.str_("relu"), W0=net.weights[0], b0=net.biases[0],
             W1=net.weights[1], b1=net.biases[1])
    with pytest.raises(ValueError, match="missing key 'W2'"):
        MLP.load(path)


def test_inconsistent_arrays_are_reported_with_the_file(tmp_path):
    path = tmp_path / "shapes.npz"
    np.savez(path, n_layers=np.int64(2), activation=np.str_("relu"), W0=np.ones((3, 2)), b0=np.zeros(3),
             W1=np.ones((1, 4)), b1=np.zeros(1))
    with pytest.raises(ValueError, match="weights\\[1\\]") as exc:
        MLP.load(path)
    assert str(path) in str(exc.value)
    np.savez(path, n_layers=np.int64(1), activation=np.str_("relu"), W0=np.array([["a", "b"]]), b0=np.zeros(1))
    with pytest.raises(ValueError, match="numeric"):
        MLP.load(path)
    np.savez(path, n_layers=np.int64(1), activation=np.str_("relu"), W0=np.full((1, 2), np.nan), b0=np.zeros(1))
    with pytest.raises(ValueError, match="finite"):
        MLP.load(path)


def test_pickled_object_arrays_are_refused(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, n_layers=np.int64(1), activation=np.str_("relu"),
             W0=np.array([object()], dtype=object), b0=np.zeros(1))
    with pytest.raises(ValueError, match="pickled") as exc:
        MLP.load(path)
    assert str(path) in str(exc.value)
