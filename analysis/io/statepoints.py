"""The state-point library of binary mixtures: one reader and one writer.

A library is a folder with one sub-folder per state point (Ciarella, Chiappini,
Boattini, Dijkstra & Janssen, Mach. Learn.: Sci. Technol. 4, 025010 (2023),
§4.1: Kob-Andersen LJ and WCA mixtures over density and temperature)::

    LIB/<name>/state.json   potential, rho, T, N, x (mole fractions), k_p, status, extra metadata
    LIB/<name>/sk.dat       # columns: k S_AA S_AB S_BB   (partial S^{ab}(k), normalised by the
                            #   total number of particles: S^{ab}(k -> inf) = x_a delta_ab)
    LIB/<name>/fs.dat       # columns: t Fs_AA Fs_BB      (F_s^{aa}(k_p, t) normalised as the paper's
                            #   eq. (1): F_s^{aa}(k_p, 0) = S^{aa}(k_p)); optional

``status`` is ``"ok"`` or ``"crystallised"`` (and any other word a builder
uses for a state it keeps out of the data); :func:`load_library` returns the
``"ok"`` states unless asked for all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .tables import read_table, write_table

SK_COLUMNS = ("k", "S_AA", "S_AB", "S_BB")
FS_COLUMNS = ("t", "Fs_AA", "Fs_BB")
POTENTIALS = ("lj", "wca")


@dataclass
class StatePoint:
    """One state point of a binary mixture.

    Parameters
    ----------
    name : str
        Folder name inside the library (unique).
    potential : str
        ``"lj"`` or ``"wca"``.
    rho, T : float
        Number density and temperature (LJ units of the A-A pair).
    N : int
        Number of particles.
    x : tuple of float
        Mole fractions (x_A, x_B).
    k : numpy.ndarray
        Wave numbers of the partial structure factors, ``(n_k,)``, increasing.
    S : numpy.ndarray
        ``(3, n_k)``: S^AA, S^AB, S^BB on ``k``.
    kp : float
        Wave number of F_s (the main peak of S^AA).
    t, fs : numpy.ndarray or None
        Lag times ``(n_t,)`` and ``(2, n_t)``: F_s^AA(k_p, t), F_s^BB(k_p, t) (eq. (1) normalisation).
    status : str
        ``"ok"``, ``"crystallised"``, ...
    meta : dict
        Anything else the builder records (steps, seed, timings, ...).
    """

    name: str
    potential: str
    rho: float
    T: float
    N: int
    x: tuple
    k: np.ndarray
    S: np.ndarray
    kp: float
    t: np.ndarray | None = None
    fs: np.ndarray | None = None
    status: str = "ok"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.potential not in POTENTIALS:
            raise ValueError(f"state {self.name}: potential {self.potential!r} is not one of {', '.join(POTENTIALS)}")
        self.k = np.asarray(self.k, dtype=float)
        self.S = np.asarray(self.S, dtype=float)
        if self.S.shape != (3, self.k.size):
            raise ValueError(f"state {self.name}: S has shape {self.S.shape}, expected (3, {self.k.size}) "
                             "(S_AA, S_AB, S_BB on k)")
        if not self.k[0] <= self.kp <= self.k[-1]:
            raise ValueError(f"state {self.name}: k_p = {self.kp:g} lies outside the k grid "
                             f"[{self.k[0]:g}, {self.k[-1]:g}]")
        if (self.t is None) != (self.fs is None):
            raise ValueError(f"state {self.name}: t and fs must be given together")
        if self.t is not None:
            self.t = np.asarray(self.t, dtype=float)
            self.fs = np.asarray(self.fs, dtype=float)
            if self.fs.shape != (2, self.t.size):
                raise ValueError(f"state {self.name}: fs has shape {self.fs.shape}, expected (2, {self.t.size}) "
                                 "(Fs_AA, Fs_BB on t)")

    @property
    def has_dynamics(self) -> bool:
        """Whether F_s was measured."""
        return self.t is not None


def write_state(root: str | Path, state: StatePoint) -> Path:
    """Write ``state`` to ``root/<name>/`` (created); returns the folder."""
    folder = Path(root) / state.name
    folder.mkdir(parents=True, exist_ok=True)
    info = {"potential": state.potential, "rho": state.rho, "T": state.T, "N": int(state.N),
            "x": [float(v) for v in state.x], "kp": float(state.kp), "status": state.status, "meta": state.meta}
    (folder / "state.json").write_text(json.dumps(info, indent=1) + "\n")
    write_table(folder / "sk.dat", SK_COLUMNS, np.column_stack([state.k, state.S.T]),
                comments=[f"partial structure factors of {state.name} (normalised by the total N)"])
    if state.has_dynamics:
        write_table(folder / "fs.dat", FS_COLUMNS, np.column_stack([state.t, state.fs.T]),
                    comments=[f"F_s^aa(k_p = {state.kp:.6g}, t) of {state.name}, F_s(k_p, 0) = S^aa(k_p)"])
    return folder


def read_state(folder: str | Path) -> StatePoint:
    """Read one state folder written by :func:`write_state`."""
    folder = Path(folder)
    path = folder / "state.json"
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no state.json (not a state-point folder)")
    info = json.loads(path.read_text())
    missing = [key for key in ("potential", "rho", "T", "N", "x", "kp") if key not in info]
    if missing:
        raise ValueError(f"{path}: missing {', '.join(missing)}")
    _, sk = read_table(folder / "sk.dat", "partial structure factors", required=SK_COLUMNS)
    t = fs = None
    if (folder / "fs.dat").is_file():
        _, tab = read_table(folder / "fs.dat", "self intermediate scattering functions", required=FS_COLUMNS)
        t, fs = tab["t"], np.vstack([tab["Fs_AA"], tab["Fs_BB"]])
    return StatePoint(name=folder.name, potential=info["potential"], rho=float(info["rho"]), T=float(info["T"]),
                      N=int(info["N"]), x=tuple(info["x"]), k=sk["k"],
                      S=np.vstack([sk["S_AA"], sk["S_AB"], sk["S_BB"]]), kp=float(info["kp"]), t=t, fs=fs,
                      status=info.get("status", "ok"), meta=info.get("meta", {}))


def load_library(root: str | Path, all_states: bool = False, need_dynamics: bool = False) -> list[StatePoint]:
    """All state points under ``root`` (sorted by potential, rho, T).

    Parameters
    ----------
    root : path
        The library folder.
    all_states : bool
        Also return states whose status is not ``"ok"`` (crystallised, ...).
    need_dynamics : bool
        Raise if a returned state has no ``fs.dat``.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such state-point library (folder)")
    states = [read_state(p) for p in sorted(root.iterdir()) if (p / "state.json").is_file()]
    if not states:
        raise ValueError(f"{root}: no state folders (each needs state.json, sk.dat)")
    if not all_states:
        states = [s for s in states if s.status == "ok"]
    if need_dynamics:
        bad = [s.name for s in states if not s.has_dynamics]
        if bad:
            raise ValueError(f"{root}: state {bad[0]} has no fs.dat (no F_s measured)"
                             + (f" and {len(bad) - 1} more" if len(bad) > 1 else ""))
    return sorted(states, key=lambda s: (s.potential, s.rho, s.T))


__all__ = ["FS_COLUMNS", "POTENTIALS", "SK_COLUMNS", "StatePoint", "load_library", "read_state", "write_state"]
