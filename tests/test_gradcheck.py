"""refgrow.gradcheck: centred finite differences are O(eps^2) accurate and leave their input alone."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from refgrow.gradcheck import numerical_gradient, numerical_jacobian, rel_error


@given(seed=st.integers(0, 2**31 - 1), m=st.integers(1, 4), d=st.integers(1, 4))
def test_jacobian_of_an_affine_map_is_its_matrix(seed, m, d):
    rng = np.random.default_rng(seed)
    A, c, x = rng.normal(size=(m, d)), rng.normal(size=m), rng.normal(size=d)
    J = numerical_jacobian(lambda v: A @ v + c, x)
    assert J.shape == (m, d)
    np.testing.assert_allclose(J, A, rtol=0, atol=1e-8)


def test_jacobian_of_a_quadratic_is_exact_for_centred_differences():
    """Centred differences have no O(eps) term: for f(x) = x^T Q x the error is round-off only."""
    rng = np.random.default_rng(1)
    Q, x = rng.normal(size=(3, 3)), rng.normal(size=3)
    g = numerical_jacobian(lambda v: v @ Q @ v, x, eps=1e-4)
    np.testing.assert_allclose(g, (Q + Q.T) @ x, rtol=1e-9, atol=1e-10)


def test_jacobian_has_the_output_then_input_axes_and_keeps_x():
    x = np.arange(6.0).reshape(2, 3)
    x0 = x.copy()
    J = numerical_jacobian(lambda v: np.stack([v.sum(), (v ** 2).sum()]), x)
    assert J.shape == (2, 2, 3)
    np.testing.assert_allclose(J[0], np.ones((2, 3)), atol=1e-8)
    np.testing.assert_allclose(J[1], 2 * x, atol=1e-6)
    assert np.array_equal(x, x0)


def test_closure_and_functional_forms_agree():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 2))
    f = lambda v: float(np.sin(v).sum() + (v[0] @ v[1]))   # noqa: E731
    g_closure = numerical_gradient(lambda: f(x), x)
    g_functional = numerical_jacobian(f, x)
    assert rel_error(g_closure, g_functional) < 1e-12
    assert rel_error(g_functional, np.cos(x) + x[::-1]) < 1e-8


def test_rel_error_is_scale_free_and_floored():
    a = np.array([1.0, 2.0])
    assert rel_error(a, 1.5 * a) == pytest.approx(rel_error(1e6 * a, 1.5e6 * a))
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
