"""``slowdyn closure {train,validate,extrapolate,compare}``: learned
memory-kernel closures m_phi[S] (Granz 2026, §4.5).

``train CONFIG`` (a YAML file or the name of an installed config, e.g.
``hard_disks_mct``) generates the hard-disk MCT data (cached in OUT) or reads
the files of ``slowdyn kernels compute`` (``kernel_files`` configs, folder
``--root``), trains the closure network and writes ``OUT/closure.pt``,
``checkpoint.pt`` (resumed from), ``history.json`` and ``loss.png``.
``validate --out OUT [--model M]`` compares the learned closure with the MCT
it was trained on: critical packing fraction, f(q) above it, SISFs below it
(``closure_validation.json``, ``closure_sisf.png``, ``closure_f.png``).
``extrapolate --model M --packings ... --out OUT`` solves f(q) of a learned
closure over packing fractions (beyond its training range) and bisects its
arrest density (``OUT/arrest.json``, ``OUT/arrest.png``).
``compare --models A B --phis PA PB --out OUT`` evaluates closures on the test
input S(q) = a/(1 + b q^2) (Fig. 4.43; ``OUT/compare.png``,
``OUT/compare.txt``); ``slowdyn kernels map`` gives the density pair.
The CMA-ES kernel fit, the phi mapping and the MCT SISF files moved to
``slowdyn kernels cmaes``, ``slowdyn kernels map`` and ``slowdyn mct sisf``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from slowdyn.cli import print_files


def _config_path(name: str) -> Path:
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    import slowdyn.analysis.mct.closures as pkg

    cand = Path(pkg.__file__).parent / "configs" / f"{name}.yaml"
    if not cand.exists():
        from slowdyn.cli import SlowdynError

        have = ", ".join(sorted(f.stem for f in cand.parent.glob("*.yaml")))
        raise SlowdynError(f"no config file {name!r} and no installed config of that name ({have})")
    return cand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("train", help="train a closure network from a YAML config (resumes from its checkpoint)")
    p.add_argument("config", help="YAML file or installed config name (hard_disks_mct, hard_disks_kernels_mct, "
                   "hard_disks_bd)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: closure_<name>)")
    p.add_argument("--epochs", type=int, default=None, help="total number of epochs (overrides the config)")
    p.add_argument("--no-resume", action="store_true", help="start over even if a checkpoint exists")
    p.add_argument("--root", type=Path, default=None,
                   help="folder of the kernel files (data.root of a kernel_files config)")

    p = sub.add_parser("validate", help="compare a trained closure with hard-disk MCT")
    p.add_argument("--out", type=Path, required=True, help="output folder (and where closure.pt is by default)")
    p.add_argument("--model", type=Path, default=None, help="closure.pt (default: OUT/closure.pt)")
    p.add_argument("--tol", type=float, default=1e-5, help="bisection tolerance of the critical points")
    p.add_argument("--phi-c-mct", type=float, default=None,
                   help="MCT critical packing fraction of the grid if known (skips its bisection; default grid: "
                   "0.68918)")

    _add_more(sub)


def _add_more(sub) -> None:
    p = sub.add_parser("extrapolate", help="f(q) of a learned closure over packing fractions beyond its training "
                       "range and its arrest density")
    p.add_argument("--model", type=Path, required=True, help="closure.pt")
    p.add_argument("--packings", type=float, nargs="+", required=True,
                   help="scan: packing fractions, or START STOP STEP with --range")
    p.add_argument("--range", action="store_true", help="--packings is START STOP STEP (stop included)")
    p.add_argument("--threshold", type=float, default=0.1, help="arrested where max_q f(q) > threshold")
    p.add_argument("--tol", type=float, default=1e-4, help="bisection tolerance of the arrest density")
    p.add_argument("--out", type=Path, required=True, help="output folder (arrest.json, arrest.png)")

    p = sub.add_parser("compare", help="learned closures side by side on the test input S(q) = a/(1 + b q^2) "
                       "(Fig. 4.43)")
    p.add_argument("--models", type=Path, nargs="+", required=True, help="closure.pt files")
    p.add_argument("--phis", type=float, nargs="+", required=True,
                   help="packing fraction per model (e.g. a mapped pair phi_MCT phi_BD)")
    p.add_argument("--labels", nargs="+", default=None, help="label per model")
    p.add_argument("--a", type=float, default=1.0, help="test input amplitude a")
    p.add_argument("--b", type=float, default=0.01, help="test input width b")
    p.add_argument("--out", type=Path, required=True, help="output folder (compare.png, compare.txt)")


def _train_max(info: dict) -> float | None:
    d = info["config"].get("data", {})
    if d.get("source") == "kernel_files":
        phis = [st["phi"] for st in d.get("states", []) if d.get("phi_max") is None or st["phi"] <= d["phi_max"]]
        return max(phis) if phis else None
    return max(d["train_packings"]) if d.get("train_packings") else None


def _extrapolate(args) -> None:
    import numpy as np

    from slowdyn.analysis.mct.closures.evaluate import plot_arrest
    from slowdyn.analysis.mct.closures.network import export_weights
    from slowdyn.analysis.mct.closures.solver import extrapolate_arrest
    from slowdyn.analysis.mct.closures.training import load_closure
    from slowdyn.cli import SlowdynError

    if not args.model.exists():
        raise SlowdynError(f"{args.model} does not exist (train first)")
    if args.range:
        if len(args.packings) != 3 or not (args.packings[2] > 0 and args.packings[1] > args.packings[0]):
            raise SlowdynError("--range needs --packings START STOP STEP with STOP > START and STEP > 0")
        a, b, h = args.packings
        packings = a + h * np.arange(int(np.floor((b - a) / h + 1e-9)) + 1)
    else:
        packings = np.asarray(args.packings, float)
    net, info = load_closure(args.model)
    scan = extrapolate_arrest(export_weights(net), info["q"], packings, train_max=_train_max(info),
                              threshold=args.threshold, tol=args.tol)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"# learned closure {args.model}: training states up to phi = {scan['train_max']}")
    print("# phi  extrapolated  " + " ".join(f"f(q={q:g})" for q in info["q"]))
    for p, e, f in zip(scan["packing"], scan["extrapolated"], scan["f"]):
        print(f"{p:.4f} {'yes' if e else 'no ':>3} " + " ".join(f"{v:.4f}" for v in f))
    if scan["phi_c"] is not None:
        print(f"arrest density of the learned closure (max_q f > {args.threshold:g}): {scan['phi_c']:.5f}"
              f"{' (extrapolated)' if scan['train_max'] is not None and scan['phi_c'] > scan['train_max'] else ''}")
    if scan["note"]:
        print(scan["note"])
    data = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in scan.items()}
    data["q"] = [float(q) for q in info["q"]]
    (args.out / "arrest.json").write_text(json.dumps(data, indent=1))
    plot_arrest(scan, info["q"]).savefig(args.out / "arrest.png", dpi=120)
    print_files(args, [args.out / "arrest.json", args.out / "arrest.png"])


def _compare(args) -> None:
    import numpy as np

    from slowdyn.analysis.mct.closures.evaluate import closure_outputs, kernel_ratio, plot_closure_outputs
    from slowdyn.analysis.mct.closures.network import export_weights
    from slowdyn.analysis.mct.closures.training import load_closure
    from slowdyn.cli import SlowdynError

    labels = args.labels or [m.parent.name or m.stem for m in args.models]
    if not (len(args.phis) == len(args.models) == len(labels)):
        raise SlowdynError(f"give one --phis value (and label) per model: {len(args.models)} models, "
                           f"{len(args.phis)} phis, {len(labels)} labels")
    closures = []
    for model, phi, label in zip(args.models, args.phis, labels):
        if not model.exists():
            raise SlowdynError(f"{model} does not exist")
        net, info = load_closure(model)
        closures.append((label, export_weights(net), info["q"], phi))
    outs = closure_outputs(closures, args.a, args.b)
    args.out.mkdir(parents=True, exist_ok=True)
    png, table = args.out / "compare.png", args.out / "compare.txt"
    plot_closure_outputs(outs, args.a, args.b).savefig(png, dpi=120)
    lines = [f"# closure outputs m(q) for S(q) = {args.a:g}/(1 + {args.b:g} q^2) (nan: q not on that closure's grid)",
             "# columns: q S " + " ".join(f"m_{o['label']}(phi={o['state'][0]:g})" for o in outs)]
    qs = np.unique(np.round(np.concatenate([o["q"] for o in outs]), 9))
    for q in qs:
        vals = []
        for o in outs:
            hit = np.flatnonzero(np.isclose(o["q"], q))
            vals.append(o["kernel"][hit[0]] if hit.size else np.nan)
        lines.append(f"{q:g} {args.a / (1 + args.b * q ** 2):.6f} " + " ".join(f"{v:.6g}" for v in vals))
    table.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    for o in outs[1:]:
        q, r = kernel_ratio(outs[0], o)
        print(f"ratio {o['label']}/{outs[0]['label']}: {np.min(r):.3f} .. {np.max(r):.3f} "
              f"(q = {q[0]:g}: {r[0]:.3f}, q = {q[-1]:g}: {r[-1]:.3f})")
    print_files(args, [png, table])


def _train(args) -> None:
    from slowdyn.analysis.mct.closures.training import ClosureTrainer, load_config

    cfg = load_config(_config_path(args.config), root=args.root)
    if args.epochs is not None:
        cfg["training"]["epochs"] = int(args.epochs)
    out = args.out or Path(f"closure_{cfg['name']}")
    tr = ClosureTrainer(cfg, out, resume=not args.no_resume, progress=not args.quiet).run()
    h = tr.history
    if h["epoch"]:
        print(f"epoch {h['epoch'][-1]}: train loss {h['train_loss'][-1]:.4e} (MSE {h['train_mse'][-1]:.4e}), "
              f"validation loss {h['val_val_loss'][-1]:.4e} (MSE {h['val_val_mse'][-1]:.4e})")
    print_files(args, [tr.model_path, out / "history.json", out / "loss.png"])


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
    res = evaluate_closure(export_weights(net), info["q"], grid, tol=args.tol, phi_c_mct=args.phi_c_mct,
                           progress=not args.quiet)
    path = write_report(res, args.out)
    d = res["phi_c_net"] - res["phi_c_mct"]
    print(f"phi_c: MCT {res['phi_c_mct']:.5f}, learned closure {res['phi_c_net']:.5f} (difference {d:+.5f})")
    for r in res["f"]:
        print(f"f(q) at phi_c + {r['offset']:g}: max |f_net - f_MCT| = {r['max_abs']:.4f}")
    for key in ("sisf", "sisf_near"):
        for r in res[key]:
            print(f"SISF phi = {r['packing']:g} (phi_c {r['packing'] - res['phi_c_mct']:+.4f}): "
                  f"RMSE {r['rmse']:.2e}, max {r['max_abs']:.2e}")
    print_files(args, [path, args.out / "closure_sisf.png", args.out / "closure_f.png"])


def main(args: argparse.Namespace) -> int:
    {"train": _train, "validate": _validate, "extrapolate": _extrapolate, "compare": _compare}[args.action](args)
    return 0
