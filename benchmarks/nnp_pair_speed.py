"""Microseconds per atom-step of several pair styles on the same configuration, in one run.

Each style runs NVE from the last test frame of a data set written by
``slowdyn nnp data`` (one LAMMPS instance per style, ``--warmup`` steps
untimed, then ``--steps`` timed); the ratios are to the first style.

    python benchmarks/nnp_pair_speed.py voronoi_small --steps 200 \\
        --style "voronoi 1000 3.0" --style "deepmd dp_rc3/model.pb" --units lj --units metal \
        --coeff "* *" --coeff "* *"

``--nequip MODEL.nequip.pt2`` adds ``pair_style nequip`` with that package (the data
set's type names; the library of ``slowdyn nnp build-plugin``, or ``--nequip-plugin``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from slowdyn.nnp.data import atoms_to_frames, load_dataset_meta, read_frames
from slowdyn.runs.sampling import Potential, _box_commands, _scatter_positions


def time_style(potential: Potential, frame, steps: int, warmup: int, dt: float, plugin: str | None = None,
               cpu: bool = False):
    """Seconds per step of ``potential`` on ``frame`` (NVE, timed after the warm-up);
    ``plugin``: a plugin library to load first unless its style is already there.

    ``cpu``: return ``(wall, cpu)`` seconds per step; the CPU time of this process
    (LAMMPS runs in it) is the fairer number on a loaded machine.
    """
    import slowdyn

    lmp = slowdyn.lammps()
    try:
        if plugin and not lmp.has_style("pair", "nequip"):
            lmp.command(f"plugin load {plugin}")
        lmp.commands_list(_box_commands(potential, frame.cell))
        n = len(frame.types)
        lmp.create_atoms(n, list(range(1, n + 1)), frame.types.tolist(), np.asarray(frame.positions).ravel().tolist())
        lmp.commands_list(potential.interaction_commands())
        _scatter_positions(lmp, np.ascontiguousarray(frame.positions))
        lmp.commands_list([f"timestep {dt!r}", "velocity all create 1e-9 1 mom yes rot no", "fix nve all nve",
                           "thermo 0", f"run {warmup}"])
        t0, c0 = time.perf_counter(), time.process_time()
        lmp.command(f"run {steps}")
        wall, cpu_s = (time.perf_counter() - t0) / steps, (time.process_time() - c0) / steps
        return (wall, cpu_s) if cpu else wall
    finally:
        lmp.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset", type=Path)
    p.add_argument("--style", action="append", required=True, help="pair_style arguments (repeat)")
    p.add_argument("--coeff", action="append", default=None,
                   help="pair_coeff arguments per style, lines separated by ';' (default: '* *')")
    p.add_argument("--units", action="append", default=None, help="units per style (default: the data set's)")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--dt", type=float, default=1e-4)
    p.add_argument("--nequip", type=Path, default=None, help="also time pair_style nequip with this .nequip.pt2")
    p.add_argument("--nequip-plugin", default=None, help="slowdynnequipplugin.so (default: the built one)")
    args = p.parse_args()
    meta = load_dataset_meta(args.dataset)
    frame = atoms_to_frames(read_frames(args.dataset / "test.extxyz", index="-1:"))[0]
    units = args.units or [meta["units"]] * len(args.style)
    coeffs = args.coeff or ["* *"] * len(args.style)
    if not len(units) == len(coeffs) == len(args.style):
        raise SystemExit("give one --units and one --coeff per --style (or none)")
    styles = list(args.style)
    plugin = None
    if args.nequip is not None:
        from slowdyn._plugin import nequip_plugin_status

        plugin, why = args.nequip_plugin, ""
        if plugin is None:
            lib, why = nequip_plugin_status()
            plugin = str(lib) if lib else None
        if plugin is None:
            raise SystemExit(f"--nequip needs the plugin: {why}")
        styles.append("nequip")
        coeffs.append(f"* * {args.nequip} " + " ".join(meta["type_names"]))
        units.append(units[0])
    rows = []
    for style, c, u in zip(styles, coeffs, units):
        pot = Potential(style, tuple(x.strip() for x in c.split(";")), type_names=tuple(meta["type_names"]), units=u)
        sec = time_style(pot, frame, args.steps, args.warmup, args.dt, plugin=plugin)
        rows.append((style, 1e6 * sec / len(frame.types)))
    base = rows[0][1]
    print(f"N = {len(frame.types)}, {args.steps} steps, one process")
    for style, us in rows:
        print(f"{style:<50} {us:10.2f} us/atom-step   x{us / base:.2f} of the first")


if __name__ == "__main__":
    main()
