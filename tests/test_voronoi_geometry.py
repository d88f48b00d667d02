"""Cells built inside LAMMPS by pair_style voronoi[/radical] against an
independent voro++ tessellation (pyvoro2) of the same periodic configuration:
per-cell volumes, centroids and neighbour counts, and volumes summing to the box."""

from __future__ import annotations

import numpy as np
import pytest

pyvoro2 = pytest.importorskip("pyvoro2", reason="pyvoro2 is a test dependency: pip install .[test]")

from geometry import polygon_area_centroid, polyhedron_volume_centroid  # noqa: E402
from voronoi_system import cells, random_system  # noqa: E402


def reference_cells(system, radii=None):
    """voro++ volumes, centroid offsets (centroid - site) and neighbour counts."""
    mode = {"mode": "power", "radii": radii} if radii is not None else {}
    n = system.n
    vol = np.zeros(n)
    off = np.zeros((n, 3))
    nn = np.zeros(n, dtype=int)
    if system.dimension == 3:
        domain = pyvoro2.PeriodicCell(tuple(map(tuple, system.box)))
        out = pyvoro2.compute(system.x, domain=domain, include_empty=True, output="cells", **mode)
        for c in out:
            i = c["id"]
            if c["volume"] <= 0.0 or len(c.get("faces", [])) == 0:
                continue
            verts = np.asarray(c["vertices"])
            faces = [f["vertices"] for f in c["faces"]]
            v, centroid = polyhedron_volume_centroid(verts, faces)
            vol[i], off[i] = c["volume"], centroid - np.asarray(c["site"])
            assert v == pytest.approx(c["volume"], rel=1e-9)
            nn[i] = len(faces)
    else:
        lx, ly = system.box[0, 0], system.box[1, 1]
        domain = pyvoro2.planar.RectangularCell(((0.0, lx), (0.0, ly)), periodic=(True, True))
        out = pyvoro2.planar.compute(system.x[:, :2], domain=domain, include_empty=True,
                                     output="cells", **mode)
        for c in out:
            i = c["id"]
            if c["area"] <= 0.0 or len(c.get("edges", [])) == 0:
                continue
            area, centroid = polygon_area_centroid(np.asarray(c["vertices"]))
            vol[i] = c["area"]
            off[i, :2] = centroid - np.asarray(c["site"])
            assert area == pytest.approx(c["area"], rel=1e-9)
            nn[i] = len(c["edges"])
    return vol, off, nn


def compare(system, radii=None):
    lmp = system.build()
    ours = cells(lmp)
    lmp.close()
    vol, off, nn = reference_cells(system, radii)
    assert ours["volume"].sum() == pytest.approx(system.volume, rel=1e-12)
    np.testing.assert_allclose(ours["volume"], vol, rtol=1e-9, atol=1e-12)
    filled = vol > 0.0
    ours_off = ours["centroid"] - system.x
    np.testing.assert_allclose(ours_off[filled], off[filled], atol=1e-9)
    np.testing.assert_array_equal(ours["neighbors"], nn)
    return ours


@pytest.mark.parametrize("seed", [1, 2])
def test_monodisperse_cubic(seed):
    compare(random_system(120, 1.0, seed, rc=3.2))


def test_monodisperse_triclinic():
    compare(random_system(120, 1.0, 3, tilt=(0.2, -0.15, 0.1), rc=3.2))


def test_radical_two_types():
    system = random_system(150, 1.0, 4, rc=3.2, style="voronoi/radical", type_radii={1: 0.95, 2: 1.05})
    system.types = 1 + (np.arange(system.n) % 2)
    radii = np.where(system.types == 1, 0.95, 1.05)
    compare(system, radii)


def test_radical_per_atom_radii_triclinic():
    rng = np.random.default_rng(5)
    system = random_system(150, 1.0, 5, rc=3.2, tilt=(0.1, 0.2, -0.1), style="voronoi/radical",
                           min_dist=0.4)
    system.atom_radii = rng.uniform(0.8, 1.2, system.n)
    compare(system, system.atom_radii)


def test_radical_empty_cells_are_zero_and_finite():
    """R_A = 0.95, R_B = 1.05 at rho = 0.5: random packings contain empty cells."""
    found = 0
    for seed in range(6, 12):
        system = random_system(200, 0.5, seed, rc=4.0, style="voronoi/radical",
                               type_radii={1: 0.95, 2: 1.05})
        system.types = 1 + (np.arange(system.n) % 2)
        radii = np.where(system.types == 1, 0.95, 1.05)
        ours = compare(system, radii)
        found += int(np.sum(ours["volume"] == 0.0))
    assert found > 0, "no empty cell met: the test lost its purpose"


def test_2d_monodisperse():
    compare(random_system(150, 1.0, 7, dimension=2, rc=4.0))


def test_2d_radical():
    system = random_system(150, 1.0, 8, dimension=2, rc=4.0, style="voronoi/radical",
                           type_radii={1: 0.95, 2: 1.05})
    system.types = 1 + (np.arange(system.n) % 2)
    compare(system, np.where(system.types == 1, 0.95, 1.05))


LATTICES = {  # basis in units of the cubic lattice constant, Voronoi neighbours
    "sc": ([[0, 0, 0]], 6),
    "bcc": ([[0, 0, 0], [0.5, 0.5, 0.5]], 14),
    "fcc": ([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], 12),
}


@pytest.mark.parametrize("lattice", LATTICES)
def test_perfect_lattices_exactly_degenerate(lattice):
    """Every vertex of these cells is shared by more than four cells (fcc:
    degree-4 vertices): the counts must still be exact and forces zero."""
    from voronoi_system import VoronoiSystem, energy, forces

    basis, neighbours = LATTICES[lattice]
    cells_per_side, a = 4, 1.1
    grid = np.array([[i, j, k] for i in range(cells_per_side) for j in range(cells_per_side)
                     for k in range(cells_per_side)], dtype=float)
    x = (grid[:, None, :] + np.array(basis)[None, :, :]).reshape(-1, 3) * a
    length = cells_per_side * a
    system = VoronoiSystem(x=x, box=np.diag([length] * 3), rc=3.0)
    lmp = system.build()
    c = cells(lmp)
    f = forces(lmp)
    e = energy(lmp)
    lmp.close()
    v_cell = length**3 / system.n
    np.testing.assert_allclose(c["volume"], v_cell, rtol=1e-12)
    assert np.all(c["neighbors"] == neighbours), np.unique(c["neighbors"])
    assert np.abs(f).max() < 1e-9
    if lattice == "sc":  # cube of side a: gamma/2 int |r|^2 = gamma a^5 / 8
        assert e == pytest.approx(system.n * system.gamma * a**5 / 8.0, rel=1e-12)
