"""Network potentials side by side: test-set errors and LAMMPS speed in one run, one table.

    python benchmarks/nnp_side_by_side.py doc/nnp_side_by_side/table.yaml --out side_by_side

The spec (YAML) names the data set written by ``slowdyn nnp data`` and the
models.  For every model the errors E_RMSE_per_atom, F_RMSE and F_RMSE/F_mean
(Granz, PhD thesis, HHU Duesseldorf 2026, Tables 3.4-3.7) are computed on the
same held-out split, either through LAMMPS (``pair_style`` and
``pair_coeff``; :func:`slowdyn.nnp.evaluate.evaluate_dataset`) or, for a
NequIP checkpoint, through nequip's ASE calculator.  Then every model with a
``pair_style`` is timed in LAMMPS, one after the other in this process, on the
same configuration (the last test frame; ``benchmarks/nnp_pair_speed.py``):
wall-clock and CPU microseconds per atom-step.  A NequIP checkpoint without a
LAMMPS style is timed through its ASE calculator instead (one energy+force
call = one step; labelled as not LAMMPS).

Spec::

    dataset: "{models}/voronoi_side"         # {root}: this file's folder
    split: test
    max_frames: 10                           # optional: every k-th frame, the same for every model
    speed: {steps: 100, warmup: 10, dt: 1.0e-4}
    models:
      - label: Voronoi (reference)
        reference: true                      # the data set's own potential: timed only
      - label: kNN k = 128
        pair_style: knn/nnp {models}/knn/model.knn 3.6  # {models}: --models (default: the working directory)
        pair_coeff: ["* * A"]
        thesis: {table: "3.6, k = 128", E: 0.11459, F: 6.42097, rel: 0.08119}
      - label: NequIP l = 1
        nequip_checkpoint: "{models}/nequip_l1/best.ckpt"
        thesis: {table: "3.7, l = 1, r = 3.0", E: 0.0468, F: 2.63, rel: 0.0333}

``--only-errors`` and ``--reuse-errors OUT/table.json`` split the work: errors
of the models trained so far first, then the remaining errors and all the
timings in one later run.

Writes ``OUT/table.md`` (the markdown table), ``OUT/table.json`` (all metrics
and timings) and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from slowdyn.nnp.config import read_yaml
from slowdyn.nnp.data import atoms_to_frames, load_dataset_meta, read_frames, reference_potential
from slowdyn.nnp.evaluate import FrameComparison, evaluate_dataset, label_with_calculator
from slowdyn.runs.sampling import Potential, evaluate_frames

from nnp_pair_speed import time_style  # noqa: E402  (benchmarks/ is the script's folder)


def _sub(value, root: Path, models: Path):
    if isinstance(value, str):
        return value.replace("{root}", str(root)).replace("{models}", str(models))
    if isinstance(value, list):
        return [_sub(v, root, models) for v in value]
    if isinstance(value, dict):
        return {k: _sub(v, root, models) for k, v in value.items()}
    return value


def _potential(model: dict, meta: dict) -> Potential | None:
    ref = reference_potential(meta)
    if model.get("reference"):
        return ref
    if "pair_style" not in model:
        return None
    return Potential(model["pair_style"], tuple(model.get("pair_coeff", ["* *"])), type_names=ref.type_names,
                     masses=ref.masses, units=model.get("units", ref.units),
                     commands=tuple(model.get("commands", ())), neighbor=ref.neighbor)


def _nequip_calculator(checkpoint: str, meta: dict):
    from nequip.integrations.ase import NequIPCalculator

    return NequIPCalculator._from_saved_model(
        checkpoint, device="cpu",
        chemical_species_to_atom_type_map=dict(zip(meta["symbols"], meta["type_names"])))


def _time_calculator(calc, frame, meta: dict, calls: int) -> tuple[float, float]:
    """Wall and CPU seconds per energy+force call of an ASE calculator (after one warm-up call)."""
    from slowdyn.nnp.data import frames_to_atoms

    atoms = frames_to_atoms([frame], meta["type_names"])[0]
    atoms.calc = calc
    rng = np.random.default_rng(0)
    atoms.get_forces()
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(calls):
        atoms.positions += 1e-4 * rng.standard_normal(atoms.positions.shape)  # new positions: no cache
        atoms.get_forces()
    return (time.perf_counter() - w0) / calls, (time.process_time() - c0) / calls


def run(spec_path: Path, out: Path, only_speed: bool = False, only_errors: bool = False,
        reuse: Path | None = None, models: Path | None = None) -> dict:
    spec = read_yaml(spec_path, "side-by-side spec")
    root = spec_path.resolve().parent
    spec = _sub(spec, root, (models or Path.cwd()).resolve())
    dataset = Path(spec["dataset"])
    if not dataset.is_absolute():
        dataset = root / dataset
    meta = load_dataset_meta(dataset)
    split = spec.get("split", "test")
    speed = {"steps": 100, "warmup": 10, "dt": 1e-4, **(spec.get("speed") or {})}
    frame = atoms_to_frames(read_frames(dataset / f"{split}.extxyz", index="-1:"))[0]
    max_frames = spec.get("max_frames")
    old = {r["label"]: r for r in json.loads(reuse.read_text())["rows"]} if reuse else {}
    rows, pots, calcs = [], [], []
    for model in spec["models"]:  # errors first, all models
        row = {"label": model["label"], "thesis": model.get("thesis")}
        if "metrics" in old.get(model["label"], {}):  # errors of an earlier run of the same spec
            row.update({k: old[model["label"]][k] for k in ("metrics", "errors_via", "eval_seconds")})
            row["errors_reused"] = str(reuse)
        pot = _potential(model, meta)
        ckpt = model.get("nequip_checkpoint")
        calc = _nequip_calculator(ckpt, meta) if ckpt and Path(ckpt).exists() else None
        if ckpt and calc is None:
            row["note"] = f"{ckpt} missing"
        words = ([] if pot is None or model.get("reference")
                 else pot.pair_style.split() + [w for line in pot.pair_coeff for w in line.split()])
        files = [w for w in words if w.startswith(("/", "./", "../"))]  # model files named by path
        missing = [f for f in files if not Path(f).exists()]
        if missing and calc is None:
            row["note"] = (row.get("note", "") + f" {missing} missing").strip()
            pot = None
        if pot is None and calc is None:
            row.setdefault("note", model.get("note", "no model"))
        elif not model.get("reference") and not only_speed and "metrics" not in row:
            t0 = time.perf_counter()
            if calc is not None:  # the checkpoint itself, through nequip's ASE calculator
                # the reference relabelled from the stored positions, as evaluate_dataset does
                frames = atoms_to_frames(read_frames(dataset / f"{split}.extxyz"))
                if max_frames is not None:  # the same subset as evaluate_dataset(max_frames=...)
                    frames = frames[::max(1, len(frames) // max_frames)][:max_frames]
                ref = evaluate_frames(reference_potential(meta), frames)
                cmp = FrameComparison(ref, label_with_calculator(ref, calc, meta["type_names"], per_atom=False))
                row["errors_via"] = "nequip ASE calculator"
            else:
                cmp = evaluate_dataset(dataset, pot, split=split, max_frames=max_frames)
                row["errors_via"] = "LAMMPS"
            row["metrics"] = {k: v for k, v in cmp.metrics.items() if isinstance(v, (int, float))}
            row["eval_seconds"] = time.perf_counter() - t0
            print(json.dumps(row), flush=True)
        rows.append(row)
        pots.append(pot)
        calcs.append(calc)
    load = os.getloadavg()
    if only_errors:
        pots = calcs = [None] * len(rows)
    for row, pot in zip(rows, pots):  # then the LAMMPS timings, one after the other
        words = [] if pot is None else pot.pair_style.split() + [w for c in pot.pair_coeff for w in c.split()]
        missing = [w for w in words if w.startswith(("/", "./", "../")) and not Path(w).exists()]
        if missing:  # e.g. a NequIP checkpoint evaluated above whose compiled package is not there
            row["note"] = (row.get("note", "") + f" LAMMPS: {missing} missing").strip()
        elif pot is not None:
            wall, cpu = time_style(pot, frame, speed["steps"], speed["warmup"], speed["dt"], cpu=True)
            row["speed"] = {"via": "LAMMPS", "us_per_atom_step_wall": 1e6 * wall / len(frame.types),
                            "us_per_atom_step_cpu": 1e6 * cpu / len(frame.types)}
            print(row["label"], row["speed"], flush=True)
    for row, calc in zip(rows, calcs):  # nequip's ASE calculator, labelled as such
        if calc is not None:
            wall, cpu = _time_calculator(calc, frame, meta, int(speed.get("calls", 10)))
            row["speed_ase"] = {"via": "ASE calculator (not LAMMPS)",
                                "us_per_atom_step_wall": 1e6 * wall / len(frame.types),
                                "us_per_atom_step_cpu": 1e6 * cpu / len(frame.types)}
            row.setdefault("speed", row["speed_ase"])
            print(row["label"], row["speed_ase"], flush=True)
    result = {"dataset": str(dataset), "split": split, "max_frames": max_frames, "atoms": len(frame.types),
              "speed": speed,
              "load_before_timing": load, "load_after_timing": os.getloadavg(), "rows": rows}
    out.mkdir(parents=True, exist_ok=True)
    (out / "table.json").write_text(json.dumps(result, indent=1))
    (out / "table.md").write_text(markdown(result))
    return result


def markdown(result: dict) -> str:
    """The side-by-side table (ours next to the thesis' values)."""
    lines = ["| model | E_RMSE_per_atom | F_RMSE | F_RMSE/F_mean "
             "| thesis (table): E_RMSE_per_atom, F_RMSE, F_RMSE/F_mean | µs/atom-step CPU (wall) | timed via |",
             "|---|---|---|---|---|---|---|"]
    base = None
    for r in result["rows"]:
        m = r.get("metrics")
        err = (f"{m['E_RMSE_per_atom']:.3g} | {m['F_RMSE']:.3g} | {m['F_RMSE/F_mean']:.3g}" if m
               else "— | — | —")
        t = r.get("thesis")
        th = f"{t['E']:.3g}, {t['F']:.3g}, {t['rel']:.3g} ({t['table']})" if t else "—"
        s = r.get("speed")
        if s and base is None and s["via"] == "LAMMPS":
            base = s["us_per_atom_step_cpu"]
        sp = (f"{s['us_per_atom_step_cpu']:.3g} ({s['us_per_atom_step_wall']:.3g})"
              + (f", ×{s['us_per_atom_step_cpu'] / base:.3g}" if base else "")) if s else "—"
        via = s["via"] if s else r.get("note", "—")
        if s and r.get("note"):
            via += f" ({r['note']})"
        a = r.get("speed_ase")
        if a and a is not s:
            via += f"; ASE calculator (not LAMMPS): {a['us_per_atom_step_cpu']:.3g} ({a['us_per_atom_step_wall']:.3g})"
        lines.append(f"| {r['label']} | {err} | {th} | {sp} | {via} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("spec", type=Path)
    p.add_argument("--out", type=Path, default=Path("side_by_side"))
    p.add_argument("--only-speed", action="store_true", help="skip the test-set errors")
    p.add_argument("--only-errors", action="store_true", help="skip the timings")
    p.add_argument("--reuse-errors", type=Path, default=None,
                   help="table.json of an earlier run: take the errors of the models it has")
    p.add_argument("--models", type=Path, default=None,
                   help="folder substituted for {models} in the spec (default: the working directory)")
    args = p.parse_args()
    result = run(args.spec, args.out, only_speed=args.only_speed, only_errors=args.only_errors,
                 reuse=args.reuse_errors, models=args.models)
    print(markdown(result))


if __name__ == "__main__":
    main()
