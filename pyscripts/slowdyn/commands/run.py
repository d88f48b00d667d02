"""``slowdyn run DECK``: run an input deck through the LAMMPS Python interface.

Equivalent to ``lmp -in DECK``: the deck runs in the current directory (its
relative output paths land there, as with ``lmp``), and works from a plain
Python environment and under ``mpirun -np N slowdyn run DECK`` (mpi4py).
A LAMMPS error ends the command with one line and exit status 1.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from slowdyn.cli import LammpsRunError, SlowdynError

# LAMMPS errors that a too-large timestep typically causes, and what to try first
TIMESTEP_HINT = ("atoms may have moved too far in one step: the timestep may be too large; "
                 "try a smaller -var dt before raising the cut-off")
TIMESTEP_SYMPTOMS = ("cannot be proven closed", "Lost atoms", "Out of range atoms", "Bond atom missing",
                     "Non-numeric pressure", "Non-numeric atom coords", "Too many neighbor bins")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("deck", type=Path, help="LAMMPS input file (runs in the current directory, as lmp -in)")
    parser.add_argument(
        "-var", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="define an index variable, as lmp -var NAME VALUE (repeatable)",
    )
    parser.add_argument("--log", default="none", help="LAMMPS log file (default: none)")
    parser.add_argument("--quiet", action="store_true",
                        help="no LAMMPS screen output (the deck's own messages then only go to --log)")


def lammps_error_line(exc: Exception) -> str:
    """The first line of a LAMMPS exception without ``ERROR:`` and the source location."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^ERROR(?: on proc \d+)?:\s*", "", text)
    return re.sub(r"\s*\([^()\s]*\.(?:cpp|h):\d+\)\s*$", "", text)   # (src/force.cpp:275), plugin paths


# A deck's own checks (the -var checks of inputs/*) print 'ERROR: ...' and stop with 'quit 1'.
# LAMMPS' quit calls exit() inside lmp.file(): Python never regains control, and under --quiet the
# message went nowhere (no screen, no log). So --quiet logs to a file (a temporary one for --log none)
# and starts this watcher first: when slowdyn ends without writing "done" to its stdin, it prints the
# log's last ERROR line as the one-line error.
WATCHER = r"""
import shutil, sys
done = sys.stdin.read() == "done"
log, prog, deck, tmp = sys.argv[1:5]
if not done:
    try:
        with open(log, errors="replace") as fh:
            errors = [line.strip() for line in fh if line.startswith("ERROR")]
    except OSError:
        errors = []
    if errors:
        message = errors[-1][len("ERROR"):].lstrip(":").strip()
        print(f"{prog}: error: {deck}: {message}", file=sys.stderr, flush=True)
if tmp:
    shutil.rmtree(tmp, ignore_errors=True)
"""


def _quit_watcher(args: argparse.Namespace, cmdargs: list[str]) -> subprocess.Popen:
    """Start the :data:`WATCHER` of a --quiet run; sets the ``-log`` of ``cmdargs`` to the file it reads."""
    tmp = ""
    log = args.log
    if log == "none":
        tmp = tempfile.mkdtemp(prefix="slowdyn_run_")
        log = str(Path(tmp) / "log.lammps")
    cmdargs[cmdargs.index("-log") + 1] = log
    prog = getattr(args, "_prog", "slowdyn run")
    return subprocess.Popen([sys.executable, "-c", WATCHER, log, prog, str(args.deck), tmp],
                            stdin=subprocess.PIPE)


def main(args: argparse.Namespace) -> int:
    from slowdyn import lammps

    if not args.deck.is_file():
        raise SlowdynError(f"no such input deck: {args.deck}")
    cmdargs = ["-log", args.log]
    for name, value in args.var:
        cmdargs += ["-var", name, value]
    watcher = _quit_watcher(args, cmdargs) if args.quiet else None
    try:
        lmp = lammps(cmdargs=cmdargs, screen=not args.quiet)
        try:
            lmp.file(str(args.deck))
        except Exception as exc:  # the lammps module raises plain Exception for LAMMPS errors
            message = lammps_error_line(exc)
            if any(s in message for s in TIMESTEP_SYMPTOMS):
                message += f" ({TIMESTEP_HINT})"
            raise LammpsRunError(f"{args.deck}: {message}") from exc
        finally:
            lmp.close()
    finally:
        if watcher is not None:
            watcher.communicate(b"done")
    return 0
