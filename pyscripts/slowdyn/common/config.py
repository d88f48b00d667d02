"""The one reader of slowdyn's YAML files (data-set recipes, training configs of every network,
closure and NNLT configs): a missing file, broken YAML or a file that is not a mapping is a
one-line error naming the file and, for a syntax error, the line.
"""

from __future__ import annotations

import os
from pathlib import Path


def read_yaml(path: str | os.PathLike, what: str, extra: str = "nnp") -> dict:
    """The mapping in the YAML file ``path``.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for the messages (e.g. ``"data-set config"``).
    extra
        The slowdyn extra that installs PyYAML for this use (named in the error without it).

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        Not valid YAML, or not a mapping (an empty file is an empty mapping).
    """
    from slowdyn.common.optional import require  # noqa: PLC0415

    yaml = require("yaml", f"reading a {what}", extra)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} {path} not found")
    try:
        d = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{path}: not valid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text file (a {what} is YAML)") from None
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise ValueError(f"{path}: expected a YAML mapping ({what}), got a {type(d).__name__}")
    return d
