"""ExponentialSum (eqs. 2.35-2.40, 4.40-4.41): the batched, padding-skipping
sums against term-by-term Python arithmetic and against each other."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest

from slowdyn.analysis.laplace.exponentials import ExponentialSum


@pytest.fixture
def sums():
    rng = np.random.default_rng(5)
    a = rng.uniform(size=(2, 3, 6))
    a[0, 1, 4:] = 0.0  # padding terms: zero amplitude, arbitrary tau
    a[1, 2, :] = 0.0   # an all-padding function is identically zero
    tau = 10.0 ** rng.uniform(-3, 5, size=(2, 3, 6))
    return a, tau


def reference(a, tau, fn):
    """sum_k a_k fn(tau_k) with plain Python numbers, one function at a time."""
    out = np.empty(a.shape[:-1], dtype=object)
    for idx in np.ndindex(a.shape[:-1]):
        out[idx] = sum(float(ak) * fn(float(tk)) for ak, tk in zip(a[idx], tau[idx]))
    return out


def test_time_domain_and_derivative(sums):
    a, tau = sums
    es = ExponentialSum(a, tau)
    t = np.array([0.0, 1e-4, 0.3, 7.0, 2e3, 1e6])
    f, df = es.f(t, chunk=4), es.dfdt(t, chunk=4)  # chunk smaller than the grid
    assert f.shape == df.shape == (2, 3, t.size)
    for j, tj in enumerate(t):
        ref = reference(a, tau, lambda tk: math.exp(-tj / tk))
        dref = reference(a, tau, lambda tk: -math.exp(-tj / tk) / tk)
        np.testing.assert_allclose(f[..., j], ref.astype(float), rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(df[..., j], dref.astype(float), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(f[..., 0], es.f0, rtol=1e-14)
    assert np.all(f[1, 2] == 0.0)


def test_transforms(sums):
    a, tau = sums
    es = ExponentialSum(a, tau)
    w = np.logspace(-12, 2, 9)
    fhat, dhat = es.fhat(w, chunk=4), es.dfdt_hat(w, chunk=4)
    for j, wj in enumerate(w):
        ref = reference(a, tau, lambda tk: 1.0 / (1j * wj + 1.0 / tk))
        np.testing.assert_allclose(fhat[..., j], ref.astype(complex), rtol=1e-13)
    # eq. 2.40 and the Laplace transform on the imaginary axis
    np.testing.assert_allclose(dhat, 1j * w * fhat - es.f0[..., None], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(es.laplace(1j * w), fhat, rtol=1e-13)
    s = 0.5 + 2.0j
    ref = reference(a, tau, lambda tk: 1.0 / (s + 1.0 / tk))
    np.testing.assert_allclose(es.laplace([s])[..., 0], ref.astype(complex), rtol=1e-13)
    assert cmath.isclose(complex(es.laplace(s)[0, 0, 0]), complex(ref[0, 0]), rel_tol=1e-13)


def test_single_function_and_validation():
    es = ExponentialSum(1.0, 2.0)
    np.testing.assert_allclose(es.f([0.0, 2.0]), [1.0, math.exp(-1.0)], rtol=1e-15)
    with pytest.raises(ValueError, match="tau must be > 0"):
        ExponentialSum([0.5, 0.5], [1.0, 0.0])
