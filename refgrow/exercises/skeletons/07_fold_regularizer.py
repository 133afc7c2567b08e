"""Exercise 07 (fold_regularizer): the folding-hyperplane regulariser and its gradient.

Paper: *Growing Networks by Folding Manifolds at Mistakes*, Definition 5 (docs/references.md#folding).
Check your work with::

    python -m refgrow check 07 07_fold_regularizer.py

A new neuron with fan-in ``w`` and bias ``b`` folds the input space along the hyperplane
``w . p + b = 0``. Definition 5 keeps that hyperplane through the mistake and the fold point::

    L_fold-reg = ( |w . p_m + b| + |w . p_f + b| ) / ||w||

with ``p_m = phi(x_mistake)`` and ``p_f = phi(x_fold)`` (the layer's inputs at the two points).
Where ``w . p + b = 0`` the absolute value has no derivative: use the subgradient ``sign(0) = 0``.
"""
import numpy as np


def fold_regularizer(w, b, p_mistake, p_fold):
    """Value of Definition 5 and its gradient with respect to ``w`` and ``b``.

    Parameters
    ----------
    w : ndarray, shape (d,), nonzero
    b : float
    p_mistake, p_fold : ndarray, shape (d,)

    Returns
    -------
    value : float
    grad_w : ndarray, shape (d,)   dL/dw
    grad_b : float                 dL/db
    """
    raise NotImplementedError("write fold_regularizer")
