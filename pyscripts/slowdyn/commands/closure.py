"""``slowdyn closure {train,validate,cmaes}``: learned memory-kernel closures
m_phi[S] (Granz 2026, §4.5) and the stretched-exponential CMA-ES kernel fit
(Ciarella et al., Mach. Learn.: Sci. Technol. 4, 025010 (2023)).

``train CONFIG`` (a YAML file or the name of an installed config, e.g.
``hard_disks_mct``) generates the hard-disk MCT data (cached in OUT),
trains the closure network and writes ``OUT/closure.pt``, ``checkpoint.pt``
(resumed from), ``history.json`` and ``loss.png``.
``validate --out OUT [--model M]`` compares the learned closure with the MCT
it was trained on: critical packing fraction, f(q) above it, SISFs below it
(``closure_validation.json``, ``closure_sisf.png``, ``closure_f.png``).
``cmaes --out OUT`` fits stretched-exponential kernels by CMA-ES to MCT
hard-disk SISFs and tabulates kernel and SISF errors against MCT's own
kernel (``cmaes_table.txt``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _config_path(name: str) -> Path:
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    import slowdyn.analysis.mct.closures as pkg

    cand = Path(pkg.__file__).parent / "configs" / f"{name}.yaml"
    if not cand.exists():
        from slowdyn.cli import SlowdynError

        raise SlowdynError(f"no config file {name!r} and no installed config of that name (hard_disks_mct)")
    return cand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("train", help="train a closure network from a YAML config (resumes from its checkpoint)")
    p.add_argument("config", help="YAML file or installed config name (hard_disks_mct)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: closure_<name>)")
    p.add_argument("--epochs", type=int, default=None, help="total number of epochs (overrides the config)")
    p.add_argument("--no-resume", action="store_true", help="start over even if a checkpoint exists")
    p.add_argument("--quiet", action="store_true", help="no progress bars")

    p = sub.add_parser("validate", help="compare a trained closure with hard-disk MCT")
    p.add_argument("--out", type=Path, required=True, help="output folder (and where closure.pt is by default)")
    p.add_argument("--model", type=Path, default=None, help="closure.pt (default: OUT/closure.pt)")
    p.add_argument("--tol", type=float, default=1e-5, help="bisection tolerance of the critical points")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("cmaes", help="CMA-ES stretched-exponential kernels vs MCT's kernel on hard disks")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--packings", type=float, nargs="+", default=[0.60, 0.65, 0.675],
                   help="packing fractions (liquid states)")
    p.add_argument("--q", type=float, default=6.0, help="wave number (on the closure grid)")
    p.add_argument("--n-exp", type=int, default=2, help="number of stretched exponentials")
    p.add_argument("--maxfevals", type=int, default=1500, help="CMA-ES evaluations per fit")


def _train(args) -> None:
    from slowdyn.analysis.mct.closures.training import ClosureTrainer, load_config

    cfg = load_config(_config_path(args.config))
    if args.epochs is not None:
        cfg["training"]["epochs"] = int(args.epochs)
    out = args.out or Path(f"closure_{cfg['name']}")
    tr = ClosureTrainer(cfg, out, resume=not args.no_resume, progress=not args.quiet).run()
    h = tr.history
    if h["epoch"]:
        print(f"epoch {h['epoch'][-1]}: train loss {h['train_loss'][-1]:.4e} (MSE {h['train_mse'][-1]:.4e}), "
              f"validation loss {h['val_val_loss'][-1]:.4e} (MSE {h['val_val_mse'][-1]:.4e})")
    print(f"wrote {tr.model_path}, {out / 'history.json'}, {out / 'loss.png'}")


def _validate(args) -> None:
    from slowdyn.analysis.mct.closures.data import HardDiskGrid
    from slowdyn.analysis.mct.closures.evaluate import evaluate_closure, write_report
    from slowdyn.analysis.mct.closures.network import export_weights
    from slowdyn.analysis.mct.closures.training import load_closure

    model = args.model or args.out / "closure.pt"
    if not Path(model).exists():
        from slowdyn.cli import SlowdynError

        raise SlowdynError(f"{model} does not exist (train first or pass --model)")
    net, info = load_closure(model)
    grid = info["config"].get("data", {}).get("grid")
    grid = HardDiskGrid(**grid) if grid else HardDiskGrid()
    res = evaluate_closure(export_weights(net), info["q"], grid, tol=args.tol, progress=not args.quiet)
    path = write_report(res, args.out)
    d = res["phi_c_net"] - res["phi_c_mct"]
    print(f"phi_c: MCT {res['phi_c_mct']:.5f}, learned closure {res['phi_c_net']:.5f} (difference {d:+.5f})")
    for r in res["f"]:
        print(f"f(q) at phi_c + {r['offset']:g}: max |f_net - f_MCT| = {r['max_abs']:.4f}")
    for key in ("sisf", "sisf_near"):
        for r in res[key]:
            print(f"SISF phi = {r['packing']:g} (phi_c {r['packing'] - res['phi_c_mct']:+.4f}): "
                  f"RMSE {r['rmse']:.2e}, max {r['max_abs']:.2e}")
    print(f"wrote {path}")


def _cmaes(args) -> None:
    import numpy as np

    from slowdyn.analysis.mct.closures.data import HardDiskGrid, solve_hard_disks
    from slowdyn.analysis.memory.cmaes import TimeGrid, compare_kernels

    grid = HardDiskGrid()
    iq = int(grid.indices([args.q])[0])
    tg = TimeGrid(grid.h, grid.blocksize, grid.blocks)
    tau0 = 1.0 / args.q ** 2
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [f"# CMA-ES stretched-exponential kernels (n_exp = {args.n_exp}) vs MCT's kernel, hard disks, "
             f"q = {args.q:g}",
             "# kernel_rel_rmse: RMSE over the MCT time points / m_MCT(0); sisf_rmse: RMSE of the fitted "
             "kernel's SISF; nnlt column: hook for the memory-kernel pipeline (compare_kernels(methods=...))",
             f"{'phi':>7} {'method':>8} {'kernel_rmse':>12} {'kernel_rel':>11} {'sisf_rmse':>10} {'evals':>6}"]
    out = {}
    for p in args.packings:
        sol = solve_hard_disks(p, grid)
        t, s, m = sol["t"], sol["sisf"][:, iq], sol["kernel"][:, iq]
        sel = s > 1e-4  # the decayed tail carries no information on the kernel
        rows = compare_kernels(t[sel], s[sel], m[sel], tau0,
                               fit={"n_exp": args.n_exp, "grid": tg, "maxfevals": args.maxfevals,
                                    "x0": {"amplitudes": list(m[0] * np.array([0.7, 0.3][:args.n_exp])),
                                           "taus": [float(t[np.argmax(s < 0.5)]) * 10.0 ** (-2 * k)
                                                    for k in range(args.n_exp)],
                                           "betas": [1.0] * args.n_exp}})
        for name, r in rows.items():
            ev = r["fit"].evaluations if "fit" in r else 0
            lines.append(f"{p:7.4f} {name:>8} {r['kernel_rmse']:12.4e} {r['kernel_rel_rmse']:11.4e} "
                         f"{r['sisf_rmse']:10.3e} {ev:6d}")
        lines.append(f"{p:7.4f} {'nnlt':>8} {'(hook)':>12}")
        f = rows["cmaes"]["fit"]
        out[p] = {"amplitudes": f.amplitudes.tolist(), "taus": f.taus.tolist(), "betas": f.betas.tolist(),
                  **{k: v for k, v in rows["cmaes"].items() if k != "fit"}}
    (args.out / "cmaes_table.txt").write_text("\n".join(lines) + "\n")
    (args.out / "cmaes_fits.json").write_text(json.dumps(out, indent=1))
    print("\n".join(lines))


def main(args: argparse.Namespace) -> int:
    {"train": _train, "validate": _validate, "cmaes": _cmaes}[args.action](args)
    return 0
