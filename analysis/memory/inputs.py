"""SISF tables for the kernel pipeline: a ``fix sisf/msd`` file or a plain ``t F_s`` table."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io.sisf import read_header, read_sisf


def load_sisf(path, q=None, block: str = "all", tol: float = 1e-6) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """``{q: (t, F_s)}`` from a ``fix sisf/msd`` file or a two-column ``t F_s`` table.

    Parameters
    ----------
    path : str or Path
        The file.
    q : float or sequence of float, optional
        Wave numbers: for a fix file a selection of its ``# q:`` values (default
        all; a value not in the file is an error); for a plain table exactly one
        value (required).
    block : str
        Which block of a fix file: ``all`` or an atom type.
    tol : float
        Relative tolerance when matching ``q`` to the file's values.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    qs = None if q is None else [float(v) for v in np.atleast_1d(q)]
    if qs is not None and any(not (np.isfinite(v) and v > 0) for v in qs):
        raise ValueError(f"wave numbers must be > 0, got {qs}")
    if read_header(path)["columns"] is not None:
        data = read_sisf(path)
        fq = np.asarray(data["q"], dtype=float)
        if qs is None:
            qs = fq.tolist()
        rows = np.asarray(data.get("norigin", np.ones_like(data["time"]))) > 0
        t = np.asarray(data["time"], dtype=float)[rows]
        out = {}
        for v in qs:
            hit = np.nonzero(np.isclose(fq, v, rtol=tol, atol=0))[0]
            if not hit.size:
                raise ValueError(f"q = {v:g} is not in {path} (its q values: {' '.join(f'{x:g}' for x in fq)})")
            name = f"fs_{block}_q{hit[0] + 1}"
            if name not in data:
                raise ValueError(f"{path} has no column {name} (blocks: {', '.join(data['types'] or [])})")
            out[float(fq[hit[0]])] = (t, np.asarray(data[name], dtype=float)[rows])
        return out
    try:
        table = np.loadtxt(path, ndmin=2)
    except ValueError as exc:
        raise ValueError(f"{path}: not a numeric 't F_s' table ({exc})") from exc
    if table.shape[1] != 2:
        raise ValueError(f"{path}: a plain table needs exactly two columns 't F_s', found {table.shape[1]}")
    if qs is None or len(qs) != 1:
        raise ValueError(f"{path} is a plain 't F_s' table: give its wave number with exactly one --q")
    return {qs[0]: (table[:, 0], table[:, 1])}
