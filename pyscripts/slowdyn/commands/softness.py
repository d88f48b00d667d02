"""``slowdyn softness ACTION ...``: structure -> rearrangements (softness, fluidity, barriers, ensembles).

Actions (Schoenholz et al., Nat. Phys. 12, 469 (2016); Obadiya, PhD thesis, Emory 2025):

- ``labels DUMP``: p_hop of every particle and frame, the training examples;
- ``train DUMP ...``: features of the examples, the softness (or, with
  ``--extreme``, fluidity) classifier ``OUT/classifier.npz``;
- ``apply CLASSIFIER DUMP ...``: softness per particle as a LAMMPS dump
  (``OUT/softness.lammpstrj``, column ``softness``) and its distribution per dump;
- ``barriers CLASSIFIER DUMP ... --temperatures T ...``: P_R per softness bin and the Kramers fit;
- ``transfer CLASSIFIER ... --test DUMP``: b_best on a test set, normalised
  projections and the overlaps of the normals (Table 2.1 of Obadiya 2025);
- ``ensemble DATA --temperature T --runs M``: an isoconfigurational ensemble with the
  Kob-Andersen deck, p_r and propensity per particle (``OUT/ensemble.npz``);
- ``regress ENSEMBLE ...``: ridge / linear SVR / RBF-SVR / MLP of logit p_r on the features.

Dumps need ``id type xu yu zu`` (or ``x y z ix iy iz``) on equally spaced frames.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from slowdyn.cli import HelpFormatter, SlowdynError, out_folder, print_files

ACTIONS = ("labels", "train", "apply", "barriers", "transfer", "ensemble", "regress")


def _label_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timestep", type=float, default=0.005, help="MD timestep of the run (frame spacing = steps x dt)")
    p.add_argument("--half-window", type=float, default=5.0, help="p_hop half window (time units)")
    p.add_argument("--p-c", type=float, default=0.2, help="rearranging if p_hop > p_c")
    p.add_argument("--p-l", type=float, default=0.0085, help="quiet if p_hop < p_l")
    p.add_argument("--quiet-time", type=float, default=120.0,
                   help="shortest quiet stretch of a non-rearranging example")
    p.add_argument("--lag", type=float, default=2.0, help="structure of a rearrangement at t taken at t - lag")
    p.add_argument("--types", type=int, nargs="+", default=[1], help="particle types of the examples (A: 1)")
    p.add_argument("--csd", action="store_true",
                   help="label by the cumulative squared displacement over the last 10 frames instead of p_hop "
                        "(thresholds --p-c, --p-l; the thesis' rearrangement threshold is 0.0966)")


def _feature_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steinhardt", nargs="?", const="plain", default=False, choices=["plain", "averaged"],
                   help="add the 35 Steinhardt q_l shell features (averaged: their neighbour-averaged versions)")
    p.add_argument("--dim", type=int, choices=(2, 3), default=None,
                   help="dimension (default: 2 if every z coordinate of frame 0 is equal, else 3)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    fmt = HelpFormatter

    p = sub.add_parser("labels", formatter_class=fmt, help="p_hop and the training examples of a dump",
                       description="p_hop(i, t) (windows [t - h, t], [t, t + h]) of every particle and frame, and "
                                   "the rearranging (p_hop > p_c, structure at t - lag) and non-rearranging "
                                   "(p_hop < p_l for >= quiet-time, structure at the middle) examples. Writes "
                                   "OUT/labels.npz and OUT/phop.png.")
    p.add_argument("dump", type=Path, help="LAMMPS text dump with unwrapped coordinates")
    _label_options(p)

    p = sub.add_parser("train", formatter_class=fmt, help="train a softness (or fluidity) classifier",
                       description="Balanced training set from the dumps (one temperature), radial structure "
                                   "functions (r = 0.1..5, delta = 0.2, per type), StandardScaler + LinearSVC, "
                                   "5-fold CV bias scan. With --extreme F the classes are the F lowest and F "
                                   "highest p_hop events (fluidity). Writes OUT/classifier.npz, OUT/training.npz "
                                   "and OUT/cv.png; prints the accuracies.")
    p.add_argument("dumps", type=Path, nargs="+", help="dumps at the training temperature")
    _label_options(p)
    _feature_options(p)
    p.add_argument("--extreme", type=float, default=None, metavar="FRACTION",
                   help="fluidity: the most extreme FRACTION of low and high p_hop events (thesis: 3.3e-4)")
    p.add_argument("--per-class", type=int, default=3800, help="examples per class (at most)")
    p.add_argument("--C", type=float, default=1e-2, help="soft-margin parameter of LinearSVC")
    p.add_argument("--test-fraction", type=float, default=0.2, help="examples held out for the test accuracy")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling, folds and SVM")

    p = sub.add_parser("apply", formatter_class=fmt, help="softness per particle of dumps",
                       description="Softness of every particle of every --every-th frame, as a LAMMPS dump "
                                   "(id type x y z softness) per input, OUT/softness_K.lammpstrj, and the "
                                   "distributions in OUT/softness.png / OUT/softness.txt.")
    p.add_argument("classifier", type=Path, help="classifier.npz written by 'slowdyn softness train'")
    p.add_argument("dumps", type=Path, nargs="+", help="dumps")
    p.add_argument("--every", type=int, default=10, help="use every n-th frame")
    p.add_argument("--names", nargs="+", default=None, help="legend of each dump (e.g. its temperature)")
    p.add_argument("--types", type=int, nargs="+", default=[1], help="types in the distributions")

    p = sub.add_parser("barriers", formatter_class=fmt, help="P_R(S) per temperature, Kramers fit of Delta E(S)",
                       description="Softness at t - lag and rearrangement (p_hop(t) > p_c) of every particle of "
                                   "every --every-th frame, P_R per softness bin and the fit "
                                   "ln(T P_R) = Sigma - Delta E / T per bin. Writes OUT/barriers.txt, "
                                   "OUT/p_r.txt, OUT/p_r.png, OUT/barriers.png.")
    p.add_argument("classifier", type=Path, help="classifier.npz")
    p.add_argument("dumps", type=Path, nargs="*", help="one dump per temperature")
    p.add_argument("--temperatures", type=float, nargs="+", default=None, help="temperature of each dump")
    p.add_argument("--samples", type=Path, default=None,
                   help="refit the OUT/samples.npz of an earlier run (softness and labels) instead of dumps")
    _label_options(p)
    p.add_argument("--every", type=int, default=2, help="use every n-th frame")
    p.add_argument("--zscore", action="store_true",
                   help="bins of x = (S - mean) / std at the first temperature instead of S")
    p.add_argument("--projection", type=float, default=None, metavar="B_BEST",
                   help="bins of the normalised projection x = (w.F - B_BEST) / sigma_T (sigma_T stored with the "
                        "classifier; B_BEST from 'slowdyn softness transfer')")
    p.add_argument("--bins", type=float, nargs=3, default=[-3.0, 3.0, 13], metavar=("LO", "HI", "N"),
                   help="bin edges: N edges from LO to HI")
    p.add_argument("--min-count", type=int, default=50, help="fewest particles of a bin at a temperature")

    p = sub.add_parser("transfer", formatter_class=fmt, help="fluidity transfer: b_best, sigma, normal overlaps",
                       description="Each classifier on a labelled test dump: its trained bias b, the std sigma "
                                   "of its output at its training temperature, the bias b_best of highest test "
                                   "accuracy and that accuracy, and the dot product of its normal with the first "
                                   "classifier's (Table 2.1 of Obadiya 2025). Writes OUT/transfer.txt.")
    p.add_argument("classifiers", type=Path, nargs="+", help="classifier.npz files, the softness one first")
    p.add_argument("--test", type=Path, required=True, help="labelled test dump (e.g. the lowest temperature)")
    _label_options(p)

    p = sub.add_parser("ensemble", formatter_class=fmt, help="isoconfigurational ensemble with the KA deck",
                       description="M runs from one configuration with new velocities (velocity all create T "
                                   "SEED + 7919 (K - 1)), one after another through the LAMMPS Python interface "
                                   "or as -partition replicas; p_r (p_hop > p_c within --record) and propensity "
                                   "per particle, and the features of the configuration. Writes OUT/ensemble.npz "
                                   "and the runs' dumps in OUT/runs.")
    p.add_argument("data", type=Path, help="LAMMPS data file of the configuration (final.data of a deck run)")
    p.add_argument("--temperature", type=float, required=True, help="temperature of the new velocities")
    p.add_argument("--runs", type=int, default=8, help="replicas M")
    p.add_argument("--time", type=float, default=30.0, help="length of each run (time units)")
    p.add_argument("--record", type=float, default=25.0, help="events counted up to this time")
    p.add_argument("--mode", choices=("sequential", "partition", "both"), default="sequential",
                   help="how the replicas run (both: each once, the wall times compared)")
    p.add_argument("--deck", type=Path, default=None, help="the Kob-Andersen deck (default: inputs/kob_andersen)")
    p.add_argument("--seed", type=int, default=1, help="velocity seed of replica 1")
    _label_options(p)
    _feature_options(p)

    p = sub.add_parser("regress", formatter_class=fmt, help="regressions of logit p_r on the features",
                       description="Ridge, linear SVR, RBF-SVR and an MLP (scikit-learn) of logit p_r on the "
                                   "features of ensemble.npz files, trained on a random part of the particles "
                                   "and scored on the rest: explained variance (law of total variance), Pearson "
                                   "r, and the projection of each linear model on the softness normal. Writes "
                                   "OUT/regression.txt and OUT/regression.png.")
    p.add_argument("ensembles", type=Path, nargs="+", help="ensemble.npz files of 'slowdyn softness ensemble'")
    p.add_argument("--classifier", type=Path, default=None, help="softness classifier for the projections")
    p.add_argument("--test-fraction", type=float, default=0.3, help="particles held out")
    p.add_argument("--types", type=int, nargs="+", default=[1], help="particle types used")
    p.add_argument("--models", nargs="+", default=["ridge", "linear_svr", "rbf_svr", "mlp"], help="models")
    p.add_argument("--seed", type=int, default=0, help="seed of the split and the models")

    for sp in sub.choices.values():
        sp.add_argument("--out", type=Path, default=Path("softness"), help="output folder (created if missing)")


# ----------------------------------------------------------------------------------------------------------

def _progress(args, iterable, total=None, desc=""):
    if getattr(args, "quiet", False):
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False)


def _read(path: Path):
    from slowdyn.analysis.io import read_dump

    if not path.is_file():
        raise SlowdynError(f"{path}: no such dump file")
    traj = read_dump(path)
    if "id" not in traj.columns:
        raise SlowdynError(f"{path}: the dump has no atom ids; dump 'id type xu yu zu'")
    return traj


def _dim(traj, dim):
    if dim is not None:
        return dim
    z = traj.positions[0, :, 2]
    return 2 if np.ptp(z) == 0 else 3


def _frame_dt(traj, timestep: float, path: Path) -> float:
    steps = np.asarray(traj.steps)
    if len(steps) < 2:
        raise SlowdynError(f"{path}: one frame; p_hop needs a trajectory of equally spaced frames")
    d = np.diff(steps)
    if np.any(d != d[0]) or d[0] <= 0:
        raise SlowdynError(f"{path}: the frames are not equally spaced (steps {steps[:4].tolist()} ...)")
    return float(d[0] * timestep)


def _phop(args, traj, path):
    """p_hop (or, with --csd, the cumulative squared displacement over 10 frames) and the frame spacing."""
    from slowdyn.analysis.structure_dynamics.labels import cumulative_squared_displacement, frames_of, phop

    dt = _frame_dt(traj, args.timestep, path)
    try:
        if getattr(args, "csd", False):
            return cumulative_squared_displacement(traj, 10), dt
        return phop(traj, frames_of(args.half_window, dt, "--half-window")), dt
    except ValueError as err:
        raise SlowdynError(f"{path}: {err}") from None


def _features(args, traj, frames, dim, species=None, particles=None):
    from slowdyn.analysis.structure_dynamics.features import StructureFeatures

    sf = StructureFeatures(steinhardt=getattr(args, "steinhardt", False),
                           species=tuple(int(x) for x in species) if species is not None else None)
    frames = np.asarray(frames, dtype=int)
    sf.compute([traj.positions[f] for f in frames], traj.types, traj.cells[frames], dim=dim, particles=particles)
    return sf


def _example_features(args, traj, ex, dim, species=None):
    """Features ``(n, M)`` of the examples (only their particles are computed), and the description."""
    frames = np.unique(ex.frame)
    order = np.argsort(ex.frame, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(ex.frame[order])) + 1)
    sf = _features(args, traj, frames, dim, species, particles=[ex.particle[g] for g in groups])
    F = np.empty((len(ex.frame), sf.features[0].shape[1]))
    for g, f in zip(groups, sf.features):
        F[g] = f
    return F, sf.description


def _examples(args, p, dt, types, extreme=None):
    from slowdyn.analysis.structure_dynamics.labels import extreme_examples, rearrangement_examples

    mask = np.isin(types, args.types)
    if extreme is not None:
        return extreme_examples(p, extreme, dt, args.lag, mask)
    return rearrangement_examples(p, dt, args.p_c, args.p_l, args.quiet_time, args.lag, mask)


def _load_classifier(path: Path, description=None):
    from slowdyn.analysis.structure_dynamics.softness import Softness

    if not path.is_file():
        raise SlowdynError(f"{path}: no such classifier file (write one with 'slowdyn softness train')")
    return Softness.load(path, description)


def _description_of(clf, traj, dim):
    """The feature description the classifier's settings give for this dump (checked by load)."""
    desc = dict(clf.description)
    present = set(int(t) for t in np.unique(traj.types))
    if not present <= set(desc.get("species", [])):
        raise SlowdynError(f"the dump has types {sorted(present)}, the classifier was trained on types "
                           f"{desc.get('species')}")
    return desc


def _apply_softness(clf, traj, frames, dim):
    from slowdyn.analysis.structure_dynamics.features import steinhardt_mode

    desc = clf.description
    sf = _features(argparse.Namespace(steinhardt=steinhardt_mode(desc.get("kind"))), traj, frames, dim,
                   species=desc.get("species"))
    if sf.description != desc:
        raise SlowdynError("the classifier was trained on other features than these; compute them with its settings")
    return clf.softness(sf.features)


# ----------------------------------------------------------------------------------------------------------

def _labels(args):
    from slowdyn.common.plotting import subplots

    traj = _read(args.dump)
    p, dt = _phop(args, traj, args.dump)
    ex = _examples(args, p, dt, traj.types)
    out = out_folder(args.out)
    files = [out / "labels.npz", out / "phop.png"]
    np.savez_compressed(files[0], phop=p.astype(np.float32), steps=traj.steps, types=traj.types, frame=ex.frame,
                        particle=ex.particle, label=ex.label, frame_dt=dt)
    fig, ax = subplots()
    vals = p[np.isfinite(p)]
    ax.hist(np.log10(vals[vals > 0]), bins=100, density=True)
    for v in (args.p_c, args.p_l):
        ax.axvline(np.log10(v), color="k", ls=":")
    ax.set_xlabel("log10 " + ("CSD" if args.csd else "p_hop"))
    fig.savefig(files[1], dpi=120)
    n_pos, n_neg = ex.counts()
    frac = float((vals > args.p_c).mean())
    print(f"frames {traj.n_frames}, frame spacing {dt:g}; fraction with p > p_c: {frac:.4g}")
    print(f"examples: {n_pos} rearranging, {n_neg} non-rearranging (types {args.types})")
    print_files(args, files)


def _train(args):
    from slowdyn.analysis.structure_dynamics.softness import Softness

    feats, labels, sample_s, desc = [], [], [], None
    per = max(1, args.per_class // len(args.dumps))
    for path in _progress(args, args.dumps, desc="dumps"):
        traj = _read(path)
        dim = _dim(traj, args.dim)
        p, dt = _phop(args, traj, path)
        ex = _examples(args, p, dt, traj.types, args.extreme)
        try:
            ex = ex.balanced(per, seed=args.seed)
        except ValueError as err:
            raise SlowdynError(f"{path}: {err}") from None
        species = np.unique(traj.types)
        F_ex, d = _example_features(args, traj, ex, dim, species)
        desc = d if desc is None else desc
        if d != desc:
            raise SlowdynError(f"{path}: other types than the first dump")
        feats.append(F_ex)
        labels.append(ex.label)
        # softness distribution at the training temperature: all particles of the chosen types, 3 frames
        pick = np.linspace(0, traj.n_frames - 1, 3).astype(int)
        mask = np.flatnonzero(np.isin(traj.types, args.types))
        sf = _features(args, traj, pick, dim, species, particles=[mask] * len(pick))
        sample_s.append(np.concatenate(sf.features))
    F, y = np.concatenate(feats), np.concatenate(labels)
    rng = np.random.default_rng(args.seed)
    test = np.zeros(len(y), bool)
    for cls in (1, -1):
        idx = rng.permutation(np.flatnonzero(y == cls))
        test[idx[: int(round(args.test_fraction * len(idx)))]] = True
    clf = Softness(C=args.C, seed=args.seed, description=desc).compute(F[~test], y[~test])
    clf.sigma = float(np.std(clf.softness(np.concatenate(sample_s))))
    acc_test = clf.accuracy(F[test], y[test]) if test.any() else float("nan")
    out = out_folder(args.out)
    files = [clf.save(out / "classifier.npz"), out / "training.npz", out / "cv.png"]
    np.savez_compressed(files[1], features=F.astype(np.float32), label=y, test=test, names=np.array(
        [f"f{k}" for k in range(F.shape[1])]))
    clf.plot().savefig(files[2], dpi=120)
    n_pos, n_neg = clf.n_examples
    kind = f"extreme {args.extreme:g}" if args.extreme else "p_hop"
    print(f"training set: {n_pos} + {n_neg} examples ({kind} labels), {F.shape[1]} features; "
          f"held out: {int(test.sum())}")
    print(f"bias b = {clf.bias:.5g} (SVM {clf.svm_bias:.5g}); 5-fold CV accuracy {clf.cv_best_accuracy:.4f}; "
          f"held-out accuracy {acc_test:.4f}; std of S at the training temperature {clf.sigma:.4f}")
    print_files(args, files)


def _write_softness_dump(path: Path, traj, frames, S):
    with open(path, "w") as fh:
        for f, s in zip(frames, S):
            cell = traj.cells[f]
            fh.write(f"ITEM: TIMESTEP\n{int(traj.steps[f])}\nITEM: NUMBER OF ATOMS\n{traj.n_atoms}\n")
            if np.allclose(cell - np.diag(np.diag(cell)), 0):
                fh.write("ITEM: BOX BOUNDS pp pp pp\n" + "".join(f"0 {cell[k, k]:.17g}\n" for k in range(3)))
            else:
                raise SlowdynError("triclinic boxes: the softness dump is written for orthogonal boxes only")
            fh.write("ITEM: ATOMS id type x y z softness\n")
            pos = np.mod(traj.positions[f], np.diag(cell))                  # wrapped into [0, L)
            ids = np.arange(1, traj.n_atoms + 1)           # read_dump sorts by id: ids 1..N of a deck
            np.savetxt(fh, np.column_stack([ids, traj.types, pos, s]), fmt="%d %d %.10g %.10g %.10g %.8g")


def _apply(args):
    from slowdyn.common.plotting import subplots

    clf = _load_classifier(args.classifier)
    out = out_folder(args.out)
    names = args.names or [p.name for p in args.dumps]
    if len(names) != len(args.dumps):
        raise SlowdynError(f"--names: {len(names)} names for {len(args.dumps)} dumps")
    fig, ax = subplots()
    files, rows = [], []
    for k, path in enumerate(_progress(args, args.dumps, desc="dumps")):
        traj = _read(path)
        _description_of(clf, traj, None)
        frames = np.arange(0, traj.n_frames, args.every)
        S = _apply_softness(clf, traj, frames, _dim(traj, None))
        files.append(out / f"softness_{k + 1}.lammpstrj")
        _write_softness_dump(files[-1], traj, frames, S)
        s = S[:, np.isin(traj.types, args.types)].ravel()
        rows.append((names[k], s.mean(), s.std(), (s > 0).mean()))
        ax.hist(s, bins=80, density=True, histtype="step", label=names[k])
    ax.set_xlabel("softness S")
    ax.set_ylabel("P(S)")
    ax.legend(fontsize=7)
    files += [out / "softness.png", out / "softness.txt"]
    fig.savefig(files[-2], dpi=120)
    with open(files[-1], "w") as fh:
        fh.write("# dump mean_S std_S fraction_S>0\n")
        for r in rows:
            line = f"{r[0]} {r[1]:.5g} {r[2]:.5g} {r[3]:.5g}"
            fh.write(line + "\n")
            print(line)
    print_files(args, files)


def _barriers(args):
    from slowdyn.analysis.structure_dynamics.barriers import Barriers
    from slowdyn.analysis.structure_dynamics.labels import frames_of

    S_by_T, R_by_T = {}, {}
    if args.samples is not None:
        if not args.samples.is_file():
            raise SlowdynError(f"{args.samples}: no such file (OUT/samples.npz of 'slowdyn softness barriers')")
        with np.load(args.samples) as z:
            for k, T in enumerate(z["temperatures"]):
                S_by_T[float(T)], R_by_T[float(T)] = z[f"S_{k}"], z[f"R_{k}"]
    else:
        if args.temperatures is None or len(args.temperatures) != len(args.dumps):
            raise SlowdynError(f"--temperatures: give one temperature per dump ({len(args.dumps)} dumps)")
        clf = _load_classifier(args.classifier)
    for T, path in _progress(args, list(zip(args.temperatures or [], args.dumps)) if args.samples is None else [],
                             desc="dumps"):
        traj = _read(path)
        _description_of(clf, traj, None)
        p, dt = _phop(args, traj, path)
        lag = frames_of(args.lag, dt, "--lag")
        t = np.flatnonzero(np.isfinite(p).all(axis=1))
        t = t[t - lag >= 0][:: args.every]
        S = _apply_softness(clf, traj, t - lag, _dim(traj, None))
        mask = np.isin(traj.types, args.types)
        S_by_T[T], R_by_T[T] = S[:, mask], p[t][:, mask] > args.p_c
    lo, hi, n = args.bins
    T0 = min(S_by_T)
    z = (float(S_by_T[T0].mean()), float(S_by_T[T0].std())) if args.zscore else None
    if args.projection is not None:                       # x = (S + b - b_best) / sigma_T
        ref = _load_classifier(args.classifier)
        if not np.isfinite(ref.sigma):
            raise SlowdynError(f"{args.classifier}: no sigma_T stored; retrain it with 'slowdyn softness train'")
        z = (args.projection - ref.bias, ref.sigma)
    b = Barriers(bins=np.linspace(lo, hi, int(n)), zscore=z, min_count=args.min_count).compute(S_by_T, R_by_T)
    out = out_folder(args.out)
    files = b.write(out)
    if args.samples is None:
        temps = sorted(S_by_T)
        np.savez_compressed(out / "samples.npz", temperatures=np.array(temps),
                            **{f"S_{k}": S_by_T[T].astype(np.float32) for k, T in enumerate(temps)},
                            **{f"R_{k}": R_by_T[T] for k, T in enumerate(temps)})
        files.append(out / "samples.npz")
    name = "x" if z is not None else "S"
    print(f"# {name} DeltaE err Sigma err")
    for row in b.table():
        if np.isfinite(row[1]):
            print(" ".join(f"{v:.4g}" for v in row))
    for k, v in b.summary().items():
        print(f"{k} {v:.4g}")
    print_files(args, files)


def _transfer(args):
    from slowdyn.analysis.structure_dynamics.features import steinhardt_mode
    from slowdyn.analysis.structure_dynamics.softness import BIAS_OFFSETS, bias_scan, normal_overlap

    clfs = [_load_classifier(p) for p in args.classifiers]
    traj = _read(args.test)
    p, dt = _phop(args, traj, args.test)
    ex = _examples(args, p, dt, traj.types)
    try:
        ex = ex.balanced(seed=0)
    except ValueError as err:
        raise SlowdynError(f"{args.test}: {err}") from None
    rows, cache = [], {}
    for path, clf in zip(args.classifiers, clfs):
        _description_of(clf, traj, None)
        key = str(clf.description)
        if key not in cache:
            steinhardt = argparse.Namespace(steinhardt=steinhardt_mode(clf.description.get("kind")))
            cache[key] = _example_features(steinhardt, traj, ex, _dim(traj, None), clf.description.get("species"))
        F_ex, desc = cache[key]
        if desc != clf.description:
            raise SlowdynError(f"{path}: the classifier was trained on other features than these")
        d = clf.decision(F_ex)                                   # w_hat . F~ of each example
        b_best, acc = bias_scan(d, ex.label, clf.bias + BIAS_OFFSETS)
        acc_trained = float((np.sign(d - clf.bias) == ex.label).mean())
        rows.append((str(path), clf.bias, clf.sigma, b_best, acc, acc_trained, normal_overlap(clfs[0], clf)))
    out = out_folder(args.out)
    path = out / "transfer.txt"
    head = "# classifier b sigma_T b_best accuracy(b_best) accuracy(b) w_S.w"
    with open(path, "w") as fh:
        fh.write(head + "\n")
        print(head)
        for r in rows:
            line = r[0] + " " + " ".join(f"{v:.5g}" for v in r[1:])
            fh.write(line + "\n")
            print(line)
    print(f"test set: {ex.counts()[0]} + {ex.counts()[1]} examples from {args.test}")
    print_files(args, [path])


def _ensemble(args):
    from slowdyn.analysis.io import read_dump
    from slowdyn.analysis.structure_dynamics.isoconfig import propensity, rearrangement_probability
    from slowdyn.analysis.structure_dynamics.labels import frames_of
    from slowdyn.runs.isoconfig import run_ensemble

    dt = args.timestep
    n_steps = frames_of(args.time, dt, "--time")
    n_dump = frames_of(1.0, dt, "1 time unit")          # frames every 1 tau
    half = int(round(args.half_window))
    record = int(round(args.record))
    if args.time < args.record or 2 * half + 1 > args.time + 1:
        raise SlowdynError(f"--time {args.time:g} is too short for --record {args.record:g} and p_hop windows of "
                           f"{args.half_window:g}")
    out = out_folder(args.out)
    modes = ["sequential", "partition"] if args.mode == "both" else [args.mode]
    walls = {}
    for mode in modes:
        bar = _progress(args, range(args.runs), total=args.runs, desc=f"{mode} runs")
        it = iter(bar) if not isinstance(bar, range) else None

        def tick(_k, it=it):
            if it is not None:
                next(it, None)

        try:
            dumps, walls[mode] = run_ensemble(args.data, args.temperature, args.runs, n_steps, n_dump,
                                              out / "runs" / mode, seed=args.seed, mode=mode, deck=args.deck,
                                              dt=dt, progress=tick)
        except RuntimeError as err:
            raise SlowdynError(str(err), exit_code=1) from None
    runs = [read_dump(p) for p in dumps]
    if len(modes) == 2:
        other = [read_dump(out / "runs" / "sequential" / p.name) for p in dumps]
        same = max(float(np.abs(a.positions - b.positions).max()) for a, b in zip(runs, other))
        print(f"sequential vs partition: largest position difference {same:.3g}")
    p_r = rearrangement_probability(runs, half, args.p_c, last=record)
    prop = propensity([r.positions[: record + 1] for r in runs])
    traj0 = runs[0]
    dim = _dim(traj0, args.dim)
    sf = _features(args, traj0, [0], dim)
    np.savez_compressed(out / "ensemble.npz", features=sf.features[0], p_r=p_r, propensity=prop,
                        types=traj0.types, n_runs=args.runs, temperature=args.temperature,
                        description=str(sf.description))
    for mode, w in walls.items():
        print(f"{mode}: {args.runs} runs of {args.time:g} tau in {w:.1f} s wall")
    if len(walls) == 2:
        print(f"partition / sequential wall time: {walls['partition'] / walls['sequential']:.3f}")
    a = np.isin(traj0.types, [1])
    print(f"<p_r> (A) = {p_r[a].mean():.4g}, fraction with p_r > 0: {(p_r[a] > 0).mean():.4g}, "
          f"<propensity> (A) = {prop[a].mean():.4g}")
    print_files(args, [out / "ensemble.npz"])


def _regress(args):
    from slowdyn.analysis.structure_dynamics.isoconfig import Regressions, logit

    F, y = [], []
    desc = None
    for path in args.ensembles:
        if not path.is_file():
            raise SlowdynError(f"{path}: no such file (write it with 'slowdyn softness ensemble')")
        with np.load(path) as z:
            if "p_r" not in z.files:
                raise SlowdynError(f"{path}: not an ensemble file of 'slowdyn softness ensemble'")
            mask = np.isin(z["types"], args.types)
            F.append(z["features"][mask])
            y.append(logit(z["p_r"][mask], int(z["n_runs"])))
            d = str(z["description"])
        if desc is not None and d != desc:
            raise SlowdynError(f"{path}: features of another kind than {args.ensembles[0]}")
        desc = d
    F, y = np.concatenate(F), np.concatenate(y)
    clf = None
    if args.classifier is not None:
        clf = _load_classifier(args.classifier)
        if str(clf.description) != desc:
            raise SlowdynError(f"{args.classifier}: the classifier was trained on other features than the ensembles'")
    rng = np.random.default_rng(args.seed)
    test = rng.random(len(y)) < args.test_fraction
    reg = Regressions(models=args.models, seed=args.seed).compute(F[~test], y[~test], F[test], y[test], clf)
    files = reg.write(out_folder(args.out))
    print(f"{(~test).sum()} training and {test.sum()} test particles; var(logit p_r) = {y.var():.4g}")
    print("# model explained_variance pearson projection_on_softness mean_pred std_pred")
    for r in reg.rows:
        print(f"{r['model']} {r['explained_variance']:.4f} {r['pearson']:.4f} {r['projection']:.4f} "
              f"{r['mean_pred']:.4g} {r['std_pred']:.4g}")
    print_files(args, files)


def main(args: argparse.Namespace) -> int:
    return {"labels": _labels, "train": _train, "apply": _apply, "barriers": _barriers, "transfer": _transfer,
            "ensemble": _ensemble, "regress": _regress}[args.action](args) or 0
