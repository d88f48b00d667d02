"""``slowdyn propensity`` actions of the group 'gnn' (see :mod:`slowdyn.commands.propensity`).

- ``train DATA --out MODEL_DIR``: the periodic dynamic graph CNN
  (:mod:`slowdyn.analysis.structure_dynamics.gnn`) on the training snapshots of a data folder of
  ``slowdyn propensity data`` (one temperature; its test snapshots are the validation set), through the
  shared Trainer: ``MODEL_DIR/model.pt``, ``checkpoint.pt`` (a second run resumes), ``history.json``,
  ``loss.png``; ``--budget-min`` caps the CPU time;
- ``predict MODEL_DIR DUMP --out DIR``: the predicted propensity of every particle of every frame of a
  LAMMPS dump with types, as a LAMMPS dump to colour the snapshot by (``DIR/propensity.lammpstrj``,
  columns ``id type x y z propensity p_0 p_1 ...``; OVITO reads it) and as a table
  (``DIR/propensity.txt``, ``numpy.loadtxt``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from slowdyn.cli import HelpFormatter, SlowdynError, out_folder, print_files


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn propensity`` (each with ``set_defaults(run=FUNC)``)."""
    fmt = HelpFormatter
    p = sub.add_parser("train", formatter_class=fmt, help="train the periodic dynamic graph CNN on a data set",
                       description="EdgeConv layers on the periodic k-nearest-neighbour graph (minimum image), "
                                   "later layers on the kNN graph in feature space (DGCNN), per-particle outputs "
                                   "= the propensity at every time of the data set. Trains on the 'train' "
                                   "snapshots of one temperature, validates on its 'test' snapshots. Writes "
                                   "MODEL_DIR/model.pt, checkpoint.pt, history.json, loss.png; a second run "
                                   "with more --epochs resumes.")
    p.add_argument("data", type=Path, help="data folder of 'slowdyn propensity data'")
    p.add_argument("--out", type=Path, required=True, help="model folder (created)")
    p.add_argument("--temperature", type=float, default=None, help="temperature (default: the lowest in DATA)")
    p.add_argument("--epochs", type=int, default=60, help="epochs (a resumed run continues up to this number)")
    p.add_argument("--budget-min", type=float, default=None,
                   help="CPU-time budget in minutes (this process, all threads): no new epoch after it")
    p.add_argument("--k", type=int, default=12, help="neighbours per particle in every layer")
    p.add_argument("--widths", type=int, nargs="+", default=[32, 32, 32], help="width of each EdgeConv layer")
    p.add_argument("--aggr", choices=("max", "mean", "max+mean"), default="max+mean", help="edge aggregation")
    p.add_argument("--static", action="store_true", help="every layer on the spatial graph (no feature-space kNN)")
    p.add_argument("--open-box", action="store_true",
                   help="ignore the periodic box in the spatial graph (as Ciacchi 2022; for comparison)")
    p.add_argument("--augment", choices=("rotation", "cubic", "none"), default="rotation",
                   help="rotation of the relative vectors in training")
    p.add_argument("--pooled", action="store_true",
                   help="also a per-configuration head: the species MSD at the plateau and at late time")
    p.add_argument("--lr", type=float, default=3e-3, help="AdamW learning rate")
    p.add_argument("--lr-decay", type=float, default=0.97, help="learning rate factor per epoch")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights, the order and the rotations")
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    p.add_argument("--no-resume", action="store_true", help="start afresh even if MODEL_DIR has a checkpoint")
    p.set_defaults(run=_train)

    p = sub.add_parser("predict", formatter_class=fmt, help="predicted propensity of every particle of a dump",
                       description="Applies MODEL_DIR/model.pt to every frame of a LAMMPS text dump with an "
                                   "'id type' and coordinate columns (wrapped or not). Writes "
                                   "DIR/propensity.lammpstrj (id type x y z propensity p_0 p_1 ...: colour a "
                                   "snapshot by 'propensity' in OVITO) and DIR/propensity.txt (frame id type "
                                   "p_0 p_1 ...; numpy.loadtxt).")
    p.add_argument("model", type=Path, help="model folder of 'slowdyn propensity train' (or its model.pt)")
    p.add_argument("dump", type=Path, help="LAMMPS text dump with types")
    p.add_argument("--out", type=Path, required=True, help="output folder (created)")
    p.add_argument("--column", type=int, default=-1,
                   help="which output is the 'propensity' column of the dump (default: the last, longest time)")
    p.add_argument("--no-symmetrize", action="store_true",
                   help="one forward pass instead of the average over the 24 rotations of the cube")
    p.set_defaults(run=_predict)


def _training_sets(data, T: float, pooled: bool):
    from slowdyn.analysis.structure_dynamics.gnn import GraphSet

    def graph_set(snaps):
        if not snaps:
            return None
        p = None
        if pooled:
            p = np.array([[s.msd_plateau.get(x, np.nan) for x in ("A", "B")]
                          + [s.msd_late.get(x, np.nan) for x in ("A", "B")] for s in snaps], dtype=float)
            if not np.isfinite(p).all():
                raise SlowdynError(f"--pooled: snapshots at T = {T:g} lack msd_plateau / msd_late of A and B")
        return GraphSet([s.positions for s in snaps], [s.types for s in snaps], [s.cell for s in snaps],
                        [s.propensity for s in snaps], p)

    train, test = data.select("train", T), data.select("test", T)
    if not train:
        raise SlowdynError(f"{data.folder}: no training snapshots at T = {T:g}")
    return graph_set(train), graph_set(test)


def _train(args):
    from slowdyn.analysis.structure_dynamics.gnn import GNNConfig, GNNTrainer
    from slowdyn.analysis.structure_dynamics.propensity import load_dataset

    if args.budget_min is not None and not args.budget_min > 0:
        raise SlowdynError(f"--budget-min must be > 0, got {args.budget_min}")
    data = load_dataset(args.data)
    T = min(data.temperatures) if args.temperature is None else args.temperature
    state = data.state(T)
    times = [float(t) for t in state["times"]]
    train, val = _training_sets(data, T, args.pooled)
    cfg = GNNConfig(k=args.k, widths=tuple(args.widths), aggr=args.aggr, dynamic=not args.static,
                    periodic=not args.open_box, augment=args.augment, epochs=args.epochs, lr=args.lr,
                    lr_decay=args.lr_decay, seed=args.seed)
    fractions = data.index.get("time_fractions", [None] * len(times))
    names = [f"dr2(t={t:g})" if f is None else f"dr2(t={f:g} tau_alpha)" for t, f in zip(times, fractions)]
    pooled = ["msd_plateau_A", "msd_plateau_B", "msd_late_A", "msd_late_B"] if args.pooled else None
    out = out_folder(args.out)
    cpu = time.process_time()
    run = GNNTrainer(cfg, train, val, out, targets=names, times=times, pooled=pooled,
                     max_cpu_seconds=None if args.budget_min is None else 60.0 * args.budget_min,
                     resume=not args.no_resume, progress=not args.quiet, num_threads=args.threads).run()
    h = run.history
    cpu = time.process_time() - cpu
    last = {k: v[-1] for k, v in h.items() if v}
    print(f"T = {T:g}: {len(train)} training / {0 if val is None else len(val)} validation snapshots, "
          f"{int(last.get('epoch', 0))} epochs{' (stopped by the CPU budget)' if run.stopped_early else ''}, "
          f"{cpu / 60:.2f} CPU min; train mse {last.get('train_node_mse', float('nan')):.4g}"
          + (f", validation mse {last['val_node_mse']:.4g}" if "val_node_mse" in last else ""))
    print_files(args, [run.model_path, out / "history.json", out / "loss.png"])


def _write_dump(path: Path, traj, values: list, names: list[str]) -> None:
    """A LAMMPS text dump ``id type x y z NAMES...`` of every frame (positions wrapped into the box)."""
    with open(path, "w") as fh:
        for f, v in enumerate(values):
            cell = traj.cells[f]
            fh.write(f"ITEM: TIMESTEP\n{int(traj.steps[f])}\nITEM: NUMBER OF ATOMS\n{traj.n_atoms}\n")
            lx, ly, lz = cell[0, 0], cell[1, 1], cell[2, 2]
            xy, xz, yz = cell[1, 0], cell[2, 0], cell[2, 1]
            if xy == 0 and xz == 0 and yz == 0:
                fh.write("ITEM: BOX BOUNDS pp pp pp\n" + "".join(f"0 {x:.17g}\n" for x in (lx, ly, lz)))
            else:
                lo = min(0.0, xy, xz, xy + xz)
                hi = max(0.0, xy, xz, xy + xz)
                fh.write(f"ITEM: BOX BOUNDS xy xz yz pp pp pp\n{lo:.17g} {lx + hi:.17g} {xy:.17g}\n"
                         f"{min(0.0, yz):.17g} {ly + max(0.0, yz):.17g} {xz:.17g}\n0 {lz:.17g} {yz:.17g}\n")
            fh.write(f"ITEM: ATOMS id type x y z {' '.join(names)}\n")
            frac = traj.positions[f] @ np.linalg.inv(cell)
            pos = (frac - np.floor(frac)) @ cell
            ids = np.arange(1, traj.n_atoms + 1)            # read_dump sorts by id
            np.savetxt(fh, np.column_stack([ids, traj.types, pos, v]),
                       fmt="%d %d %.10g %.10g %.10g" + " %.8g" * v.shape[1])


def _predict(args):
    from slowdyn.analysis.io.tables import write_table
    from slowdyn.analysis.structure_dynamics.gnn import PropensityGNN

    model = PropensityGNN.load(args.model)
    from slowdyn.analysis.io.dump import read_typed_dump

    traj = read_typed_dump(args.dump)
    n_out = len(model.targets)
    if not -n_out <= args.column < n_out:
        raise SlowdynError(f"--column {args.column}: the model has {n_out} outputs ({', '.join(model.targets)})")
    preds = []
    for f in range(traj.n_frames):
        node, _ = model.predict(traj.positions[f], traj.types, traj.cells[f], symmetrize=not args.no_symmetrize,
                                where=f"{args.dump} (frame {f})")
        preds.append(node)
    out = out_folder(args.out)
    cols = [f"p_{k}" for k in range(n_out)]
    dump = out / "propensity.lammpstrj"
    _write_dump(dump, traj, [np.column_stack([p[:, args.column], p]) for p in preds], ["propensity"] + cols)
    table = out / "propensity.txt"
    ids = np.arange(1, traj.n_atoms + 1)
    rows = np.concatenate([np.column_stack([np.full(traj.n_atoms, f), ids, traj.types, p])
                           for f, p in enumerate(preds)])
    write_table(table, ["frame", "id", "type"] + cols, rows,
                comments=[f"predicted by {args.model} for {args.dump}",
                          "outputs: " + "; ".join(f"p_{k} = {t}" for k, t in enumerate(model.targets)),
                          "times: " + " ".join(f"{t:g}" for t in model.times)], fmt="%.8g")
    mean = np.mean([p.mean(axis=0) for p in preds], axis=0)
    print(f"{traj.n_frames} frame(s), {traj.n_atoms} particles; mean prediction "
          + " ".join(f"{m:.4g}" for m in mean))
    print_files(args, [dump, table])
