"""Reading the ``fix sisf/msd`` output file (doc/fix_sisf_msd.rst).

The file starts with ``#`` header lines: the fix settings, ``# q: ...``,
``# types: ...`` and ``# columns: ...``; every other line is one lag.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_header(path: str | Path) -> dict:
    """The ``#`` header of a table: ``q``, ``types``, ``columns`` (None where absent) and ``settings``.

    Reads only the leading comment lines; ``columns`` is the ``# columns:`` line
    that ``fix sisf/msd`` files (and every table slowdyn writes) carry.
    """
    out: dict = {"q": None, "types": None, "columns": None, "settings": {}}
    with open(path, errors="replace") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            body = line[1:].strip()
            if body.startswith("q:"):
                out["q"] = np.array([float(v) for v in body[2:].split()])
            elif body.startswith("types:"):
                out["types"] = body[6:].split()
            elif body.startswith("columns:"):
                out["columns"] = body[8:].split()
            elif body.startswith("slowdyn fix sisf/msd:"):
                words = body.split(":", 1)[1].split()
                out["settings"] = dict(zip(words[::2], words[1::2]))
    return out


def read_sisf(path: str | Path) -> dict:
    """Read a ``fix sisf/msd`` output file.

    Returns
    -------
    dict
        ``q`` (array), ``types`` (list of block names, ``all`` first),
        ``header`` (dict of the first header line's settings) and one
        array per column named in the ``# columns:`` header line.
    """
    head = read_header(path)
    q, types, names = head["q"], head["types"], head["columns"]
    if names is None or q is None:
        raise ValueError(f"{path} is not a fix sisf/msd file (no '# columns:' / '# q:' header)")
    data = np.loadtxt(path, ndmin=2)
    out = {"q": q, "types": types, "header": head["settings"]}
    for c, name in enumerate(names):
        out[name] = data[:, c] if data.size else np.zeros(0)
    return out


__all__ = ["read_header", "read_sisf"]
