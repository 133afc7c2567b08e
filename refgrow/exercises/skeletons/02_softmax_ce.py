"""Exercise 02 (softmax_ce): softmax cross-entropy, its value and its gradient.

Implement the function below with NumPy (float64), then check your work with::

    python -m refgrow check 02 02_softmax_ce.py

For logits ``z_i`` (one row per sample) and integer labels ``y_i``, the per-sample loss is
``l_i = -log softmax(z_i)_{y_i} = logsumexp(z_i) - z_{i, y_i}`` and the reported loss is the
**mean** over the n samples, ``L = (1/n) sum_i l_i`` (PyTorch's default reduction).

Reading: the softmax Jacobian, ``d l_i / d z_i = softmax(z_i) - e_{y_i}`` (e = one-hot); the
log-sum-exp trick (softmax is unchanged when a constant is added to a row, so logits of size 1000
must still give finite numbers).
"""
import numpy as np


def softmax_cross_entropy(logits, y):
    """Mean softmax cross-entropy and its gradient with respect to the logits.

    Parameters
    ----------
    logits : ndarray, shape (n, K)
        Scores ``z_i`` of the K classes for each of the n samples.
    y : ndarray of int, shape (n,)
        True class of each sample, values in [0, K).

    Returns
    -------
    loss : float
        ``L = (1/n) sum_i l_i``.
    d_logits : ndarray, shape (n, K)
        ``dL / d logits``.
    """
    raise NotImplementedError("write softmax_cross_entropy")
