"""Memory functions of binary mixtures by CMA-ES: eq. (5) with the eq. (6) parametrisation
(slowdyn.analysis.memory.cmaes; Ciarella et al., Mach. Learn.: Sci. Technol. 4, 025010 (2023), §2.2)."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.io.statepoints import write_state

pytest.importorskip("mctpy")
pytest.importorskip("cma")

from slowdyn.analysis.memory.cmaes import TimeGrid, ciarella_kernel, fit_memory_eq5, stretched_sisf  # noqa: E402

OMEGA2 = 36.0
PLANT = {"A": [10.0, 5.0], "tau": [0.02, 1.0], "b": [0.9, 0.6]}   # m = M / Omega^2
GRID = TimeGrid(h=1e-5, blocksize=32, blocks=22)


def test_cmaes_recovers_planted_two_stretched_exponential_memory():
    """F = 1.7 phi with phi the eq. (5) solution of a planted 2-stretched-exponential memory; CMA-ES started
    3 % off every parameter (300 solutions: the cheap setting; doc/mixtures.md records the run from 10 % off)
    returns the planted eq. (6) parameters within 2 %."""
    t, phi = stretched_sisf(1 / OMEGA2, 0.0, PLANT["A"], PLANT["tau"], PLANT["b"], GRID)
    sel = (t > 1e-4) & (phi > 1e-4)
    off = 0.03
    x0 = {"amplitudes": [10 * (1 + off), 5 * (1 - off)], "taus": [0.02 * (1 + off), 1.0 * (1 - off)],
          "betas": [0.9 * (1 - off), 0.6 * (1 + off)], "c": 0.0}
    fit = fit_memory_eq5(t[sel], 1.7 * phi[sel], OMEGA2, n_exp=2, f0=1.7, x0=x0, grid=GRID, fit_constant=False,
                         sigma0=off, maxfevals=300)
    p = fit.parameters()
    assert np.allclose(p["w"], OMEGA2 * np.array(PLANT["A"]), rtol=0.02)
    assert np.allclose(p["tau"], PLANT["tau"], rtol=0.02)
    assert np.allclose(p["b"], PLANT["b"], rtol=0.02)
    assert fit.fit.loss < 1e-7
    # eq. (6) form maps back onto the fitted memory
    tt = np.logspace(-3, 1, 20)
    assert np.allclose(ciarella_kernel(tt, p["c"], p["w"], p["a"], p["tau"], p["b"]), fit.memory(tt))


def test_memory_bad_inputs_are_one_line_errors(tmp_path, capsys):
    import sys

    from slowdyn.cli import main

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from test_mixture_net import synthetic_state

    write_state(tmp_path / "lib", synthetic_state("lj", 1.2, 1.0))
    nofs = synthetic_state("lj", 1.2, 2.0, dynamics=False)
    write_state(tmp_path / "lib", nofs)
    for state, msg in ((nofs.name, "has no F_s"), ("lj_rho9", "has no state 'lj_rho9'")):
        with pytest.raises(SystemExit) as exc:
            main(["mixture", "memory", str(tmp_path / "lib"), "--state", state, "--out", str(tmp_path / "o"),
                  "--quiet"])
        err = capsys.readouterr().err.strip()
        assert exc.value.code == 2 and "\n" not in err and msg in err
