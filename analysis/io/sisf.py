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


def average_sisf(paths, out: str | Path | None = None) -> dict:
    """Average ``fix sisf/msd`` files of independent replicas (same settings, q and lag grid).

    Every data column is averaged row by row with the rows' ``norigin`` as
    weights (a lag that has no origin in a file does not count there), and
    ``norigin`` becomes the sum. alpha2 is averaged the same way (an
    approximation: it is not linear in the moments). The result has the
    layout of :func:`read_sisf` plus ``replicas``, the per-file ``fs`` columns
    stacked (``replica_fs``: ``{name: array (n_files, n_lags)}``) for error bars.

    Parameters
    ----------
    paths : sequence of path
        The replica files (at least one).
    out : path, optional
        Write the average there, in the fix's format: the first file's header
        with the summed ``norigin`` and a ``# average of N replicas`` line.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("average_sisf needs at least one fix sisf/msd file")
    first = read_sisf(paths[0])
    names = read_header(paths[0])["columns"]
    tables = []
    for p in paths:
        head = read_header(p)
        if head["columns"] != names or head["q"] is None or not np.array_equal(head["q"], first["q"]):
            raise ValueError(f"{p}: its q values or columns differ from {paths[0]}; average only replicas of one run")
        tab = np.loadtxt(p, ndmin=2)
        if tables and tab.shape != tables[0].shape:
            raise ValueError(f"{p}: {tab.shape[0]} lags against {tables[0].shape[0]} in {paths[0]}; "
                             "give the replicas the same nrun, nevery and timestep")
        if tables and not np.allclose(tab[:, :2], tables[0][:, :2]):
            raise ValueError(f"{p}: its lags/times differ from {paths[0]}; "
                             "give the replicas the same nevery and timestep")
        tables.append(tab)
    stack = np.stack(tables)
    ic = names.index("norigin")
    w = stack[:, :, ic]
    wsum = w.sum(axis=0)
    mean = np.einsum("fr,frc->rc", w, stack) / np.where(wsum > 0, wsum, 1.0)[:, None]
    mean[:, :2] = stack[0][:, :2]
    mean[:, ic] = wsum
    result = {"q": first["q"], "types": first["types"], "header": first["header"], "replicas": len(paths)}
    for c, name in enumerate(names):
        result[name] = mean[:, c]
    result["replica_fs"] = {n: stack[:, :, c] for c, n in enumerate(names) if n.startswith("fs_")}
    if out is not None:
        with open(paths[0], errors="replace") as fh:
            head_lines = [ln for ln in fh if ln.startswith("#")]
        with open(out, "w") as fh:
            for ln in head_lines:
                if not ln[1:].strip().startswith("columns:"):
                    fh.write(ln)
            fh.write(f"# average of {len(paths)} replicas (norigin-weighted): "
                     + " ".join(p.name for p in paths) + "\n")
            fh.write(f"# columns: {' '.join(names)}\n")
            fmt = ["%d", "%.10g", "%d"] + ["%.8e"] * (len(names) - 3)
            np.savetxt(fh, mean, fmt=fmt)
    return result


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


__all__ = ["average_sisf", "load_sisf", "read_header", "read_sisf"]
