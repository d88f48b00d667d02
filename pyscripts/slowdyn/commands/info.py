"""``slowdyn info``: where the plugin is and which slowdyn styles LAMMPS has."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults()


def main(args: argparse.Namespace) -> int:
    from slowdyn import lammps, plugin_path
    from slowdyn.session import SLOWDYN_STYLES

    lmp = lammps()
    print(f"plugin:  {plugin_path()}")
    print(f"LAMMPS:  {lmp.version()}")
    for kind, name in SLOWDYN_STYLES:
        print(f"{kind:<6} {name:<18} {'loaded' if lmp.has_style(kind, name) else 'MISSING'}")
    # optional: pair_style nequip lives in its own library (slowdyn nnp build-plugin)
    from slowdyn._plugin import nequip_plugin_status

    lib, why = nequip_plugin_status()
    state = "loaded" if lmp.has_style("pair", "nequip") else "not loaded"
    print(f"{'pair':<6} {'nequip':<18} {state} (optional; {lib if lib else why})")
    lmp.close()
    return 0
