"""``slowdyn closure {train,validate,cmaes,extrapolate,compare}``: learned
memory-kernel closures m_phi[S] (Granz 2026, §4.5) and the stretched-exponential
CMA-ES kernel fit (Ciarella et al., Mach. Learn.: Sci. Technol. 4, 025010 (2023)).

``train CONFIG`` (a YAML file or the name of an installed config, e.g.
``hard_disks_mct``) generates the hard-disk MCT data (cached in OUT) or reads
the files of ``slowdyn kernels`` (``kernel_files`` configs, folder ``--root``),
trains the closure network and writes ``OUT/closure.pt``, ``checkpoint.pt``
(resumed from), ``history.json`` and ``loss.png``.
``validate --out OUT [--model M]`` compares the learned closure with the MCT
it was trained on: critical packing fraction, f(q) above it, SISFs below it
(``closure_validation.json``, ``closure_sisf.png``, ``closure_f.png``).
``cmaes --out OUT`` fits stretched-exponential kernels by CMA-ES to MCT
hard-disk SISFs (and simulation SISFs, ``--sisf``) and tabulates kernel and
SISF errors next to the memory-kernel pipeline's kernels against MCT's own
kernel (``cmaes_table.txt``).
``extrapolate --model M --packings ...`` solves f(q) of a learned closure over
packing fractions (beyond its training range) and bisects its arrest density.
``compare --models A B --phis PA PB --out PNG`` evaluates closures on the test
input S(q) = a/(1 + b q^2) (Fig. 4.43); ``map`` gives the effective MCT packing
fraction of simulation SISFs (the density pair of the comparison);
``mct-sisf`` writes MCT SISFs in the ``fix sisf/msd`` format.
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
    p.add_argument("--quiet", action="store_true", help="no progress bars")

    p = sub.add_parser("validate", help="compare a trained closure with hard-disk MCT")
    p.add_argument("--out", type=Path, required=True, help="output folder (and where closure.pt is by default)")
    p.add_argument("--model", type=Path, default=None, help="closure.pt (default: OUT/closure.pt)")
    p.add_argument("--tol", type=float, default=1e-5, help="bisection tolerance of the critical points")
    p.add_argument("--phi-c-mct", type=float, default=None,
                   help="MCT critical packing fraction of the grid if known (skips its bisection; default grid: "
                   "0.68918)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("cmaes", help="CMA-ES stretched-exponential kernels vs the memory-kernel pipeline's "
                       "kernels vs MCT's kernel on hard disks (and on simulation SISFs)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--packings", type=float, nargs="*", default=[0.60, 0.65, 0.675],
                   help="MCT packing fractions (liquid states; none: simulation files only)")
    p.add_argument("--q", type=float, default=6.0, help="wave number (on the closure grid / in the SISF files)")
    p.add_argument("--n-exp", type=int, default=2, help="number of stretched exponentials")
    p.add_argument("--maxfevals", type=int, default=1500, help="CMA-ES evaluations per fit")
    p.add_argument("--pipeline", nargs="*", default=["nnlt_tails"],
                   help="memory-kernel pipeline methods for their own rows (default nnlt_tails; e.g. nnls; "
                   "none: CMA-ES only)")
    p.add_argument("--pipeline-m0", nargs="+", default=["iterative", "mct"],
                   help="m0 of the pipeline rows: iterative, kk, asymptotic and, for MCT inputs, mct "
                   "(MCT's own m(q, 0)) (default iterative mct)")
    p.add_argument("--sisf", type=Path, nargs="*", default=[],
                   help="simulation SISF files (fix sisf/msd or 't F_s' tables at --q): no reference kernel, "
                   "SISF errors only")
    p.add_argument("--cut", type=float, default=1e-3,
                   help="pipeline noise level; for simulation files also the lower end of the fitted SISF")
    p.add_argument("--noise", type=float, default=0.0, help="pipeline noise of simulation SISFs")
    p.add_argument("--D0", type=float, default=1.0, help="short-time diffusion coefficient of the simulation")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_more(sub)
    _add_mct_sisf(sub)
    _add_map(sub)


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
    p.add_argument("--out", type=Path, required=True, help="output PNG (a .txt table is written next to it)")


def _add_mct_sisf(sub) -> None:
    p = sub.add_parser("mct-sisf", help="hard-disk MCT SISFs at q = 2..10 as fix sisf/msd-format files "
                       "(inputs of slowdyn kernels)")
    p.add_argument("--packings", type=float, nargs="+", required=True, help="packing fractions")
    p.add_argument("--out", type=Path, required=True, help="folder: one phi<PHI>_sisf.dat per packing fraction")


def _add_map(sub) -> None:
    p = sub.add_parser("map", help="effective packing fraction phi_MCT of simulation SISFs (least squares against "
                       "MCT SISFs at one q, memory.mapping, Granz 2026 §4.4.3)")
    p.add_argument("--mct", type=Path, nargs="+", required=True,
                   help="MCT SISF files phi<PHI>_sisf.dat (slowdyn closure mct-sisf)")
    p.add_argument("--sisf", type=Path, nargs="+", required=True, help="simulation SISF files (fix sisf/msd)")
    p.add_argument("--q", type=float, default=6.0, help="wave number of the fit (in every file)")


def _map(args) -> None:
    import re

    import numpy as np

    from slowdyn.analysis.io.sisf import load_sisf
    from slowdyn.analysis.memory.mapping import PackingMapping
    from slowdyn.cli import SlowdynError

    table = {}
    for f in args.mct:
        hit = re.search(r"phi([0-9.]+?)_sisf", f.name)
        if not hit:
            raise SlowdynError(f"{f}: MCT files must be named phi<PHI>_sisf.dat (slowdyn closure mct-sisf)")
        (t, F), = load_sisf(f, q=[args.q]).values()
        table[float(hit.group(1))] = (t, F)
    mapping = PackingMapping(table)
    lo, hi = min(table), max(table)
    print(f"# phi_MCT of simulation SISFs at q = {args.q:g}: least squares against MCT phi = {lo:g} .. {hi:g} "
          f"({len(table)} states, linear interpolation between neighbours)")
    print("# file phi_MCT rmse")
    for f in args.sisf:
        (t, F), = load_sisf(f, q=[args.q]).values()
        t, F = np.asarray(t), np.asarray(F)
        pm, r = mapping.fit(t[t > 0], F[t > 0])
        edge = "  (at the table edge)" if pm in (lo, hi) else ""
        print(f"{f} {pm:.5f} {r:.3e}{edge}")


def _mct_sisf(args) -> None:
    from slowdyn.analysis.mct.closures.data import write_mct_sisf

    for p in args.packings:
        print(write_mct_sisf(p, args.out / f"phi{p:.4f}_sisf.dat"), flush=True)


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
    print(f"wrote {args.out / 'arrest.json'}, {args.out / 'arrest.png'}")


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
    args.out.parent.mkdir(parents=True, exist_ok=True)
    plot_closure_outputs(outs, args.a, args.b).savefig(args.out, dpi=120)
    lines = [f"# closure outputs m(q) for S(q) = {args.a:g}/(1 + {args.b:g} q^2) (nan: q not on that closure's grid)",
             "# columns: q S " + " ".join(f"m_{o['label']}(phi={o['state'][0]:g})" for o in outs)]
    qs = np.unique(np.round(np.concatenate([o["q"] for o in outs]), 9))
    for q in qs:
        vals = []
        for o in outs:
            hit = np.flatnonzero(np.isclose(o["q"], q))
            vals.append(o["kernel"][hit[0]] if hit.size else np.nan)
        lines.append(f"{q:g} {args.a / (1 + args.b * q ** 2):.6f} " + " ".join(f"{v:.6g}" for v in vals))
    table = args.out.with_suffix(".txt")
    table.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    for o in outs[1:]:
        q, r = kernel_ratio(outs[0], o)
        print(f"ratio {o['label']}/{outs[0]['label']}: {np.min(r):.3f} .. {np.max(r):.3f} "
              f"(q = {q[0]:g}: {r[0]:.3f}, q = {q[-1]:g}: {r[-1]:.3f})")
    print(f"wrote {args.out}, {table}")


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
    print(f"wrote {path}")


def _cmaes_inputs(args) -> list:
    """``(label, t, sisf, kernel_ref or None, D0)`` of the MCT states and the simulation files."""
    import numpy as np

    from slowdyn.analysis.mct.closures.data import HardDiskGrid, solve_hard_disks

    out = []
    grid = HardDiskGrid()
    if args.packings:
        iq = int(grid.indices([args.q])[0])
        for p in args.packings:
            sol = solve_hard_disks(p, grid)
            t, s, m = sol["t"], sol["sisf"][:, iq], sol["kernel"][:, iq]
            sel = s > 1e-4  # the decayed tail carries no information on the kernel
            out.append((f"MCT:phi={p:.4f}", t[sel], s[sel], m[sel], 1.0))
    if args.sisf:
        from slowdyn.analysis.io.sisf import load_sisf

        for path in args.sisf:
            (t, s), = load_sisf(path, q=[args.q]).values()
            t, s = np.asarray(t, float), np.asarray(s, float)
            below = np.flatnonzero((t > 0) & (s < args.cut))
            stop = below[0] + 1 if below.size else len(t)
            sel = (t > 0) & (np.arange(len(t)) < stop)  # the measured part down to the noise level
            out.append((f"sim:{Path(path).name}", t[sel], s[sel], None, args.D0))
    return out


def _cmaes(args) -> None:
    import numpy as np

    from slowdyn.analysis.mct.closures.data import HardDiskGrid
    from slowdyn.analysis.memory.cmaes import TimeGrid, compare_kernels, memory_pipeline_estimator

    grid = HardDiskGrid()
    tg = TimeGrid(grid.h, grid.blocksize, grid.blocks)
    bad = [m for m in args.pipeline_m0 if m not in ("iterative", "kk", "asymptotic", "mct")]
    if bad:
        from slowdyn.cli import SlowdynError

        raise SlowdynError(f"--pipeline-m0 takes iterative, kk, asymptotic or mct, got {bad}")
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [f"# memory kernels from one SISF, q = {args.q:g}: CMA-ES sum of {args.n_exp} stretched exponentials "
             "(Ciarella et al. 2023) vs the memory-kernel pipeline (Laplace-domain MZ + inversion, m0 as named)",
             "# kernel_rmse: RMSE against MCT's own kernel over the compared times; kernel_rel: the same / "
             "m_MCT(0); sisf_rmse: RMSE of the kernel's MZ solution against the input SISF; m0: the kernel's m(0)",
             f"{'input':>24} {'method':>22} {'kernel_rmse':>12} {'kernel_rel':>11} {'sisf_rmse':>10} "
             f"{'m0':>9} {'evals':>6}"]
    out = {}
    for label, t, s, m, D0 in _cmaes_inputs(args):
        tau0 = 1.0 / (D0 * args.q ** 2)
        methods = {}
        for meth in args.pipeline:
            for how in args.pipeline_m0:
                if how == "mct" and m is None:
                    continue
                m0 = (lambda tt, ss, m00=float(m[0]): m00) if how == "mct" else how
                methods[f"{meth}/m0={how}"] = memory_pipeline_estimator(
                    args.q, D0, method=meth, m0=m0, cut=args.cut, noise=args.noise if m is None else 0.0)
        # start: amplitudes split 0.7/0.3 of m(0) (MCT's; 5 without a reference), one decade of times each
        ref0 = float(m[0]) if m is not None else 5.0
        fit = {"n_exp": args.n_exp, "grid": tg, "maxfevals": args.maxfevals,
               "x0": {"amplitudes": list(ref0 * np.array([0.7, 0.3][:args.n_exp] + [0.1] * (args.n_exp - 2))),
                      "taus": [float(t[np.argmax(s < 0.5)]) * 10.0 ** (-2 * k) for k in range(args.n_exp)],
                      "betas": [1.0] * args.n_exp}}
        rows = compare_kernels(t, s, m, tau0, methods=methods, fit=fit)
        res = {}
        for name, r in rows.items():
            ev = r["fit"].evaluations if "fit" in r else 0
            m0 = r["fit"].kernel(np.array([0.0]))[0] if "fit" in r else r.get("m0", float("nan"))
            lines.append(f"{label:>24} {name:>22} {r['kernel_rmse']:12.4e} {r['kernel_rel_rmse']:11.4e} "
                         f"{r['sisf_rmse']:10.3e} {m0:9.4g} {ev:6d}")
            res[name] = {k: v for k, v in r.items() if k != "fit"}
            if "fit" in r:
                f = r["fit"]
                res[name].update(amplitudes=f.amplitudes.tolist(), taus=f.taus.tolist(), betas=f.betas.tolist())
        if m is not None:
            lines.append(f"{label:>24} {'(MCT)':>22} {'':>12} {'':>11} {'':>10} {m[0]:9.4g}")
        out[label] = res
        print("\n".join(lines[-len(rows) - (m is not None):]), flush=True)
    (args.out / "cmaes_table.txt").write_text("\n".join(lines) + "\n")
    (args.out / "cmaes_fits.json").write_text(json.dumps(out, indent=1))
    print(f"wrote {args.out / 'cmaes_table.txt'}")


def main(args: argparse.Namespace) -> int:
    {"train": _train, "validate": _validate, "cmaes": _cmaes, "extrapolate": _extrapolate,
     "compare": _compare, "mct-sisf": _mct_sisf, "map": _map}[args.action](args)
    return 0
