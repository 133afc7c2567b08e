"""Exercise 04 (hyperplane): closest point on a hyperplane; local affine map of a ReLU network.

Papers: the folding slides (docs/references.md#folding-slides, "Local Linearity of ReLU-based MLP",
Proposition 1, and the closed form of "Fold Point Search") and *Growing Networks by Folding Manifolds
at Mistakes* (docs/references.md#folding, Algorithm 1). Check your work with::

    python -m refgrow check 04 04_hyperplane.py

* The hyperplane ``{x' : w . x' + b = 0}`` (w nonzero). The fold point of a mistake is the point of the
  local decision boundary closest to it (an orthogonal projection).
* A ReLU network ``f(x) = W_L relu(... relu(W_1 x + b_1) ...) + b_L`` is affine on the activation
  region of ``x`` (the inputs with the same on/off pattern of every hidden unit):
  ``f(x') = A x' + c`` there. A unit with pre-activation exactly 0 counts as off (ReLU'(0) = 0).
"""
import numpy as np


def closest_point_on_hyperplane(x, w, b):
    """Orthogonal projection of ``x`` onto ``{x' : w . x' + b = 0}``.

    Parameters
    ----------
    x : ndarray, shape (D,) or (n, D)   one point, or one point per row
    w : ndarray, shape (D,), nonzero    normal vector
    b : float                           offset

    Returns
    -------
    ndarray, shape of x
    """
    raise NotImplementedError("write closest_point_on_hyperplane")


def local_affine_map(weights, biases, x):
    """Affine map ``f(x') = A x' + c`` of a ReLU network on the activation region of ``x``.

    Parameters
    ----------
    weights : list of L ndarrays, ``weights[l]`` of shape (d_{l+1}, d_l), (out, in); d_0 = D, d_L = K
    biases : list of L ndarrays, ``biases[l]`` of shape (d_{l+1},)
        Hidden layers apply ReLU, the last layer is affine.
    x : ndarray, shape (D,)

    Returns
    -------
    A : ndarray, shape (K, D)
    c : ndarray, shape (K,)
    """
    raise NotImplementedError("write local_affine_map")
