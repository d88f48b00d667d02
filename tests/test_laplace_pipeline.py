"""The one inversion entry point (slowdyn.analysis.laplace.pipeline) on the classical side: its
default grids are the transforms' own (laplace.grids.TransformGrids, the numbers the NNLT reuses),
and the NNLT methods need a trained model object (the classical side never loads the network)."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.laplace.grids import TransformGrids
from slowdyn.analysis.laplace.pipeline import invert, invert_many


def test_default_grids_are_the_nnlt_grids():
    from slowdyn.analysis.nnlt.grids import NNLTGrids

    g = TransformGrids()
    assert g == NNLTGrids()
    assert (g.n_omega, g.n_t) == (500, 500)
    assert g.omega[0] == pytest.approx(1e-12) and g.omega[-1] == pytest.approx(1e2)
    assert g.t[0] == pytest.approx(1e-6) and g.t[-1] == pytest.approx(1e10)
    with pytest.raises(ValueError, match="omega_min < omega_max"):
        TransformGrids(omega_min=1.0, omega_max=0.1)


def test_classical_inversion_on_default_grid():
    """exp(-t/tau) from its exact transform 1/(i omega + 1/tau), without any NNLT."""
    tau = 3.0
    g = TransformGrids()
    fhat = 1.0 / (1j * g.omega + 1.0 / tau)
    out = invert_many(fhat, methods=("nnls", "inverse_filon"))
    assert all(np.array_equal(t, g.t) for t, _ in out.values())
    t, f = out["nnls"]
    sel = (t > 1e-3) & (t < 30.0)
    assert np.max(np.abs(f[sel] - np.exp(-t[sel] / tau))) < 2e-2


def test_nnlt_methods_need_a_model_object():
    g = TransformGrids()
    fhat = 1.0 / (1j * g.omega + 1.0)
    with pytest.raises(ValueError, match="need a trained model"):
        invert(fhat, method="nnlt_tails")
    with pytest.raises(ValueError, match="load it first"):
        invert(fhat, method="nnls", model="pretrained")
