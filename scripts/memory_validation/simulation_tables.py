"""Table 4.4 and Table 4.5 for the fix edbd ensembles.

    [PARTS="nnlt map nnls"] python scripts/memory_validation/simulation_tables.py SIMDIR MCTCACHE PREFIX PHI [PHI ...]
    PARTS=spectral RUNS=RUNDIR python scripts/memory_validation/simulation_tables.py SIMDIR - PREFIX PHI [PHI ...]

spectral rows (PREFIX_spectral.txt): SpectralKernel(q, D0 = 1) on every q of SIMDIR/sisf_phi<PHI>.sisf
whose F_s falls below 1e-2; the noise of the average is the standard error of the mean across the
replica files RUNDIR/phi<PHI>/rep*/sisf_spliced_1.dat (or rep*/sisf_1.dat) per lag (ddof = 1), RMS over
the decaying part (the lags before F_s first falls below 1e-2); the reconstruction RMSE is taken over
the same lags (and over all lags, against the RMS standard error of all lags), with SpectralKernel's
own noise estimates and consistency beside it and Table 4.4's rows (Granz 2026) per phi. m0_t1 and
dlt_t1: m0 and delta/tau0 with t_resolve = the first lag (every kernel term the data resolve kept).
ratio_w, m0_w: the fit weighted by the average's fserr_all_q<i> columns (nan where average_sisf writes none).

nnlt_tails rows: from the `slowdyn kernels compute --m0 scaling` outputs SIMDIR/kernels_phi<PHI>/m0.txt
(scaling m0 and the individually best m0 of each q). nnls and Volterra rows: SimulationKernels
with the same cut, noise and q per phi (from SIMDIR/kernels_queue.log's choices, recomputed here the
same way). Mapping: F_s(q = 6.5) of each phi against MCT at those of Table 4.3's packing fractions
whose solution MCTCACHE holds (linear interpolation in between), polynomial of degree 2.
"""

import os
import sys
from pathlib import Path

import numpy as np

from slowdyn.analysis.io.kernels import read_m0
from slowdyn.analysis.io.sisf import load_sisf
from slowdyn.analysis.validation.kernels import TABLE_4_3
from slowdyn.analysis.validation.simulation_kernels import (TABLE_4_4, PackingFractionMap, SimulationKernels,
                                                            _rms, tail_noise)

simdir, cache, prefix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
phis = sys.argv[4:]
parts = os.environ.get("PARTS", "nnlt map nnls").split()
files, cut, noise = {}, {}, {}
lines = ["# nnlt_tails (slowdyn kernels --m0 scaling): RMS over q of the reconstruction RMSE",
         f"{'phi':>6s} {'n_q':>3s} {'noise':>9s} {'cut':>9s} {'RMSE_scal':>10s} {'RMSE_best':>10s} {'T4.4 scal':>10s} "
         f"{'T4.4 best':>10s} {'a':>9s} {'b':>9s}"]
for p in phis:
    path = simdir / f"sisf_phi{p}.sisf"
    data = load_sisf(path)
    n = float(np.nanmedian([tail_noise(F) for _, F in data.values()]))
    c = max(3 * n, 3e-3)
    files[float(p)], cut[float(p)], noise[float(p)] = path, c, n
    if "nnlt" not in parts:
        continue
    m0file = simdir / f"kernels_phi{p}" / "m0.txt"    # slowdyn kernels compute --out SIMDIR/kernels_phi<PHI>
    tab = read_m0(m0file)
    a, b = tab["scaling"]["a"], tab["scaling"]["b"]
    ref = TABLE_4_4.get(round(float(p), 2), (np.nan, np.nan))
    rms = lambda v: float(np.sqrt(np.mean(np.square(v))))  # noqa: E731
    lines.append(f"{float(p):6.3f} {len(tab['q']):3d} {n:9.2e} {c:9.2e} {rms(tab['rmse']):10.3e} "
                 f"{rms(tab['rmse_iterative']):10.3e} "
                 f"{ref[0]:10.3e} {ref[1]:10.3e} {a:9.4g} {b:9.3g}")

def spectral_table(phis: list[str], runs: Path) -> str:
    """PREFIX_spectral.txt: per (phi, q) and per phi, SpectralKernel against the replica noise."""
    from slowdyn.analysis.io.sisf import average_sisf
    from slowdyn.analysis.memory.spectral import SpectralKernel

    rows = ["# SpectralKernel(q, D0 = 1) on SIMDIR/sisf_phi<PHI>.sisf; noise_rep: replica standard error "
            "(RMS over the decaying part, F_s > 1e-2), rmse_dec: reconstruction RMSE there; all: every lag",
            f"{'phi':>5s} {'q':>5s} {'n_t':>4s} {'noise_rep':>9s} {'rmse_dec':>9s} {'ratio':>6s} "
            f"{'noise_all':>9s} {'rmse_all':>9s} {'ratio':>6s} {'sk.noise':>9s} {'sk.n_diff':>9s} "
            f"{'consist':>7s} {'m0':>8s} {'dlt/tau0':>8s} {'m0_t1':>8s} {'dlt_t1':>7s} {'ratio_w':>7s} {'m0_w':>8s}"]
    summary = ["", "# per phi: RMS over the kept q; Table 4.4 (Granz 2026: NNLT, iterative m0) beside it",
               f"{'phi':>5s} {'R':>2s} {'n_q':>3s} {'q_out':>6s} {'noise_rep':>9s} {'rmse_dec':>9s} {'ratio':>6s} "
               f"{'max':>6s} {'noise_all':>9s} {'rmse_all':>9s} {'sk.noise':>9s} {'sk.n_diff':>9s} "
               f"{'m0_min':>8s} {'m0_max':>8s} {'consist':>11s} {'ratio_w':>7s} {'max_w':>6s} "
               f"{'T4.4 scal':>10s} {'T4.4 best':>10s}"]
    for p in phis:
        reps = sorted((runs / f"phi{p}").glob("rep*/sisf_spliced_1.dat")) or \
            sorted((runs / f"phi{p}").glob("rep*/sisf_1.dat"))
        if len(reps) < 2:
            raise SystemExit(f"simulation_tables: error: {runs}/phi{p} holds {len(reps)} replica files, need >= 2")
        avg = average_sisf(reps)
        data = load_sisf(simdir / f"sisf_phi{p}.sisf")
        rows_used = np.asarray(avg["norigin"]) > 0
        per = []
        out_q = []
        for i, (q, (t, F)) in enumerate(data.items()):
            if not np.any(F < 1e-2):
                out_q.append(q)
                continue
            rep = avg["replica_fs"][f"fs_all_q{i + 1}"][:, rows_used]
            if rep.shape[1] != t.size or not np.allclose(np.average(rep, axis=0), F, atol=1e-6):
                raise SystemExit(f"simulation_tables: error: {simdir}/sisf_phi{p}.sisf is not the average of "
                                 f"{runs}/phi{p}/rep*")
            sem = rep.std(axis=0, ddof=1) / np.sqrt(rep.shape[0])
            dec = np.arange(t.size) < np.argmax(F < 1e-2)
            sk = SpectralKernel(q, D0=1.0).compute(t, F)
            # every kernel term the first lag resolves kept (default: terms faster than tau0/(1 + m0) -> delta)
            sk1 = SpectralKernel(q, D0=1.0, t_resolve=float(t[t > 0][0])).compute(t, F)
            # weighted by the average's fserr_ columns where average_sisf writes them
            err = avg.get(f"fserr_all_q{i + 1}")
            skw = None if err is None else SpectralKernel(q, D0=1.0).compute(t, F, err=np.asarray(err)[rows_used])
            res = sk.F_rec(t) - F
            x = dict(q=q, n=t.size, noise=_rms(sem[dec]), rmse=_rms(res[dec]), noise_all=_rms(sem),
                     rmse_all=sk.rmse, sk_noise=sk.noise, nd=sk.noise_differences, cons=sk.consistency,
                     m0=sk.m0, delta=sk.delta / sk.tau0, m0_t1=sk1.m0, delta_t1=sk1.delta / sk1.tau0,
                     ratio_w=np.nan if skw is None else _rms((skw.F_rec(t) - F)[dec]) / _rms(sem[dec]),
                     m0_w=np.nan if skw is None else skw.m0)
            per.append(x)
            rows.append(f"{float(p):5.2f} {q:5.2f} {x['n']:4d} {x['noise']:9.2e} {x['rmse']:9.2e} "
                        f"{x['rmse'] / x['noise']:6.2f} {x['noise_all']:9.2e} {x['rmse_all']:9.2e} "
                        f"{x['rmse_all'] / x['noise_all']:6.2f} {x['sk_noise']:9.2e} {x['nd']:9.2e} "
                        f"{x['cons']:7.2f} {x['m0']:8.3f} {x['delta']:8.3f} {x['m0_t1']:8.3f} {x['delta_t1']:7.3f} "
                        f"{x['ratio_w']:7.2f} {x['m0_w']:8.3f}")
        if not per:
            summary.append(f"{float(p):5.2f} {len(reps):2d}   0  (no q falls below 1e-2 within the run)")
            continue
        col = lambda k: np.array([x[k] for x in per])  # noqa: E731
        ref = TABLE_4_4.get(round(float(p), 2), (np.nan, np.nan))
        summary.append(f"{float(p):5.2f} {len(reps):2d} {len(per):3d} {','.join(f'{q:g}' for q in out_q) or '-':>6s} "
                       f"{_rms(col('noise')):9.2e} {_rms(col('rmse')):9.2e} "
                       f"{_rms(col('rmse')) / _rms(col('noise')):6.2f} {np.max(col('rmse') / col('noise')):6.2f} "
                       f"{_rms(col('noise_all')):9.2e} {_rms(col('rmse_all')):9.2e} "
                       f"{_rms(col('sk_noise')):9.2e} {_rms(col('nd')):9.2e} {col('m0').min():8.3f} "
                       f"{col('m0').max():8.3f} {col('cons').min():5.2f}-{col('cons').max():5.2f} "
                       f"{_rms(col('ratio_w')):7.2f} {np.max(col('ratio_w')):6.2f} "
                       f"{ref[0]:10.3e} {ref[1]:10.3e}")
    return "\n".join(rows + summary) + "\n"


if "spectral" in parts:
    text = spectral_table(phis, Path(os.environ.get("RUNS", simdir)))
    Path(f"{prefix}_spectral.txt").write_text(text)
    sys.stdout.write(text)

if "nnlt" in parts:
    Path(f"{prefix}_nnlt_tails.txt").write_text("\n".join(lines) + "\n")
    sys.stdout.write("\n".join(lines) + "\n")

if "map" in parts:
    q65 = {float(p): load_sisf(files[float(p)], q=6.5)[6.5] for p in phis}
    # the MCT table: Table 4.3's packing fractions already solved (cached) by validate_all.py
    mct_phis = [p for p in sorted(TABLE_4_3)
                if (cache / f"mct_disks_phi{p:.5f}_nq64_dq0.4_h1e-07_b40_soz.npz").exists()]
    pm = PackingFractionMap(q65, mct_phis, mct={"cache_dir": cache}).compute()
    Path(f"{prefix}_mapping.txt").write_text(pm.table())
    pm.plot().savefig(f"{prefix}_mapping.png", dpi=110)
    sys.stdout.write(pm.table())

# nnls + Volterra on the q that decay below each phi's cut
if "nnls" in parts:
    sk = SimulationKernels(files, methods=("nnls",), cut=cut, noise=noise, progress=False,
                           iterative={"span": 3.0, "n_scan": 5, "refine": 3}, scaling_evals=8).compute()
    Path(f"{prefix}_nnls_volterra.txt").write_text(sk.table())
    sys.stdout.write(sk.table())
