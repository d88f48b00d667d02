"""Stretched-exponential memory kernels fitted by CMA-ES (slowdyn.analysis.memory.cmaes;
Ciarella et al., Mach. Learn.: Sci. Technol. 4, 025010 (2023), eqs. 5-7)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("mctpy")  # test extra
pytest.importorskip("cma")

from slowdyn.analysis.memory.cmaes import (TimeGrid, ciarella_kernel, compare_kernels,  # noqa: E402
                                           fit_stretched_kernel, stretched_kernel, stretched_sisf)

GRID = TimeGrid(h=1e-6, blocksize=64, blocks=30)
TAU0 = 1.0 / 36.0      # q = 6, D0 = 1


def test_ciarella_parametrisation_maps_to_identifiable_form():
    t = np.logspace(-4, 3, 50)
    m = ciarella_kernel(t, 0.2, w=[3.0, 1.0], a=[0.1, 0.5], tau=[0.1, 10.0], b=[0.8, 1.3])
    ref = stretched_kernel(t, 0.2 + 0.3 + 0.5, [2.7, 0.5], [0.1, 10.0], [0.8, 1.3])
    assert np.allclose(m, ref)


def test_mz_solution_exponential_kernel_against_laplace_closed_form():
    """m(t) = A exp(-t/tau): the Laplace transform of phi solves a quadratic; compare
    phi(t) from the MZ solver (memory.mz_time.solve_mz) with a numerical inverse (Stehfest) of it."""
    from math import factorial, log

    A, tau = 20.0, 0.05
    t, phi = stretched_sisf(TAU0, 0.0, [A], [tau], [1.0], GRID)

    def phihat(s):   # tau0 (s F - 1) + F + mhat (s F - 1) = 0
        mh = A / (s + 1 / tau)
        return (TAU0 + mh) / (TAU0 * s + 1 + mh * s)

    n = 14
    v = np.zeros(n)
    for k in range(1, n + 1):
        acc = 0.0
        for j in range((k + 1) // 2, min(k, n // 2) + 1):
            acc += j ** (n // 2) * factorial(2 * j) / (factorial(n // 2 - j) * factorial(j) * factorial(j - 1)
                                                         * factorial(k - j) * factorial(2 * j - k))
        v[k - 1] = (-1) ** (k + n // 2) * acc
    for tt in (0.01, 0.1, 1.0):
        ref = log(2) / tt * sum(v[k] * phihat((k + 1) * log(2) / tt) for k in range(n))
        assert np.interp(np.log(tt), np.log(t), phi) == pytest.approx(ref, abs=2e-4)


def test_cmaes_recovers_synthetic_stretched_kernel():
    A, tau, beta = 20.0, 0.05, 0.7
    t, phi = stretched_sisf(TAU0, 0.0, [A], [tau], [beta], GRID)
    sel = (t > 1e-4) & (phi > 1e-4)
    fit = fit_stretched_kernel(t[sel][::2], phi[sel][::2], TAU0, n_exp=1, grid=GRID, sigma0=0.5,
                               x0={"amplitudes": [8.0], "taus": [0.3], "betas": [1.0]}, maxfevals=1200)
    assert fit.amplitudes[0] == pytest.approx(A, rel=0.02)
    assert fit.taus[0] == pytest.approx(tau, rel=0.02)
    assert fit.betas[0] == pytest.approx(beta, rel=0.02)
    assert fit.loss < 1e-8
    rows = compare_kernels(t[sel][::4], phi[sel][::4], stretched_kernel(t[sel][::4], 0, [A], [tau], [beta]),
                           TAU0, methods={"exact": lambda tt, s, t0: stretched_kernel(tt, 0, [A], [tau], [beta])},
                           fit={"n_exp": 1, "grid": GRID, "maxfevals": 300,
                                "x0": {"amplitudes": [A], "taus": [tau], "betas": [beta]}, "sigma0": 0.05})
    assert rows["exact"]["kernel_rmse"] == 0.0
    assert rows["cmaes"]["kernel_rel_rmse"] < 0.02


def test_cmaes_bad_input_errors():
    t = np.logspace(-3, 1, 10)
    with pytest.raises(ValueError, match="same length"):
        fit_stretched_kernel(t, np.ones(9), TAU0)
    with pytest.raises(ValueError, match="t > 0"):
        fit_stretched_kernel(np.linspace(0, 1, 10), np.ones(10), TAU0)
    with pytest.raises(ValueError, match="n_exp"):
        fit_stretched_kernel(t, np.exp(-t), TAU0, n_exp=0)
    with pytest.raises(ValueError, match="tau0"):
        stretched_sisf(0.0, 0.0, [1.0], [1.0], [1.0])
    with pytest.raises(ValueError, match="> 0"):
        stretched_sisf(TAU0, 0.0, [1.0], [-1.0], [1.0])


# --------------------------------------------------------------------------------------------
# the memory-kernel pipeline's row of the comparison (the NNLT-kernel column)
# --------------------------------------------------------------------------------------------
def _exponential_case():
    from slowdyn.analysis.memory.exact import ExponentialKernel

    q = np.sqrt(10.0)
    ek = ExponentialKernel(5.0, 2.0, 1 / q ** 2)
    t = np.logspace(-5, 3, 300)
    phi = ek.phi(t)
    sel = phi > 1e-4
    return q, ek, t[sel], phi[sel]


def test_pipeline_rows_on_exact_exponential_kernel():
    """The NNLT + tails pipeline with the exact m0 recovers m = A exp(-t/tau_m) (kernel error
    < 1 % of A) and its MZ solution reproduces the SISF; without a reference kernel only the
    SISF error is measured; a tau0 of another q is refused."""
    from slowdyn.analysis.memory.cmaes import memory_pipeline_estimator

    q, ek, t, phi = _exponential_case()
    est = memory_pipeline_estimator(q, 1.0, m0=lambda tt, s: ek.A)
    rows = compare_kernels(t, phi, ek.m(t), ek.tau0, methods={"nnlt_tails": est, "exact": lambda tt, s, t0: ek.m(tt)},
                           fit=False)
    assert set(rows) == {"nnlt_tails", "exact"}
    r = rows["nnlt_tails"]
    assert r["kernel_rel_rmse"] < 0.01 and r["sisf_rmse"] < 1e-3 and r["m0"] == ek.A
    assert rows["exact"]["kernel_rmse"] == 0.0 and np.isnan(rows["exact"]["sisf_rmse"])
    blind = compare_kernels(t, phi, None, ek.tau0, methods={"nnlt_tails": est}, fit=False)["nnlt_tails"]
    assert np.isnan(blind["kernel_rmse"]) and blind["sisf_rmse"] == pytest.approx(r["sisf_rmse"], rel=1e-9)
    with pytest.raises(ValueError, match="tau0"):
        compare_kernels(t, phi, None, 1.0, methods={"x": est}, fit=False)
    with pytest.raises(ValueError, match="one length"):
        compare_kernels(t, phi, ek.m(t)[:-1], ek.tau0, fit=False)


def test_cli_cmaes_simulation_file_rows(tmp_path, capsys):
    """`slowdyn kernels cmaes --sisf FILE --packings` (no MCT states): a CMA-ES row and a pipeline
    row (iterative m0) per file, kernel errors n/a, SISF errors measured."""
    from slowdyn.analysis.io.sisf import write_sisf
    from slowdyn.cli import main

    q, ek, t, phi = _exponential_case()
    f = write_sisf(tmp_path / "run.sisf", t, [q], phi[:, None])
    out = tmp_path / "cm"
    assert main(["kernels", "cmaes", "--packings", "--sisf", str(f), "--q", f"{q:.10g}", "--n-exp", "1",
                 "--maxfevals", "60", "--pipeline", "nnls", "--pipeline-m0", "kk", "--out", str(out)]) == 0
    rows = [line.split() for line in (out / "cmaes_table.txt").read_text().splitlines()
            if not line.startswith("#")][1:]
    assert [r[:2] for r in rows] == [["sim:run.sisf", "cmaes"], ["sim:run.sisf", "nnls/m0=kk"]]
    for r in rows:
        assert r[2] == "nan" and float(r[4]) < 0.05      # kernel n/a, SISF RMSE measured
    with pytest.raises(SystemExit) as exc:
        main(["kernels", "cmaes", "--packings", "--sisf", str(f), "--q", f"{q:.10g}", "--pipeline-m0", "best",
              "--out", str(out)])
    assert exc.value.code == 2 and "--pipeline-m0" in capsys.readouterr().err


def test_stretched_sisf_is_the_mz_solver_with_a_time_kernel():
    """CMA-ES solves its MZ equation with the package's one MZ solver: the same solution as
    mz_time.solve_mz with the kernel tabulated densely (linear interpolation error only)."""
    from slowdyn.analysis.memory.mz_time import solve_mz

    c, A, tau, beta = 0.5, [20.0, 2.0], [0.05, 3.0], [0.7, 1.2]
    t, phi = stretched_sisf(TAU0, c, A, tau, beta, GRID)
    tk = np.concatenate([[0.0], np.logspace(-9, 4, 20000)])
    _, ref = solve_mz(tk, stretched_kernel(tk, c, A, tau, beta), TAU0, t_out=t, h=GRID.h,
                      blocksize=GRID.blocksize, blocks=GRID.blocks, accuracy=1e-9)
    assert t[0] > 0 and np.all(np.diff(t) > 0)
    assert np.max(np.abs(phi - ref)) < 1e-5
