"""Reading LAMMPS text dumps with unwrapped coordinates.

The reader is ASE's ``lammps-dump-text`` format (:func:`ase.io.read`), chosen
over MDAnalysis and over LAMMPS' own ``read_dump``:

- ASE keeps the coordinates in float64 exactly as written (``xu yu zu`` are
  not wrapped back into the box), which the 1e-10 comparison with
  ``fix sisf/msd`` needs; MDAnalysis stores positions in float32.
- ASE sorts atoms by ``id`` in every frame, so rows follow the same atom
  through the trajectory whatever the MPI rank layout of the run was.
- Driving LAMMPS itself (``read_dump``) would need one LAMMPS instance per
  frame and gives no gain in precision.

Write the dump with ``dump ID group custom N FILE id type xu yu zu`` and
``dump_modify ID format float %.17g`` for full precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._optional import require


@dataclass
class Trajectory:
    """Frames of a LAMMPS dump, atoms ordered by id.

    Attributes
    ----------
    steps : numpy.ndarray
        Timestep of each frame, shape ``(F,)``.
    positions : numpy.ndarray
        Unwrapped positions, shape ``(F, N, 3)``.
    types : numpy.ndarray
        Atom types (from frame 0), shape ``(N,)``.
    cells : numpy.ndarray
        Box matrices (rows are box vectors), shape ``(F, 3, 3)``.
    """

    steps: np.ndarray
    positions: np.ndarray
    types: np.ndarray
    cells: np.ndarray

    @property
    def n_frames(self) -> int:
        return len(self.steps)

    @property
    def n_atoms(self) -> int:
        return self.positions.shape[1]


def _ase_read():
    return require("ase.io", "reading dumps", "analysis").read


def read_dump(path: str | Path, index: str | int | slice = ":") -> Trajectory:
    """Read a LAMMPS text dump with ``id type xu yu zu`` (or ``x y z``) columns.

    Parameters
    ----------
    path : str or Path
        Dump file written by ``dump custom``.
    index : str, int or slice
        Frames to read, in :func:`ase.io.read` syntax (default: all).

    Returns
    -------
    Trajectory
    """
    read = _ase_read()
    frames = read(str(path), format="lammps-dump-text", index=index)
    if not isinstance(frames, list):
        frames = [frames]
    if not frames:
        raise ValueError(f"no frames in dump file {path}")
    steps = np.array([f.info.get("timestep", k) for k, f in enumerate(frames)], dtype=np.int64)
    positions = np.stack([f.positions for f in frames]).astype(np.float64)
    types = np.asarray(frames[0].arrays.get("type", frames[0].numbers), dtype=np.int64)
    cells = np.stack([np.asarray(f.cell[:]) for f in frames])
    return Trajectory(steps=steps, positions=positions, types=types, cells=cells)
