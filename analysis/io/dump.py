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
``dump_modify ID format float %.17g`` for full precision. Wrapped ``x y z``
(or scaled ``xs ys zs``) are unwrapped here when the dump also has the image
flags ``ix iy iz``; without them :attr:`Trajectory.unwrapped` is False and
the self dynamics refuse the trajectory (a wrapped coordinate jumps by a box
length when the atom crosses the boundary). ASE itself keeps ``x y z`` when a
dump has both ``x`` and ``xu``, and drops the image flags, so the columns it
does not use are read here with :func:`numpy.loadtxt` (second pass, only
when needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from slowdyn.common.optional import require


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
    columns : tuple of str
        The per-atom columns of the dump (``ITEM: ATOMS`` line of frame 0).
    unwrapped : bool
        True when ``positions`` are unwrapped (``xu yu zu``, ``xsu ysu zsu``,
        or wrapped coordinates with image flags ``ix iy iz``); False for
        wrapped coordinates without image flags.
    """

    steps: np.ndarray
    positions: np.ndarray
    types: np.ndarray
    cells: np.ndarray
    columns: tuple[str, ...] = ()
    unwrapped: bool = True

    @property
    def n_frames(self) -> int:
        return len(self.steps)

    @property
    def n_atoms(self) -> int:
        return self.positions.shape[1]

    def require_unwrapped(self, needs: str) -> None:
        """One-line ValueError unless the positions are unwrapped; ``needs`` says who needs them
        (e.g. ``"the self dynamics need"``).
        """
        if not self.unwrapped:
            found = " ".join(self.columns) or "unknown"
            raise ValueError(f"the dump has wrapped coordinates without image flags (columns: {found}); "
                             f"{needs} unwrapped ones: dump 'id type xu yu zu' (or 'id type x y z ix iy iz')")


def _ase_read():
    return require("ase.io", "reading dumps", "analysis").read


UNWRAPPED = (("xu", "yu", "zu"), ("xsu", "ysu", "zsu"))
WRAPPED = (("x", "y", "z"), ("xs", "ys", "zs"))
IMAGES = ("ix", "iy", "iz")


def dump_columns(path: str | Path) -> tuple[str, ...]:
    """The per-atom column names of the first frame of a LAMMPS text dump.

    Raises
    ------
    ValueError
        If the file has no ``ITEM: ATOMS`` line (not a LAMMPS text dump).
    """
    with open(path, errors="replace") as fh:
        for k, line in enumerate(fh):
            if line.startswith("ITEM: ATOMS"):
                return tuple(line.split()[2:])
            if k == 0 and not line.startswith("ITEM: TIMESTEP"):
                break
    raise ValueError(f"{path} is not a LAMMPS text dump (no 'ITEM: TIMESTEP' / 'ITEM: ATOMS' lines; "
                     "write one with 'dump ID all custom N FILE id type xu yu zu')")


def _columns_by_id(path: str | Path, names: tuple[str, ...], index: str | int | slice = ":") -> np.ndarray:
    """Columns ``names`` of the frames ``index``, rows sorted by ``id``: shape ``(F, N, len(names))``."""
    out = []
    with open(path) as fh:
        for line in fh:
            if line.startswith("ITEM: NUMBER OF ATOMS"):
                n = int(fh.readline())
            elif line.startswith("ITEM: ATOMS"):
                cols = line.split()[2:]
                use = [cols.index("id") if "id" in cols else 0] + [cols.index(c) for c in names]
                rows = np.loadtxt([fh.readline() for _ in range(n)], usecols=use, ndmin=2)
                out.append(rows[np.argsort(rows[:, 0], kind="stable"), 1:])
    if isinstance(index, str):
        from ase.io.formats import string2index

        index = string2index(index)
    out = np.stack(out)[index]
    return out if out.ndim == 3 else out[None]


def read_dump(path: str | Path, index: str | int | slice = ":") -> Trajectory:
    """Read a LAMMPS text dump with ``id type`` and coordinate columns.

    Unwrapped coordinates (``xu yu zu``, preferred when the dump also has
    ``x y z``) are used as they are; wrapped ones (``x y z`` or ``xs ys zs``)
    are unwrapped with the image flags ``ix iy iz`` when the dump has them,
    and are otherwise returned with ``unwrapped=False``.

    Parameters
    ----------
    path : str or Path
        Dump file written by ``dump custom``.
    index : str, int or slice
        Frames to read, in :func:`ase.io.read` syntax (default: all).

    Returns
    -------
    Trajectory

    Raises
    ------
    ValueError
        If the file is not a LAMMPS text dump or has no coordinates.
    """
    columns = dump_columns(path)
    found = [c for c in UNWRAPPED + WRAPPED if set(c) <= set(columns)]
    if not found:
        raise ValueError(f"{path}: no coordinate columns (found {' '.join(columns)}; need xu yu zu, or "
                         "x y z with ix iy iz)")
    read = _ase_read()
    try:
        frames = read(str(path), format="lammps-dump-text", index=index)
    except (RuntimeError, IndexError, KeyError) as err:
        raise ValueError(f"{path}: not a readable LAMMPS text dump ({err})") from err
    if not isinstance(frames, list):
        frames = [frames]
    if not frames:
        raise ValueError(f"no frames in dump file {path}")
    steps = np.array([f.info.get("timestep", k) for k, f in enumerate(frames)], dtype=np.int64)
    positions = np.stack([f.positions for f in frames]).astype(np.float64)
    types = np.asarray(frames[0].arrays.get("type", frames[0].numbers), dtype=np.int64)
    cells = np.stack([np.asarray(f.cell[:]) for f in frames])
    # ASE's choice of coordinates, in its order of preference
    ase_used = next(c for c in (("x", "y", "z"), ("xs", "ys", "zs"), ("xu", "yu", "zu"), ("xsu", "ysu", "zsu"))
                    if c[0] in columns)
    unwrapped = found[0] in UNWRAPPED
    if unwrapped and ase_used != found[0]:      # ASE took the wrapped ones: read the unwrapped columns
        extra = _columns_by_id(path, found[0], index)
        positions = extra if found[0][0] == "xu" else np.einsum("fnk,fkd->fnd", extra, cells)
    elif not unwrapped and set(IMAGES) <= set(columns):
        positions = positions + np.einsum("fnk,fkd->fnd", _columns_by_id(path, IMAGES, index), cells)
        unwrapped = True
    return Trajectory(steps=steps, positions=positions, types=types, cells=cells, columns=columns,
                      unwrapped=unwrapped)


def read_typed_dump(path: str | Path, index: str | int | slice = ":") -> Trajectory:
    """:func:`read_dump` for readers that need the particle types (structure features, networks).

    Raises
    ------
    ValueError
        No such file, or a dump without the ``type`` column (one line that says what to dump).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such dump file")
    cols = dump_columns(path)
    if "type" not in cols:
        raise ValueError(f"{path}: the dump has no 'type' column (columns: {' '.join(cols)}); "
                         "dump 'id type x y z'")
    return read_dump(path, index=index)
