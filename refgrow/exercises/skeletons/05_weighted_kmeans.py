"""Exercise 05 (weighted_kmeans): one weighted Lloyd step and weighted k-means++ seeding.

Papers: the folding slides ("Find Typical Mis-Predicted Instance": weighted k-means with the
per-instance losses as weights, docs/references.md#folding-slides) and *Growing Networks by Folding
Manifolds at Mistakes*, Algorithm 1 (docs/references.md#folding). Check your work with::

    python -m refgrow check 05 05_weighted_kmeans.py

Weighted k-means minimises the weighted inertia ``J = sum_i w_i ||x_i - c_{label_i}||^2``.

* Lloyd step: assign every point to its nearest centre, then move every centre to the **weighted**
  mean of its points, ``c_j = sum_{i in C_j} w_i x_i / sum_{i in C_j} w_i``. You may assume no
  cluster is empty (every centre is the nearest centre of at least one positive-weight point).
* k-means++ seeding (Arthur & Vassilvitskii 2007) with weights: the first seed is point i with
  probability ``w_i / sum_l w_l``; each further seed is point i with probability
  ``w_i D(x_i)^2 / sum_l w_l D(x_l)^2``, where ``D(x)`` is the distance from x to the nearest seed
  chosen so far. Draw all randomness from the ``rng`` argument (a ``numpy.random.Generator``).
"""
import numpy as np


def lloyd_step(X, sample_weight, centers):
    """One weighted Lloyd iteration: assignment, then weighted-mean update.

    Parameters
    ----------
    X : ndarray, shape (n, D)
    sample_weight : ndarray, shape (n,), non-negative
    centers : ndarray, shape (k, D), the current centres

    Returns
    -------
    new_centers : ndarray, shape (k, D)
    labels : ndarray of int, shape (n,)
        Index of the nearest **input** centre of every point (ties: the smallest index).
    """
    raise NotImplementedError("write lloyd_step")


def kmeans_plusplus(X, sample_weight, n_clusters, rng):
    """Weighted k-means++ seeding.

    Parameters
    ----------
    X : ndarray, shape (n, D)
    sample_weight : ndarray, shape (n,), non-negative; zero-weight points are never chosen
    n_clusters : int k, at most the number of positive-weight points
    rng : numpy.random.Generator

    Returns
    -------
    indices : ndarray of int, shape (k,), the rows of X chosen as seeds, in the order drawn
    """
    raise NotImplementedError("write kmeans_plusplus")
