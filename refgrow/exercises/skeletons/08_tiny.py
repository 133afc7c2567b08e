"""Exercise 08 (tiny): TINY's best update, S^{-1/2} N and the optimal new neurons.

Paper: *Growing Tiny Networks: Spotting Expressivity Bottlenecks and Fixing Them Optimally*,
Sec. 3.2, Propositions 3.1 and 3.2, Eq. (9) (docs/references.md#tiny). Check your work with::

    python -m refgrow check 08 08_tiny.py

Rows are samples (the paper stacks samples as columns: ``B_paper = B.T``). ``B`` is the input of a
layer, ``V_goal`` the desired move of its pre-activations, one row per sample. Statistics divide by n::

    S = B^T B / n,   N = B^T V / n

* Prop. 3.1: the best update of the existing weights is ``dW* = N^T S^{-1}`` with ``N = B^T V_goal / n``
  and ``S = B^T B / n`` (``B dW*^T`` is the least-squares fit of ``V_goal`` by the columns of B).
* ``S^{-1/2}`` is the symmetric inverse square root of S (diagonalise S).
* Prop. 3.2: with ``S = B_in^T B_in / n``, ``N = B_in^T V_goal_proj / n`` and the SVD
  ``S^{-1/2} N = sum_k lambda_k u_k v_k^T`` (lambda descending), the best k new neurons have fan-in
  ``alpha_k = sqrt(lambda_k) S^{-1/2} u_k`` and fan-out ``omega_k = sqrt(lambda_k) v_k``; they reduce the
  expressivity bottleneck by ``sum_k lambda_k^2`` (Eq. 9).

You may assume S is invertible (B and B_in have full column rank).
"""
import numpy as np


def best_update(B, V_goal):
    """Best update ``dW*`` of Prop. 3.1.

    Parameters
    ----------
    B : ndarray, shape (n, d)
    V_goal : ndarray, shape (n, d_out)

    Returns
    -------
    dW : ndarray, shape (d_out, d)   (out, in), like a weight matrix
    """
    raise NotImplementedError("write best_update")


def s_inv_sqrt_n(B_in, V_goal_proj):
    """The matrix ``S^{-1/2} N`` whose SVD gives the new neurons (Prop. 3.2).

    Parameters
    ----------
    B_in : ndarray, shape (n, d_in)
    V_goal_proj : ndarray, shape (n, d_out)

    Returns
    -------
    ndarray, shape (d_in, d_out)
    """
    raise NotImplementedError("write s_inv_sqrt_n")


def new_neurons(B_in, V_goal_proj, k):
    """The k best new neurons of Prop. 3.2.

    Parameters
    ----------
    B_in : ndarray, shape (n, d_in)
    V_goal_proj : ndarray, shape (n, d_out)
    k : int, 1 <= k <= min(d_in, d_out)

    Returns
    -------
    alpha : ndarray, shape (k, d_in)      row k is the fan-in of neuron k
    omega : ndarray, shape (d_out, k)     column k is the fan-out of neuron k
    singular_values : ndarray, shape (k,) lambda_1 >= ... >= lambda_k
    """
    raise NotImplementedError("write new_neurons")
