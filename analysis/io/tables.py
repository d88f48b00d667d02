"""The text tables of slowdyn: one header parser, one reader, one writer.

Every table slowdyn reads or writes (``fix sisf/msd`` output, the tables of
``slowdyn kernels``) is whitespace-separated numbers under ``#`` comment
lines. Three of the comment lines have a meaning:

- ``# columns: NAME NAME ...``: the names of the columns below it (a file may
  hold several blocks, each starting with its own ``# columns:`` line),
- ``# q: Q Q ...``: wave numbers,
- ``# types: all 1 2 ...``: the blocks of a ``fix sisf/msd`` file;

``# slowdyn fix sisf/msd: KEY VALUE ...`` holds the fix settings. Any other
comment line is kept verbatim (``comments``) for readers that need more.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Iterable, Sequence

import numpy as np


def parse_header(lines: Iterable[str]) -> dict:
    """Parse ``#`` comment lines (the one header parser of every table).

    Parameters
    ----------
    lines : iterable of str
        Comment lines, with or without their leading ``#``.

    Returns
    -------
    dict
        ``q`` (array or None), ``types`` (list or None), ``columns`` (list or
        None; the last ``# columns:`` line), ``settings`` (the fix settings,
        ``{}`` if absent) and ``comments`` (every other comment line, stripped).
    """
    out: dict = {"q": None, "types": None, "columns": None, "settings": {}, "comments": []}
    for line in lines:
        body = line[1:].strip() if line.startswith("#") else line.strip()
        if body.startswith("q:"):
            try:
                out["q"] = np.array([float(v) for v in body[2:].split()])
            except ValueError:
                raise ValueError(f"the '# q:' line holds a word that is not a number: {body!r}") from None
        elif body.startswith("types:"):
            out["types"] = body[6:].split()
        elif body.startswith("columns:"):
            out["columns"] = body[8:].split()
        elif body.startswith("slowdyn fix sisf/msd:"):
            words = body.split(":", 1)[1].split()
            out["settings"] = dict(zip(words[::2], words[1::2]))
        else:
            out["comments"].append(body)
    return out


def read_header(path: str | Path) -> dict:
    """:func:`parse_header` of the leading ``#`` lines of the file ``path``."""
    lines = []
    with open(path, errors="replace") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            lines.append(line)
    return parse_header(lines)


def read_blocks(path: str | Path, what: str = "table", text: Sequence[str] = ()) -> tuple[dict, list[dict]]:
    """The header and every ``# columns:`` block of a table.

    Parameters
    ----------
    path : path
        The file.
    what : str
        What the file should be, for the error messages (e.g. ``"kernel table of slowdyn kernels"``).
    text : sequence of str
        Columns that hold words, not numbers (kept as ``str`` arrays).

    Returns
    -------
    header : dict
        :func:`parse_header` of the comment lines before the first data row.
    blocks : list of dict
        One per ``# columns:`` line: ``{name: 1D array}`` of the rows below it
        in the line's order. Rows before any ``# columns:`` line form a block
        keyed by column number (0, 1, ...).

    Raises
    ------
    ValueError
        (one line, naming ``what``) for a missing file, a non-numeric entry or
        a row whose length differs from its ``# columns:`` line.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{what} {path} does not exist")
    head, blocks, names, rows, in_head = [], [], None, [], True

    def close():
        if names is None and not rows:
            return
        keys = list(names) if names is not None else list(range(len(rows[0]) if rows else 0))
        block = {}
        for j, key in enumerate(keys):
            col = [r[j] for r in rows]
            if key in text:
                block[key] = np.array(col, dtype=str)
                continue
            try:
                block[key] = np.array(col, dtype=float)
            except ValueError:
                bad = next(v for v in col if not _is_number(v))
                raise ValueError(f"{path}: column {key} of the {what} holds {bad!r}, not a number") from None
        blocks.append(block)

    with open(path, errors="replace") as fh:
        for k, line in enumerate(fh, 1):
            if line.startswith("#"):
                if in_head:
                    head.append(line)
                body = line[1:].strip()
                if body.startswith("columns:"):
                    close()
                    names, rows = body[8:].split(), []
                continue
            if not line.strip():
                continue
            in_head = False
            row = line.split()
            width = len(names) if names is not None else (len(rows[0]) if rows else len(row))
            if len(row) != width:
                raise ValueError(f"{path}: line {k} has {len(row)} entries, "
                                 + (f"the '# columns:' header names {width}" if names is not None
                                    else f"the first row has {width}"))
            rows.append(row)
    close()
    return parse_header(head), blocks


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def read_table(path: str | Path, what: str = "table", required: Sequence[str] = (),
               text: Sequence[str] = ()) -> tuple[dict, dict]:
    """A one-block table with a ``# columns:`` header, by column name.

    Parameters
    ----------
    path : path
        The file.
    what : str
        What the file should be, for the error messages.
    required : sequence of str
        Column names that must be present (a renamed or missing one is a one-line ValueError).
    text : sequence of str
        Columns that hold words (see :func:`read_blocks`).

    Returns
    -------
    header : dict
        :func:`parse_header` result.
    columns : dict
        ``{name: 1D array}`` in the file's order.
    """
    head, blocks = read_blocks(path, what, text)
    names = head["columns"]
    if not names:
        raise ValueError(f"{path} is not a {what}: it has no '# columns:' header line")
    if len(blocks) != 1:
        raise ValueError(f"{path} is not a {what}: it holds {len(blocks)} '# columns:' blocks, expected one")
    missing = [c for c in required if c not in names]
    if missing:
        raise ValueError(f"{path} is not a {what}: no column {', '.join(missing)} (its columns: {' '.join(names)})")
    return head, blocks[0]


def write_table(out: str | Path | IO[str], columns: Sequence[str], data, comments: Sequence[str] = (),
                fmt="%.8e") -> None:
    """Write ``data`` (rows x columns) under ``# COMMENT`` lines and a ``# columns:`` line.

    ``out`` is a path or an open text file (then the block is appended to it).
    """
    data = np.asarray(data)
    if data.ndim != 2 or data.shape[1] != len(columns):
        raise ValueError(f"write_table: {len(columns)} column names for data of shape {data.shape}")
    text = "".join(f"# {c}\n" for c in comments) + f"# columns: {' '.join(columns)}\n"
    if isinstance(out, (str, Path)):
        with open(out, "w") as fh:
            fh.write(text)
            np.savetxt(fh, data, fmt=fmt)
    else:
        out.write(text)
        np.savetxt(out, data, fmt=fmt)


__all__ = ["parse_header", "read_blocks", "read_header", "read_table", "write_table"]
