"""Every ``slowdyn.*`` dotted name in the user documentation and in the package's docstrings exists.

Scanned: README.md, doc/**/*.md, doc/**/*.rst (not doc/dev/, whose trial notes may name
historical modules) and the docstrings of every module, class and function of the package
(pyscripts/slowdyn/ and analysis/, installed as slowdyn.analysis).  A name resolves when its
longest importable prefix is a module and the rest is a chain of attributes (class attributes,
dataclass fields and annotated instance attributes count).  A module that cannot be imported
here because an optional dependency is missing (nequip, deepmd, ...) is checked from its source:
the module file must exist and define the next name at top level.

On failure the test lists every unresolved name with file:line.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the source folder of each top-level package name
PACKAGE_DIRS = {"slowdyn": ROOT / "pyscripts" / "slowdyn", "slowdyn.analysis": ROOT / "analysis"}
# a dotted name: slowdyn.<identifier>[.<identifier> ...]; not part of a longer word or a path
DOTTED = re.compile(r"(?<![\w./-])slowdyn(?:\.[A-Za-z_]\w*)+")
# from slowdyn.x import a, b as c  (one line; each imported name is checked as slowdyn.x.a)
_NAME = r"\w+(?:\s+as\s+\w+)?"
FROM_IMPORT = re.compile(rf"\bfrom\s+(slowdyn(?:\.\w+)*)\s+import\s+\(?\s*({_NAME}(?:\s*,\s*{_NAME})*)")


def doc_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for pattern in ("*.md", "*.rst"):
        files += [p for p in (ROOT / "doc").rglob(pattern) if "dev" not in p.relative_to(ROOT / "doc").parts[:1]]
    return sorted(files)


def package_files() -> list[Path]:
    return sorted(p for d in PACKAGE_DIRS.values() for p in d.rglob("*.py"))


def names_in_text(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """(line, name) of every dotted slowdyn name in ``text``, whose first line is ``first_line``."""
    found = []
    for i, line in enumerate(text.splitlines()):
        found += [(first_line + i, m.group(0)) for m in DOTTED.finditer(line)]
        for m in FROM_IMPORT.finditer(line):
            found += [(first_line + i, f"{m.group(1)}.{n.split()[0]}") for n in m.group(2).split(",")]
    return found


def names_in_docstrings(path: Path) -> list[tuple[int, str]]:
    """(line, name) of the dotted names in the docstrings of a source file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            found += names_in_text(body[0].value.value, body[0].lineno)
    return found


def _source_of(module: str) -> Path | None:
    """The source file of a slowdyn module, found without importing it."""
    for prefix in sorted(PACKAGE_DIRS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            base = PACKAGE_DIRS[prefix].joinpath(*module[len(prefix):].split(".")[1:])
            for cand in (base.with_suffix(".py"), base / "__init__.py"):
                if cand.is_file():
                    return cand
            return None
    return None


def _top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _has_attribute(obj, name: str) -> tuple[bool, object]:
    if hasattr(obj, name):
        return True, getattr(obj, name)
    if isinstance(obj, type):
        if dataclasses.is_dataclass(obj) and name in {f.name for f in dataclasses.fields(obj)}:
            return True, None
        if any(name in getattr(k, "__annotations__", {}) or name in getattr(k, "__slots__", ())
               for k in obj.__mro__):
            return True, None
        # instance attributes set in a method (self.name = ...)
        for k in obj.__mro__:
            if k.__module__.startswith("slowdyn"):
                try:
                    src = Path(importlib.import_module(k.__module__).__file__).read_text()
                except (ImportError, OSError, TypeError):
                    continue
                if re.search(rf"\bself\.{re.escape(name)}\s*[:=]", src):
                    return True, None
    return False, None


@cache
def resolve(name: str) -> str | None:
    """None when ``name`` exists, else why not."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        try:
            obj = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and not exc.name.startswith("slowdyn") and _source_of(module) is not None:
                # an optional dependency is missing: check the source instead
                rest = parts[i:]
                if rest and rest[0] not in _top_level_names(_source_of(module)):
                    return f"{module} defines no {rest[0]}"
                return None
            continue
        except ImportError as exc:
            return f"importing {module} failed: {exc}"
        for attr in parts[i:]:
            ok, obj = _has_attribute(obj, attr)
            if not ok:
                return f"{module}: no attribute {'.'.join(parts[i:])}"
            if obj is None:  # an instance attribute: nothing further to check
                break
        return None
    return "no such module"


def collect() -> list[tuple[str, int, str]]:
    found = []
    for path in doc_files():
        found += [(str(path.relative_to(ROOT)), ln, n) for ln, n in names_in_text(path.read_text())]
    for path in package_files():
        found += [(str(path.relative_to(ROOT)), ln, n) for ln, n in names_in_docstrings(path)]
    return found


def test_dotted_name_pattern():
    text = "see slowdyn.analysis.memory.KernelSet.from_files(x), `slowdyn.lammps()`, slowdynplugin.so,\n" \
           "pyscripts/slowdyn/common and ~slowdyn.common.training.Trainer.\n" \
           "from slowdyn.analysis.nnlt import NNLT, pretrained as p   # comment"
    assert [n for _, n in names_in_text(text)] == [
        "slowdyn.analysis.memory.KernelSet.from_files", "slowdyn.lammps", "slowdyn.common.training.Trainer",
        "slowdyn.analysis.nnlt", "slowdyn.analysis.nnlt.NNLT", "slowdyn.analysis.nnlt.pretrained"]


def test_resolve_finds_missing_names():
    assert resolve("slowdyn.common.training.Trainer") is None
    assert resolve("slowdyn.analysis.laplace.invert") is None
    assert resolve("slowdyn.analysis.dynamics.SelfDynamics") is not None
    assert resolve("slowdyn.common.training.NoSuchTrainer") is not None


def test_documented_names_exist():
    found = collect()
    assert len(found) > 50, "the scan found almost no names: the pattern or the file list is broken"
    missing = [f"{file}:{line}: {name} ({why})" for file, line, name in found if (why := resolve(name))]
    print("\n".join(missing))
    assert not missing, f"{len(missing)} documented slowdyn names do not resolve:\n" + "\n".join(missing)
