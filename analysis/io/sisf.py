"""The ``fix sisf/msd`` output file (doc/fix_sisf_msd.rst): reader, writer, replica average.

The file starts with ``#`` header lines: the fix settings, ``# q: ...``,
``# types: ...`` and ``# columns: ...`` (parsed by :func:`slowdyn.analysis.io.tables.parse_header`);
every other line is one lag.

Standard errors. The average of two or more replica files
(:func:`average_sisf`) appends, after the fix's columns, one column
``fserr_B_q<i>`` per ``fs_B_q<i>`` (same block ``B`` and wave-number index
``i``): the standard error of the mean of ``fs_B_q<i>`` across the ``n``
replicas, ``sqrt(v/n)``, where ``v`` is the sample variance (``ddof = 1``) of
the replica values *pooled over* :data:`POOL_LAGS` neighbouring lags on each
side (the mean of the per-lag variances there; rows with ``time = 0``, where
every replica has ``F_s = 1``, are left out and get 0). The pooling is there
because the per-lag standard deviation of ``n`` values is itself uncertain by
about ``1/sqrt(2 (n - 1))`` (71 % for two replicas): used as weights of the
kernel fit, the per-lag errors of two or three replicas made m0 up to 25 %
wrong where the unweighted fit was within 3 %, while the pooled ones matched
the unweighted fit on uniform noise and cut the kernel's median error from
1.1-1.7 % to 0.3-0.5 % where the noise grew tenfold at long lags (three-scale
kernel, q = 4 and 8, six seeds; doc/memory.md). :func:`read_sisf` accepts a
file with or without them; :func:`load_sisf` hands them out with
``errors=True``, as it does the third column of a plain ``t F_s err`` table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .tables import read_blocks, read_header, read_table, write_table


def _expected_columns(q, types) -> list[str]:
    cols = ["lag", "time", "norigin"]
    for b in types:
        cols += [f"msd_{b}", f"alpha2_{b}"] + [f"fs_{b}_q{i + 1}" for i in range(len(q))]
    return cols


#: neighbouring lags on each side over which average_sisf pools the replica variance
POOL_LAGS = 10


def pooled_standard_error(values, t, pool: int = POOL_LAGS) -> np.ndarray:
    """Standard error of the mean of replica values, with the variance pooled over neighbouring lags.

    Parameters
    ----------
    values : array_like (n_replicas, n_lags)
        The replica values (``n_replicas >= 2``).
    t : array_like (n_lags,)
        The lag times: rows with ``t <= 0`` are left out of the pooling and get 0.
    pool : int
        Lags on each side (module docstring; 0: the per-lag standard error).

    Returns
    -------
    numpy.ndarray (n_lags,)
        ``sqrt(v/n)`` with ``v`` the mean of the per-lag sample variances over the window.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    if n < 2:
        raise ValueError("a standard error across replicas needs at least two of them")
    use = (np.asarray(t, dtype=float) > 0).astype(float)
    var = np.var(values, axis=0, ddof=1) * use
    cs_var, cs_use = np.concatenate([[0.0], np.cumsum(var)]), np.concatenate([[0.0], np.cumsum(use)])
    k = np.arange(var.size)
    lo, hi = np.maximum(k - int(pool), 0), np.minimum(k + int(pool) + 1, var.size)
    pooled = (cs_var[hi] - cs_var[lo]) / np.maximum(cs_use[hi] - cs_use[lo], 1.0)
    return np.sqrt(pooled / n) * use


def _error_columns(q, types) -> list[str]:
    """The standard-error columns of a replica average (module docstring), in order."""
    return [f"fserr_{b}_q{i + 1}" for b in types for i in range(len(q))]


def read_sisf(path: str | Path) -> dict:
    """Read a ``fix sisf/msd`` output file.

    Returns
    -------
    dict
        ``q`` (array), ``types`` (list of block names, ``all`` first),
        ``header`` (dict of the first header line's settings) and one
        array per column named in the ``# columns:`` header line.

    Raises
    ------
    ValueError
        (one line) if the file lacks the ``# q:`` / ``# columns:`` header or a
        column is missing or renamed: the columns must be ``lag time norigin``
        and, per block ``B`` of ``# types:``, ``msd_B alpha2_B fs_B_q1 ...``,
        optionally followed by the ``fserr_B_q1 ...`` of every block (module docstring).
    """
    head = read_header(path)
    if head["q"] is None or head["columns"] is None:
        raise ValueError(f"{path} is not a fix sisf/msd file (no '# q:' / '# columns:' header lines)")
    head, cols = read_table(path, "fix sisf/msd file", required=("lag", "time", "norigin"))
    q, types, names = head["q"], head["types"], head["columns"]
    if types is None:   # tables written without '# types:' (slowdyn observe selfdyn): the msd_ blocks
        types = [n[4:] for n in names if n.startswith("msd_")] or ["all"]
    _check_sisf_table(path, names, q, types, cols)
    out = {"q": q, "types": types, "header": head["settings"]}
    out.update(cols)
    return out


def _check_sisf_table(path, names: list[str], q: np.ndarray, types: list[str], cols: dict) -> None:
    """Refuse a fix sisf/msd table whose columns or values are not what the fix writes.

    ``# columns:`` must name ``lag time norigin`` and, per block of ``# types:``
    (``all`` when absent), ``msd_B alpha2_B fs_B_q1 ...`` for every ``# q:``
    value; every value must be finite (the fix never writes nan: a run whose
    positions became nan did), except in a column that is nan throughout and
    not an F_s column (a quantity that was not measured, as the MSD in
    :func:`write_sisf`).
    """
    expected = _expected_columns(q, types)
    if names == expected + _error_columns(q, types):
        expected = names
    if names != expected:
        missing = [n for n in expected if n not in names]
        extra = [n for n in names if n not in expected]
        raise ValueError(f"{path}: its '# columns:' header does not match its '# q:' and '# types:' lines"
                         + (f": missing {' '.join(missing)}" if missing else "")
                         + (f"; unknown {' '.join(extra)}" if extra else "")
                         + f"; fix sisf/msd writes '{' '.join(expected)}'")
    data = np.column_stack([cols[n] for n in names]) if cols else np.zeros((0, len(names)))
    bad_value = ~np.isfinite(data) if data.size else np.zeros((0, len(names)), bool)
    # a column of nan only is one that was not measured (write_sisf of the MCT solutions has no MSD)
    bad_value[:, bad_value.all(axis=0) & ~np.array([n.startswith("fs_") for n in names])] = False
    bad = bad_value.any(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        col = names[int(np.argmax(bad_value[row]))]
        raise ValueError(f"{path}: {int(bad.sum())} of {len(bad)} rows hold nan or inf (first: lag {data[row, 0]:g}, "
                         f"column {col}); the run that wrote it went wrong (lost atoms, a too large timestep?)")


def load_sisf(path, q=None, block: str = "all", tol: float = 1e-6, errors: bool = False) -> dict:
    """``{q: (t, F_s)}`` from a ``fix sisf/msd`` file or a ``t F_s`` table (the input of the
    memory-kernel pipeline); ``{q: (t, F_s, err)}`` with ``errors=True``.

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
    errors : bool
        Also return the standard error of each point: the ``fserr_`` column of a
        replica average (module docstring) or the third column of a ``t F_s err``
        table; ``None`` where the file has none. Errors that are not finite and
        ``> 0`` at ``t > 0`` are a one-line ValueError
        (:func:`slowdyn.analysis.memory.spectral.check_errors`).
    """
    from ..memory.spectral import check_errors

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
        rows = np.asarray(data["norigin"]) > 0
        t = np.asarray(data["time"], dtype=float)[rows]
        out = {}
        for v in qs:
            hit = np.nonzero(np.isclose(fq, v, rtol=tol, atol=0))[0]
            if not hit.size:
                raise ValueError(f"q = {v:g} is not in {path} (its q values: {' '.join(f'{x:g}' for x in fq)})")
            name = f"fs_{block}_q{hit[0] + 1}"
            if name not in data:
                raise ValueError(f"{path} has no column {name} (blocks: {', '.join(data['types'] or [])})")
            value = (t, np.asarray(data[name], dtype=float)[rows])
            if errors:
                ename = f"fserr_{block}_q{hit[0] + 1}"
                err = None if ename not in data else check_errors(t, np.asarray(data[ename], float)[rows],
                                                                  f"{path} ({ename})")
                value = value + (err,)
            out[float(fq[hit[0]])] = value
        return out
    _, blocks = read_blocks(path, "'t F_s' table")
    ncol = len(blocks[0]) if blocks else 0
    if ncol not in (2, 3):
        raise ValueError(f"{path}: a plain table needs the columns 't F_s' or 't F_s err', found {ncol}")
    if qs is None or len(qs) != 1:
        raise ValueError(f"{path} is a plain 't F_s' table: give its wave number with exactly one --q")
    t, F = blocks[0][0], blocks[0][1]
    err = check_errors(t, blocks[0][2], f"{path} (column 3, err)") if ncol == 3 else None
    return {qs[0]: (t, F, err) if errors else (t, F)}


def write_sisf(path: str | Path, t, q, sisf, header: str = "") -> Path:
    """Write SISFs ``sisf`` (T, n_q) at times ``t`` in the format of a ``fix sisf/msd`` file
    (block ``all``; msd and alpha2 NaN), so that ``slowdyn kernels`` reads them like simulation output.
    """
    t, q, sisf = np.asarray(t, float), np.asarray(q, float), np.asarray(sisf, float)
    if sisf.shape != (len(t), len(q)):
        raise ValueError(f"sisf must have shape (len(t), len(q)) = ({len(t)}, {len(q)}), got {sisf.shape}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(t)
    table = np.column_stack([np.arange(1, n + 1), t, np.ones(n), np.full(n, np.nan), np.full(n, np.nan), sisf])
    with open(path, "w") as fh:
        fh.write(f"# slowdyn fix sisf/msd: {header or 'written by slowdyn.analysis.io.sisf.write_sisf'}\n"
                 f"# q: {' '.join(f'{v:.10g}' for v in q)}\n# types: all\n")
        write_table(fh, _expected_columns(q, ["all"]), table,
                    fmt=["%d", "%.10e", "%d", "%g", "%g"] + ["%.10e"] * len(q))
    return path


def average_sisf(paths, out: str | Path | None = None) -> dict:
    """Average ``fix sisf/msd`` files of independent replicas (same settings, q and lag grid).

    Every data column is averaged row by row with the rows' ``norigin`` as
    weights (a lag that has no origin in a file does not count there), and
    ``norigin`` becomes the sum. alpha2 is averaged the same way (an
    approximation: it is not linear in the moments). The result has the
    layout of :func:`read_sisf` plus ``replicas``, the per-file ``fs`` columns
    stacked (``replica_fs``: ``{name: array (n_files, n_lags)}``) and, from two
    replicas on, the standard error of the mean of every ``fs_B_q<i>`` as
    ``fserr_B_q<i>`` (module docstring), also written to ``out``.

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
        cols = first if p == paths[0] else read_sisf(p)
        tab = np.column_stack([cols[n] for n in names])
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
    err_names: list[str] = []
    if len(paths) >= 2:
        err_names = _error_columns(first["q"], first["types"])
        for e in err_names:
            result[e] = pooled_standard_error(result["replica_fs"]["fs_" + e[len("fserr_"):]], result["time"])
    if out is not None:
        _rewrite(paths[0], out, "average of {} replicas (norigin-weighted): {}".format(
                 len(paths), " ".join(p.name for p in paths)), names + err_names,
                 np.column_stack([mean] + [result[e] for e in err_names]), "%.8e")
    return result


def _rewrite(source: Path, out: str | Path, comment: str, names: list[str], table: np.ndarray, fmt: str) -> None:
    """Write ``table`` to ``out`` in the fix's format: the header lines of ``source`` (its
    ``# columns:`` line replaced), ``# COMMENT`` and the new ``# columns:`` line.
    """
    with open(source, errors="replace") as fh:
        head_lines = [ln for ln in fh if ln.startswith("#") and not ln[1:].strip().startswith("columns:")]
    with open(out, "w") as fh:
        fh.writelines(head_lines)
        write_table(fh, names, table, comments=[comment], fmt=["%d", "%.10g", "%d"] + [fmt] * (len(names) - 3))


def splice_sisf(short: str | Path, long: str | Path, out: str | Path | None = None) -> dict:
    """Join a short-lag ``fix sisf/msd`` table onto a long-lag one of the same system.

    The long table (production, sampled every ``nevery`` steps) misses the
    lags below its first one; the short table (a second fix that samples
    every step with few correlator levels, ``-var nshort`` of
    inputs/edbd_disks/in.edbd_disks) resolves them. The result holds the
    short table's rows with ``time`` below the long table's first positive
    time, then every row of the long table, each with its own ``norigin``.

    Parameters
    ----------
    short, long : path
        The two tables. They must have the same ``# q:`` values, the same
        ``# columns:`` (error columns included) and the same timestep
        (``time/lag``); the short one must have lags below the long one's first.
    out : path, optional
        Write the joined table there: the long table's header lines, a
        ``# spliced: ...`` line and the ``# columns:`` line.

    Returns
    -------
    dict
        As :func:`read_sisf` (``q``, ``types``, ``header`` and one array per
        column) plus ``n_short``, the number of rows taken from ``short``.

    Raises
    ------
    ValueError
        (one line) for tables with different q lists, columns or timesteps, or
        a short table without a lag below the long table's first.
    """
    short, long = Path(short), Path(long)
    heads, tabs = [], []
    for p in (short, long):
        head = read_header(p)
        if head["q"] is None or head["columns"] is None:
            raise ValueError(f"{p} is not a fix sisf/msd file (no '# q:' / '# columns:' header lines)")
        head, cols = read_table(p, "fix sisf/msd file", required=("lag", "time", "norigin"))
        heads.append(head)
        tabs.append(np.column_stack([np.atleast_1d(cols[n]) for n in head["columns"]]))
    (hs, hl), (ts, tl) = heads, tabs
    qs, ql = np.asarray(hs["q"], float), np.asarray(hl["q"], float)
    if qs.shape != ql.shape or not np.allclose(qs, ql, rtol=1e-9, atol=0):
        raise ValueError(f"{short} and {long} have different q lists ({' '.join(f'{v:g}' for v in qs)} against "
                         f"{' '.join(f'{v:g}' for v in ql)}); splice only tables of one q list")
    if hs["columns"] != hl["columns"]:
        raise ValueError(f"{short} and {long} have different columns; splice only tables of one run set-up")
    names = hl["columns"]
    il, it = names.index("lag"), names.index("time")
    step = [t[t[:, il] > 0, it] / t[t[:, il] > 0, il] for t in (ts, tl)]
    if not all(s.size for s in step):
        raise ValueError(f"{short if not step[0].size else long} has no lag > 0")
    if not np.allclose(np.concatenate(step), step[1][0], rtol=1e-6, atol=0):
        raise ValueError(f"{short} and {long} have different timesteps (time/lag {step[0][0]:g} against "
                         f"{step[1][0]:g}); the lag column would mix steps of both")
    t_first = float(tl[tl[:, it] > 0, it][0])
    keep = (ts[:, it] > 0) & (ts[:, it] < t_first * (1 - 1e-9))
    if not keep.any():
        raise ValueError(f"{short} has no lag below the first lag {t_first:g} of {long}: nothing to splice")
    table = np.vstack([ts[keep], tl])
    result = {"q": ql, "types": hl["types"], "header": hl["settings"], "n_short": int(keep.sum())}
    for c, name in enumerate(names):
        result[name] = table[:, c]
    if out is not None:
        _rewrite(long, out, f"spliced: {int(keep.sum())} lags below {t_first:g} from {short.name}, then {long.name}",
                 names, table, "%.10e")
    return result


__all__ = ["POOL_LAGS", "average_sisf", "load_sisf", "pooled_standard_error", "read_sisf", "splice_sisf", "write_sisf"]
