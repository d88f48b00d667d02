"""Reading the ``fix sisf/msd`` output file (doc/fix_sisf_msd.rst).

The file starts with ``#`` header lines: the fix settings, ``# q: ...``,
``# types: ...`` and ``# columns: ...``; every other line is one lag.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_sisf(path: str | Path) -> dict:
    """Read a ``fix sisf/msd`` output file.

    Returns
    -------
    dict
        ``q`` (array), ``types`` (list of block names, ``all`` first),
        ``header`` (dict of the first header line's settings) and one
        array per column named in the ``# columns:`` header line.
    """
    q, types, names, header = None, None, None, {}
    with open(path) as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            body = line[1:].strip()
            if body.startswith("q:"):
                q = np.array([float(v) for v in body[2:].split()])
            elif body.startswith("types:"):
                types = body[6:].split()
            elif body.startswith("columns:"):
                names = body[8:].split()
            elif body.startswith("slowdyn fix sisf/msd:"):
                words = body.split(":", 1)[1].split()
                header = dict(zip(words[::2], words[1::2]))
    if names is None or q is None:
        raise ValueError(f"{path} is not a fix sisf/msd file (no '# columns:' / '# q:' header)")
    data = np.loadtxt(path, ndmin=2)
    out = {"q": q, "types": types, "header": header}
    for c, name in enumerate(names):
        out[name] = data[:, c] if data.size else np.zeros(0)
    return out


__all__ = ["read_sisf"]
