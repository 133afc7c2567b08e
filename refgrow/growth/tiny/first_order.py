r"""TINY's first-order loss decrease (Prop. 3.3, Eqs. 10-12, 19 of TINY [docs/references.md#tiny]).

Pure functions of the activity matrices: :func:`linearised_move` (Eq. 19), :func:`first_order_decrease`
(Prop. 3.3) and :func:`relu_first_order` (the exact coefficient for ReLU neurons). Conventions of
:mod:`refgrow.growth.tiny.linalg` (rows are samples, ``V_goal`` per sample, statistics divided by ``n``).
A separate module from the linear algebra of Props. 3.1/3.2/3.4 so that each stays under ~500 lines.

Symbol table
------------
=====================  ======================  ==============  ==========================================
paper (TINY)           code                    shape           meaning
=====================  ======================  ==============  ==========================================
B_{l-1}^T              ``B``                   (n, d)          input of the updated layer (ones column)
B_{l-2}^T              ``B_in``                (n, d_in)       input of the new neurons (ones column)
(V_goal^l)^T           ``V_goal``              (n, d_out)      -d l_i / d a_l(x_i), row i
delta W_l^*            ``dW``                  (d_out, d)      best update (Prop. 3.1)
V(theta)               ``linearised_move``     (n, d_out)      (B_in alpha^T) omega^T (Eq. 19)
Delta_theta, Delta_dW  ``first_order_decrease`` scalars        Eqs. (11), (12)
=====================  ======================  ==============  ==========================================

Interpretation notes
--------------------
* **First-order decrease (Prop. 3.3).** Differentiating the real loss gives the coefficient
  ``Delta_dW + sigma'(0) (1/n) <V_goal, V(theta)>`` while Eq. (10)/(11) writes
  ``Delta_dW + sigma'(0) sum lambda_k^2 = Delta_dW + sigma'(0) (1/n) <V_goal_proj, V(theta)>``. The two
  differ by the cross term ``(1/n) <B dW^T, V(theta)>``. It vanishes when the column space of ``B``
  lies in that of ``B_in`` (identity activation with a bias column: ``B = [B_in W^T, 1]``), not in
  general (tanh). :func:`first_order_decrease` returns both values and the cross term; the tests check
  the exact coefficient for tanh and Eq. (10) itself for the identity activation.
* **ReLU.** The linearisation ``sigma(z) ~ sigma'(0) z`` (Eq. 19) does not hold for ReLU. Because ReLU is
  positively homogeneous, ``relu(z) = z/2 + |z|/2`` and the neurons' contribution is *exactly*
  ``g * sum_k omega_k relu(alpha_k . b)`` under ``scaling="sqrt"``: the true first-order coefficient is
  ``Delta_dW + (1/n)<V_goal, V_relu>`` with ``V_relu = (1/2) V(theta) + (1/2) V_abs``
  (:func:`relu_first_order`); it is what the real loss follows, not Eq. (10) with any constant sigma'(0).
"""
from __future__ import annotations

import math

from refgrow._validation import all_finite, array_namespace, as_float_array, check_bool, check_real
from refgrow.growth.tiny.linalg import _matrix, _pair

__all__ = ["linearised_move", "first_order_decrease", "relu_first_order"]


def linearised_move(B_in, alpha, omega):
    """Linearised activity move of the new neurons, ``V(theta) = (B_in alpha^T) omega^T``.

    Implements ``v(x, theta) = sum_k omega_k alpha_k^T b(x)`` (Eq. 19 of 001, TINY, without sigma'(0)).

    Parameters
    ----------
    B_in : array_like, shape (n, d_in)
    alpha : array_like, shape (K, d_in)
    omega : array_like, shape (d_out, K)

    Returns
    -------
    ndarray, shape (n, d_out)
    """
    B = _matrix(B_in, "B_in")
    alpha = as_float_array(alpha, "alpha", ndim=2, allow_empty=True)
    omega = as_float_array(omega, "omega", ndim=2, allow_empty=True)
    if alpha.shape[1] != B.shape[1] or omega.shape[1] != alpha.shape[0]:
        raise ValueError(f"alpha must be (K, {B.shape[1]}) and omega (d_out, K); got {alpha.shape}, {omega.shape}")
    out = (B @ alpha.T) @ omega.T
    if not all_finite(out):
        raise ValueError("B_in, alpha and omega are too large in magnitude: the move overflows float64")
    return out


def _check_neurons(neurons, B_in, V):
    """``neurons``: the TinyNeurons of :func:`new_neurons` for these ``B_in`` (n, d_in), ``V`` (n, d_out)."""
    from refgrow.growth.tiny.linalg import TinyNeurons
    if not isinstance(neurons, TinyNeurons):
        raise TypeError(f"neurons must be the TinyNeurons of new_neurons, got {type(neurons).__name__}")
    B_in = _matrix(B_in, "B_in")
    if B_in.shape[0] != V.shape[0]:
        raise ValueError(f"B_in must have {V.shape[0]} rows (one per sample of V_goal), got {B_in.shape}")
    alpha = as_float_array(neurons.alpha, "neurons.alpha", shape=(None, B_in.shape[1]), allow_empty=True)
    K = alpha.shape[0]
    omega = as_float_array(neurons.omega, "neurons.omega", shape=(V.shape[1], K), allow_empty=True)
    sv = as_float_array(neurons.singular_values, "neurons.singular_values", shape=(K,), allow_empty=True)
    return B_in, alpha, omega, sv


def _finite_terms(values):
    if not all(math.isfinite(v) for v in values):
        raise ValueError("V_goal, B, dW, B_in and the neurons are too large in magnitude: the first-order "
                         "terms overflow float64")


def first_order_decrease(V_goal, B, dW, B_in, neurons, *, sigma_prime0=1.0, update_applied=True):
    """First-order loss decrease of the best update plus new neurons (Prop. 3.3, Eqs. 10-12 of 001, TINY).

    With the mean loss ``L = (1/n) sum_i l_i`` and ``V_goal`` rows ``-d l_i / d a_i``,
    ``L(gamma) = L(0) - gamma * coefficient + o(gamma)`` when ``gamma dW`` (if ``update_applied``) and the
    neurons ``(sqrt(gamma) alpha, sqrt(gamma) omega)`` are added (``scaling="sqrt"``).

    Parameters
    ----------
    V_goal : array_like, shape (n, d_out)
    B : array_like, shape (n, d)
        Input of the updated layer (with ones column).
    dW : array_like, shape (d_out, d)
        The best update from which ``V_goal_proj = V_goal - B dW^T`` (and the neurons) were computed.
    B_in : array_like, shape (n, d_in)
    neurons : TinyNeurons
    sigma_prime0 : float
        sigma'(0) of the hidden activation (1 for tanh and identity).
    update_applied : bool
        Whether ``gamma dW`` is added to the existing weights together with the neurons.

    Returns
    -------
    dict
        ``delta_update`` (Eq. 12, ``(1/n)<V_goal, B dW^T>``), ``delta_neurons`` (Eq. 11, ``sum lambda^2``),
        ``cross`` (``(1/n)<B dW^T, V(theta)>``, so that ``(1/n)<V_goal, V(theta)> = delta_neurons + cross``),
        ``paper`` (Eq. 10 coefficient ``sigma'(0) delta_neurons + delta_update``) and ``exact`` (the
        derivative of the real loss: ``sigma'(0) (delta_neurons + cross) + delta_update``, the update terms
        only when ``update_applied``; module note).
    """
    V, B = _pair(V_goal, B, "V_goal", "B")
    n = V.shape[0]
    Vu = B @ as_float_array(dW, "dW", shape=(V.shape[1], B.shape[1])).T
    B_in, alpha, omega, sv = _check_neurons(neurons, B_in, V)
    sigma_prime0 = check_real(sigma_prime0, "sigma_prime0")
    update_applied = check_bool(update_applied, "update_applied")
    Vt = linearised_move(B_in, alpha, omega)
    xp = array_namespace(V)
    d_upd = float(xp.sum(V * Vu) / n)
    d_neu = float(xp.sum(sv ** 2))
    cross = float(xp.sum(Vu * Vt) / n)
    upd = d_upd if update_applied else 0.0
    _finite_terms((d_upd, d_neu, cross))
    return {"delta_update": d_upd, "delta_neurons": d_neu, "cross": cross,
            "paper": sigma_prime0 * d_neu + upd, "exact": sigma_prime0 * (d_neu + cross) + upd}


def relu_first_order(V_goal, B, dW, B_in, neurons, *, update_applied=True):
    """Exact first-order loss decrease for ReLU neurons (module note "ReLU"; Prop. 3.3 of 001 does not apply).

    ReLU is positively homogeneous, so ``sqrt(g) omega relu(sqrt(g) alpha.b) = g omega relu(alpha.b)``:
    the coefficient of ``g`` is ``(1/n)<V_goal, B dW^T> + (1/n)<V_goal, V_relu>`` with
    ``V_relu = relu(B_in alpha^T) omega^T = (V(theta) + V_abs) / 2``, ``V_abs = |B_in alpha^T| omega^T``.

    Returns
    -------
    dict
        ``delta_update``, ``relu`` = ``(1/n)<V_goal, V_relu>``, ``linear_half`` =
        ``(1/2)(1/n)<V_goal, V(theta)>``, ``abs_half`` = ``(1/2)(1/n)<V_goal, V_abs>``, ``exact`` =
        ``delta_update + relu`` (``relu`` alone when not ``update_applied``).
    """
    V, B = _pair(V_goal, B, "V_goal", "B")
    n = V.shape[0]
    Vu = B @ as_float_array(dW, "dW", shape=(V.shape[1], B.shape[1])).T
    B_in, alpha, om, _ = _check_neurons(neurons, B_in, V)
    update_applied = check_bool(update_applied, "update_applied")
    xp = array_namespace(V)
    Z = B_in @ alpha.T
    relu = float(xp.sum(V * (xp.maximum(Z, 0.0) @ om.T)) / n)
    lin = float(xp.sum(V * (Z @ om.T)) / n)
    ab = float(xp.sum(V * (xp.abs(Z) @ om.T)) / n)
    d_upd = float(xp.sum(V * Vu) / n)
    _finite_terms((d_upd, relu, lin, ab))
    return {"delta_update": d_upd, "relu": relu, "linear_half": lin / 2, "abs_half": ab / 2,
            "exact": (d_upd if update_applied else 0.0) + relu}
