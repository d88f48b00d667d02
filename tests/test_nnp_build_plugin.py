"""`slowdyn nnp build-plugin` needs the nequip extra: without nequip it stops before compiling.

A pair_style nequip built without nequip could run no model (the packages it loads come from
``nequip-compile`` against the same torch).  In an environment without nequip the command
ends with exit status 2 and one line on stderr, and writes no library; the build itself is
tested with the extra installed (tests/test_nnp_nequip_pair.py).
"""

from __future__ import annotations

import importlib.util

import pytest

from slowdyn.cli import main

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nequip") is not None,
                                reason="nequip is installed: the build is tested in test_nnp_nequip_pair.py")


def test_compile_commands_need_nequip(tmp_path):
    from slowdyn.nnp import nequip_plugin

    with pytest.raises(ImportError, match=r"slowdyn\[nequip\]"):
        nequip_plugin.compile_commands(tmp_path, cxx="false")


def test_build_plugin_stops_without_nequip(tmp_path, capsys):
    dest = tmp_path / "plugin"
    with pytest.raises(SystemExit) as exc:
        main(["nnp", "build-plugin", "--out", str(dest)])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    err = err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slowdyn nnp build-plugin: error:")
    assert "nequip" in err[0] and out == ""   # nothing said about compiling
    assert not dest.exists()
