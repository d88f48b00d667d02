"""The ``slowdyn`` command line.  Subcommands live in :mod:`slowdyn.commands`,
one module each (``add_arguments(parser)`` and ``main(args)``), imported only
when chosen; add one to :data:`SUBCOMMANDS` with a one-line help text.

How a command reports a mistake of the user
-------------------------------------------
:func:`main` turns every user error into one line on stderr,
``slowdyn <command>: error: <message>``, and exit status 2 (argparse's
convention), with the traceback only under ``slowdyn --debug ...``. A user
error is

- :class:`SlowdynError` (or a subclass) raised by a command; its
  ``exit_code`` attribute sets the exit status (:class:`LammpsRunError`: 1,
  a LAMMPS run that stopped with an error);
- ``ValueError``, ``OSError`` (``FileNotFoundError``, ``IsADirectoryError``,
  ...) and ``ImportError`` from the library, whose messages already say what
  is wrong (:func:`slowdyn.common.optional.require` names the missing
  extra); a plain ``ModuleNotFoundError`` of an optional dependency gets the
  ``pip install 'slowdyn[extra]'`` hint added here.

So a command validates its input by raising ``SlowdynError("what is wrong and
what to do")`` (or lets the library's ``ValueError`` through); it never calls
``sys.exit`` with a message or prints a traceback itself. Any other exception
is a bug: it keeps its traceback, followed by the same one-line summary.
Warnings (e.g. ``NNLTInputWarning``) are printed as one line
``slowdyn <command>: warning: ...``.

The conventions every command follows (doc/cli.md)
--------------------------------------------------
- ``--out``: a **folder** for a command that writes several files (created if
  missing; fixed file names inside it, e.g. ``OUT/kernels.txt``), a **file**
  for a command that writes one (``slowdyn pack --out FILE``). No prefixes.
- ``--quiet``: accepted by every command (added to each one by
  :func:`build_parser`): no progress bars, no LAMMPS screen output and no
  list of the files written; results and errors are still printed.
- Reporting: ``print`` to stdout (results, the files written), errors and
  warnings one line on stderr; commands do not configure ``logging``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Sequence

SUBCOMMANDS = {
    "info": "show the plugin location and the styles LAMMPS sees",
    "run": "run a LAMMPS input deck through the Python interface (like lmp -in DECK)",
    "observe": "observables (self dynamics, g(r), S(q), Voronoi, NVE energy) as tables and PNGs",
    "nnlt": "train or apply the neural-network inverse Laplace transform",
    "pack": "grow an overlap-free hard-disk/sphere packing, written as a LAMMPS data file",
    "nnp": "neural-network potentials: sample data, train (knn, deepmd, nequip), evaluate",
    "closure": "learned MCT memory-kernel closures m_phi[S]: train, validate, extrapolate, compare",
    "kernels": "memory kernels m(q, t) from SISFs (Laplace-domain Mori-Zwanzig), their MCT validation, "
               "the CMA-ES kernel fit and the effective MCT packing fraction",
    "mct": "hard-disk mode-coupling theory: SISF files and the critical packing fraction",
    "softness": "structure -> rearrangements: p_hop labels, softness/fluidity classifiers, energy barriers, "
                "isoconfigurational ensembles and regressions",
    "mixture": "binary mixtures: state-point library (S^ab(k), F_s), multicomponent MCT and T_mct, the "
               "S(k) -> F_s network, CMA-ES memory functions",
    "propensity": "per-particle propensity from structure: isoconfigurational data, graph networks "
                  "(periodic dynamic graph CNN) and baselines, Pearson vs time",
}

DESCRIPTION = """\
slowdyn: LAMMPS styles and analysis tools for slow (glassy) dynamics.

Typical session: run a deck with lmp (or 'slowdyn run'), then look at its
output with 'slowdyn observe', e.g.
  lmp -in inputs/voronoi/in.voronoi -var out voronoi_run
  slowdyn observe sisf voronoi_run/sisf.dat --out voronoi_run
'slowdyn COMMAND -h' explains each command; doc/cli.md has examples.
Every command: --out is a folder when it writes several files, a file when it
writes one; --quiet hides progress bars and the list of files written.
"""

EPILOG = ("Errors are one line 'slowdyn COMMAND: error: ...' with exit status 2 (1: a LAMMPS run "
          "failed); add --debug for the Python traceback.")

# optional dependencies -> the extra of pyproject.toml that installs them
EXTRAS = {"matplotlib": "analysis", "ase": "analysis", "scipy": "analysis", "freud": "analysis",
          "pyvoro2": "analysis", "torch": "nnlt", "yaml": "nnlt", "tqdm": "nnlt", "mctpy": "mct",
          "numba": "mct", "h5py": "mct", "mpi4py": "test",
          "sklearn": "softness"}


class SlowdynError(Exception):
    """A mistake of the user, reported as one line ``slowdyn CMD: error: MESSAGE``.

    Parameters
    ----------
    message : str
        What is wrong and what to change.
    exit_code : int, optional
        Exit status (default 2, as argparse).
    """

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class LammpsRunError(SlowdynError):
    """A LAMMPS run stopped with an error (exit status 1, as ``lmp``)."""

    exit_code = 1


USER_ERRORS = (SlowdynError, ValueError, OSError, ImportError)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows ``(default: X)`` after each option's help, except for flags and options without a default."""

    def _get_help_string(self, action):
        if action.default in (None, False) or isinstance(action.default, list) and not action.default:
            return action.help
        return super()._get_help_string(action)


def _version() -> str:
    from importlib import metadata

    try:
        version = metadata.version("slowdyn")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        from slowdyn import __version__ as version
    return f"slowdyn {version} (plugin for lammps[mpi]==2025.7.22.2.0)"


QUIET_HELP = "no progress bars, no LAMMPS screen output, no list of the files written"


def _set_progs(parser: argparse.ArgumentParser, top: bool = True) -> None:
    """Store each (sub)parser's prog as the default ``_prog`` (the deepest one names the command) and
    give every command (a parser without subcommands) ``--quiet`` unless it has its own.
    """
    parser.set_defaults(_prog=parser.prog)
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for action in subs:
        for sub in action.choices.values():
            _set_progs(sub, top=False)
    if not subs and not top and "--quiet" not in parser._option_string_actions:
        parser.add_argument("--quiet", action="store_true", help=QUIET_HELP)


def out_folder(path: str | os.PathLike) -> Path:
    """The output folder ``--out`` of a command that writes several files, created if missing."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SlowdynError(f"--out {path}: is a file; this command writes several files into the folder --out")
    path.mkdir(parents=True, exist_ok=True)
    return path


def print_files(args: argparse.Namespace, files) -> None:
    """The files a command wrote, one per line on stdout, unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        for path in files:
            print(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slowdyn", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an error (also accepted after the command)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        module = importlib.import_module(f"slowdyn.commands.{name}")
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    _set_progs(parser)
    return parser


def error_message(exc: BaseException) -> str:
    """One line that says what went wrong, for :func:`main`."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        if top in EXTRAS and "pip install" not in str(exc):
            return f"needs the optional dependency {top}: pip install 'slowdyn[{EXTRAS[top]}]'"
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.strerror}: {exc.filename}"
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``slowdyn`` console script.

    Returns the exit status of the command; user errors exit through
    ``SystemExit`` (status 2, or 1 for a failed LAMMPS run) after one line on
    stderr, see the module docstring.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    args = build_parser().parse_args(argv)
    prog = getattr(args, "_prog", "slowdyn")

    def one_line_warning(message, category, filename, lineno, file=None, line=None):
        print(f"{prog}: warning: {' '.join(str(message).split())}", file=sys.stderr)

    module = importlib.import_module(f"slowdyn.commands.{args.command}")
    try:
        with warnings.catch_warnings():
            if not debug:
                warnings.showwarning = one_line_warning
            return int(module.main(args) or 0)
    except USER_ERRORS as exc:
        if debug:
            raise
        print(f"{prog}: error: {error_message(exc)}", file=sys.stderr)
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:  # a bug: keep the traceback for the report
        if debug:
            raise
        traceback.print_exc()
        print(f"{prog}: internal error ({type(exc).__name__}); please report it with the traceback above",
              file=sys.stderr)
        raise SystemExit(3) from None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
