"""The periodic against the open-box graph of the dynamic graph CNN on a planted target: the number of
neighbours within 1.5 sigma (minimum image) of every particle of Kob-Andersen configurations, a target that
the network can learn exactly, so that what the graph misses is all that differs. Trains both graphs with the
same settings and CPU budget (slowdyn.analysis.structure_dynamics.gnn, k = 20 as Ciacchi 2022) on the first
frames and prints the Pearson r on the last ones, for all particles, for those within 1.5 sigma of a face of
the box and for the others (doc/propensity.md, "Graph network").

    lmp -in inputs/kob_andersen/in.kob_andersen -var N 1000 -var T 1.0 -var neq 10000 -var nrun 24000 \\
        -var ndump 1000 -var nfreq 4000 -var out ka_T1
    python benchmarks/bench_gnn_periodic.py ka_T1/traj.lammpstrj [--budget-min 2] [--out gnn_periodic]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from slowdyn.analysis.io.dump import read_dump
from slowdyn.analysis.structure_dynamics.gnn import GNNConfig, GNNTrainer, GraphSet
from slowdyn.analysis.structure_dynamics.propensity import pearson
from slowdyn.analysis.structure_dynamics.graph import knn_graph


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--frames", type=int, default=20, help="the last FRAMES frames: all but 4 train, 4 test")
    ap.add_argument("--budget-min", type=float, default=2.0, help="CPU minutes per graph")
    ap.add_argument("--out", default="gnn_periodic")
    args = ap.parse_args()
    traj = read_dump(args.dump)
    frames = list(range(traj.n_frames))[-args.frames:]
    cell = traj.cells[0]
    L = np.diag(cell)

    def count(p):
        return (knn_graph(p, cell, 40).distances < 1.5).sum(axis=1).astype(float)

    y = [count(traj.positions[f]) for f in frames]
    print("neighbours within 1.5: mean %.2f std %.2f max %d" % (np.mean(y), np.std(y), np.max(y)))
    data = GraphSet([traj.positions[f] for f in frames], traj.types, cell, [c[:, None] for c in y])
    n = len(frames)
    train, test = data.subset(range(n - 4)), data.subset(range(n - 4, n))
    for periodic in (True, False):
        name = "periodic" if periodic else "open"
        cfg = GNNConfig(k=20, periodic=periodic, epochs=400, lr=3e-3, lr_decay=0.98)
        cpu = time.process_time()
        run = GNNTrainer(cfg, train, test, f"{args.out}/{name}", targets=["n(r<1.5)"], progress=False,
                         num_threads=1, max_cpu_seconds=60 * args.budget_min, resume=False).run()
        cpu = (time.process_time() - cpu) / 60
        rows = []
        for s in range(len(test)):
            pos, target = test.positions[s], test.node_targets[s][:, 0]
            pred = run.model.predict(pos, test.types[s], cell)[0][:, 0]
            w = np.mod(pos, L)
            face = np.minimum(w, L - w).min(axis=1) < 1.5
            rows.append((pearson(pred, target), pearson(pred[face], target[face]),
                         pearson(pred[~face], target[~face]), face.mean()))
        r = np.mean(rows, axis=0)
        print(name, json.dumps({"epochs": len(run.history["epoch"]), "cpu_min": round(cpu, 2),
                                "pearson_all": round(r[0], 4), "pearson_face": round(r[1], 4),
                                "pearson_interior": round(r[2], 4), "face_fraction": round(r[3], 3)}), flush=True)


if __name__ == "__main__":
    main()
