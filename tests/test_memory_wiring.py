"""The default route of KernelSet / `slowdyn kernels compute` (the completely monotone `spectral`
method), its warnings, the standard-error column and the bootstrap band.

Oracles: the closed-form SISF of the exponential kernel (analysis.memory.exact) and the exact SISF of
a sum-of-exponentials kernel (spectral.correlator_from_kernel); noise is white and Gaussian.
"""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.memory.exact import ExponentialKernel
from slowdyn.analysis.memory.spectral import SpectralKernel, correlator_from_kernel

T = np.logspace(-5, 3, 300)
B, THETA, Q = [10.0, 6.0, 4.0], [0.01, 0.3, 10.0], 6.0     # three-scale kernel, m0 = 20


def m_three(t):
    return sum(b * np.exp(-np.asarray(t) / th) for b, th in zip(B, THETA))


F_THREE = correlator_from_kernel(B, THETA, 1 / Q**2).f(T)
REGION = (m_three(T) > 0.05 * 20.0) & (T > 3 / Q**2)


def _table(path, t, *cols):
    np.savetxt(path, np.column_stack([t, *cols]))
    return path


def _kernels(argv, capsys):
    """Run `slowdyn kernels compute ARGV --quiet`; returns (exit code, stderr lines)."""
    from slowdyn.cli import main

    code = main(["kernels", "compute", *[str(a) for a in argv], "--quiet"])
    return code, [ln for ln in capsys.readouterr().err.splitlines() if ln]


@pytest.mark.parametrize("A", [5.0, 20.0])
def test_default_m0_of_the_exponential_kernel_within_1_percent(tmp_path, capsys, A):
    """`slowdyn kernels compute` with its defaults on the closed-form SISF of m = A exp(-t/tau_m), first lag
    1e-6: m0 within 1 % and no warning (the previous default, NNLT + tails with the iterative m0, gave
    5.851 for A = 5 and 26.45 for A = 20)."""
    from slowdyn.analysis.io.kernels import read_m0

    t = np.logspace(-6, 3, 400)
    ek = ExponentialKernel(A=A, tau_m=1.0, tau0=1 / Q**2)
    out = tmp_path / "k"
    code, err = _kernels([_table(tmp_path / "fs.txt", t, ek.phi(t)), "--q", Q, "--D0", 1, "--bootstrap", 0,
                          "--out", out], capsys)
    assert code == 0 and err == []
    tab = read_m0(out / "m0.txt")
    assert tab["m0"][0] == pytest.approx(A, rel=0.01)
    assert list(tab["warning"]) == ["-"] and list(tab["how"]) == ["auto"]
    assert tab["settings"]["method"] == "spectral"


def test_warnings_fire_on_data_that_are_no_brownian_sisf(tmp_path, capsys):
    """A noisy Brownian SISF gives no warning; the same SISF scaled by 0.5 and a Newtonian-like
    correlator (Gaussian short-time decay joined to a slower exponential) given as Brownian each give
    one stderr line per problem and the code `rmse` in the warning column of m0.txt."""
    from slowdyn.analysis.io.kernels import read_m0

    rng = np.random.default_rng(7)
    good = F_THREE + 1e-3 * rng.normal(size=T.size)
    newtonian = np.exp(-((Q * T) ** 2) / 2 - T / 5) + 1e-3 * rng.normal(size=T.size)
    for name, F, bad in (("good", good, False), ("half", 0.5 * good, True), ("newtonian", newtonian, True)):
        out = tmp_path / name
        code, err = _kernels([_table(tmp_path / f"{name}.txt", T, F), "--q", Q, "--D0", 1, "--bootstrap", 0,
                              "--out", out], capsys)
        assert code == 0
        codes = read_m0(out / "m0.txt")["warning"][0].split(",")
        if bad:
            assert "rmse" in codes, name
            assert err and all(ln.startswith(f"slowdyn kernels: warning: q = {Q:g}: ") for ln in err), err
            assert len(err) == len(codes)
        else:
            assert codes == ["-"] and err == [], err
            # goal 1 through the command line: the kernel of kernels.txt and m0 of m0.txt
            from slowdyn.analysis.io.kernels import read_kernels

            tk, _, m = read_kernels(out / "kernels.txt")
            sel = (m_three(tk) > 0.05 * 20.0) & (tk > 3 / Q**2) & (tk < T[-1])
            assert np.median(np.abs(m[sel, 0] / m_three(tk[sel]) - 1)) < 0.05
            tab = read_m0(out / "m0.txt")
            assert tab["m0"][0] == pytest.approx(20.0, rel=0.05)
            assert tab["rmse"][0] < 1.5e-3


def test_inversion_methods_warn_on_truncation_and_m0(tmp_path):
    """The NNLT/Filon/NNLS route on a noisy SISF (the case that motivated the spectral default):
    the truncation discards more than half of the resolved frequencies, the asymptotic and
    Kramers-Kronig m0 disagree and the RMSE is far above the noise: three warnings."""
    from slowdyn.analysis.memory import KernelSet

    ek = ExponentialKernel(A=20.0, tau_m=0.5, tau0=1 / 36)
    Fn = ek.phi(T) + 1e-3 * np.random.default_rng(0).normal(size=T.size)
    ks = KernelSet(1.0, "nnls", m0="kk").compute({6.0: (T, Fn)})
    assert set(ks.rows[0]["warning"].split(",")) == {"rmse", "m0", "truncation"}
    assert len(ks.warnings) == 3 and all(w.startswith("q = 6: ") for w in ks.warnings)


def test_error_column_weights_the_fit():
    """Eight points shifted by 0.05 and flagged by their standard error (0.05 instead of 1e-3): with the
    errors as weights the reconstruction stays within 5e-4 of the true SISF and the kernel within 1 %
    (median); without them both are several times worse. Three seeds."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        F = F_THREE + 1e-3 * rng.normal(size=T.size)
        err = np.full(T.size, 1e-3)
        bad = rng.choice(np.arange(100, 250), 8, replace=False)
        F[bad] += 0.05
        err[bad] = 0.05
        plain, weighted = SpectralKernel(Q).compute(T, F), SpectralKernel(Q).compute(T, F, err)

        def scores(sk):
            dist = float(np.sqrt(np.mean((sk.F_rec(T) - F_THREE) ** 2)))
            return dist, float(np.median(np.abs(sk.m(T)[REGION] / m_three(T)[REGION] - 1)))

        (d_w, k_w), (d_p, k_p) = scores(weighted), scores(plain)
        assert d_w < 5e-4 and k_w < 0.01, (seed, d_w, k_w)
        assert d_p > 3 * d_w and k_p > 3 * k_w, (seed, d_p, k_p)


def test_bad_error_columns_are_one_line_errors(tmp_path, capsys):
    """A third column with a zero, a negative value or NaN, and an error array of the wrong length,
    are refused with one line (CLI: `slowdyn kernels compute: error: ...`, exit 2)."""
    from slowdyn.cli import main

    F = F_THREE + 1e-3 * np.random.default_rng(1).normal(size=T.size)
    for k, value in enumerate((0.0, -1e-3, np.nan)):
        err = np.full(T.size, 1e-3)
        err[40] = value
        path = _table(tmp_path / f"bad{k}.txt", T, F, err)
        with pytest.raises(SystemExit) as exc:
            main(["kernels", "compute", str(path), "--q", "6", "--D0", "1", "--out", str(tmp_path / "o"), "--quiet"])
        assert exc.value.code == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and "standard errors must be finite and > 0" in lines[0], lines
    with pytest.raises(ValueError, match="error column has 299 values for 300 times"):
        SpectralKernel(Q).compute(T, F, np.full(T.size - 1, 1e-3))
    short = tmp_path / "short.txt"
    short.write_text("".join(f"{a:.8g} {b:.8g} 1e-3\n" for a, b in zip(T, F)) + "2000 0.0\n")
    with pytest.raises(SystemExit) as exc:
        main(["kernels", "compute", str(short), "--q", "6", "--D0", "1", "--out", str(tmp_path / "o"), "--quiet"])
    assert exc.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


def test_average_sisf_writes_standard_errors(tmp_path):
    """Two or more replicas: average_sisf adds fserr_<block>_q<i>, the standard error of the mean with the
    replica variance pooled over 21 neighbouring lags (sigma/sqrt(n) on uniform noise), writes it, and
    load_sisf(errors=True) hands it to the pipeline; one replica: no error column."""
    from slowdyn.analysis.io.sisf import average_sisf, load_sisf, read_sisf, write_sisf

    t = np.concatenate([[0.0], np.logspace(-3, 2, 60)])
    rng = np.random.default_rng(3)
    exact = np.stack([np.exp(-t), np.exp(-t / 3)], axis=1)
    reps = [write_sisf(tmp_path / f"r{k}.sisf", t, [2.0, 6.5], exact + 1e-3 * rng.normal(size=exact.shape))
            for k in range(4)]
    avg = average_sisf(reps, tmp_path / "avg.sisf")
    stack = np.stack([read_sisf(p)["fs_all_q2"] for p in reps])
    var = stack.var(axis=0, ddof=1)
    k = 30                                                              # an inner lag: 10 on each side
    assert avg["fserr_all_q2"][k] == pytest.approx(np.sqrt(var[k - 10:k + 11].mean() / 4), rel=1e-12)
    assert avg["fserr_all_q2"][0] == 0.0                                # t = 0: F_s = 1 in every replica
    assert avg["fserr_all_q2"][1] == pytest.approx(np.sqrt(var[1:12].mean() / 4), rel=1e-12)
    back = read_sisf(tmp_path / "avg.sisf")
    np.testing.assert_allclose(back["fserr_all_q1"], avg["fserr_all_q1"], rtol=1e-6)
    data = load_sisf(tmp_path / "avg.sisf", errors=True)
    (tq, Fq, eq) = data[6.5]
    np.testing.assert_allclose(eq, avg["fserr_all_q2"], rtol=1e-6)
    assert np.median(eq[tq > 0]) == pytest.approx(1e-3 / 2, rel=0.15)   # sigma / sqrt(4)
    assert len(load_sisf(tmp_path / "avg.sisf")[6.5]) == 2           # without errors=True: (t, F) as before
    single = average_sisf(reps[:1], tmp_path / "one.sisf")
    assert "fserr_all_q1" not in single
    assert load_sisf(tmp_path / "one.sisf", errors=True)[2.0][2] is None


def test_pooled_replica_errors_as_weights():
    """Two replicas whose noise grows tenfold beyond t = 5 (fewer origins): the pooled standard errors of
    average_sisf as weights cut the kernel's median error against the unweighted fit, and the per-lag
    standard errors (the pooling switched off) make m0 worse than either (six seeds, medians)."""
    from slowdyn.analysis.io.sisf import pooled_standard_error

    t = np.logspace(-4, 3, 250)
    sigma = 2e-3 * (1 + 9 * (t > 5))
    region = (m_three(t) > 1.0) & (t > 3 / Q**2)
    F = correlator_from_kernel(B, THETA, 1 / Q**2).f(t)
    kern, m0 = {"plain": [], "pooled": [], "per_lag": []}, {"plain": [], "pooled": [], "per_lag": []}
    for seed in range(6):
        reps = F + sigma * np.random.default_rng(seed).normal(size=(2, t.size))
        mean = reps.mean(axis=0)
        for name, err in (("plain", None), ("pooled", pooled_standard_error(reps, t)),
                          ("per_lag", pooled_standard_error(reps, t, pool=0))):
            sk = SpectralKernel(Q).compute(t, mean, err)
            kern[name].append(np.median(np.abs(sk.m(t)[region] / m_three(t)[region] - 1)))
            m0[name].append(abs(sk.m0 / 20 - 1))
    med = {k: float(np.median(v)) for k, v in kern.items()}
    m0med = {k: float(np.median(v)) for k, v in m0.items()}
    assert med["pooled"] < 0.6 * med["plain"], med
    assert m0med["per_lag"] > max(m0med["plain"], m0med["pooled"]), m0med


def test_spectral_set_round_trip_with_band(tmp_path):
    """KernelSet with the defaults: write, read, write again gives byte-identical tables; the band
    columns come back; the m0 band holds the true m0 and the band widens with the noise."""
    from slowdyn.analysis.io.kernels import read_kernel_band, read_kernels
    from slowdyn.analysis.memory import KernelSet

    widths = []
    for sigma in (1e-3, 3e-3):
        F = F_THREE + sigma * np.random.default_rng(5).normal(size=T.size)
        ks = KernelSet(1.0).compute({Q: (T, F, np.full(T.size, sigma))}, source="three")
        r = ks.rows[0]
        assert r["m0_lo"] <= 20.0 <= r["m0_hi"]
        tk, lo, hi = r["t_kernel"], r["m_lo"], r["m_hi"]
        sel = (m_three(tk) > 1.0) & (tk > 3 / Q**2) & (tk < T[-1])
        widths.append(float(np.median((hi - lo)[sel] / m_three(tk)[sel])))
    assert widths[1] > 1.5 * widths[0] > 0
    files = ks.write(tmp_path / "a")
    assert [f.name for f in files] == ["kernels.txt", "m0.txt", "sisf.txt", "kernels.png", "m0.png"]
    back = KernelSet.read(tmp_path / "a")
    assert (back.method, back.how, back.dynamics, back.bootstrap, back.source) == ("spectral", "auto", "brownian",
                                                                                   20, "three")
    np.testing.assert_allclose(back.m0(), ks.m0(), rtol=1e-5)
    t, q, lo, hi = read_kernel_band(tmp_path / "a" / "kernels.txt")
    np.testing.assert_allclose(lo[:, 0], r["m_lo"], rtol=1e-6, atol=1e-300)
    assert read_kernels(tmp_path / "a" / "kernels.txt")[2].shape == (t.size, 1)
    again = back.write(tmp_path / "b", plots=False)
    for f, g in zip(files[:3], again):
        assert f.read_bytes() == g.read_bytes()


def test_option_errors(tmp_path, capsys):
    """Which option is missing or does not fit is said in one line: --D0 for Brownian, --kT-m for
    Newtonian dynamics, an m0 estimator or another method with the spectral route."""
    from slowdyn.analysis.memory import KernelSet
    from slowdyn.cli import main

    table = _table(tmp_path / "fs.txt", T, F_THREE)
    cases = [([], "needs --D0"), (["--dynamics", "newtonian"], "needs --kT-m"),
             (["--dynamics", "newtonian", "--kT-m", "1", "--method", "nnls"], "leave --method at spectral"),
             (["--D0", "1", "--kT-m", "1"], "--kT-m is for --dynamics newtonian"),
             (["--D0", "1", "--m0", "kk"], "needs an inversion --method"),
             (["--D0", "1", "--m0", "5"], "needs an inversion --method"),
             (["--D0", "1", "--bootstrap", "1"], "--bootstrap")]
    for extra, words in cases:
        with pytest.raises(SystemExit) as exc:
            main(["kernels", "compute", str(table), "--q", "6", "--out", str(tmp_path / "o"), "--quiet", *extra])
        assert exc.value.code == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (extra, lines)
    with pytest.raises(ValueError, match="needs an inversion method"):
        KernelSet(1.0, m0="iterative")
    with pytest.raises(ValueError, match="kT_m"):
        KernelSet(dynamics="newtonian")
    assert KernelSet(1.0, "nnls").how == "iterative"       # auto of an inversion method


def test_newtonian_dynamics_through_the_cli(tmp_path, capsys):
    """`--dynamics newtonian --kT-m` on the exact SISF of the second-order MZ equation with
    m = 400 exp(-t/0.5) (q = 7, kT/m = 1, noise 1e-3): m0 within 2 %, RMSE at the noise, no warning,
    and the kernel matches; the same data given as Brownian (the default) warn."""
    from slowdyn.analysis.io.kernels import read_kernels, read_m0
    from slowdyn.analysis.memory.exact import NewtonianExponentialKernel

    q, noise = 7.0, 1e-3
    ex = NewtonianExponentialKernel(400.0, 0.5, q**2)
    t = np.logspace(-3, 2, 300)
    data = _table(tmp_path / "fs.txt", t, ex.phi(t) + np.random.default_rng(5).normal(0.0, noise, t.size))
    code, err = _kernels([data, "--q", q, "--dynamics", "newtonian", "--kT-m", 1, "--bootstrap", 0,
                          "--out", tmp_path / "n"], capsys)
    assert code == 0 and err == []
    tab = read_m0(tmp_path / "n" / "m0.txt")
    assert tab["m0"][0] == pytest.approx(400.0, rel=0.02)
    assert tab["rmse"][0] < 1.5 * noise and list(tab["warning"]) == ["-"]
    tk, _, m = read_kernels(tmp_path / "n" / "kernels.txt")
    sel = (tk >= 1e-3) & (ex.m(tk) > 0.05 * 400.0)
    assert np.median(np.abs(m[sel, 0] / ex.m(tk[sel]) - 1.0)) < 0.05
    code, err = _kernels([data, "--q", q, "--D0", 1, "--bootstrap", 0, "--out", tmp_path / "b"], capsys)
    assert code == 0 and len(err) == 1 and "warning" in err[0]


def test_resolve_keeps_the_fast_kernel_in_the_table(tmp_path, capsys):
    """m = 200 e^{-t/1e-4} + 10 e^{-t}, q = 6 (the fast term decays before the SISF's initial decay
    time tau0/(1 + m0) = 1.3e-4), noise 1e-3: by default the fast term is instantaneous friction,
    the m0.txt column delta holds its integral 0.02, and the MZ equation reproduces the data with
    the table and tau0 + delta but not with the table alone; with --resolve 0 the table alone does."""
    from slowdyn.analysis.io.kernels import read_kernels, read_m0
    from slowdyn.analysis.memory.mz_time import solve_mz

    q, noise = 6.0, 1e-3
    t = np.logspace(-5, 3, 300)
    F = correlator_from_kernel([200.0, 10.0], [1e-4, 1.0], 1 / q**2).f(t)
    data = _table(tmp_path / "fs.txt", t, F + np.random.default_rng(1).normal(0.0, noise, t.size))

    def table_rmse(out, shift):
        tk, _, m = read_kernels(out / "kernels.txt")
        rec = solve_mz(tk, m[:, 0], 1 / q**2 + shift, t)[1]
        return float(np.sqrt(np.mean((rec - F) ** 2)))

    for extra, name in (([], "default"), (["--resolve", 0], "all")):
        code, _ = _kernels([data, "--q", q, "--D0", 1, "--bootstrap", 0, *extra, "--out", tmp_path / name], capsys)
        assert code == 0
    default, full = read_m0(tmp_path / "default" / "m0.txt"), read_m0(tmp_path / "all" / "m0.txt")
    assert default["delta"][0] == pytest.approx(0.02, rel=0.1) and abs(full["delta"][0]) < 1e-3
    assert table_rmse(tmp_path / "default", default["delta"][0]) < noise
    assert table_rmse(tmp_path / "default", 0.0) > 3 * noise
    assert table_rmse(tmp_path / "all", 0.0) < noise
    assert full["settings"]["resolve"] == 0.0 and default["settings"]["resolve"] is None
