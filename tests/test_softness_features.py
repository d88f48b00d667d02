"""Radial structure functions against a brute-force double loop (Obadiya 2025, eq. 2.1)."""

import importlib.util
import itertools

import numpy as np
import pytest

pytest.importorskip("freud")

from slowdyn.analysis.structure_dynamics.features import (RADII, StructureFeatures,  # noqa: E402
                                                          radial_structure_functions)

# the compiled accumulation (numba, the default when installed) and the numpy fallback
KERNELS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="numba not installed"))]


def brute_force(points, types, cell, dim, radii=RADII, delta=0.2, images=1):
    """G_X(i; r) summed over j and the periodic images within ``images`` cells (numpy double loop)."""
    cell = np.asarray(cell, float)[:dim, :dim]
    pts = np.asarray(points, float)[:, :dim]
    species = np.unique(types)
    shifts = np.array(list(itertools.product(range(-images, images + 1), repeat=dim))) @ cell
    out = np.zeros((len(pts), len(species), len(radii)))
    inv = np.linalg.inv(cell)
    for i in range(len(pts)):
        for j in range(len(pts)):
            d = pts[j] - pts[i]
            if images == 0:              # minimum image
                frac = d @ inv
                d = (frac - np.round(frac)) @ cell
                cand = d[None]
            else:
                frac = d @ inv
                d = (frac - np.round(frac)) @ cell
                cand = d[None] + shifts
            for dv in cand:
                r = np.sqrt(dv @ dv)
                if r == 0.0:
                    continue
                out[i, np.searchsorted(species, types[j])] += np.exp(-(radii - r) ** 2 / (2 * delta**2))
    return out.reshape(len(pts), -1)


def random_system(rng, n, cell, dim):
    frac = rng.random((n, 3))
    if dim == 2:
        frac[:, 2] = 0.0
    return frac @ cell, rng.integers(1, 3, n)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dim, cell", [
    (3, np.diag([13.5, 14.0, 14.5])),
    (2, np.diag([14.0, 15.0, 0.0])),
    (3, np.array([[14.0, 0, 0], [3.0, 14.0, 0], [-2.0, 1.5, 14.0]])),
    (2, np.array([[14.0, 0, 0], [4.0, 14.0, 0], [0, 0, 0]])),
])
def test_minimum_image_brute_force(dim, cell, kernel):
    """Boxes wider than twice the cut-off (6.6): the minimum-image double loop, to 1e-12, both neighbour
    searches (cKDTree only for the orthogonal boxes)."""
    rng = np.random.default_rng(1)
    pts, types = random_system(rng, 60, cell, dim)
    ref = brute_force(pts, types, cell, dim, images=0)
    routes = ["freud", "kdtree"] if np.count_nonzero(cell - np.diag(np.diag(cell))) == 0 else ["freud"]
    for route in routes:
        feats = radial_structure_functions(pts, types, cell, dim, neighbours=route, kernel=kernel)
        assert feats.shape == (60, 100)
        np.testing.assert_allclose(feats, ref, rtol=0, atol=1e-12)
        some = np.array([7, 3, 59])
        sub = radial_structure_functions(pts, types, cell, dim, neighbours=route, particles=some, kernel=kernel)
        np.testing.assert_allclose(sub, ref[some], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dim, cell", [
    (3, np.array([[5.0, 0, 0], [1.0, 5.5, 0], [0.5, -0.7, 6.0]])),
    (2, np.array([[4.5, 0, 0], [1.2, 5.0, 0], [0, 0, 0]])),
    (3, np.diag([5.0, 5.5, 6.0])),
    (2, np.diag([4.5, 5.0, 0.0])),
])
def test_small_box_all_images(dim, cell, kernel):
    """A box narrower than the cut-off: every periodic image counts (supercell route), to 1e-12."""
    rng = np.random.default_rng(2)
    pts, types = random_system(rng, 12, cell, dim)
    ref = brute_force(pts, types, cell, dim, images=3)
    routes = ["freud", "kdtree"] if np.count_nonzero(cell - np.diag(np.diag(cell))) == 0 else ["freud"]
    for route in routes:
        feats = radial_structure_functions(pts, types, cell, dim, neighbours=route, kernel=kernel)
        np.testing.assert_allclose(feats, ref, rtol=0, atol=1e-12)


def test_unwrapped_positions_and_steinhardt():
    """Positions shifted by box vectors give the same features; q_l of a simple cubic lattice."""
    cell = np.diag([9.6, 9.6, 9.6])
    grid = 1.2 * np.stack(np.meshgrid(*[np.arange(8.0)] * 3, indexing="ij"), -1).reshape(-1, 3)
    types = np.ones(len(grid), int)
    sf = StructureFeatures(steinhardt=True).compute([grid, grid + 3 * cell[0] - 2 * cell[2]], types, cell)
    f = sf.features
    np.testing.assert_allclose(f[0, :, :50], f[1, :, :50], atol=1e-10)
    np.testing.assert_allclose(f[0, :, 50:], f[1, :, 50:], atol=1e-3)   # float32 q_l; q2 = sqrt(~1e-8)
    # first shell (1.0, 1.5) holds the 6 nearest neighbours at distance 1.2: q4 = 0.7638, q6 = 0.3536
    names = sf.names
    assert f.shape == (2, 512, 50 + 35)
    np.testing.assert_allclose(f[0, :, names.index("q4[1,1.5]")], 0.763763, atol=1e-5)
    np.testing.assert_allclose(f[0, :, names.index("q6[1,1.5]")], 0.353553, atol=1e-5)


@pytest.mark.parametrize("kernel", KERNELS)
def test_subset_of_particles(kernel):
    """Features of chosen particles equal the rows of the full computation."""
    rng = np.random.default_rng(3)
    cell = np.array([[6.0, 0, 0], [0.8, 6.5, 0], [0.3, -0.4, 7.0]])
    pts, types = random_system(rng, 200, cell, 3)
    full = radial_structure_functions(pts, types, cell, 3, kernel=kernel)
    some = np.array([5, 0, 199, 17])
    np.testing.assert_allclose(radial_structure_functions(pts, types, cell, 3, particles=some, kernel=kernel),
                               full[some], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
def test_uneven_radii_and_one_species(kernel):
    """A non-uniform radius grid (direct exponentials) and species=(1,) (type 2 dropped), against the loop."""
    rng = np.random.default_rng(4)
    cell = np.diag([14.0, 14.5, 15.0])
    pts, types = random_system(rng, 50, cell, 3)
    radii = np.array([0.3, 0.5, 1.1, 1.2, 2.7, 4.4])
    ref = brute_force(pts, types, cell, 3, radii=radii, delta=0.3, images=0)[:, :len(radii)]
    feats = radial_structure_functions(pts, types, cell, 3, radii=radii, delta=0.3, species=[1], kernel=kernel)
    np.testing.assert_allclose(feats, ref, rtol=0, atol=1e-12)


def test_kernel_name_checked():
    with pytest.raises(ValueError, match="kernel must be"):
        radial_structure_functions(np.zeros((2, 3)), [1, 1], np.diag([14.0] * 3), 3, kernel="cuda")


def test_neighbour_averaged_steinhardt():
    """On a simple cubic lattice every particle is equivalent, so the neighbour-averaged qbar_l equals
    q_l; on a disordered system averaging over neighbours lowers q_l on average (Lechner & Dellago 2008).
    The averaged features carry their own names and feature-set kind."""
    from slowdyn.analysis.structure_dynamics.features import steinhardt_mode, steinhardt_shells

    cell = np.diag([9.6, 9.6, 9.6])
    grid = 1.2 * np.stack(np.meshgrid(*[np.arange(8.0)] * 3, indexing="ij"), -1).reshape(-1, 3)
    plain = steinhardt_shells(grid, cell)
    avg = steinhardt_shells(grid, cell, average=True)
    np.testing.assert_allclose(avg, plain, atol=1e-4)
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 9.6, (600, 3))
    assert steinhardt_shells(pts, cell, average=True).mean() < 0.8 * steinhardt_shells(pts, cell).mean()
    sf = StructureFeatures(steinhardt="averaged")
    sf.compute([grid], np.ones(len(grid), int), cell)
    assert "qbar6[1,1.5]" in sf.names and sf.description["kind"] == "radial+steinhardt_averaged"
    assert steinhardt_mode(sf.description["kind"]) == "averaged" and steinhardt_mode("radial") is False
    with pytest.raises(ValueError, match="steinhardt must be"):
        StructureFeatures(steinhardt="cubic").compute([grid], np.ones(len(grid), int), cell)
