"""The package layout holds: heavy modules load lazily, physics never imports the
validations or the LAMMPS drivers, the library keeps no global plotting or
working-directory state, and user-facing text names the literature, not internal
documents."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import slowdyn
import slowdyn.analysis

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "mctpy", "numba", "deepmd", "nequip", "tensorflow", "matplotlib.pyplot")


def _modules() -> list[str]:
    names = []
    for pkg in (slowdyn, slowdyn.analysis):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if not info.name.endswith("plugin"):   # slowdynplugin.so is the LAMMPS plugin, not a module
                names.append(info.name)
    return sorted(set(names))


def _source_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]


def test_every_module_imports_without_heavy_dependencies():
    """Importing every module of slowdyn loads none of torch, mctpy, numba, deepmd, nequip, pyplot."""
    names = _modules()
    assert "slowdyn.analysis.laplace.pipeline" in names and "slowdyn.analysis.mct.hard_disks" in names
    code = (f"import importlib, sys\nfor n in {names!r}:\n    importlib.import_module(n)\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def _imports(path: Path, package: list[str] | None = None) -> list[str]:
    """Absolute names of every import in ``path`` (relative ones resolved against its package,
    ``from A import b`` as both ``A`` and ``A.b``), at module level or inside functions, and of
    every ``importlib.import_module("...")`` of a literal."""
    if package is None and path.is_relative_to(ANALYSIS):
        package = ["slowdyn", "analysis", *path.relative_to(ANALYSIS).parts[:-1]]
    elif package is None and path.is_relative_to(PACKAGE):
        package = ["slowdyn", *path.relative_to(PACKAGE).parts[:-1]]
    package = package or []
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            out += [module] + [f"{module}.{a.name}" for a in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              == "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            out.append(node.args[0].value)
    return out


ANALYSIS = Path(slowdyn.analysis.__file__).parent
PACKAGE = Path(slowdyn.__file__).parent
# every subpackage of slowdyn.analysis but the validations is physics
PHYSICS = sorted(p.name for p in ANALYSIS.iterdir() if (p / "__init__.py").exists() and p.name != "validation")


@pytest.mark.parametrize("sub", PHYSICS)
def test_physics_never_imports_validation_or_lammps_drivers(sub):
    folder = ANALYSIS / sub
    for path in _source_files(folder):
        for name in _imports(path):
            assert not name.startswith(("slowdyn.analysis.validation", "slowdyn.runs", "slowdyn.session")), \
                (path, name)


def test_library_keeps_no_global_state():
    """No matplotlib.use, pyplot, os.chdir or unrestored torch threads in slowdyn.analysis."""
    for path in _source_files(ANALYSIS):
        text = path.read_text()
        for bad in ("matplotlib.use(", "import matplotlib.pyplot", "os.chdir(", "set_num_threads("):
            assert bad not in text, (path, bad)


def test_user_text_cites_literature_not_internal_names():
    pattern = re.compile(r"laplace_f12|seed 0\d\d|issue \d", re.IGNORECASE)
    files = _source_files(ANALYSIS) + _source_files(Path(slowdyn.__file__).parent) + [REPO / "README.md"]
    for path in files:
        if path.exists():
            hits = pattern.findall(path.read_text())
            assert not hits, (path, hits)


# the driver side of slowdyn (LAMMPS runs, CLI, NNP training) and the old home of the Trainer
DRIVERS = ("slowdyn.runs", "slowdyn.commands", "slowdyn.nnp", "slowdyn.session", "slowdyn.cli",
           "slowdyn.training")


def _is_under(name: str, packages) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("sub", sorted(p.name for p in ANALYSIS.iterdir() if (p / "__init__.py").exists())
                         + ["(top level)"])
def test_analysis_never_imports_the_driver_side(sub):
    """slowdyn.analysis is post-processing: no module of it, validations included, imports
    slowdyn.{runs,commands,nnp,session,cli} or slowdyn.training (shared code lives in slowdyn.common)."""
    paths = (_source_files(ANALYSIS / sub) if sub != "(top level)"
             else [p for p in ANALYSIS.glob("*.py")])
    assert paths
    bad = [(str(path.relative_to(ANALYSIS)), name) for path in paths for name in _imports(path)
           if _is_under(name, DRIVERS)]
    assert not bad, bad


def test_common_imports_nothing_of_slowdyn_but_itself():
    """slowdyn.common is shared by both sides, so it depends on neither (nor on slowdyn's top level)."""
    paths = _source_files(PACKAGE / "common")
    assert paths
    bad = [(path.name, name) for path in paths for name in _imports(path)
           if _is_under(name, ("slowdyn",)) and not _is_under(name, ("slowdyn.common",))]
    assert not bad, bad


def test_import_scanner_sees_every_form(tmp_path):
    """The scanner above finds absolute, relative, function-level and import_module imports."""
    src = tmp_path / "m.py"
    src.write_text("import slowdyn.runs.brownian\nfrom ...nnp import data\n"
                   "def f():\n    from slowdyn import session\n    import importlib\n"
                   "    importlib.import_module('slowdyn.cli')\n")
    names = _imports(src, package=["slowdyn", "analysis", "validation"])
    assert {"slowdyn.runs.brownian", "slowdyn.nnp.data", "slowdyn.session", "slowdyn.cli"} <= set(names)
    assert all(_is_under(n, DRIVERS) for n in ("slowdyn.runs.brownian", "slowdyn.nnp.data", "slowdyn.session"))
    assert not _is_under("slowdyn.runsx", DRIVERS)


@pytest.mark.parametrize("folder", [ANALYSIS, PACKAGE / "nnp"], ids=["analysis", "nnp"])
def test_only_runs_drives_lammps(folder):
    """LAMMPS instances are made in slowdyn.runs (and by the CLI's own run/session code):
    slowdyn.nnp asks slowdyn.runs for its runs, slowdyn.analysis runs none."""
    bad = []
    for path in _source_files(folder):
        names = _imports(path)
        bad += [(path.name, n) for n in names
                if _is_under(n, ("lammps", "slowdyn.lammps", "slowdyn.session"))]
        bad += [(path.name, "slowdyn.lammps(") for _ in range(path.read_text().count("slowdyn.lammps("))]
    assert not bad, bad


def test_nnp_and_runs_import_no_private_names():
    """slowdyn.nnp and slowdyn.runs use each other's public functions only (the NNP evaluation
    once re-ran the sampling protocol through runs.sampling._create_commands)."""
    bad = []
    for path in _source_files(PACKAGE / "nnp") + _source_files(PACKAGE / "runs"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("slowdyn")):
                bad += [(path.name, a.name) for a in node.names
                        if a.name.startswith("_") and not a.name.startswith("__")]
    assert not bad, bad


def _package_imports(sub: str) -> set[str]:
    """The subpackages of slowdyn.analysis that ``sub`` imports anywhere (lazy imports included)."""
    out = set()
    for path in _source_files(ANALYSIS / sub):
        for name in _imports(path):
            parts = name.split(".")
            if parts[:2] == ["slowdyn", "analysis"] and len(parts) > 2 and parts[2] != sub:
                out.add(parts[2])
    return out


@pytest.mark.parametrize("classical, built_on_it", [("laplace", "nnlt"), ("mct", "memory")])
def test_no_package_cycle(classical, built_on_it):
    """The classical inversions (laplace) and the MCT models (mct) do not depend on what is built on
    them: nnlt uses laplace (its grids, refinement, exponential sums), memory uses mct (mctpy's solver)."""
    assert built_on_it not in _package_imports(classical), (classical, built_on_it)
    assert classical in _package_imports(built_on_it), (built_on_it, classical)
