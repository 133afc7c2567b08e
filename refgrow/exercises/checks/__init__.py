"""The checks of every exercise: golden vectors computed by refgrow now, and the papers' properties.

Each :class:`Check` is worth points (10 per exercise) and calls the student's functions only through
:meth:`refgrow.exercises.checker.Context.call`, so that an exception, a wrong shape or dtype or a NaN
becomes feedback. Property checks draw sizes and seeds with hypothesis (shrunk to a minimal
counterexample on failure); the arrays are built from the seed with ``numpy.random.default_rng``.

Symbol table (the skeletons' names; n samples, D inputs, h hidden, K outputs)
------------------------------------------------------------------------------
==========================  =====================  =================  ==================================
paper symbol                code name              shape              exercise
==========================  =====================  =================  ==================================
X, W, b, Z = X W^T + b      ``X, W, b, Z``         (n,D),(h,D),(h,)   01 affine layer
z_i, y_i, l_i               ``logits, y``          (n,K), (n,)        02 softmax cross-entropy
T_a, W_i, s_i               ``triangle ...``       like x, (m,p), (m-1,)  03 triangle paper Eq. (2), (4)
w, b, x' (fold point)       ``w, b, x``            (D,), (), (D,)     04 closest point
A, c (local affine map)     ``A, c``               (K,D), (K,)        04 ReLU net on x's region
w_i, c_j, C_j               ``sample_weight, ...`` (n,), (k,D), (n,)  05 weighted k-means
tau, gamma, p               ``adf_statistic, lag`` scalar, int        06 ADF regression
w, b, p_m, p_f              ``w, b, p_mistake...`` (d,), (), (d,)     07 folding paper Def. 5
B, V_goal, dW*, S, N        ``B, V_goal, ...``     (n,d),(n,d_out)    08 TINY Prop. 3.1
alpha_k, omega_k, lambda_k  ``alpha, omega, ...``  (k,d),(d_out,k)    08 TINY Prop. 3.2
==========================  =====================  =================  ==================================

Interpretation notes
--------------------
* **k-means++ (05)** is the plain algorithm of Arthur & Vassilvitskii (one candidate per seed),
  which the slides' "weighted k-means" needs; refgrow's :func:`refgrow.kmeans.kmeans_plusplus` adds
  scikit-learn's greedy local trials by default, so the reference solution calls it with
  ``n_local_trials=1``. The checker tests the distribution, not the draws, so any correct sampler passes.
* **ADF (06)**: the exercise is the statistic for a *given* lag (``autolag=None`` in
  :func:`refgrow.stats.adf_test`); lag selection and the MacKinnon p-value are not part of it.
* **Lloyd (05)**: empty clusters are never generated (the skeleton lets the student assume none), since
  their handling is a convention (refgrow relocates them) and not part of the papers.

Known ambiguities handled
-------------------------
* **SVD signs and neuron order** (exercise 08): a neuron ``(alpha_k, omega_k)`` and ``(-alpha_k, -omega_k)``
  are the same neuron (``omega_k relu(alpha_k . b)`` changes, but Prop. 3.2 is a statement about the
  linearised move ``omega_k alpha_k^T``, which is sign-free); neurons are matched by singular value, in
  any order.
* **Seeding is random** (exercise 05): k-means++ is checked by its distribution (a chi-square test
  against the exact probabilities of the first two seeds, 2000 draws, fixed seeds, p < 1e-6 fails)
  and by determinism given the ``rng``.
* **Exact zeros** (exercises 01, 07): the conventions ReLU'(0) = 0 and sign(0) = 0 are checked on
  inputs where the zero is exact in floating point (integers), so the order of a sum cannot flip it.
"""

from __future__ import annotations

from refgrow.exercises.checks._base import Check
from refgrow.exercises.checks.ex01_affine_relu import CHECKS_01
from refgrow.exercises.checks.ex02_softmax_ce import CHECKS_02
from refgrow.exercises.checks.ex03_triangle import CHECKS_03
from refgrow.exercises.checks.ex04_hyperplane import CHECKS_04
from refgrow.exercises.checks.ex05_weighted_kmeans import CHECKS_05
from refgrow.exercises.checks.ex06_adf import CHECKS_06
from refgrow.exercises.checks.ex07_fold_regularizer import CHECKS_07
from refgrow.exercises.checks.ex08_tiny import CHECKS_08

__all__ = ["Check", "CHECKS"]

CHECKS = {
    "01_affine_relu": CHECKS_01,
    "02_softmax_ce": CHECKS_02,
    "03_triangle": CHECKS_03,
    "04_hyperplane": CHECKS_04,
    "05_weighted_kmeans": CHECKS_05,
    "06_adf": CHECKS_06,
    "07_fold_regularizer": CHECKS_07,
    "08_tiny": CHECKS_08,
}
