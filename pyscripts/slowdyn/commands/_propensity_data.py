"""``slowdyn propensity`` actions of the group 'data' (see :mod:`slowdyn.commands.propensity`).

- ``data [CONFIG.yaml] [options] --out DATA``: long runs and isoconfigurational ensembles of the
  Kob-Andersen deck, written in the format of :mod:`slowdyn.analysis.structure_dynamics.propensity`
  (:func:`slowdyn.runs.isoconfig.build_dataset`);
- ``baselines DATA --out DIR``: ridge on the radial structure functions and an MLP on their
  neighbour averages, fitted per temperature and time on the training snapshots, scored on the test ones;
- ``evaluate DATA --out DIR [--baselines DIR] [--model GNN_DIR ...]``: Pearson r of every model per time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from slowdyn.cli import HelpFormatter, LammpsRunError, SlowdynError, out_folder, print_files

# option name -> key of slowdyn.runs.isoconfig.DATASET_DEFAULTS
DATA_OPTIONS = {"N": "N", "rho": "rho", "variant": "variant", "dt": "dt", "temperatures": "temperatures",
                "equilibration": "equilibration", "spacing": "spacing", "snapshots": "snapshots",
                "replicas": "replicas", "tau_alpha": "tau_alpha", "time_fractions": "time_fractions",
                "t_plateau": "t_plateau", "test_fraction": "test_fraction", "seed": "seed", "mode": "mode"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn propensity`` (each with ``set_defaults(run=FUNC)``)."""
    fmt = HelpFormatter
    p = sub.add_parser("data", formatter_class=fmt, help="build a propensity data set (LAMMPS runs)",
                       description="Per temperature one run of the Kob-Andersen deck (NVT equilibration, NVE "
                                   "with a snapshot every --spacing), tau_alpha from its F_s (type A, q = 7.25) "
                                   "unless given, and for every snapshot --replicas NVE runs with new velocities: "
                                   "the propensity of every particle at time_fractions x tau_alpha and the "
                                   "per-configuration species MSD. Settings: the YAML CONFIG (keys as the options, "
                                   "with underscores; doc/propensity/*.yaml), overridden by the options. Writes "
                                   "DATA/index.json, DATA/snapshots, DATA/propensity, DATA/msd.")
    p.add_argument("config", type=Path, nargs="?", default=None, help="YAML settings (optional)")
    p.add_argument("--N", type=int, default=None, help="particles (default 1000)")
    p.add_argument("--rho", type=float, default=None, help="number density (default 1.2)")
    p.add_argument("--variant", default=None, help="pair variant of the deck (default fs)")
    p.add_argument("--dt", type=float, default=None, help="timestep (default 0.005)")
    p.add_argument("--temperatures", type=float, nargs="+", default=None, help="temperatures (default 0.8 1.0)")
    p.add_argument("--equilibration", type=float, nargs="+", default=None,
                   help="NVT time before the long run, one value or one per temperature (default 300)")
    p.add_argument("--spacing", type=float, nargs="+", default=None,
                   help="time between snapshots, > tau_alpha; one or per temperature (default 20)")
    p.add_argument("--snapshots", type=int, default=None, help="snapshots per temperature (default 16)")
    p.add_argument("--replicas", type=int, default=None, help="isoconfigurational runs per snapshot (default 12)")
    p.add_argument("--tau-alpha", type=float, nargs="+", default=None,
                   help="tau_alpha per temperature (default: measured in the long run)")
    p.add_argument("--time-fractions", type=float, nargs="+", default=None,
                   help="propensity times in units of tau_alpha (default 0.1 0.3 1 3)")
    p.add_argument("--t-plateau", type=float, default=None, help="time of the 'plateau' MSD (default 1.63)")
    p.add_argument("--test-fraction", type=float, default=None, help="snapshots held out (default 0.25)")
    p.add_argument("--seed", type=int, default=None, help="seed of the insertion and the velocities (default 1)")
    p.add_argument("--mode", choices=("sequential", "partition"), default=None,
                   help="replicas one after another or as mpirun -partition (default sequential)")
    p.add_argument("--keep-runs", action="store_true", help="keep the runs' dumps in DATA/runs")
    p.add_argument("--deck", type=Path, default=None, help="the Kob-Andersen deck (default: inputs/kob_andersen)")
    p.add_argument("--out", type=Path, required=True, help="the data folder (created)")
    p.set_defaults(run=_data)

    for name, text, run in (
            ("baselines", "ridge (G_X) and MLP (coarse-grained G_X) baselines, Pearson r per time", _baselines),
            ("evaluate", "Pearson r per model and time on the test snapshots (baselines and graph networks)",
             _evaluate)):
        p = sub.add_parser(name, formatter_class=fmt, help=text,
                           description=text + ". Models are fitted per temperature on the training snapshots of "
                           "DATA and scored on its test snapshots (particles of one snapshot never in both). "
                           "Writes OUT/pearson.txt (numpy.loadtxt; model index per row, names in the '# models:' "
                           "line), OUT/pearson.png (Pearson r vs t / tau_alpha), OUT/scatter.png (predicted vs "
                           "measured at tau_alpha)" + (" and OUT/predictions.npz." if name == "baselines" else "."))
        p.add_argument("data", type=Path, help="data folder of 'slowdyn propensity data'")
        p.add_argument("--models", nargs="*", default=["ridge", "mlp"], help="baselines (ridge, mlp)")
        p.add_argument("--types", type=int, nargs="+", default=[1], help="particle types trained and scored (A: 1)")
        p.add_argument("--seed", type=int, default=0, help="seed of the MLP")
        p.add_argument("--kernel", choices=("auto", "numba", "numpy"), default="auto",
                       help="sum of the radial structure functions (numpy: no numba compilation, about 0.5 s "
                            "per N = 1000 configuration)")
        if name == "evaluate":
            p.add_argument("--baselines", type=Path, default=None,
                           help="OUT of 'slowdyn propensity baselines' (its predictions.npz) instead of refitting")
            p.add_argument("--model", type=Path, nargs="+", default=[], dest="gnn",
                           help="graph-network model folders (or model.pt) of 'slowdyn propensity train'")
        p.add_argument("--out", type=Path, default=Path("propensity"), help="output folder (created)")
        p.set_defaults(run=run)


# ----------------------------------------------------------------------------------------------------------

def _data(args):
    from slowdyn.runs.isoconfig import build_dataset

    cfg = {}
    if args.config is not None:
        from slowdyn.common.config import read_yaml

        cfg = read_yaml(args.config, "propensity data config")
    for opt, key in DATA_OPTIONS.items():
        v = getattr(args, opt)
        if v is not None:
            cfg[key] = v[0] if isinstance(v, list) and len(v) == 1 and key not in ("temperatures",
                                                                                      "time_fractions") else v
    if args.keep_runs:
        cfg["keep_runs"] = True
    quiet = getattr(args, "quiet", False)
    try:
        index = build_dataset(cfg, args.out, deck=args.deck, progress=None if quiet else print)
    except RuntimeError as err:
        raise LammpsRunError(str(err)) from None
    print_files(args, [index])


def _load(path: Path):
    from slowdyn.analysis.structure_dynamics.propensity import load_dataset

    return load_dataset(path)


def _gnn_predictions(data, paths) -> dict:
    """``{label: {test snapshot: (N, K)}}`` of each graph-network model, its outputs mapped to the data's times."""
    if not paths:
        return {}
    try:
        from slowdyn.analysis.structure_dynamics.gnn import PropensityGNN
    except ImportError as err:
        raise SlowdynError(f"--model needs the graph-network module (slowdyn.analysis.structure_dynamics.gnn): {err}")
    out = {}
    for path in paths:
        model = PropensityGNN.load(path)
        label = f"gnn:{path.parent.name if path.name == 'model.pt' else path.name}"
        mt = np.asarray(model.times, dtype=float)
        preds = {}
        for s in data.select("test"):
            node, _ = model.predict(s.positions, s.types, s.cell, where=s.name)
            p = np.full((len(s.types), len(s.times)), np.nan)
            for k, t in enumerate(s.times):
                hit = np.flatnonzero(np.isclose(mt, t, rtol=1e-3)) if mt.size else []
                if len(hit):
                    p[:, k] = node[:, hit[0]]
                elif not np.isfinite(mt).any() and node.shape[1] == len(s.times):
                    p[:, k] = node[:, k]                     # no times stored: outputs in the data's column order
            preds[s.name] = p
        if not any(np.isfinite(p).any() for p in preds.values()):
            raise SlowdynError(f"{path}: the model's times {model.times} match none of the data's times")
        out[label] = preds
    return out


def _write(args, data, predictions, save_predictions: bool):
    from slowdyn.analysis.structure_dynamics import propensity as P

    rows = P.evaluate(data, predictions, args.types)
    if not rows:
        raise SlowdynError("no model predicts any test snapshot (each temperature needs training and test snapshots)")
    out = out_folder(args.out)
    files = [P.write_pearson_table(out / "pearson.txt", rows), out / "pearson.png", out / "scatter.png"]
    P.plot_pearson(rows).savefig(files[1], dpi=120)
    fr = data.index.get("time_fractions", [])
    k = int(np.argmin(np.abs(np.log(np.asarray(fr, float))))) if fr else 0     # the column nearest tau_alpha
    P.plot_scatter(data, predictions, k, args.types).savefig(files[2], dpi=110)
    if save_predictions:
        files.append(out / "predictions.npz")
        np.savez_compressed(files[-1], **{f"{m}/{s}": np.asarray(p, np.float32)
                                          for m, d in predictions.items() for s, p in d.items()})
    print("# model T t t/tau_alpha pearson(mean over test snapshots) std pooled n_snapshots")
    for r in rows:
        print(f"{r['model']} {r['T']:g} {r['t']:.4g} {r['t_over_tau']:.3g} {r['pearson']:.4f} "
              f"{r['pearson_std']:.4f} {r['pooled']:.4f} {r['n_snapshots']}")
    print_files(args, files)


def _baseline_preds(args, data):
    from slowdyn.analysis.structure_dynamics.propensity import baseline_predictions

    quiet = getattr(args, "quiet", False)
    return baseline_predictions(data, args.models, args.types, args.seed, progress=None if quiet else print,
                                kernel=args.kernel)


def _baselines(args):
    data = _load(args.data)
    if not args.models:
        raise SlowdynError("--models: name at least one baseline (ridge, mlp)")
    _write(args, data, _baseline_preds(args, data), save_predictions=True)


def _evaluate(args):
    data = _load(args.data)
    preds = {}
    if args.baselines is not None:
        path = args.baselines / "predictions.npz" if args.baselines.is_dir() else args.baselines
        if not path.is_file():
            raise SlowdynError(f"{args.baselines}: no predictions.npz (write it with 'slowdyn propensity baselines')")
        with np.load(path) as z:
            for key in z.files:
                m, s = key.split("/", 1)
                preds.setdefault(m, {})[s] = z[key]
    elif args.models:
        preds = _baseline_preds(args, data)
    preds.update(_gnn_predictions(data, args.gnn))
    if not preds:
        raise SlowdynError("nothing to evaluate: give --models, --baselines or --model")
    _write(args, data, preds, save_predictions=False)
