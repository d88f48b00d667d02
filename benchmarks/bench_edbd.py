"""Cost of fix edbd against the Brownian alternatives a LAMMPS user has.

For 1000 slightly polydisperse disks (diameters uniform +-10 %, mean 1, D = 1)
at packing fractions 0.3, 0.7 and 0.78 this runs, from one packing each:
  edbd : fix edbd (hard disks) at the thesis step dt = 1e-5
  free : fix brownian on the same particles without interactions (pair none)
  wca  : the soft proxy, fix brownian + WCA disks (pair lj/cut, sigma_ij =
         (sigma_i + sigma_j)/2 from 10 diameter classes, cut-off
         2^(1/6) sigma_ij, epsilon = kT) at the largest dt of a scan for which
         fewer than 1 % of the particles have a neighbour closer than
         0.9 sigma_ij after the run ("overlaps")
and prints the CPU time per particle-step and the ratios:
  edbd/free          : per step (goal at phi = 0.7: <= 5)
  edbd/wca eq. time  : per unit of physical time, EDBD at dt (goal: < 1)
  edbd/wca same dt   : per unit of physical time, EDBD at the proxy's dt
                       (EDBD's statics are exact at any dt; its dynamics at
                       larger dt is checked by tests/test_fix_edbd.py)
Times are CPU times of this process (the machine may be shared); each timed
segment runs twice and the faster one counts.

    python benchmarks/bench_edbd.py [--N 1000] [--steps 4000] [--phi 0.3 0.7 0.78]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import slowdyn
from slowdyn.runs.packing import pack

HEAD = ["units lj", "dimension 2", "atom_style sphere", "boundary p p p"]
WCA_DTS = (1e-3, 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5, 5e-6)


def timed(lmp, steps: int, repeat: int = 2) -> float:
    """Fastest CPU time per step over `repeat` runs."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        lmp.command(f"run {steps} pre no post no")
        best = min(best, (time.process_time() - t0) / steps)
    return best


def overlap_fraction(lmp, box: np.ndarray) -> float:
    """Fraction of particles with a neighbour closer than 0.9 sigma_ij."""
    nlocal = lmp.extract_global("nlocal")    # the arrays may include ghost atoms
    tags = np.array(lmp.numpy.extract_atom("id")[:nlocal], copy=True)
    order = np.argsort(tags)
    x = np.array(lmp.numpy.extract_atom("x")[:nlocal], copy=True)[order, :2]
    d = 2.0 * np.array(lmp.numpy.extract_atom("radius")[:nlocal], copy=True)[order]
    bad = np.zeros(len(x), bool)
    for s in range(0, len(x), 250):
        dx = x[s:s + 250, None, :] - x[None, :, :]
        dx -= box * np.round(dx / box)
        r = np.sqrt(np.sum(dx * dx, axis=-1))
        sig = 0.5 * (d[s:s + 250, None] + d[None, :])
        close = r < 0.9 * sig
        idx = np.arange(s, min(s + 250, len(x)))
        close[idx - s, idx] = False
        bad[s:s + 250] = close.any(axis=1)
    return float(bad.mean())


def wca_setup(data: Path, classes: np.ndarray, dt: float) -> list[str]:
    cmds = HEAD + [f"read_data {data}", f"timestep {dt}", "pair_style lj/cut 1.5",
                   "pair_modify shift yes"]
    ntypes = len(classes)
    for a in range(ntypes):
        for b in range(a, ntypes):
            sig = 0.5 * (classes[a] + classes[b])
            cmds.append(f"pair_coeff {a + 1} {b + 1} 1.0 {sig:.6f} {sig * 2 ** (1 / 6):.6f}")
    return cmds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--phi", type=float, nargs="+", default=[0.3, 0.7, 0.78])
    ap.add_argument("--dt", type=float, default=1e-5, help="Brownian step of fix edbd")
    args = ap.parse_args()
    n, steps = args.N, args.steps

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for phi in args.phi:
            config = pack(n, phi, dim=2, poly=0.1, seed=1)
            edges = np.quantile(config.diameters, np.linspace(0, 1, 11))
            cls = np.clip(np.searchsorted(edges, config.diameters, side="right") - 1, 0, 9)
            classes = np.array([config.diameters[cls == c].mean() for c in range(10)])
            data = config.write_data(Path(tmp) / f"p{phi}.data", types=cls + 1)

            # EDBD
            lmp = slowdyn.lammps()
            lmp.commands_list(HEAD + [f"read_data {data}", f"timestep {args.dt}",
                                      "neigh_modify every 1000 check no",
                                      "fix 1 all edbd 1.0 1.0 7", "run 500"])
            t_edbd = timed(lmp, steps) / n
            coll = lmp.extract_fix("1", 0, 1, 1) / (n * (500 + 2 * steps))
            lmp.close()

            # free Brownian particles
            lmp = slowdyn.lammps()
            lmp.commands_list(HEAD + [f"read_data {data}", f"timestep {args.dt}",
                                      "neigh_modify every 1000 check no",
                                      "fix 1 all brownian 1.0 7 gamma_t 1.0", "run 500"])
            t_free = timed(lmp, steps) / n
            lmp.close()

            # WCA proxy: dt scan
            chosen = None
            scan = []
            for dt in WCA_DTS:
                lmp = slowdyn.lammps()
                try:
                    lmp.commands_list(wca_setup(data, classes, dt) + [
                        "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes",
                        "fix 1 all brownian 1.0 7 gamma_t 1.0", f"run {int(round(0.01 / dt))}"])
                    frac = overlap_fraction(lmp, config.box)
                    t_wca = timed(lmp, steps) / n
                    frac = max(frac, overlap_fraction(lmp, config.box))
                except Exception:    # noqa: BLE001  (LAMMPS: lost atoms, the step is too large)
                    t_wca, frac = np.nan, 1.0
                lmp.close()
                scan.append((dt, frac, t_wca))
                if frac < 0.01:
                    chosen = (dt, frac, t_wca)
                    break
            if chosen is None:
                chosen = scan[-1]

            # EDBD at the proxy's step (second comparison at equal physical time)
            lmp = slowdyn.lammps()
            lmp.commands_list(HEAD + [f"read_data {data}", f"timestep {chosen[0]}",
                                      "neigh_modify every 1000 check no",
                                      "fix 1 all edbd 1.0 1.0 7", "run 200"])
            t_edbd_w = timed(lmp, steps) / n
            lmp.close()
            rows.append((phi, t_edbd, coll, t_free, chosen, scan, t_edbd_w))

    print(f"N = {n}, EDBD dt = {args.dt}, {steps} timed steps (CPU time, best of 2); us = "
          "microseconds per particle-step")
    print(f"{'phi':>5} {'edbd us':>8} {'coll/p/step':>11} {'free us':>8} {'edbd/free':>9} "
          f"{'wca dt':>7} {'overlap':>7} {'wca us':>7} {'edbd/wca':>9} {'edbd us':>8} "
          f"{'edbd/wca':>9}")
    print(f"{'':>5} {'(dt)':>8} {'':>11} {'(dt)':>8} {'per step':>9} {'':>7} {'':>7} {'':>7} "
          f"{'eq. time':>9} {'(wca dt)':>8} {'same dt':>9}")
    for phi, t_edbd, coll, t_free, (dt_w, frac, t_wca), scan, t_edbd_w in rows:
        per_time = (t_edbd / args.dt) / (t_wca / dt_w)
        print(f"{phi:5.2f} {1e6 * t_edbd:8.3f} {coll:11.3f} {1e6 * t_free:8.3f} "
              f"{t_edbd / t_free:9.2f} {dt_w:7.0e} {frac:7.3f} {1e6 * t_wca:7.3f} {per_time:9.2f} "
              f"{1e6 * t_edbd_w:8.3f} {t_edbd_w / t_wca:9.2f}")
        for dt, f, t in scan:
            print(f"      wca scan: dt {dt:.0e}  overlap fraction {f:.3f}  {1e6 * t:.3f} us/particle-step")

if __name__ == "__main__":
    main()
