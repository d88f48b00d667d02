"""Run the slowdyn CLI on arguments that must fail and return its one error line."""

from __future__ import annotations

import pytest

from slowdyn.cli import main


def cli_error(argv: list[str], capsys, code: int = 2) -> str:
    """Run the CLI on argv, expect SystemExit(code) and one stderr line without a traceback."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("slowdyn ") and ": error: " in lines[0], err
    return lines[0]
