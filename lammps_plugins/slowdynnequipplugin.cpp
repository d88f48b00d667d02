/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   Registration of pair_style nequip.

   `slowdyn nnp build-plugin` compiles two libraries into one folder:
     slowdynnequipplugin.so  this file; no libtorch.  LAMMPS loads every
                             *plugin.so of the plugin path at start-up.
     libslowdynnequip.so     PairNequIP, linked against the libtorch of the
                             installed torch wheel.
   The second one is opened only when an input creates pair_style nequip, so
   LAMMPS instances that never use the style do not pay for loading libtorch
   (measured: 0.4 s of CPU per instance, doc/nnp.md).
------------------------------------------------------------------------- */

#include "lammpsplugin.h"

#include "error.h"
#include "lammps.h"
#include "pair.h"

#include <dlfcn.h>
#include <string>

using namespace LAMMPS_NS;

#ifndef SLOWDYN_VERSION
#define SLOWDYN_VERSION "unknown"
#endif
// LAMMPS compares this to its own version string and warns on a mismatch
#ifndef SLOWDYN_LAMMPS_VERSION
#define SLOWDYN_LAMMPS_VERSION "22 Jul 2025"
#endif

static constexpr const char *TORCH_LIBRARY = "libslowdynnequip.so";
static constexpr const char *FACTORY = "slowdyn_nequip_create";

typedef Pair *(*nequip_factory)(LAMMPS *);

static Pair *nequip_creator(LAMMPS *lmp)
{
  static nequip_factory factory = nullptr;
  if (!factory) {
    // the libtorch part sits next to this library
    Dl_info info;
    std::string dir = ".";
    if (dladdr((void *) &nequip_creator, &info) && info.dli_fname) {
      dir = info.dli_fname;
      dir = dir.substr(0, dir.find_last_of('/'));
    }
    const std::string path = dir + "/" + TORCH_LIBRARY;
    // never closed: the Pair objects' code lives there
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      lmp->error->all(FLERR, "pair_style nequip: cannot load {} ({}); run 'slowdyn nnp build-plugin' again "
                             "(the torch wheel it was built against may have changed)",
                      path, dlerror());
    factory = (nequip_factory) dlsym(handle, FACTORY);
    if (!factory)
      lmp->error->all(FLERR, "pair_style nequip: {} has no {}: run 'slowdyn nnp build-plugin' again", path,
                      FACTORY);
  }
  return factory(lmp);
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
