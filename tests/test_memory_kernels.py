"""Memory kernels from correlation functions (slowdyn.analysis.memory): the exactly
solvable exponential kernel, the F12 model, the time-domain solver, the Volterra
baseline and bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest

from slowdyn.analysis.memory.exact import ExponentialKernel
from slowdyn.analysis.memory.kernels import MemoryKernel
from slowdyn.analysis.memory.m0 import ScalingM0, m0_asymptotic, m0_kramers_kronig, scaling_m0
from slowdyn.analysis.memory.mz_laplace import correlator_laplace, kernel_laplace, tau0_of
from slowdyn.analysis.memory.volterra import VolterraKernel

# m = A exp(-t/tau_m) with tau0 = 1/(D0 q^2) = 0.1
A, TAU_M, Q, D0 = 5.0, 2.0, np.sqrt(10.0), 1.0
EXACT = ExponentialKernel(A, TAU_M, 1.0 / (D0 * Q**2))
T_DATA = np.logspace(-5, 3, 300)


def intermediate(m_true, m0):
    return (m_true < 0.9 * m0) & (m_true > 0.05 * m0)


@pytest.fixture(scope="module")
def exact_kernel():
    return MemoryKernel(Q, D0, method="nnls", cut=1e-5).compute(T_DATA, EXACT.phi(T_DATA))


def test_closed_form_solves_mz_in_laplace_domain():
    """The two-exponential phi and the kernel satisfy eq. 4.47 and its inverse exactly."""
    w = np.logspace(-4, 4, 200)
    assert np.allclose(EXACT.phi(np.array([0.0])), 1.0, atol=1e-14)
    assert np.all(EXACT.correlator.a > 0)
    np.testing.assert_allclose(kernel_laplace(EXACT.shat(w), w, EXACT.tau0), EXACT.mhat(w), rtol=1e-9)
    np.testing.assert_allclose(correlator_laplace(EXACT.mhat(w), w, EXACT.tau0), EXACT.shat(w), rtol=1e-12)


def test_time_domain_mz_matches_closed_form():
    """mctpy's solver with a tabulated kernel reproduces the closed form to 1e-5."""
    from slowdyn.analysis.memory.mz_time import solve_mz

    tk = np.concatenate([[0.0], np.logspace(-8, 4, 4000)])
    t_out = np.logspace(-4, 2.3, 200)
    _, phi = solve_mz(tk, EXACT.m(tk), EXACT.tau0, t_out=t_out, blocksize=1024)
    assert np.max(np.abs(phi - EXACT.phi(t_out))) < 1e-5


def test_exact_kernel_known_m0(exact_kernel):
    """Pipeline with the known m0: kernel within 1 % at intermediate times, SISF RMSE small."""
    t, m = exact_kernel.kernel(A)
    true = EXACT.m(t)
    sel = intermediate(true, A)
    assert sel.sum() > 20
    assert np.max(np.abs(m[sel] / true[sel] - 1)) < 0.01
    assert exact_kernel.rmse(A) < 1e-3


def test_m0_estimators_exact(exact_kernel):
    """Asymptotic (eq. 4.52) and Kramers-Kronig (eq. 4.53) estimates of m0 = A on clean data."""
    assert exact_kernel.m0_asymptotic == pytest.approx(A, rel=0.01)
    assert exact_kernel.m0_kk == pytest.approx(A, rel=0.01)
    # the estimators on the analytic spectrum itself
    w = np.logspace(-6, 4, 2000)
    assert m0_asymptotic(w, EXACT.mhat(w)) == pytest.approx(A, rel=1e-6)
    assert m0_kramers_kronig(w, EXACT.mhat(w)) == pytest.approx(A, rel=1e-3)


def test_iterative_m0_within_5_percent(exact_kernel):
    """The iterative scheme started 2x off finds m0 within 5 %."""
    it = exact_kernel.iterate_m0(guess=2.0 * A, span=4.0, n_scan=9, refine=6)
    assert it.m0 == pytest.approx(A, rel=0.05)
    assert it.rmse <= exact_kernel.rmse(2.0 * A)


def test_scaling_fit_recovers_negative_b():
    """m0(q) = a/q^2 (1 + b q) with b < 0 (eq. 4.55's sign) from a synthetic error landscape."""
    q = np.array([2.0, 4.0, 6.0, 8.0, 10.0])
    a, b = 30.0, -0.05
    true = scaling_m0(q, a, b)
    err = lambda i, m0: abs(np.log(m0 / true[i]))  # noqa: E731
    fit = ScalingM0(q, err, max_evals=400).compute(true * np.array([1.1, 0.9, 1.05, 0.95, 1.0]))
    assert fit.result["a"] == pytest.approx(a, rel=1e-2)
    assert fit.result["b"] == pytest.approx(b, abs=2e-3)


def test_scaling_fit_reaches_m0_proportional_to_1_over_q():
    """m0 = c/q (a -> 0, a b = c) and a < 0 with 1 + b q < 0 on the whole q range are members
    of the family a/q^2 (1 + b q); the fit reaches them instead of clipping a > 0."""
    q = np.array([3.0, 4.0, 6.0, 8.0, 10.0])
    for alpha, beta in ((0.0, 17.0), (-4.0, 20.0)):    # q^2 m0 = alpha + beta q
        true = (alpha + beta * q) / q**2
        err = lambda i, m0: abs(np.log(m0 / true[i]))  # noqa: E731
        fit = ScalingM0(q, err, max_evals=400).compute(true * np.array([1.1, 0.9, 1.05, 0.95, 1.0]))
        np.testing.assert_allclose(fit.m0(), true, rtol=1e-2)
        assert fit.result["mean_rmse"] < 1e-2


def test_volterra_baseline_exact():
    """The discretised Volterra equation recovers the exponential kernel within 1 %."""
    vk = VolterraKernel(EXACT.tau0, n=4000).compute(np.logspace(-5, np.log10(80), 400),
                                                      EXACT.phi(np.logspace(-5, np.log10(80), 400)))
    true = EXACT.m(vk.t)
    sel = intermediate(true, A)
    assert np.max(np.abs(vk.m[sel] / true[sel] - 1)) < 0.01
    # coarser steps are worse: the error is the discretisation's
    coarse = VolterraKernel(EXACT.tau0, n=500).compute(T_DATA[T_DATA < 80], EXACT.phi(T_DATA[T_DATA < 80]))
    tc = EXACT.m(coarse.t)
    assert np.max(np.abs(coarse.m[intermediate(tc, A)] / tc[intermediate(tc, A)] - 1)) > 0.01


def test_f12_kernel_recovered():
    """F12 (v1 = 0.9, v2 = 0): the recovered kernel equals m = v1 phi + v2 phi^2 of the input."""
    from slowdyn.analysis.mct import F12

    model = F12(0.9, 0.0)
    t, phi = model.solve(blocks=40)
    ts = np.logspace(-5, np.log10(t[-1]), 400)
    ts = ts[np.interp(ts, t, phi) > 1e-7]
    mk = MemoryKernel(1.0, 1.0, method="nnls", cut=1e-5).compute(ts, np.interp(ts, t, phi))
    tk, m = mk.kernel(0.9)
    true = model.kernel(np.interp(tk, t, phi))
    sel = intermediate(true, 0.9)
    assert np.max(np.abs(m[sel] / true[sel] - 1)) < 0.02
    assert mk.rmse(0.9) < 1e-3


# --- bad input -----------------------------------------------------------------

def test_bad_sisf_errors():
    f = EXACT.phi(T_DATA)
    mk = MemoryKernel(Q, D0, method="nnls", cut=1e-3)
    with pytest.raises(ValueError, match="does not decay"):
        mk.compute(T_DATA[:50], f[:50])
    with pytest.raises(ValueError, match="strictly increasing"):
        mk.compute(T_DATA[::-1], f[::-1])
    with pytest.raises(ValueError, match="at least"):
        mk.compute(T_DATA[:5], f[:5])
    bad = f.copy()
    bad[10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        mk.compute(T_DATA, bad)
    with pytest.raises(ValueError, match="q"):
        MemoryKernel(0.0, D0)
    with pytest.raises(ValueError, match="q"):
        MemoryKernel(-1.0, D0)
    with pytest.raises(ValueError, match="D0"):
        MemoryKernel(Q, 0.0)
    with pytest.raises(ValueError, match="method"):
        MemoryKernel(Q, D0, method="magic")
    with pytest.raises(RuntimeError, match="compute"):
        _ = MemoryKernel(Q, D0).mhat
    with pytest.raises(ValueError, match="D0"):
        tau0_of(1.0, -1.0)


def test_sisf_file_errors(tmp_path):
    from slowdyn.analysis.io.sisf import load_sisf

    fix = tmp_path / "sisf.txt"
    t = T_DATA[::10]
    fix.write_text("# slowdyn fix sisf/msd: fix sd group all dimension 2\n# q: 3.16228 6.5\n# types: all\n"
                   "# columns: lag time norigin msd_all alpha2_all fs_all_q1 fs_all_q2\n"
                   + "".join(f"{i + 1} {x:.8g} 10 0 0 {EXACT.phi(np.array([x]))[0]:.10g} 0.5\n"
                             for i, x in enumerate(t)))
    data = load_sisf(fix, q=[3.16228])
    assert list(data) == [pytest.approx(3.16228)]
    assert len(load_sisf(fix)) == 2
    with pytest.raises(ValueError, match="not in"):
        load_sisf(fix, q=[4.0])
    with pytest.raises(ValueError, match="> 0"):
        load_sisf(fix, q=[-1.0])
    plain = tmp_path / "plain.txt"
    np.savetxt(plain, np.column_stack([t, EXACT.phi(t)]))
    with pytest.raises(ValueError, match="--q"):
        load_sisf(plain)
    assert list(load_sisf(plain, q=2.0)) == [2.0]
    with pytest.raises(ValueError, match="no such file"):
        load_sisf(tmp_path / "missing.txt", q=1.0)


def test_cli_kernels_plain_table(tmp_path, capsys):
    """`slowdyn kernels compute TABLE --q --D0 --m0 kk --out OUT` writes kernels, m0, SISFs and PNGs into the
    folder OUT; the kernel is right."""
    from slowdyn.cli import main

    table = tmp_path / "fs.txt"
    np.savetxt(table, np.column_stack([T_DATA, EXACT.phi(T_DATA)]))
    out = tmp_path / "k"
    assert main(["kernels", "compute", str(table), "--q", str(Q), "--D0", "1", "--m0", "kk", "--cut", "1e-5",
                 "--method", "nnls", "--out", str(out), "--quiet"]) == 0
    for name in ("kernels.txt", "m0.txt", "sisf.txt", "kernels.png", "m0.png"):
        assert (out / name).stat().st_size > 0
    header = [line for line in open(out / "kernels.txt") if line.startswith("# columns:")]
    assert header == [f"# columns: t m_q{Q:g}\n"]
    t, m = np.loadtxt(out / "kernels.txt", unpack=True)
    sel = intermediate(EXACT.m(t), A)
    assert np.max(np.abs(m[sel] / EXACT.m(t)[sel] - 1)) < 0.02
    q, m0 = np.loadtxt(out / "m0.txt", usecols=(0, 1), ndmin=2)[0]
    assert m0 == pytest.approx(A, rel=0.01)
    bad = [(["--q", str(Q), "--D0", "1", "--m0", "kk"], "--D0", False),
           (["--D0", "1"], "--q", True),
           (["--q", str(Q), "--D0", "-1"], "D0", True),
           (["--q", str(Q), "--D0", "1", "--m0", "guess"], "m0", True),
           (["--q", str(Q), "--D0", "1", "--m0-search", "0.5", "5", "3"], "--m0-search", True),
           (["--q", str(Q), "--D0", "1", "--scaling-evals", "0"], "--scaling-evals", True)]
    for extra, word, with_d0 in bad:
        argv = ["kernels", "compute", str(table), "--out", str(out)] + (extra if with_d0 else extra[:2] + extra[4:])
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert word in capsys.readouterr().err


@pytest.mark.slow
def test_mct_hard_disk_kernel_convention():
    """The hard-disk model stores the kernel of eq. 4.21 (mctpy's M_s / q^2): the time-domain
    solution with it reproduces MCT's F_s(q, t), with q^2 times it not (small q grid to stay cheap)."""
    from slowdyn.analysis.mct import HardDiskGrid, HardDisks2D
    from slowdyn.analysis.memory.mz_time import solve_mz

    grid = HardDiskGrid(dq=0.4, offset=0.25, n_q=32, h=1e-7, blocksize=256, blocks=26)
    sol = HardDisks2D(0.4, grid).solve()
    i = sol.index(6.5)
    t, fs, m = sol.t, sol.tagged[:, i], sol.tagged_kernel[:, i]
    sel = (t > 0) & (fs > 1e-6)
    _, rec = solve_mz(t, m, 1 / 6.5**2, t_out=t[sel])
    assert np.max(np.abs(rec - fs[sel])) < 1e-4
    _, wrong = solve_mz(t, m * 6.5**2, 1 / 6.5**2, t_out=t[sel])
    assert np.max(np.abs(wrong - fs[sel])) > 0.1


def test_packing_mapping_recovers_intermediate_phi():
    """The least-squares phi_MCT of an SISF between two table entries, and the polynomial mapping."""
    from slowdyn.analysis.memory.mapping import PackingMapping, mapping_function

    t = np.logspace(-3, 3, 200)
    table = {p: (t, np.exp(-t * (1.0 - p))) for p in (0.1, 0.3, 0.5, 0.7)}
    phi, rmse = PackingMapping(table).fit(t, 0.5 * (table[0.3][1] + table[0.5][1]))
    assert phi == pytest.approx(0.4, abs=0.01)
    assert rmse < 1e-3
    f = mapping_function([0.1, 0.2, 0.3, 0.4], [0.127, 0.244, 0.334, 0.412], degree=2)
    assert f(0.2) == pytest.approx(0.244, abs=0.01)
    with pytest.raises(ValueError, match="at least two"):
        PackingMapping({0.1: table[0.1]})


def test_cli_fix_file_scaling_m0(tmp_path):
    """A fix sisf/msd file with two q whose exact kernels obey m0 = 50/q^2: `--m0 scaling`
    recovers a = 50 and b = 0 through iterative m0 per q and the q-scaling fit."""
    from slowdyn.cli import main

    q1, q2 = np.sqrt(10.0), np.sqrt(20.0)
    e1, e2 = ExponentialKernel(50 / q1**2, TAU_M, 1 / q1**2), ExponentialKernel(50 / q2**2, TAU_M, 1 / q2**2)
    fix = tmp_path / "sisf.dat"
    rows = "".join(f"{i + 1} {x:.10g} 10 0 0 {a:.12g} {b:.12g}\n"
                   for i, (x, a, b) in enumerate(zip(T_DATA, e1.phi(T_DATA), e2.phi(T_DATA))))
    fix.write_text(f"# slowdyn fix sisf/msd: fix sd group all dimension 2 NEVERY 1\n# q: {q1:.10g} {q2:.10g}\n"
                   "# types: all\n# columns: lag time norigin msd_all alpha2_all fs_all_q1 fs_all_q2\n" + rows)
    out = tmp_path / "fx"
    assert main(["kernels", "compute", str(fix), "--D0", "1", "--method", "nnls", "--m0", "scaling", "--cut", "1e-5",
                 "--out", str(out), "--quiet"]) == 0
    text = open(out / "m0.txt").read()
    a, b = (float(v) for v in re.search(r"\(1 \+ b q\): a (\S+) b (\S+)", text).groups())
    assert a == pytest.approx(50.0, rel=0.02)
    assert abs(b) < 0.01
    m0 = np.loadtxt(out / "m0.txt", usecols=1)
    np.testing.assert_allclose(m0, [5.0, 2.5], rtol=0.02)
    # the individually best (iterative) m0 and its RMSE stay in the table next to the scaling ones
    rmse, m0_it, rmse_it = np.loadtxt(out / "m0.txt", usecols=(6, 7, 8), unpack=True)
    np.testing.assert_allclose(m0_it, [5.0, 2.5], rtol=0.05)
    assert np.all(rmse_it <= rmse * 1.05)


# --- KernelSet: the per-state loop, its tables -----------------------------------------------

def _two_q_fix_file(path, qs=(np.sqrt(10.0), np.sqrt(20.0))):
    """A fix sisf/msd-format file of exponential kernels with m0 = 50/q^2."""
    from slowdyn.analysis.io.sisf import write_sisf

    return write_sisf(path, T_DATA, qs, np.stack([ExponentialKernel(50 / q**2, TAU_M, 1 / q**2).phi(T_DATA)
                                                  for q in qs], axis=1))


def test_kernel_set_write_read_round_trip(tmp_path):
    """KernelSet.write then KernelSet.read gives the same set: same q, m0 of every estimator, RMSE,
    kernels, SISFs and scaling line; written again, byte-identical tables. The kk m0 is the exact one."""
    from slowdyn.analysis.io.sisf import load_sisf
    from slowdyn.analysis.memory import KernelSet

    data = load_sisf(_two_q_fix_file(tmp_path / "run.sisf"))
    ks = KernelSet(1.0, "nnls", m0="kk", cut=1e-5, noise=1e-6).compute(data, source="run.sisf")
    np.testing.assert_allclose(ks.m0(), 50 / ks.q**2, rtol=0.01)
    ks._scaling = {"a": 50.0, "b": 0.0, "mean_rmse": 1e-4}        # the scaling line goes through the tables too
    files = ks.write(tmp_path / "a", plots=False)
    back = KernelSet.read(tmp_path / "a")
    assert (back.D0, back.method, back.how, back.cut, back.noise, back.source) == (1.0, "nnls", "kk", 1e-5, 1e-6,
                                                                                    "run.sisf")
    np.testing.assert_allclose(back.q, ks.q, rtol=1e-6)
    for how in (None, "asymptotic", "kk"):
        np.testing.assert_allclose(back.m0(how), ks.m0(how), rtol=1e-5)
    np.testing.assert_allclose(back.rmse(), ks.rmse(), rtol=1e-4)
    assert back.scaling == {"a": 50.0, "b": 0.0, "mean_rmse": 1e-4}
    for q in ks.q:
        np.testing.assert_allclose(back.kernel(q)[1], ks.kernel(q)[1], rtol=1e-7)
        np.testing.assert_allclose(back.reconstruct(q), ks.reconstruct(q), rtol=1e-7, atol=1e-12)
    again = back.write(tmp_path / "b", plots=False)
    for f, g in zip(files, again):
        assert f.read_bytes() == g.read_bytes()
    # always a folder (created): kernels.txt, m0.txt, sisf.txt inside it; a file there is refused
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a/kernels.txt", "a/m0.txt", "a/sisf.txt"]
    (tmp_path / "f").write_text("")
    with pytest.raises(ValueError, match="is a file"):
        ks.write(tmp_path / "f", plots=False)
    with pytest.raises(ValueError, match="not evaluated"):
        back.m0("iterative")
    with pytest.raises(RuntimeError, match="read from files"):
        back.kernel(ks.q[0], "asymptotic")


def test_table_readers_refuse_renamed_or_missing_column(tmp_path):
    """A table whose '# columns:' line lost or renamed a column is refused with a one-line ValueError
    (before: read_sisf handed out the renamed column and `observe sisf` died with a KeyError)."""
    from slowdyn.analysis.io.kernels import read_kernels, read_m0, write_kernels, write_m0
    from slowdyn.analysis.io.sisf import read_sisf

    fix = _two_q_fix_file(tmp_path / "run.sisf")
    kern = write_kernels(tmp_path / "k_kernels.txt", [1.0, 2.0], [3.0, 4.0], [[1.0, 2.0], [0.5, 1.0]])
    row = {"q": 3.0, "m0": 5.0, "how": "kk", "m0_asymptotic": 4.0, "m0_kk": 5.0, "omega_cut": 10.0, "rmse": 1e-3}
    m0 = write_m0(tmp_path / "k_m0.txt", [row])
    assert read_m0(m0)["how"].tolist() == ["kk"] and read_kernels(kern)[1].tolist() == [3.0, 4.0]
    assert read_sisf(fix)["fs_all_q2"].shape == T_DATA.shape
    cases = [(fix, "fs_all_q2", "fs_all_q7", read_sisf), (fix, " alpha2_all", "", read_sisf),
             (m0, "rmse ", "error ", read_m0), (m0, " how", "", read_m0), (kern, "m_q4", "k_q4", read_kernels)]
    for path, old, new, reader in cases:
        bad = tmp_path / f"bad_{path.name}"
        bad.write_text(path.read_text().replace(old, new, 1))
        with pytest.raises(ValueError) as exc:
            reader(bad)
        assert "\n" not in str(exc.value) and str(bad) in str(exc.value)


def test_cli_and_validation_give_identical_kernels(tmp_path):
    """`slowdyn kernels` and SimulationKernels run one loop (KernelSet): on the same fix file and
    settings they give the same iterative m0 and RMSE per q, hence the same kernels."""
    from slowdyn.analysis.io.kernels import read_kernels, read_m0
    from slowdyn.analysis.io.sisf import load_sisf
    from slowdyn.analysis.memory import KernelSet
    from slowdyn.analysis.validation.simulation_kernels import SimulationKernels
    from slowdyn.cli import main

    fix = _two_q_fix_file(tmp_path / "run.sisf", qs=(np.sqrt(10.0),))
    out = tmp_path / "k"
    assert main(["kernels", "compute", str(fix), "--D0", "1", "--method", "nnls", "--m0", "iterative", "--cut", "1e-4",
                 "--m0-search", "2", "3", "1", "--out", str(out), "--quiet"]) == 0
    cli = read_m0(out / "m0.txt")
    sk = SimulationKernels({0.3: fix}, methods=("nnls",), cut=1e-4, volterra=False, progress=False,
                           iterative={"span": 2.0, "n_scan": 3, "refine": 1}).compute()
    (row,) = sk.rows
    assert row["m0_best"] == pytest.approx(cli["m0"][0], rel=1e-5)
    assert row["rmse_best"] == pytest.approx(cli["rmse"][0], rel=1e-4)
    t, _, m = read_kernels(out / "kernels.txt")
    ks = KernelSet(1.0, "nnls", m0=float(row["m0_best"]), cut=1e-4).compute(load_sisf(fix))
    tk, mk = ks.kernel(ks.q[0])
    np.testing.assert_allclose(tk, t, rtol=1e-7)
    np.testing.assert_allclose(mk, m[:, 0], rtol=1e-5)
