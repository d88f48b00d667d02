"""Inversion of a simulated correlator: F_s(q, t) of 2D Brownian ideal-gas
particles measured by fix sisf/msd in a real LAMMPS run (fix brownian),
scored against the exact exp(-D q^2 t)."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.validation.brownian import BrownianSimulationInversion
from slowdyn.runs.brownian import brownian_sisf

SMALL = {"n_atoms": 600, "steps": 5000, "D": 0.5}


def test_measured_sisf_is_free_diffusion():
    q = [4.0, 9.0]
    m = brownian_sisf(q, **SMALL)
    assert m["fs"].shape == (2, m["t"].size) and m["t"][0] == pytest.approx(1e-4)
    for qv, fs in zip(q, m["fs"]):
        use = m["t"] <= 0.1
        np.testing.assert_allclose(fs[use], np.exp(-0.5 * qv**2 * m["t"][use]), atol=0.02)


def test_classical_inversions_of_the_measured_sisf(tmp_path):
    """q = 9, D = 0.5: F_s falls below the 1e-3 cut at t = 0.17, inside the run.
    NNLS inverts the measured (noisy, tail-extrapolated) correlator to the
    exact function within its noise; the inverse Filon method cannot. The
    validation takes the run's result or its fix sisf/msd file alike."""
    measured = brownian_sisf([9.0], workdir=tmp_path, **SMALL)
    val = BrownianSimulationInversion(measured, D=SMALL["D"], model=None).compute()
    (r,) = val.results
    assert set(r["noisy_errors"]) == {"inverse_filon", "nnls"}
    assert r["errors"]["nnls"]["rms"] < 2e-3 and r["noisy_errors"]["nnls"]["rms"] < 5e-3
    assert r["noisy_errors"]["inverse_filon"]["rms"] > 0.1
    text = val.table()
    assert "F_s measured in the LAMMPS run" in text and "q=9 D=0.5" in text
    files = val.write(tmp_path / "bd")
    assert all(f.exists() for f in files)
    from_file = BrownianSimulationInversion(tmp_path / "brownian.sisf", D=SMALL["D"], model=None).compute()
    assert from_file.table() == text


def test_correlator_that_does_not_decay_in_the_run_is_an_error():
    """q = 1: F_s = exp(-t) is still 0.9 at the end of a 1000-step run."""
    measured = brownian_sisf([1.0], n_atoms=200, steps=1000)
    val = BrownianSimulationInversion(measured, D=1.0, model=None)
    with pytest.raises(ValueError, match="never falls below the cut 0.001; measure longer"):
        val.compute()
