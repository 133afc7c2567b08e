r"""GradMax (Evci et al., ICLR 2022) as presented in the slides 000 and in App. B.1 of 001 (TINY).

New neurons get **zero fan-in** and a fan-out chosen to maximise the norm of the gradient of the loss
with respect to their fan-in (slides 000, "Baseline: GradMax"; Eqs. 22-23 of 001):

    Omega* = argmax_Omega || Omega^T E_D[ dL/dz_{l+1} h_{l-1}^T ] ||_F^2   s.t.  ||Omega||_F <= c.

With rows = samples and ``V_goal = -d l_i / d a`` (DESIGN.md), ``E_D[dL/dz h^T] = -G`` with
``G = V_goal^T B / n`` (d_next, d_prev + 1), so the fan-in gradient of the new neurons is
``dL/dw_in = -sigma'(0) Omega^T G`` (k, d_prev + 1).

Symbol table
------------
=====================  ===============  ==================  ==================================
paper                  code             shape               meaning
=====================  ===============  ==================  ==================================
h_{l-1} (B_{l-2})      ``B_in``         (n, d_prev + 1)     input of the grown layer (+ ones)
dL/dz_{l+1} (-Vgoal)   ``V_goal``       (n, d_next)         per-sample -dl_i/da
N~^T / n               ``G``            (d_next, d_prev+1)  ``V_goal.T @ B_in / n``
W_{l+1}^new (Omega)    ``w_out``        (d_next, k)         fan-out of the new neurons
W_l^new                ``w_in, b_in``   (k, d_prev), (k,)   zero (function preserving)
c                      ``c``            scalar              Frobenius norm of the fan-out
=====================  ===============  ==================  ==================================

Interpretation notes
--------------------
* **Constraint.** Under ``||Omega||_F <= c`` alone the maximum ``c^2 sigma_1^2`` is reached by putting all
  of the norm on the top singular direction (rank one). GradMax (and DESIGN.md) take the **top-k left
  singular vectors** ``u_1..u_k`` of ``G`` as fan-out columns, each of norm ``c / sqrt(k)``. That choice is
  optimal among fan-outs whose columns are **mutually orthogonal with equal norms** ``c/sqrt(k)``
  (Ky Fan's maximum principle: ``max_{Q^T Q = I_k} ||Q^T G||_F^2 = sum_{i<=k} sigma_i^2``); the tests
  check exactly that statement. Requires ``k <= d_next``.
* **Default c.** ``c = 1e-3 * sqrt(d_next * k)``: each fan-out entry has root mean square ``1e-3``, the
  normalisation of App. E.3.1, Eq. (195) of 001.
* **ReLU.** The objective assumes ``sigma'(0) != 0`` (tanh: 1). With ``ReLU'(0) = 0`` (refgrow's
  convention, also PyTorch's) zero-fan-in ReLU neurons receive **no gradient at all** (both
  ``dL/dw_in`` and ``dL/dw_out`` vanish) and stay dead. ``fan_in="first_step"`` in
  :func:`propose_gradmax` starts the fan-in at the first SGD step it would receive with
  ``sigma'(0) = 1``, ``w_in = eta * Omega^T G``; this is *not* exactly function preserving (the change
  is O(eta c ||G||)) and is reported as a variant, not as GradMax itself.
"""
from __future__ import annotations

import math

import numpy as np

from refgrow._validation import (array_namespace, as_float_array, as_sample_pair, check_bool, check_choice,
                                 check_moment_range, check_positive_int, check_real, check_rng)
from refgrow.backend import column_signs, concat, device_kw
from refgrow.growth.proposals import NewNeurons, v_goal
from refgrow.mlp import check_mlp

__all__ = ["gradmax_matrix", "gradmax_neurons", "fan_in_gradient_norm", "propose_gradmax"]


def gradmax_matrix(B_in, V_goal):
    """``G = V_goal^T B_in / n`` (Eq. 23 of 001: ``N~^T / n``; slides 000: ``-E_D[dL/dz h^T]``).

    Parameters
    ----------
    B_in : array_like, shape (n, d)
    V_goal : array_like, shape (n, d_next)

    Returns
    -------
    ndarray, shape (d_next, d)
    """
    B, V = as_sample_pair(B_in, V_goal, ("B_in", "V_goal"))
    check_moment_range(B, "B_in"), check_moment_range(V, "V_goal")
    return (V.T @ B) / B.shape[0]


def gradmax_neurons(B_in, V_goal, k, *, c=None, bias=True):
    """GradMax new neurons: zero fan-in, fan-out = top-k left singular vectors of ``G`` scaled to ``||.||_F = c``.

    Implements Eq. (22)-(23) of 001 (App. B.1) / the GradMax slide of 000, under the orthogonal
    equal-norm-columns constraint stated in the module note (Ky Fan). The returned neurons leave the
    network function unchanged bitwise (``w_in = 0``, ``b_in = 0`` and any activation with sigma(0) = 0).

    Parameters
    ----------
    B_in : array_like, shape (n, d)
        Input of the grown layer; with ``bias=True`` its last column is the ones column.
    V_goal : array_like, shape (n, d_next)
    k : int, 1 <= k <= d_next
    c : float > 0, optional
        Frobenius norm of the fan-out; default ``1e-3 * sqrt(d_next * k)``.
    bias : bool
        Whether ``B_in`` carries the trailing ones column (then ``w_in`` has ``d - 1`` columns).

    Returns
    -------
    NewNeurons
        ``w_in`` zeros (k, d - bias), ``b_in`` zeros (k,), ``w_out`` (d_next, k);
        ``info``: ``singular_values`` (top k of G), ``c``, ``method``, ``rank`` (of G: singular values
        ``> max(d_next, d) eps sigma_1``; columns beyond it are arbitrary), ``discarded_energy``
        (``sum_{i>k} sigma_i^2``, the part of ``||G||_F^2`` the k fan-outs cannot reach) and
        ``discarded_fraction`` (that part over ``||G||_F^2``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> nn = gradmax_neurons(np.hstack([rng.standard_normal((20, 3)), np.ones((20, 1))]),
    ...                      rng.standard_normal((20, 2)), 2, c=1.0)
    >>> nn.w_in.shape, nn.w_out.shape, round(float(np.linalg.norm(nn.w_out)), 12)
    ((2, 3), (2, 2), 1.0)
    """
    B, V = as_sample_pair(B_in, V_goal, ("B_in", "V_goal"))
    check_moment_range(B, "B_in"), check_moment_range(V, "V_goal")
    k = check_positive_int(k, "k")
    bias = check_bool(bias, "bias")
    d_next = V.shape[1]
    if k > d_next:
        raise ValueError(f"k must be <= d_next = {d_next} (k mutually orthogonal fan-out columns), got {k}")
    if c is None:
        c = 1e-3 * np.sqrt(d_next * k)
    c = check_real(c, "c", low=0.0, low_open=True)
    xp = array_namespace(B, V)
    G = (V.T @ B) / B.shape[0]
    U, s, _ = xp.linalg.svd(G, full_matrices=True)
    Om = U[:, :k] * (c / math.sqrt(k))
    Om = Om * column_signs(xp, Om)
    d_in = B.shape[1] - (1 if bias else 0)
    sv = [float(v) for v in s[:k]] + [0.0] * max(0, k - s.shape[0])    # a few scalars: host floats
    # rank of G at the float64 noise level (numpy.linalg.matrix_rank's rule); fan-out columns beyond it
    # are singular vectors of a zero singular value, i.e. arbitrary
    s0 = float(s[0]) if s.shape[0] else 0.0
    rank = int(xp.count_nonzero(s > max(G.shape) * float(np.finfo(float).eps) * s0)) if s0 > 0 else 0
    total = float(xp.sum(s * s))
    tail = float(xp.sum(s[k:] ** 2))
    info = {"method": "gradmax", "singular_values": sv, "c": c, "rank": rank,
            "discarded_energy": tail, "discarded_fraction": tail / total if total > 0 else 0.0}
    dev = device_kw(xp, B)
    return NewNeurons(xp.zeros((k, d_in), dtype=B.dtype, **dev), xp.zeros(k, dtype=B.dtype, **dev), Om, info)


def fan_in_gradient_norm(B_in, V_goal, w_out, *, sigma_prime0=1.0):
    """``||dL/dw_in||_F = |sigma'(0)| ||Omega^T G||_F`` at zero fan-in (slides 000, Eq. 22 of 001).

    Parameters
    ----------
    B_in : array_like, shape (n, d)
    V_goal : array_like, shape (n, d_next)
    w_out : array_like, shape (d_next, k)
    sigma_prime0 : float

    Returns
    -------
    float
    """
    G = gradmax_matrix(B_in, V_goal)
    Om = as_float_array(w_out, "w_out", ndim=2)
    if Om.shape[0] != G.shape[0]:
        raise ValueError(f"w_out must have {G.shape[0]} rows (d_next), got shape {Om.shape}")
    sigma_prime0 = check_real(sigma_prime0, "sigma_prime0")
    P = Om.T @ G
    xp = array_namespace(P)
    s = float(xp.max(xp.abs(P))) if math.prod(P.shape) else 0.0
    if s > 0:                                            # ||P / s|| * s: no overflow of the norm
        Ps = P / s
        nrm = float(np.linalg.norm(Ps)) if xp is np else math.sqrt(float(xp.sum(Ps * Ps)))
        value = abs(sigma_prime0) * s * nrm
    else:
        value = 0.0
    if not math.isfinite(value):
        raise ValueError("w_out, B_in and V_goal are too large in magnitude: the gradient norm overflows float64")
    return float(value)


def propose_gradmax(mlp, X, y, *, hidden_layer=0, k=1, rng=None, loss="ce", c=None, fan_in="zero",
                    eta=0.1):
    """GradMax proposal for :func:`refgrow.growth.loop.grow` (App. B.1 of 001; slides 000).

    Parameters
    ----------
    mlp : refgrow.mlp.MLP (not modified)
    X, y : data
    hidden_layer : int, 0-based
    k : int
    rng : unused (GradMax is deterministic); accepted for the loop's interface
    loss : {"ce", "mse"}
    c : float, optional (default in the module note)
    fan_in : {"zero", "first_step"}
        ``"zero"``: GradMax as published (exactly function preserving). ``"first_step"``:
        ``w_in | b_in = eta * Omega^T G`` (module note "ReLU"), needed for ReLU'(0) = 0 networks.
    eta : float > 0, step of ``"first_step"``

    Returns
    -------
    NewNeurons
    """
    check_rng(rng)
    h = check_mlp(mlp).check_hidden_layer(hidden_layer)
    fan_in = check_choice(fan_in, "fan_in", ("zero", "first_step"))
    eta = check_real(eta, "eta", low=0.0, low_open=True)
    if c is not None:
        c = check_real(c, "c", low=0.0, low_open=True)
    _, cache = mlp.forward(X)
    V = v_goal(mlp, X, y, hidden_layer=h, loss=loss, cache=cache)
    A = cache.inputs[h]
    has_b = mlp.has_bias[h]                              # no ones column for a layer without bias
    xp = array_namespace(A)
    B_in = concat(xp, [A, xp.ones((V.shape[0], 1), dtype=A.dtype, **device_kw(xp, A))], axis=1) if has_b else A
    check_moment_range(B_in, "X (through the activations B_in)")
    check_moment_range(V, "X (through the goal V_goal)")
    nn = gradmax_neurons(B_in, V, k, c=c, bias=has_b)
    if fan_in == "zero":
        return nn
    A = eta * (nn.w_out.T @ gradmax_matrix(B_in, V))     # -eta * dL/dw_in with sigma'(0) = 1
    info = dict(nn.info, fan_in="first_step", eta=eta)
    if not has_b:
        return NewNeurons(A, xp.zeros(A.shape[0], dtype=A.dtype, **device_kw(xp, A)), nn.w_out, info)
    return NewNeurons(A[:, :-1], A[:, -1], nn.w_out, info)
