r"""Baseline initialisations of Tables 1-2 of the triangle paper [docs/references.md#triangle]:
PyTorch's default ("Kaiming") and RAI / RAAI (approx.) [docs/references.md#rai].

Symbol table
------------
==============  ===================  ================  ===============================================
symbol          code                 shape             meaning
==============  ===================  ================  ===============================================
fan_in          ``fan_in``           scalar            inputs of a layer (``sizes[l]``)
fan_out         ``fan_out``          scalar            outputs of a layer (``sizes[l+1]``)
sigma           ``sigma``            scalar            RAI's Gaussian std ``0.6007 / sqrt(fan_in)``
V = [W_row, b]  ``V``                (fan_out, fan_in+1)  one row per neuron, bias last
j               ``index[l]``         (fan_out,)        entry replaced by a Beta(2, 1) draw
runs            leading axis         --                independent networks (batched)
==============  ===================  ================  ===============================================

All three return lists of ``(out, in)`` weights and ``(out,)`` biases (with a leading ``runs`` axis
when batched). :func:`rai_init` / :func:`raai_init` always return the 3-field :class:`RAIInit`
``(weights, biases, index)`` (fixed arity; formerly the index came only with ``return_index=True``).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from refgrow._validation import check_positive_int, check_rng

__all__ = ["torch_default_init", "RAIInit", "rai_init", "raai_init"]


def _layer_sizes(sizes):
    sizes = [check_positive_int(v, f"sizes[{i}]") for i, v in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least input and output sizes, got {sizes}")
    return sizes


def torch_default_init(sizes, *, rng=None, runs: int | None = None):
    r"""PyTorch ``nn.Linear`` default ("Default Network (Kaiming)" of Tables 1-2).

    ``kaiming_uniform_(a=sqrt(5))`` gives ``W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` and the bias is
    drawn from the same interval.

    Parameters
    ----------
    sizes : list of int, ``[D, h_1, ..., K]``
    rng : Generator or seed
    runs : int or None; if given, arrays get a leading axis of that length (independent networks)

    Returns
    -------
    weights, biases : lists of (out, in) / (out,) arrays (``(runs, out, in)`` when batched)
    """
    sizes = _layer_sizes(sizes)
    rng = check_rng(rng)
    lead = () if runs is None else (check_positive_int(runs, "runs"),)
    Ws, bs = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        Ws.append(rng.uniform(-bound, bound, size=lead + (fan_out, fan_in)))
        bs.append(rng.uniform(-bound, bound, size=lead + (fan_out,)))
    return Ws, bs


def _rai_rows(rng, lead, fan_out, fan_in, anti):
    """Rows ``V = [W, b]`` (fan_in + 1 entries) for RAI / the anti-correlated variant."""
    sigma = 0.6007 / np.sqrt(fan_in)
    V = rng.normal(0.0, sigma, size=lead + (fan_out, fan_in + 1))
    if anti:
        k = fan_in + 1
        V = (V - V.mean(axis=-1, keepdims=True)) * np.sqrt(k / (k - 1.0))
    j = rng.integers(0, fan_in + 1, size=lead + (fan_out,))
    beta = rng.beta(2.0, 1.0, size=lead + (fan_out,))
    np.put_along_axis(V, j[..., None], beta[..., None], axis=-1)
    return V, j


class RAIInit(NamedTuple):
    """Result of :func:`rai_init` / :func:`raai_init` (always three fields).

    Attributes
    ----------
    weights : list of (out, in) arrays (``(runs, out, in)`` when batched)
    biases : list of (out,) arrays (``(runs, out)``)
    index : list of (out,) int arrays (``(runs, out)``): the replaced entry of each row ``[W_row, b]``
        (``fan_in`` means the bias)
    """

    weights: list
    biases: list
    index: list


def rai_init(sizes, *, rng=None, runs: int | None = None) -> RAIInit:
    r"""Randomized asymmetric initialisation (RAI, Lu et al. 2020 [docs/references.md#rai]).

    Each neuron's row ``V = [W_row, b]`` is drawn from ``N(0, sigma^2)`` with
    ``sigma = 0.6007 / sqrt(fan_in)``; then one entry per row, chosen uniformly among the
    ``fan_in + 1`` (the bias may be chosen), is replaced by a ``Beta(2, 1)`` draw (positive).

    Parameters
    ----------
    sizes : list of int, ``[D, h_1, ..., K]``;  rng : Generator or seed;  runs : optional leading batch length

    Returns
    -------
    RAIInit ``(weights, biases, index)``; ``weights, biases, _ = rai_init(...)``
    """
    return _rai(sizes, rng, runs, anti=False)


def raai_init(sizes, *, rng=None, runs: int | None = None) -> RAIInit:
    r"""**RAAI (approx.)**: RAI with an anti-correlated Gaussian part (Singh & Sreejith 2021, approximated).

    Interpretation note: RAAI's exact covariance strength and ``sigma_w, sigma_b`` are not available.
    Here each row's Gaussian part (``k = fan_in + 1`` entries) is projected to zero mean and
    rescaled by ``sqrt(k/(k-1))`` so that every entry keeps variance ``sigma^2`` while any two
    entries of a row have correlation ``-1/(k-1) = -1/fan_in``; then the ``Beta(2, 1)`` entry of RAI
    is placed. Every output labels this "RAAI (approx.)".

    Parameters and returns as :func:`rai_init`.
    """
    return _rai(sizes, rng, runs, anti=True)


def _rai(sizes, rng, runs, anti):
    sizes = _layer_sizes(sizes)
    rng = check_rng(rng)
    lead = () if runs is None else (check_positive_int(runs, "runs"),)
    Ws, bs, idx = [], [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        V, j = _rai_rows(rng, lead, fan_out, fan_in, anti)
        Ws.append(np.ascontiguousarray(V[..., :fan_in]))
        bs.append(np.ascontiguousarray(V[..., fan_in]))
        idx.append(j)
    return RAIInit(Ws, bs, idx)
