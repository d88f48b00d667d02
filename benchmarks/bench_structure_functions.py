"""Radial structure functions G_X(i; r, delta) of 4096 particles (rho = 1.2, two types 80:20, r = 0.1..5,
delta = 0.2): slowdyn's routes against the brute-force loop (a Python loop over i, numpy over j, minimum
image), in one run. Neighbours from scipy's periodic cKDTree (the default for orthogonal boxes) or from freud's
AABBQuery; the Gaussians accumulated by the compiled numba kernel (the default when numba is installed; its
first call's JIT compilation timed separately) or by numpy (Gaussian recurrence and a sparse scatter),
slowdyn.analysis.structure_dynamics.features. Prints the seconds per frame of each route (the loop timed on
--sample particles and scaled to all), the neighbour search alone, the ratios, the time of 100 frames, the
load average, and the largest differences on the sampled particles.

    python benchmarks/bench_structure_functions.py [--n 4096] [--frames 3] [--sample 64]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def brute_force(points, types, cell, radii, delta, rows):
    L = np.diag(cell)
    out = np.zeros((len(rows), 2, len(radii)))
    for k, i in enumerate(rows):
        d = points - points[i]
        d -= np.round(d / L) * L
        r = np.sqrt((d * d).sum(axis=1))
        for x, t in enumerate((1, 2)):
            sel = (types == t) & (r > 0)
            out[k, x] = np.exp(-((radii[:, None] - r[sel][None, :]) ** 2) / (2 * delta**2)).sum(axis=1)
    return out.reshape(len(rows), -1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--frames", type=int, default=3)
    ap.add_argument("--sample", type=int, default=64)
    args = ap.parse_args()

    from scipy.spatial import cKDTree

    from slowdyn.analysis.structure_dynamics.features import RADII, radial_structure_functions

    rng = np.random.default_rng(0)
    L = (args.n / 1.2) ** (1 / 3)
    cell = np.diag([L, L, L])
    types = np.where(np.arange(args.n) < 0.8 * args.n, 1, 2)
    frames = [rng.random((args.n, 3)) * L for _ in range(args.frames)]
    print(f"N = {args.n}, box {L:.3f}, 100 features; {args.frames} frames; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    def per_frame(**kw):
        t0 = time.perf_counter()
        out = [radial_structure_functions(p, types, cell, 3, **kw) for p in frames]
        return out, (time.perf_counter() - t0) / args.frames

    t0 = time.perf_counter()
    radial_structure_functions(frames[0][:64], types[:64], np.diag([6.0] * 3), 3, kernel="numba")
    jit = time.perf_counter() - t0
    fast, t_numba = per_frame(neighbours="kdtree", kernel="numba")
    feats, t_numpy = per_frame(neighbours="kdtree", kernel="numpy")
    t0 = time.perf_counter()
    for p in frames:                                    # the neighbour search alone (the numba route's pairs)
        x = np.mod(p, L)
        x[x >= L] = 0.0
        pairs = cKDTree(x, boxsize=[L] * 3).query_pairs(RADII.max() + 8 * 0.2, output_type="ndarray")
    t_pairs = (time.perf_counter() - t0) / args.frames
    t0 = time.perf_counter()
    via_freud = radial_structure_functions(frames[0], types, cell, 3, neighbours="freud", kernel="numba")
    freud_time = time.perf_counter() - t0
    rows = rng.choice(args.n, args.sample, replace=False)
    t0 = time.perf_counter()
    ref = brute_force(frames[0], types, cell, RADII, 0.2, rows)
    loop = (time.perf_counter() - t0) * args.n / args.sample
    print(f"numba import + JIT compilation (first call of a process): {jit:.2f} s")
    print(f"slowdyn, cKDTree + numba kernel: {t_numba:.3f} s per frame, 100 frames {100 * t_numba:.1f} s")
    print(f"  of which the cKDTree pair search ({len(pairs)} pairs): {t_pairs:.3f} s per frame, the rest "
          f"(distances and Gaussians in the kernel, set-up): {t_numba - t_pairs:.3f} s")
    print(f"slowdyn, cKDTree + numpy recurrence/scatter: {t_numpy:.3f} s per frame, 100 frames {100 * t_numpy:.1f} s")
    print(f"slowdyn, freud + numba kernel: {freud_time:.3f} s per frame (1 frame)")
    print(f"brute-force loop: {loop:.3f} s per frame (timed on {args.sample} particles)")
    print(f"ratio numpy / numba: {t_numpy / t_numba:.1f}, loop / numba: {loop / t_numba:.1f}, "
          f"loop / numpy: {loop / t_numpy:.2f}, loop / freud + numba: {loop / freud_time:.2f}")
    print(f"largest differences: numba - loop {np.abs(fast[0][rows] - ref).max():.2e}, numpy - loop "
          f"{np.abs(feats[0][rows] - ref).max():.2e}, numba - numpy "
          f"{max(np.abs(a - b).max() for a, b in zip(fast, feats)):.2e}, freud - cKDTree "
          f"{np.abs(via_freud - fast[0]).max():.2e}")

if __name__ == "__main__":
    main()
