"""Paper 001 (TINY) statements on the pure linear algebra of refgrow.growth.tiny.

Prop. 3.1 (projection), Eq. (9) (gain = sum of squared singular values), orthogonality of the added
moves, Prop. 3.4 (generalized eigenproblem = SVD path), invariances, validation.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from refgrow.growth import tiny
from refgrow.growth.tiny import linalg
from refgrow.growth.tiny import (best_update, expressivity_bottleneck, linearised_move, new_neurons,
                                 new_neurons_geig, pinv_sqrt, projected_goal, second_moments, with_ones)


def _data(seed, n, d, d_out, rank=None):
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((n, d))
    if rank is not None and rank < d:                       # rank-deficient input (redundant units)
        B = B[:, :rank] @ rng.standard_normal((rank, d))
    return with_ones(B), rng.standard_normal((n, d_out))


shapes = st.tuples(st.integers(0, 10_000), st.integers(2, 30), st.integers(1, 7), st.integers(1, 4),
                   st.booleans())


@given(shapes)
def test_prop31_best_update_is_orthogonal_projection(p):
    """Prop. 3.1: B dW*^T is the orthogonal projection of V_goal on span(B): residual _|_ B, idempotent,
    and equal to the least-squares fit computed independently by numpy.linalg.lstsq."""
    seed, n, d, d_out, deficient = p
    B, V = _data(seed, n, d, d_out, rank=max(1, d // 2) if deficient else None)
    dW = best_update(B, V)
    assert dW.shape == (d_out, B.shape[1]) and dW.dtype == np.float64
    P = B @ dW.T
    scale = 1.0 + np.abs(V).max()
    assert np.allclose(B.T @ (V - P), 0.0, atol=1e-8 * scale * n)           # residual orthogonal to B
    assert np.allclose(B @ best_update(B, P).T, P, atol=1e-8 * scale)       # idempotent
    coef = np.linalg.lstsq(B, V, rcond=None)[0]
    assert np.allclose(P, B @ coef, atol=1e-8 * scale)
    # Def. 3.1 with the best move: Psi = ||V_goal||^2/n - ||P||^2/n (Pythagoras)
    assert np.isclose(expressivity_bottleneck(V, P), (np.sum(V * V) - np.sum(P * P)) / n, atol=1e-9 * scale ** 2)
    assert np.allclose(projected_goal(B, V, dW), V - P)


@given(shapes)
def test_eq9_gain_is_sum_of_squared_singular_values(p):
    """Eq. (9): after the first K neurons (linearised move) the bottleneck is Psi_proj - sum_{k<=K} lambda_k^2."""
    seed, n, d, d_out, deficient = p
    B_in, Vp = _data(seed, n, d, d_out, rank=max(1, d // 2) if deficient else None)
    nn = new_neurons(B_in, Vp)
    lam = nn.singular_values
    assert np.all(np.diff(lam) <= 1e-12) and np.all(lam > 0)
    assert nn.alpha.shape == (lam.size, B_in.shape[1]) and nn.omega.shape == (d_out, lam.size)
    assert nn.alpha.dtype == nn.omega.dtype == lam.dtype == np.float64
    psi = expressivity_bottleneck(Vp, np.zeros_like(Vp))
    for K in range(lam.size + 1):
        V = linearised_move(B_in, nn.alpha[:K], nn.omega[:, :K])
        assert np.isclose(expressivity_bottleneck(Vp, V), psi - np.sum(lam[:K] ** 2),
                          rtol=1e-8, atol=1e-10 * (1 + psi))
    # K* = R neurons reach the projection of Vp on span(B_in): nothing better exists (Prop. 3.2)
    coef = np.linalg.lstsq(B_in, Vp, rcond=None)[0]
    best = expressivity_bottleneck(Vp, B_in @ coef)
    assert np.isclose(psi - np.sum(lam ** 2), best, rtol=1e-8, atol=1e-10 * (1 + psi))


@given(shapes)
def test_added_moves_are_mutually_orthogonal(p):
    """Sec. 3.2 remark: the moves V_k = B_in alpha_k omega_k^T of the added neurons are orthogonal
    (trace inner product); their norms are (1/n)||V_k||^2 = lambda_k^2."""
    seed, n, d, d_out, deficient = p
    B_in, Vp = _data(seed, n, d, d_out, rank=max(1, d // 2) if deficient else None)
    nn = new_neurons(B_in, Vp)
    K = nn.singular_values.size
    moves = np.stack([np.outer(B_in @ nn.alpha[k], nn.omega[:, k]).ravel() for k in range(K)]) if K else np.zeros((0, 1))
    G = moves @ moves.T / n
    assert np.allclose(G, np.diag(nn.singular_values ** 2), atol=1e-9 * (1 + np.abs(G).max()))


@settings(max_examples=20)
@given(st.integers(0, 10_000), st.integers(8, 40), st.integers(1, 5), st.integers(1, 4))
def test_added_moves_orthogonal_to_existing_layer_moves(seed, n, d, d_out):
    """With V_goal_proj from the best update, the new neurons' moves are orthogonal to every move
    B M^T of the existing layer when span(B) is inside span(B_in) (e.g. an identity activation:
    B = [B_in W^T, 1]); see the module's interpretation note for the general case."""
    rng = np.random.default_rng(seed)
    B_in = with_ones(rng.standard_normal((n, d)))
    W = rng.standard_normal((3, d + 1))
    B = with_ones(B_in @ W.T)                  # identity hidden layer of width 3 (+ ones)
    V = rng.standard_normal((n, d_out))
    Vp = projected_goal(B, V, best_update(B, V))
    nn = new_neurons(B_in, Vp)
    for k in range(nn.singular_values.size):
        Vk = np.outer(B_in @ nn.alpha[k], nn.omega[:, k])
        assert np.allclose(B.T @ Vk, 0.0, atol=1e-9 * (1 + np.abs(Vk).max()) * n)


@given(st.integers(0, 10_000), st.integers(12, 40), st.integers(1, 6), st.integers(1, 4))
def test_prop34_generalized_eigenproblem_matches_svd(seed, n, d, d_out):
    """Prop. 3.4: for S positive definite the generalized eigenvectors of N N^T a = lambda S a give the
    same neurons as Prop. 3.2's SVD (alpha_k omega_k^T products are sign-free)."""
    B_in, Vp = _data(seed, n, d, d_out)
    a = new_neurons(B_in, Vp)
    b = new_neurons_geig(B_in, Vp)
    assert np.allclose(a.singular_values, b.singular_values, rtol=1e-7)
    lam = a.singular_values
    gaps = np.diff(lam)
    assume(lam.size < 2 or np.min(np.abs(gaps)) >= 1e-6 * lam[0])   # else the vectors are not unique
    for k in range(lam.size):
        pa = np.outer(a.alpha[k], a.omega[:, k])
        pb = np.outer(b.alpha[k], b.omega[:, k])
        assert np.allclose(pa, pb, atol=1e-6 * (1 + np.abs(pa).max()))


def test_prop34_requires_positive_definite_S():
    B = with_ones(np.ones((5, 2)))             # all columns equal: S singular
    with pytest.raises(ValueError, match="positive definite"):
        new_neurons_geig(B, np.ones((5, 1)))


@given(shapes)
def test_duplicating_samples_changes_nothing(p):
    """S, N, the best update and the singular values are means over samples: duplicating every
    sample leaves them unchanged."""
    seed, n, d, d_out, deficient = p
    B, V = _data(seed, n, d, d_out, rank=max(1, d // 2) if deficient else None)
    B2, V2 = np.vstack([B, B]), np.vstack([V, V])
    S, N = second_moments(B, V)
    S2, N2 = second_moments(B2, V2)
    assert np.allclose(S, S2) and np.allclose(N, N2)
    assert np.allclose(best_update(B, V), best_update(B2, V2), atol=1e-8 * (1 + np.abs(best_update(B, V)).max()))
    assert np.allclose(new_neurons(B, V).singular_values, new_neurons(B2, V2).singular_values, rtol=1e-8)


@given(st.integers(0, 10_000), st.integers(10, 40), st.integers(1, 5), st.integers(1, 3),
       st.floats(0.1, 10.0))
def test_rescaling_the_inputs_of_the_new_neurons(seed, n, d, d_out, c):
    """Derivation: if the layer feeding the new neurons is rescaled, B_in' = B_in D with D = diag(c..c, 1)
    (ReLU is positively homogeneous, the ones column is not scaled), then S' = D S D, N' = D N, hence
    N'^T S'^+ N' = N^T S^+ N: the singular values are unchanged, omega' = omega and alpha' = alpha D^{-1}
    (the same moves B_in' alpha'^T = B_in alpha^T)."""
    B_in, V = _data(seed, n, d, d_out)
    D = np.r_[np.full(d, c), 1.0]
    S, N = second_moments(B_in, V)
    S2, N2 = second_moments(B_in * D, V)
    assert np.allclose(S2, D[:, None] * S * D[None, :]) and np.allclose(N2, D[:, None] * N)
    a, b = new_neurons(B_in, V), new_neurons(B_in * D, V)
    assert np.allclose(a.singular_values, b.singular_values, rtol=1e-8)
    for k in range(a.singular_values.size):
        assert np.allclose(np.outer(a.alpha[k] / D, a.omega[:, k]), np.outer(b.alpha[k], b.omega[:, k]),
                           atol=1e-7 * (1 + np.abs(a.alpha[k]).max() * np.abs(a.omega[:, k]).max() / min(c, 1)))


def test_pinv_sqrt_threshold():
    """S^{-1/2} S S^{-1/2} is the projector on range(S); null directions are mapped to 0."""
    rng = np.random.default_rng(0)
    F = rng.standard_normal((5, 3))
    S = F @ F.T                                    # rank 3
    R = pinv_sqrt(S)
    P = R @ S @ R
    assert np.allclose(P @ P, P) and np.isclose(np.trace(P), 3.0)
    assert np.allclose(R @ R @ S @ F, F)


def test_max_neurons_and_threshold_select_leading_neurons():
    B, V = _data(1, 50, 4, 3)
    full = new_neurons(B, V)
    two = new_neurons(B, V, max_neurons=2)
    assert np.allclose(two.singular_values, full.singular_values[:2])
    assert np.allclose(two.alpha, full.alpha[:2]) and np.allclose(two.omega, full.omega[:, :2])
    thr = new_neurons(B, V, min_singular_value=full.singular_values[1] * 1.0000001)
    assert thr.singular_values.size == 1


def test_no_correlation_gives_zero_neurons():
    B = with_ones(np.random.default_rng(0).standard_normal((20, 3)))
    nn = new_neurons(B, np.zeros((20, 2)))
    assert nn.alpha.shape == (0, 4) and nn.omega.shape == (2, 0) and nn.singular_values.shape == (0,)


@pytest.mark.parametrize("fn", [best_update, new_neurons, second_moments])
def test_bad_inputs_raise(fn):
    B, V = _data(0, 10, 3, 2)
    with pytest.raises(ValueError, match="samples"):
        fn(B, V[:5])                                 # mismatched n
    with pytest.raises(ValueError):
        fn(B[:0], V[:0])                             # n = 0
    Bn = B.copy(); Bn[0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        fn(Bn, V)
    with pytest.raises(ValueError):
        fn(B[0], V)                                  # not 2-D


def test_bad_options_raise():
    B, V = _data(0, 10, 3, 2)
    with pytest.raises(ValueError, match="max_neurons"):
        new_neurons(B, V, max_neurons=0)
    with pytest.raises(ValueError, match="rtol"):
        best_update(B, V, rtol=-1.0)
    with pytest.raises(ValueError, match="V must have the shape"):
        expressivity_bottleneck(V, V[:, :1])
    with pytest.raises(ValueError, match="dW"):
        projected_goal(B, V, np.zeros((3, 3)))


def test_module_doctests():
    import doctest
    res = doctest.testmod(linalg, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


def test_tiny_from_activations_composes_the_public_steps():
    """Algorithm 2 of App. E.4: best update (Prop. 3.1), projection, then Prop. 3.2 on the projected goal."""
    rng = np.random.default_rng(3)
    B_in = with_ones(rng.standard_normal((60, 4)))
    B = with_ones(np.maximum(B_in @ rng.standard_normal((5, 3)), 0))
    V = rng.standard_normal((60, 3))
    dW, Vp, nn = tiny.tiny_from_activations(B_in, B, V, max_neurons=2)
    assert np.allclose(dW, best_update(B, V)) and np.allclose(Vp, projected_goal(B, V, dW))
    ref = new_neurons(B_in, Vp, max_neurons=2)
    assert np.allclose(nn.singular_values, ref.singular_values)
    assert np.allclose(nn.alpha, ref.alpha) and np.allclose(nn.omega, ref.omega)


@given(st.integers(0, 10_000), st.integers(10, 60), st.integers(1, 8), st.integers(1, 4))
def test_cholesky_shortcut_equals_the_formula_of_prop32(seed, n, d, d_out):
    """Prop. 3.2 as written (S^{-1/2} N, then one SVD; ``cholesky=False``, the default) and the Cholesky
    shortcut (L^{-1} N, ``cholesky=True``) give the same neurons when S is certified positive definite:
    same singular values and the same sign-free products alpha_k omega_k^T."""
    B, V = _data(seed, n, d, d_out)
    S, _ = second_moments(B, V)
    assert linalg._certified_cholesky(S, linalg.GRAM_MIN_RATIO) is not None        # the shortcut is really taken
    ref = new_neurons(B, V)
    fast = new_neurons(B, V, cholesky=True)
    assert np.allclose(fast.singular_values, ref.singular_values, rtol=1e-9)
    lam = ref.singular_values
    assume(lam.size < 2 or np.min(np.abs(np.diff(lam))) >= 1e-6 * lam[0])   # else the vectors are not unique
    for k in range(lam.size):
        pr = np.outer(ref.alpha[k], ref.omega[:, k])
        pf = np.outer(fast.alpha[k], fast.omega[:, k])
        assert np.allclose(pf, pr, atol=1e-7 * (1 + np.abs(pr).max()))
    # the readable path is literally S^{-1/2} N: its fan-ins are sqrt(lam_k) S^{-1/2} u_k
    M = pinv_sqrt(S)
    U, sv, _ = np.linalg.svd(M @ second_moments(B, V)[1], full_matrices=False)
    assert np.allclose(sv[:lam.size], lam, rtol=1e-12, atol=1e-14 * lam[0])


@given(st.integers(0, 10_000), st.integers(1, 150), st.sampled_from([1, 4, 16, 64]))
def test_blocked_triangular_inverse_equals_lapack_dtrtri(seed, d, leaf):
    """The shortcut's L^{-1} (2 x 2 block recursion in NumPy, so the whole TINY chain stays in one BLAS
    thread pool) against LAPACK's dtrtri through SciPy, the gold routine: mine vs theirs to 1e-12 relative
    on Cholesky factors of random Gram matrices, exact zeros above the diagonal, and L L^{-1} = I."""
    import scipy.linalg
    from refgrow.growth.tiny import spectrum
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((d + 5, d)) * rng.uniform(0.1, 10.0, size=d)
    L = np.linalg.cholesky(B.T @ B)
    mine = spectrum._tril_inv(L, leaf=leaf)
    theirs = np.tril(scipy.linalg.lapack.dtrtri(L, lower=1)[0])
    scale = np.abs(theirs).max()
    assert np.abs(mine - theirs).max() <= 1e-12 * scale, (
        f"refgrow _tril_inv vs LAPACK dtrtri: max |diff| {np.abs(mine - theirs).max():.3e}, scale {scale:.3e}")
    assert np.all(np.triu(mine, 1) == 0.0)
    assert np.allclose(L @ mine, np.eye(d), atol=1e-10)


def test_rank_deficient_S_uses_the_thresholded_reference_path():
    B, V = _data(0, 30, 5, 2, rank=2)
    S, _ = second_moments(B, V)
    assert linalg._certified_cholesky(S, linalg.GRAM_MIN_RATIO) is None
    a, b = new_neurons(B, V), new_neurons(B, V, cholesky=True)      # no certificate: the same path
    assert np.array_equal(a.alpha, b.alpha) and np.array_equal(a.omega, b.omega)


@given(shapes, st.integers(1, 3))
def test_corollary1_adding_m_then_the_rest_equals_adding_all(p, m):
    """Corollary 1 (linear-algebra core, V_goal fixed at first order): after the first m neurons are added,
    solving Prop. 3.2 again on the remaining goal V_goal_proj - V(theta_m) gives exactly the neurons
    m+1, ..., R of the simultaneous solution (same singular values and moves)."""
    seed, n, d, d_out, deficient = p
    B_in, Vp = _data(seed, n, d, d_out, rank=max(1, d // 2) if deficient else None)
    full = new_neurons(B_in, Vp)
    lam = full.singular_values
    assume(m < lam.size)
    rest = new_neurons(B_in, Vp - linearised_move(B_in, full.alpha[:m], full.omega[:, :m]))
    assert np.allclose(rest.singular_values, lam[m:], rtol=1e-7, atol=1e-9 * lam[0])
    V_all = linearised_move(B_in, full.alpha, full.omega)
    V_two = linearised_move(B_in, full.alpha[:m], full.omega[:, :m]) + linearised_move(B_in, rest.alpha, rest.omega)
    assert np.allclose(V_all, V_two, atol=1e-7 * (1 + np.abs(V_all).max()))
