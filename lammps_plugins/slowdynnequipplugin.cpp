/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   Registration of pair_style nequip.  It lives in a library of its own,
   slowdynnequipplugin.so, linked against the libtorch of the installed torch
   wheel and built after installation by `slowdyn nnp build-plugin`, so that
   slowdynplugin.so never needs torch.
------------------------------------------------------------------------- */

#include "lammpsplugin.h"

#include "pair_nequip.h"

using namespace LAMMPS_NS;

#ifndef SLOWDYN_VERSION
#define SLOWDYN_VERSION "unknown"
#endif
// LAMMPS compares this to its own version string and warns on a mismatch
#ifndef SLOWDYN_LAMMPS_VERSION
#define SLOWDYN_LAMMPS_VERSION "22 Jul 2025"
#endif

static Pair *nequip_creator(LAMMPS *lmp)
{
  return new PairNequIP(lmp);
}

extern "C" void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  auto register_plugin = (lammpsplugin_regfunc) regfunc;
  lammpsplugin_t plugin;
  plugin.version = SLOWDYN_LAMMPS_VERSION;
  plugin.handle = handle;
  plugin.author = "slowdyn developers";
  plugin.style = "pair";
  plugin.name = "nequip";
  plugin.info = "slowdyn " SLOWDYN_VERSION ": NequIP AOTInductor package (nequip-compile --target pair_nequip)";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &nequip_creator;
  (*register_plugin)(&plugin, lmp);
}
