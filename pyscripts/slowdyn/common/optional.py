"""Lazy import of optional dependencies, with an error that names the extra."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, purpose: str, extra: str, hint: str = "") -> ModuleType:
    """Import ``module`` or raise an ImportError saying what needs it.

    Parameters
    ----------
    module
        Dotted module name, e.g. ``"ase.io"``.
    purpose
        What needs it, e.g. ``"reading dumps"``.
    extra
        The slowdyn extra that installs it, e.g. ``"analysis"``.
    hint
        Optional addition to the message (e.g. the CPU torch pin).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        name = module.split(".")[0]
        msg = f"{purpose} needs {name}: pip install 'slowdyn[{extra}]'"
        raise ImportError(f"{msg} ({hint})" if hint else msg) from exc
