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
    types = _check_sisf_table(path, names, q, types, data)
    out = {"q": q, "types": types, "header": head["settings"]}
    for c, name in enumerate(names):
        out[name] = data[:, c] if data.size else np.zeros(0)
    return out


def _check_sisf_table(path, names: list[str], q: np.ndarray, types: list[str] | None, data: np.ndarray) -> list[str]:
    """The block names of a fix sisf/msd table whose columns and values are what the fix writes.

    ``# columns:`` must name ``lag time norigin`` and, per block of ``# types:``
    (``all`` when absent), ``msd_B alpha2_B fs_B_q1 ...`` for every ``# q:``
    value; every value must be finite (the fix never writes nan: a run whose
    positions became nan did), except in a column that is nan throughout and
    not an F_s column (a quantity that was not measured, as the MSD in
    :func:`slowdyn.analysis.mct.closures.data.write_sisf_file`).
    """
    types = list(types) if types else ["all"]
    expected = ["lag", "time", "norigin"]
    for b in types:
        expected += [f"msd_{b}", f"alpha2_{b}"] + [f"fs_{b}_q{i + 1}" for i in range(len(q))]
    if names != expected:
        missing = [n for n in expected if n not in names]
        extra = [n for n in names if n not in expected]
        raise ValueError(f"{path}: its '# columns:' header does not match its '# q:' and '# types:' lines"
                         + (f": missing {' '.join(missing)}" if missing else "")
                         + (f"; unknown {' '.join(extra)}" if extra else "")
                         + f"; fix sisf/msd writes '{' '.join(expected)}'")
    if data.size and data.shape[1] != len(names):
        raise ValueError(f"{path}: the '# columns:' header names {len(names)} columns, the rows have {data.shape[1]}")
    bad_value = ~np.isfinite(data) if data.size else np.zeros((0, len(names)), bool)
    # a column of nan only is one that was not measured (write_sisf_file of the MCT solutions has no MSD)
    bad_value[:, bad_value.all(axis=0) & ~np.array([n.startswith("fs_") for n in names])] = False
    bad = bad_value.any(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        col = names[int(np.argmax(bad_value[row]))]
        raise ValueError(f"{path}: {int(bad.sum())} of {len(bad)} rows hold nan or inf (first: lag {data[row, 0]:g}, "
                         f"column {col}); the run that wrote it went wrong (lost atoms, a too large timestep?)")
    return types


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


__all__ = ["average_sisf", "read_header", "read_sisf"]
