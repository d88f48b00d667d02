"""``slowdyn mixture`` actions of the group 'net' (see :mod:`slowdyn.commands.mixture`): the S^ab(k) ->
F_s^aa(k_p, t) network of Ciarella et al. (2023), §2.1 (train / predict / evaluate).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from slowdyn.cli import SlowdynError

#: T/T_mct bins of r2_summary.json (Fig. 3), with edges between the usual grid values 0.6, 0.7, ..., 1.2, 1.6, 2.5
EDGES = [0, 0.55, 0.65, 0.75, 0.85, 0.95, 1.1, 1.4, 2.0, 3.0, 5.0, 1e9]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn mixture`` (each with ``set_defaults(run=FUNC)``)."""
    p = sub.add_parser("train", help="train the S(k) -> F_s(k_p, t) network on a state-point library",
                       description="Train the MLP of Ciarella et al. (2023) on LIB (split by state points).")
    p.add_argument("library", help="state-point library folder")
    p.add_argument("--out", required=True, help="model folder (checkpoint.pt, history.json, loss.png, model.pt)")
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--budget-min", type=float, default=None, help="CPU-minute budget (no new epoch after it)")
    p.add_argument("--hidden", default="500,400,400,300,200", help="hidden layer sizes, comma-separated")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lasso", type=float, default=1e-6, help="weight of the L1 penalty on the weights")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--test-fraction", type=float, default=0.1, help="fraction of the states held out")
    p.add_argument("--transfer", choices=("temperature", "potential"), default=None,
                   help="split for a transfer test instead of the random state split")
    p.add_argument("--t0", type=float, default=None, help="temperature transfer: train on T/T_mct > T0")
    p.add_argument("--train-potential", choices=("lj", "wca"), default=None,
                   help="potential transfer: train on this potential, test on the other")
    p.add_argument("--tmct", default=None, help="T_mct table (columns potential rho T_mct); default Table 1")
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    p.add_argument("--no-resume", action="store_true", help="start afresh even if OUT/checkpoint.pt exists")
    p.set_defaults(run=run_train)

    p = sub.add_parser("predict", help="F_s(k_p, t) of library states from a trained network",
                       description="Predict F_s^AA, F_s^BB for every state of LIB (or one state folder).")
    p.add_argument("model", help="model folder written by 'slowdyn mixture train'")
    p.add_argument("states", help="library folder or one state folder")
    p.add_argument("--out", required=True, help="output folder (NAME_fs_pred.dat per state)")
    p.add_argument("--tmin", type=float, default=None, help="with --tmax: predict on a log grid instead")
    p.add_argument("--tmax", type=float, default=None)
    p.set_defaults(run=run_predict)

    p = sub.add_parser("evaluate", help="R^2 (as printed and standard) of a trained network, Figs. 2-5",
                       description="Score a trained network on LIB: its held-out states (or all states, "
                                   "trained vs unseen, for the transfer splits).")
    p.add_argument("model")
    p.add_argument("library")
    p.add_argument("--out", required=True, help="output folder (r2_states.txt, r2_summary.json, PNGs)")
    p.add_argument("--transfer", choices=("temperature", "potential"), default=None,
                   help="score every state, labelled trained / unseen (the model must have been trained "
                        "with the same transfer split)")
    p.add_argument("--t0", type=float, default=None, help="check: the model's temperature split T0")
    p.add_argument("--tmct", default=None, help="T_mct table (columns potential rho T_mct); default Table 1")
    p.set_defaults(run=run_evaluate)


def _library(path, need_dynamics=True):
    from slowdyn.analysis.io.statepoints import load_library, read_state

    path = Path(path)
    if (path / "state.json").is_file():
        states = [read_state(path)]
    else:
        states = load_library(path)
    if need_dynamics:
        bad = [s.name for s in states if not s.has_dynamics]
        if bad:
            raise SlowdynError(f"state {bad[0]} has no F_s (fs.dat)" + (f" and {len(bad) - 1} more" if len(bad) > 1
                                                                        else "") + f" in {path}")
    return states


def run_train(args) -> int:
    from slowdyn.analysis.structure_dynamics.fs_network import FsNetConfig, FsTrainer, read_tmct

    states = _library(args.library)
    tmct, source = read_tmct(args.tmct)
    try:
        hidden = tuple(int(h) for h in args.hidden.split(","))
    except ValueError:
        raise SlowdynError(f"--hidden must be integers separated by commas, got {args.hidden!r}") from None
    split = args.transfer or "states"
    if split == "temperature" and args.t0 is None:
        raise SlowdynError("--transfer temperature needs --t0 (train on T/T_mct > T0)")
    if split == "potential" and args.train_potential is None:
        raise SlowdynError("--transfer potential needs --train-potential lj|wca")
    cfg = FsNetConfig(hidden=hidden, epochs=args.epochs, lr=args.lr, lasso=args.lasso, batch_size=args.batch_size,
                      seed=args.seed, test_fraction=args.test_fraction, split=split, t0=args.t0,
                      train_potential=args.train_potential, max_cpu_minutes=args.budget_min,
                      num_threads=args.threads)
    tr = FsTrainer(states, args.out, cfg, tmct=tmct, tmct_source=source, resume=not args.no_resume,
                   progress=not args.quiet).run()
    h = tr.history
    print(f"trained on {len(tr.train_names)} states, {len(tr.test_names)} held out ({split} split); "
          f"epochs {h['epoch'][-1] if h['epoch'] else 0}/{cfg.epochs}"
          + (" (stopped by the CPU budget)" if tr.stopped_early else "")
          + (f"; final train L1 {h['train_l1'][-1]:.4g}, test L1 {h['val_test_l1'][-1]:.4g}" if h["epoch"] else ""))
    if not args.quiet:
        print(f"wrote {tr.model_path}")
    return 0


def run_predict(args) -> int:
    import numpy as np

    from slowdyn.analysis.io.tables import write_table
    from slowdyn.analysis.structure_dynamics.fs_network import FsNetwork

    model = FsNetwork.load(args.model)
    grid = None
    if (args.tmin is None) != (args.tmax is None):
        raise SlowdynError("give both --tmin and --tmax (or neither)")
    if args.tmin is not None:
        if not 0 < args.tmin < args.tmax:
            raise SlowdynError("need 0 < --tmin < --tmax")
        grid = np.logspace(np.log10(args.tmin), np.log10(args.tmax), 200)
    states = _library(args.states, need_dynamics=grid is None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for s in states:
        t, f = model.predict(s, grid)
        path = out / f"{s.name}_fs_pred.dat"
        write_table(path, ("t", "Fs_AA", "Fs_BB"), np.column_stack([t, f.T]),
                    comments=[f"network prediction of F_s^aa(k_p, t) for {s.name}"])
        if not args.quiet:
            print(f"wrote {path}")
    return 0


def run_evaluate(args) -> int:
    import numpy as np

    from slowdyn.analysis.io.tables import write_table
    from slowdyn.analysis.structure_dynamics.fs_network import (FsNetwork, binned, plot_predictions, plot_r2,
                                                                pooled_r2, read_tmct, score_states)

    model = FsNetwork.load(args.model)
    states = _library(args.library)
    tmct, source = read_tmct(args.tmct)
    cfg = model.config
    if args.transfer and cfg.get("split") != args.transfer:
        raise SlowdynError(f"the model was trained with the {cfg.get('split')!r} split, not the {args.transfer!r} "
                           "transfer split; train it with --transfer")
    if args.t0 is not None and cfg.get("t0") is not None and abs(args.t0 - cfg["t0"]) > 1e-9:
        raise SlowdynError(f"the model was trained with T0 = {cfg['t0']:g}, not {args.t0:g}")
    known = set(model.train_states) | set(model.test_states)
    if args.transfer:
        chosen = states
    else:
        chosen = [s for s in states if s.name in set(model.test_states)]
        if not chosen:
            raise SlowdynError(f"none of the model's {len(model.test_states)} held-out states is in {args.library}")
    unknown = [s.name for s in chosen if s.name not in known]
    rows = score_states(model, chosen, tmct)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_table(out / "r2_states.txt", ("potential", "rho", "T", "T_over_Tmct", "trained", "r2_printed",
                                        "r2_standard"),
                [[0 if r["potential"] == "lj" else 1, r["rho"], r["T"], r["T_over_Tmct"], int(r["trained"]),
                  r["r2_printed"], r["r2_standard"]] for r in rows],
                comments=["R^2 per state (potential 0 = LJ, 1 = WCA; trained 1 = in the training set)",
                          "r2_printed: Ciarella et al. eqs. 2-4 (SS_tot around the mean of the predictions); "
                          "r2_standard: SS_tot around the mean of the targets", source])
    by = {s.name: s for s in chosen}
    unseen = [by[r["name"]] for r in rows if not r["trained"]]
    summary = {"tmct_source": source, "split": cfg.get("split"), "t0": cfg.get("t0"),
               "t0_tmct_source": model.tmct_source,
               "train_potential": cfg.get("train_potential"), "n_train_states": len(model.train_states),
               "unseen": pooled_r2(model, unseen) if unseen else None,
               "trained": pooled_r2(model, [by[r["name"]] for r in rows if r["trained"]])
               if any(r["trained"] for r in rows) else None,
               "not_in_model_split": unknown,
               "bins_unseen_printed": binned([r for r in rows if not r["trained"]], "r2_printed",
                                             EDGES),
               "bins_unseen_standard": binned([r for r in rows if not r["trained"]], "r2_standard",
                                              EDGES),
               "states": rows}
    (out / "r2_summary.json").write_text(json.dumps(summary, indent=1, default=float) + "\n")
    split_tmct = "" if model.tmct_source == source else f"\n(split with {model.tmct_source})"
    title = {None: "held-out states",
             "temperature": f"temperature transfer: trained on T/T_mct > {cfg.get('t0')}{split_tmct}",
             "potential": f"potential transfer: trained on {str(cfg.get('train_potential')).upper()}"}[args.transfer]
    plot_r2(rows, out / "r2_vs_T.png", title, source)
    plot_predictions(model, unseen or chosen, out / "fs_predictions.png")
    u = summary["unseen"]
    if u:
        print(f"unseen states: {u['n_states']} ({u['n_rows']} rows): R^2 as printed {u['r2_printed']:.4f}, "
              f"standard {u['r2_standard']:.4f}")
    if not args.quiet:
        for f in ("r2_states.txt", "r2_summary.json", "r2_vs_T.png", "fs_predictions.png"):
            print(f"wrote {out / f}")
    _ = np
    return 0
