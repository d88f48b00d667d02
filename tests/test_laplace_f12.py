"""F12 correlators from mctpy through the Filon transform and back
(slowdyn.analysis.validation.f12); the F1 model has a closed-form transform."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("mctpy")  # test extra: mctpy + numba, scipy, h5py

from slowdyn.analysis.laplace.filon import fourier_laplace  # noqa: E402
from slowdyn.analysis.mct import F12  # noqa: E402
from slowdyn.analysis.validation.f12 import F12Validation  # noqa: E402
from slowdyn.analysis.nnlt.data import NNLTGrids  # noqa: E402


def test_f1_laplace_closed_form():
    omega = np.logspace(-6, 3, 50)
    np.testing.assert_allclose(F12(0.0, 0.0).laplace(omega), 1 / (1j * omega + 1), rtol=1e-14)
    for v1 in (0.5, 0.9):
        s = 1j * omega
        phi = F12(v1, 0.0).laplace(omega)
        np.testing.assert_allclose(v1 * s * phi**2 + (s + 1 - v1) * phi - 1, 0, atol=1e-9)
        # Phi(0) = int phi dt = 1/(1 - v1) (tau = 1): the alpha time of the F1 model
        assert F12(v1, 0.0).laplace([1e-12])[0].real == pytest.approx(1 / (1 - v1), rel=1e-9)
        assert np.all(phi.real > 0) and np.all(phi.imag < 0)


def test_filon_of_mctpy_f1_matches_closed_form():
    """Filon transform of the numerically solved F1 correlator (mctpy) agrees
    with the exact Laplace-domain solution on the whole NNLT omega grid."""
    t, phi = F12(0.5, 0.0).solve(blocks=50)
    assert t[0] == 0 and phi[0] == pytest.approx(1.0)
    omega = NNLTGrids().omega
    fhat = fourier_laplace(t, phi, omega)
    rel = np.abs(fhat / F12(0.5, 0.0).laplace(omega) - 1)
    assert rel.max() < 1e-3, rel.max()


def test_f2_round_trip_classical_methods(tmp_path):
    v = F12Validation(points=[(0.0, 2.0)], solver={"blocks": 50}, noise=1e-3).compute()
    (r,) = v.results
    assert r["decayed"]
    assert r["errors"]["inverse_filon"]["max"] > 0.3     # no f(0) = 1 without high frequencies
    assert r["errors"]["nnls"]["rms"] < 1e-4
    # 1e-3 noise, cut at 1e-3 and continued exponentially: NNLS stays at the noise level
    assert 1e-4 < r["noisy_errors"]["nnls"]["rms"] < 3e-3
    files = v.write(tmp_path / "x")
    text = files[0].read_text()
    assert "nnls" in text and "noisy" in text and files[1].read_bytes()[:4] == b"\x89PNG"
