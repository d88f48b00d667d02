"""The tables of ``slowdyn kernels`` (:class:`~slowdyn.analysis.memory.KernelSet`): writers and readers.

- ``PREFIX_kernels.txt``: ``# columns: t m_q<Q> ...``, the kernels on the
  pipeline's time grid, followed, where the kernels have a bootstrap band
  (the ``spectral`` method), by ``mlo_q<Q> ... mhi_q<Q> ...``, its lower and
  upper edge (the 2.5 % and 97.5 % quantiles of the bootstrap refits) (:func:`write_kernels`,
  :func:`read_kernels`, :func:`read_kernel_band`),
- ``PREFIX_m0.txt``: per q the chosen m0 and how, the asymptotic and
  Kramers-Kronig estimates, the last kept frequency, the RMSE, the iterative
  m0 and its RMSE (NaN where not evaluated), then :data:`M0_EXTRA` (the
  model-free noise of the data, the second m0 estimate of the ``spectral``
  method, the band of m0 and the ``warning`` codes: ``-`` or a comma-separated
  list of ``rmse``, ``m0``, ``truncation``, ``err_unused``, see
  :mod:`slowdyn.analysis.memory.kernelset`), and a
  ``# scaling m0(q) = a/q^2 (1 + b q): a A b B mean RMSE R`` line with the
  q-scaling fit (:func:`write_m0`, :func:`read_m0`; files without the
  :data:`M0_EXTRA` columns read as NaN and ``-``),
- ``PREFIX_sisf.txt``: the SISF data and their MZ reconstruction, one
  ``# columns: t F_q<Q> Frec_q<Q> ...`` block (or one block per q where the
  times differ) (:func:`write_sisf_fit`, :func:`read_sisf_fit`).

Every file starts with the settings line :func:`settings_line`. The header
lines go through :func:`slowdyn.analysis.io.tables.parse_header`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import numpy as np

from .tables import read_blocks, read_header, read_table, write_table

#: columns of PREFIX_m0.txt that every version of it has
M0_COLUMNS = ("q", "m0", "how", "m0_asymptotic", "m0_kk", "omega_cut", "rmse", "m0_iterative", "rmse_iterative")
#: the columns after them (``warning`` holds words)
M0_EXTRA = ("noise", "m0_check", "m0_lo", "m0_hi", "delta", "warning")
_SETTINGS = re.compile(r"^slowdyn kernels (?P<source>.*): D0 (?P<D0>\S+) method (?P<method>\S+) m0 (?P<m0>\S+) "
                       r"cut (?P<cut>\S+)(?: noise (?P<noise>\S+))?(?: dynamics (?P<dynamics>\S+) kT_m (?P<kT_m>\S+))?"
                       r"(?: bootstrap (?P<bootstrap>\d+))?(?: resolve (?P<resolve>\S+))?$")
_SCALING = re.compile(r"^scaling m0\(q\) = a/q\^2 \(1 \+ b q\): a (\S+) b (\S+) mean RMSE (\S+)$")


def settings_line(source: str, D0: float, method: str, m0, cut: float, noise: float, dynamics: str = "brownian",
                  kT_m: float | None = None, bootstrap: int | None = None, resolve: float | None = None) -> str:
    """The first comment line of every table of ``slowdyn kernels`` (without ``#``).

    ``dynamics newtonian kT_m X`` is appended for Newtonian dynamics, ``bootstrap N`` for a
    method with a bootstrap band (``spectral``), ``resolve R`` where it was given.
    """
    m0 = f"{m0:g}" if isinstance(m0, (int, float)) else str(m0)
    line = f"slowdyn kernels {source}: D0 {D0:g} method {method} m0 {m0} cut {cut:g} noise {noise:g}"
    if dynamics != "brownian":
        line += f" dynamics {dynamics} kT_m {kT_m:g}"
    if bootstrap is not None:
        line += f" bootstrap {int(bootstrap)}"
    if resolve is not None:
        line += f" resolve {resolve:g}"
    return line


def parse_settings(header: dict) -> dict:
    """``source``, ``D0``, ``method``, ``m0`` (str), ``cut``, ``noise`` (0 if absent), ``dynamics``
    (``brownian`` if absent), ``kT_m`` (None if absent), ``bootstrap`` (0 if absent) and ``resolve``
    (None if absent) from a parsed
    header (:func:`~slowdyn.analysis.io.tables.parse_header`); ``{}`` without a settings line.
    """
    for line in header["comments"]:
        hit = _SETTINGS.match(line)
        if hit:
            d = hit.groupdict()
            return {"source": d["source"], "D0": float(d["D0"]), "method": d["method"], "m0": d["m0"],
                    "cut": float(d["cut"]), "noise": float(d["noise"] or 0.0),
                    "dynamics": d["dynamics"] or "brownian", "kT_m": None if d["kT_m"] is None else float(d["kT_m"]),
                    "bootstrap": int(d["bootstrap"] or 0),
                    "resolve": None if d["resolve"] is None else float(d["resolve"])}
    return {}


def _q_columns(names: Sequence[str], prefix: str) -> list[float]:
    return [float(n[len(prefix):]) for n in names if n.startswith(prefix)]


def write_kernels(path: str | Path, t, q, m, comments: Sequence[str] = (), band=None) -> Path:
    """``PREFIX_kernels.txt``: ``t`` (T,), ``q`` (n_q,), ``m`` (T, n_q); ``band``: optional
    ``(lo, hi)``, each (T, n_q), written as ``mlo_q<Q> ... mhi_q<Q> ...``.
    """
    t, q, m = np.asarray(t, float), np.asarray(q, float), np.asarray(m, float)
    if m.shape != (t.size, q.size):
        raise ValueError(f"m must have shape (len(t), len(q)) = ({t.size}, {q.size}), got {m.shape}")
    names, cols = ["t"] + [f"m_q{v:g}" for v in q], [t, m]
    if band is not None:
        lo, hi = (np.asarray(b, float) for b in band)
        if lo.shape != m.shape or hi.shape != m.shape:
            raise ValueError(f"the band must have the shape of m {m.shape}, got {lo.shape} and {hi.shape}")
        names += [f"mlo_q{v:g}" for v in q] + [f"mhi_q{v:g}" for v in q]
        cols += [lo, hi]
    write_table(path, names, np.column_stack(cols), comments)
    return Path(path)


def read_kernels(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(t, q, m)`` from ``PREFIX_kernels.txt``; ``m`` has shape (T, n_q).

    Raises a one-line ValueError for a file without the ``# columns: t m_q<Q> ...``
    header (a renamed or missing column included), non-finite kernels or times
    that do not increase.
    """
    what = "kernel table of slowdyn kernels"
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"kernel file {path} does not exist (write it with slowdyn kernels ... --out PREFIX)")
    names = read_header(path)["columns"] or []
    kernel = [c for c in names[1:] if c.startswith("m_q")]
    n = len(kernel)
    band = names[1 + n:]
    if not names or names[0] != "t" or n < 1 or names[1:1 + n] != kernel or (
            band and (len(band) != 2 * n or not all(c.startswith("mlo_q") for c in band[:n])
                      or not all(c.startswith("mhi_q") for c in band[n:]))):
        raise ValueError(f"{path} is not a {what} (needs a '# columns: t m_q<Q> ... [mlo_q<Q> ... mhi_q<Q> ...]' "
                         f"header, found {' '.join(names) or 'none'})")
    _, cols = read_table(path, what)
    try:
        q = np.array(_q_columns(names, "m_q"))
    except ValueError:
        raise ValueError(f"{path}: a column name m_q<Q> without a number Q ({' '.join(names)})") from None
    t, m = cols["t"], np.column_stack([cols[c] for c in kernel])
    if not (np.all(np.isfinite(m)) and np.all(np.diff(t) > 0)):
        raise ValueError(f"{path}: the kernel table needs finite kernels on strictly increasing times")
    return t, q, m


def read_kernel_band(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``(t, q, lo, hi)`` of the bootstrap band in ``PREFIX_kernels.txt`` (each (T, n_q)), or None
    for a file without ``mlo_q<Q>``/``mhi_q<Q>`` columns (:func:`read_kernels` checks the layout).
    """
    t, q, _ = read_kernels(path)
    names = read_header(path)["columns"]
    if not any(c.startswith("mlo_q") for c in names):
        return None
    _, cols = read_table(path, "kernel table of slowdyn kernels")
    lo = np.column_stack([cols[c] for c in names if c.startswith("mlo_q")])
    hi = np.column_stack([cols[c] for c in names if c.startswith("mhi_q")])
    return t, q, lo, hi


def write_m0(path: str | Path, rows: Sequence[dict], scaling: dict | None = None,
             comments: Sequence[str] = ()) -> Path:
    """``PREFIX_m0.txt``: one row per dict of ``rows`` (keys :data:`M0_COLUMNS` and :data:`M0_EXTRA`;
    the iterative ones and the extra ones may be absent: NaN, ``warning`` ``-``) and the q-scaling
    line if ``scaling`` (``a``, ``b``, ``mean_rmse``).
    """
    nan = float("nan")
    lines = [f"# {c}\n" for c in comments]
    if scaling is not None:
        lines.append(f"# scaling m0(q) = a/q^2 (1 + b q): a {scaling['a']:.6g} b {scaling['b']:.6g} "
                     f"mean RMSE {scaling['mean_rmse']:.4g}\n")
    lines.append(f"# columns: {' '.join(M0_COLUMNS + M0_EXTRA)}\n")
    for r in rows:
        warning = str(r.get("warning", "-")) or "-"
        if any(c.isspace() for c in warning):
            raise ValueError(f"the warning codes of q = {r['q']:g} must not hold blanks: {warning!r}")
        lines.append(f"{r['q']:g} {r['m0']:.6g} {r['how']} {r['m0_asymptotic']:.6g} {r['m0_kk']:.6g} "
                     f"{r['omega_cut']:.4g} {r['rmse']:.4e} {r.get('m0_iterative', nan):.6g} "
                     f"{r.get('rmse_iterative', nan):.4e} {r.get('noise', nan):.4e} {r.get('m0_check', nan):.6g} "
                     f"{r.get('m0_lo', nan):.6g} {r.get('m0_hi', nan):.6g} {r.get('delta', nan):.6g} {warning}\n")
    Path(path).write_text("".join(lines))
    return Path(path)


def read_m0(path: str | Path) -> dict:
    """``PREFIX_m0.txt``: ``{column: array}`` (:data:`M0_COLUMNS`; ``how`` as str), plus ``scaling``
    (``{a, b, mean_rmse}`` or None) and ``settings`` (:func:`parse_settings`).
    """
    head, cols = read_table(path, "m0 table of slowdyn kernels", required=M0_COLUMNS, text=("how", "warning"))
    out = {c: cols[c] for c in M0_COLUMNS}
    n = len(cols["q"])
    for c in M0_EXTRA:
        out[c] = cols[c] if c in cols else (np.full(n, "-") if c == "warning" else np.full(n, np.nan))
    out["scaling"] = None
    for line in head["comments"]:
        hit = _SCALING.match(line)
        if hit:
            a, b, mean = (float(v) for v in hit.groups())
            out["scaling"] = {"a": a, "b": b, "mean_rmse": mean}
    out["settings"] = parse_settings(head)
    return out


def write_sisf_fit(path: str | Path, q, t, F, F_rec, comments: Sequence[str] = ()) -> Path:
    """``PREFIX_sisf.txt``: per wave number ``q[i]`` the data ``F[i]`` and the reconstruction
    ``F_rec[i]`` on ``t[i]``; one block if every ``t[i]`` is the same, else one block per q.
    """
    q = [float(v) for v in q]
    with open(path, "w") as fh:
        fh.write("".join(f"# {c}\n" for c in comments))
        if all(np.array_equal(ti, t[0]) for ti in t):
            names = ["t"] + [n for v in q for n in (f"F_q{v:g}", f"Frec_q{v:g}")]
            write_table(fh, names, np.column_stack([t[0]] + [c for i in range(len(q)) for c in (F[i], F_rec[i])]))
        else:
            for i, v in enumerate(q):
                write_table(fh, ["t", f"F_q{v:g}", f"Frec_q{v:g}"], np.column_stack([t[i], F[i], F_rec[i]]))
    return Path(path)


def read_sisf_fit(path: str | Path, column: str = "data") -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """``{q: (t, F)}`` from ``PREFIX_sisf.txt``: ``column`` ``data`` (``F_q<Q>``) or
    ``reconstructed`` (``Frec_q<Q>``).
    """
    if column not in ("data", "reconstructed"):
        raise ValueError(f"sisf column must be 'data' or 'reconstructed', got {column!r}")
    prefix = "F_q" if column == "data" else "Frec_q"
    _, blocks = read_blocks(path, "SISF table of slowdyn kernels")
    found: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    for block in blocks:
        names = list(block)
        if not names or names[0] != "t":
            continue
        for name in names[1:]:
            if isinstance(name, str) and name.startswith(prefix):
                try:
                    found[float(name[len(prefix):])] = (block["t"], block[name])
                except ValueError:
                    continue
    if not found:
        raise ValueError(f"{path} holds no 't ... {prefix}<Q>' columns: not an SISF table of slowdyn kernels")
    return found


__all__ = ["M0_COLUMNS", "M0_EXTRA", "parse_settings", "read_kernel_band", "read_kernels", "read_m0",
           "read_sisf_fit", "settings_line", "write_kernels", "write_m0", "write_sisf_fit"]
