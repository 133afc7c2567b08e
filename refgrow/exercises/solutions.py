"""Reference solutions: refgrow's own implementation wrapped to the skeletons' signatures.

The checker never compares a student's function with these wrappers' code, only with the numbers of
refgrow's implementation computed at check time; the test suite checks that every wrapper passes
every check (``tests/test_exercises.py``). They are deliberately thin: the mathematics lives in
refgrow's modules, each citing its equation.

=======================================  ==================================================================
skeleton function (exercise)             refgrow implementation
=======================================  ==================================================================
affine_forward, affine_backward (01)     ``refgrow.layers.affine_forward``, ``affine_backward``
relu_forward, relu_backward (01)         ``refgrow.layers.relu_forward``, ``relu_backward`` (ReLU'(0) = 0)
softmax_cross_entropy (02)               ``refgrow.losses.softmax_cross_entropy`` (mean over n)
triangle, triangle_waves (03)            ``refgrow.triangle.triangle``, ``triangle_waves``
differentiable_scales (03)               ``refgrow.triangle.differentiable_scales``
closest_point_on_hyperplane (04)         ``refgrow.geometry.closest_point_on_hyperplane``
local_affine_map(weights, biases, x)     ``refgrow.geometry.local_affine_map(MLP(weights, biases), x)``
lloyd_step (05)                          ``refgrow.kmeans.lloyd_iteration``
kmeans_plusplus (05)                     ``refgrow.kmeans.kmeans_plusplus(..., n_local_trials=1)[1]``
adf_statistic (06)                       ``refgrow.stats.adf_test(x, maxlag=lag, autolag=None).statistic``
fold_regularizer (07)                    ``refgrow.growth.folding.fold_regularizer``
best_update, new_neurons (08)            ``refgrow.growth.tiny.best_update``, ``new_neurons(max_neurons=k)``
s_inv_sqrt_n (08)                        ``pinv_sqrt(S) @ N`` with ``refgrow.growth.tiny.second_moments``
=======================================  ==================================================================
"""
from __future__ import annotations

__all__ = ["namespace", "solution_source",
           "affine_forward", "affine_backward", "relu_forward", "relu_backward",
           "softmax_cross_entropy", "triangle", "triangle_waves", "differentiable_scales",
           "closest_point_on_hyperplane", "local_affine_map", "lloyd_step", "kmeans_plusplus",
           "adf_statistic", "fold_regularizer", "best_update", "s_inv_sqrt_n", "new_neurons"]


# 01 affine_relu ---------------------------------------------------------------------------------
def affine_forward(X, W, b):
    from refgrow.layers import affine_forward as f
    return f(X, W, b)


def affine_backward(dZ, cache):
    from refgrow.layers import affine_backward as f
    return f(dZ, cache)


def relu_forward(Z):
    from refgrow.layers import relu_forward as f
    return f(Z)


def relu_backward(dA, cache):
    from refgrow.layers import relu_backward as f
    return f(dA, cache)


# 02 softmax_ce ----------------------------------------------------------------------------------
def softmax_cross_entropy(logits, y):
    from refgrow.losses import softmax_cross_entropy as f
    return f(logits, y)


# 03 triangle ------------------------------------------------------------------------------------
def triangle(x, a):
    from refgrow.triangle import triangle as f
    return f(x, a)


def triangle_waves(x, a):
    from refgrow.triangle import triangle_waves as f
    return f(x, a)


def differentiable_scales(a, sign=-1):
    from refgrow.triangle import differentiable_scales as f
    return f(a, sign=sign)


# 04 hyperplane ----------------------------------------------------------------------------------
def closest_point_on_hyperplane(x, w, b):
    from refgrow.geometry import closest_point_on_hyperplane as f
    return f(x, w, b)


def local_affine_map(weights, biases, x):
    from refgrow.geometry import local_affine_map as f
    from refgrow.mlp import MLP
    return f(MLP(list(weights), list(biases)), x)


# 05 weighted_kmeans -----------------------------------------------------------------------------
def lloyd_step(X, sample_weight, centers):
    from refgrow.kmeans import lloyd_iteration
    return lloyd_iteration(X, sample_weight, centers)


def kmeans_plusplus(X, sample_weight, n_clusters, rng):
    from refgrow.kmeans import kmeans_plusplus as f
    return f(X, sample_weight, n_clusters, rng=rng, n_local_trials=1)[1]   # plain k-means++


# 06 adf -----------------------------------------------------------------------------------------
def adf_statistic(x, lag, regression="c"):
    from refgrow.stats import adf_test
    return adf_test(x, maxlag=int(lag), regression=regression, autolag=None).statistic


# 07 fold_regularizer ----------------------------------------------------------------------------
def fold_regularizer(w, b, p_mistake, p_fold):
    from refgrow.growth.folding import fold_regularizer as f
    return f(w, b, p_mistake, p_fold)


# 08 tiny ----------------------------------------------------------------------------------------
def best_update(B, V_goal):
    from refgrow.growth.tiny import best_update as f
    return f(B, V_goal)


def s_inv_sqrt_n(B_in, V_goal_proj):
    from refgrow.growth.tiny import pinv_sqrt, second_moments
    S, N = second_moments(B_in, V_goal_proj)
    return pinv_sqrt(S) @ N


def new_neurons(B_in, V_goal_proj, k):
    from refgrow.growth.tiny import new_neurons as f
    nn = f(B_in, V_goal_proj, max_neurons=k)
    return nn.alpha, nn.omega, nn.singular_values


def namespace(key) -> dict:
    """``{function name: reference function}`` for one exercise (what a student's file defines)."""
    from refgrow.exercises import get_exercise
    g = globals()
    return {name: g[name] for name in get_exercise(key).functions}


def solution_source(key) -> str:
    """Text of a solution file for exercise ``key`` that imports the reference functions."""
    from refgrow.exercises import get_exercise
    ex = get_exercise(key)
    return (f'"""Reference solution of exercise {ex.key} (refgrow\'s implementation)."""\n'
            f"from refgrow.exercises.solutions import {', '.join(ex.functions)}  # noqa: F401\n")
