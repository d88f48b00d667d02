"""``slowdyn nnlt {report,f12,critical,disks,brownian}``: the validations of the inversions."""

from __future__ import annotations

import argparse
from pathlib import Path


def _model(args):
    """The NNLT to compare: --model PATH, the shipped one by default, None for 'none'."""
    if args.model is not None:
        if args.model.lower() == "none":
            return None
        if not Path(args.model).is_file():
            from slowdyn.cli import SlowdynError

            raise SlowdynError(f"--model {args.model}: no such file (a model.pt written by 'slowdyn nnlt "
                               "train'; omit --model for the shipped NNLT, 'none' for the classical methods)")
        return Path(args.model)
    from slowdyn.analysis.nnlt import pretrained_path

    if not pretrained_path().exists():
        print(f"# no pretrained NNLT in this installation ({pretrained_path()}): classical methods only")
        return None
    return pretrained_path()


def _validate(val, out: str) -> list[Path]:
    val.compute()
    print(val.table(), end="")
    return val.write(out)


def _f12(args) -> list[Path]:
    from slowdyn.analysis.validation.f12 import F12Validation

    return _validate(F12Validation(model=_model(args), noise=args.noise), args.out)


def _critical(args) -> list[Path]:
    from slowdyn.analysis.validation.critical import CriticalF12Validation

    return _validate(CriticalF12Validation(model=_model(args), eps=args.eps), args.out)


def _disks(args) -> list[Path]:
    from slowdyn.analysis.validation.hard_disks import PACKING_FRACTIONS, HardDiskValidation

    return _validate(HardDiskValidation(model=_model(args), packing=args.packing or PACKING_FRACTIONS,
                                        q=args.q, noise=args.noise), args.out)


def _brownian(args) -> list[Path]:
    from slowdyn.analysis.validation.brownian import BrownianSimulationInversion
    from slowdyn.runs.brownian import brownian_sisf

    model = _model(args)   # a wrong --model fails before the LAMMPS run
    measured = brownian_sisf(args.q, n_atoms=args.atoms, steps=args.steps, seed=args.seed, D=1.0)
    return _validate(BrownianSimulationInversion(measured, D=1.0, model=model), args.out)


def _report(args) -> list[Path]:
    from slowdyn.analysis.validation.report import LaplaceReport

    rep = LaplaceReport(model=_model(args), n_functions=args.n, seed=args.seed, noise=args.noise).compute()
    print(rep.table(), end="")
    return rep.write(args.out)


def run(args: argparse.Namespace) -> list[Path]:
    return {"report": _report, "f12": _f12, "critical": _critical, "disks": _disks,
            "brownian": _brownian}[args.action](args)
