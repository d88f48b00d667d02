"""Near-critical F12 correlators and Brownian hard disks from mctpy as
test beds of the inverse Laplace transforms (slowdyn.analysis.validation.critical,
slowdyn.analysis.validation.hard_disks)."""

from __future__ import annotations

import numpy as np
import pytest

mct = pytest.importorskip("mctpy")  # test extra: mctpy + numba, scipy, h5py

from slowdyn.analysis.validation.critical import (  # noqa: E402
    CriticalF12Validation, power_law_exponents)
from slowdyn.analysis.mct import f12_critical, mct_exponents  # noqa: E402
from slowdyn.analysis.mct import F12, HardDisks2D  # noqa: E402
from slowdyn.analysis.validation.hard_disks import HardDiskValidation  # noqa: E402
from slowdyn.analysis.nnlt.data import NNLTGrids  # noqa: E402


@pytest.mark.parametrize("v1c, v2c", [(0.0, 4.0), (0.596621, 2.673622), (0.886558, 1.787064)])
def test_f12_critical_point_closed_form(v1c, v2c):
    f_c, lam = f12_critical(v2c)
    m = v1c * f_c + v2c * f_c**2
    assert f_c / (1 - f_c) == pytest.approx(m, rel=1e-5)                        # eq. 4.32
    assert 1 / (1 - f_c) ** 2 == pytest.approx(v1c + 2 * v2c * f_c, rel=1e-5)   # critical


@pytest.mark.parametrize("v1c, v2c", [(0.0, 4.0), (0.75, 2.25)])   # exactly on the line (eq. 4.33)
def test_f12_critical_point_against_mctpy(v1c, v2c):
    f_c, lam = f12_critical(v2c)
    # mctpy's plateau and lambda just inside the glass (1e-6 above the line)
    nep = mct.nonergodicity_parameter(model=mct.f12model(v1c, v2c + 1e-6), maxiter=10**7, accuracy=1e-14)
    nep.solve()
    ev = mct.eigenvalue(nep)
    ev.solve()
    assert nep.f_[0][0] == pytest.approx(f_c, abs=2e-3)
    assert ev.lam == pytest.approx(lam, abs=2e-3)


def test_type_a_point_has_no_power_laws():
    assert f12_critical(0.0) is None and f12_critical(0.2) is None


def test_exponents_of_f2():
    a, b = mct_exponents(0.5)          # F2: lambda = 1/2 -> a = 0.3953, b = 1
    assert a == pytest.approx(0.39526, abs=1e-4) and b == pytest.approx(1.0, abs=1e-6)


def test_power_law_fit_recovers_mct_exponents_of_near_critical_f2():
    """The fit windows around the plateau crossing recover the exponents of
    mctpy's own near-critical F2 correlator (eps = 1e-3) within 3 %."""
    t, phi = F12(0.0, 4.0 - 1e-3).solve()
    g = NNLTGrids()
    e = power_law_exponents(g.t, np.interp(g.t, t, phi), 0.5)
    assert 1e4 < e["t_x"] < 1e5
    assert e["a"] == pytest.approx(0.39526, rel=0.03)
    assert e["b"] == pytest.approx(1.0, rel=0.03)


def test_power_law_fit_uses_the_last_plateau_crossing():
    """A dip below the plateau before the alpha decay (as an inversion can
    wiggle around f_c) must not be taken for the crossing: the exponents of
    f_c + t^-a (t < 1e4) joined to f_c - (t/1e4)^b, with a dip at t ~ 1e3,
    come back; the first-crossing rule put t_x at the dip."""
    t = np.logspace(-6, 10, 500)
    a, b, f_c = 0.35, 0.8, 0.5
    phi = np.where(t < 1e4, f_c + 0.4 * (1 + t) ** -a - 0.4 * 1e4 ** -a, f_c - 0.02 * (t / 1e4) ** b)
    phi = np.clip(phi, 0.0, 1.0) - 0.05 * np.exp(-np.log(t / 1e3) ** 2 / 0.05)   # the dip
    assert np.any((phi < f_c) & (t < 2e3))
    e = power_law_exponents(t, phi, f_c)
    assert 1e4 <= e["t_x"] < 1.2e4
    assert e["b"] == pytest.approx(b, rel=0.02)


def test_power_law_fit_without_plateau_gives_nan():
    t = np.logspace(-6, 10, 500)
    e = power_law_exponents(t, 0.6 + 0.4 * np.exp(-t), 0.5)   # never reaches f_c = 0.5
    assert np.isnan(e["a"]) and np.isnan(e["b"]) and np.isnan(e["t_x"])


def test_critical_validation_classical_methods(tmp_path):
    v = CriticalF12Validation(points=[(0.0, 4.0), (1.0, 0.0)]).compute()
    f2, f1 = v.results
    assert f2["v2"] == pytest.approx(3.999) and f1["v1"] == pytest.approx(0.999)
    assert f2["lambda"] == 0.5 and not f1["exponents"]
    e = f2["exponents"]
    assert set(e) == {"theory", "mctpy", "inverse_filon", "nnls"}
    # NNLS keeps the power laws of this clean input (its exponents match mctpy's within 5 %)
    assert e["nnls"]["a"] == pytest.approx(e["mctpy"]["a"], rel=0.05)
    assert e["nnls"]["b"] == pytest.approx(e["mctpy"]["b"], rel=0.05)
    # the F1 end point is inverted from its closed-form transform, not from mctpy's
    assert np.allclose(f1["fhat"], F12(0.999, 0.0).laplace(v.grids.omega), rtol=1e-12)
    assert f1["errors"]["nnls"]["max"] < 1e-4
    files = v.write(tmp_path / "c")
    text = files[0].read_text()
    assert "b_theory" in text and "closed-form F1 transform" in text
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in files[1:])


@pytest.fixture(scope="module")
def disks():
    """Dilute (packing 1e-3) and dense (0.6) hard disks at q = 6.5 on a short
    wave-number grid; mctpy compiles every model anew, so solve them once."""
    return HardDiskValidation(packing=[1e-3, 0.6], solver={"n_q": 30, "blocks": 32}).compute()


def test_hard_disk_sisf_dilute_limit_is_free_diffusion(disks):
    """At packing fraction 1e-3 the memory kernel vanishes: F_s = exp(-q^2 t) (D0 = 1)."""
    r = disks.results[0]
    assert r["phi"][0] == pytest.approx(1.0)
    np.testing.assert_allclose(r["phi"], np.exp(-6.5**2 * r["t"]), atol=1e-3)


def test_hard_disk_sisf_slows_down_with_packing(disks):
    times = [np.interp(np.exp(-1), r["phi"][::-1], r["t"][::-1]) for r in disks.results]
    assert times[0] == pytest.approx(1 / 6.5**2, rel=0.01)
    assert times[1] > 2 * times[0]


def test_hard_disk_q_must_be_on_the_grid():
    with pytest.raises(ValueError, match="not on the grid"):
        HardDisks2D(0.5).sisf(q=6.6)


def test_hard_disk_validation_classical_methods(disks, tmp_path):
    r = disks.results[1]
    assert r["decayed"] and r["label"] == "phi=0.6 q=6.5"
    assert r["errors"]["nnls"]["rms"] < 1e-3
    assert r["errors"]["inverse_filon"]["max"] > 0.3
    files = disks.write(tmp_path / "d")
    assert files[0] == tmp_path / "d" / "disks.txt" and files[1].read_bytes()[:4] == b"\x89PNG"
