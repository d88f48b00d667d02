/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   Registration of every slowdyn style with LAMMPS' plugin loader.
------------------------------------------------------------------------- */

#include "lammpsplugin.h"

#include "fix_edbd.h"
#include "fix_sisf_msd.h"
#include "pair_knn_nnp.h"
#include "pair_voronoi.h"
#include "pair_voronoi_radical.h"

using namespace LAMMPS_NS;

#ifndef SLOWDYN_VERSION
#define SLOWDYN_VERSION "unknown"
#endif
// LAMMPS compares this to its own version string and warns on a mismatch
#ifndef SLOWDYN_LAMMPS_VERSION
#define SLOWDYN_LAMMPS_VERSION "22 Jul 2025"
#endif

static Pair *voronoi_creator(LAMMPS *lmp)
{
  return new PairVoronoi(lmp);
}

static Pair *voronoi_radical_creator(LAMMPS *lmp)
{
  return new PairVoronoiRadical(lmp);
}

static Pair *knn_nnp_creator(LAMMPS *lmp)
{
  return new PairKNNNNP(lmp);
}

static Fix *edbd_creator(LAMMPS *lmp, int argc, char **argv)
{
  return new FixEDBD(lmp, argc, argv);
}

static Fix *sisf_msd_creator(LAMMPS *lmp, int argc, char **argv)
{
  return new FixSisfMsd(lmp, argc, argv);
}

extern "C" void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  auto register_plugin = (lammpsplugin_regfunc) regfunc;
  lammpsplugin_t plugin;
  plugin.version = SLOWDYN_LAMMPS_VERSION;
  plugin.handle = handle;
  plugin.author = "slowdyn developers";

  plugin.style = "pair";
  plugin.name = "voronoi";
  plugin.info = "slowdyn " SLOWDYN_VERSION ": Voronoi liquid pair style";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &voronoi_creator;
  (*register_plugin)(&plugin, lmp);

  plugin.name = "voronoi/radical";
  plugin.info = "slowdyn " SLOWDYN_VERSION ": radical (power) Voronoi liquid pair style";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &voronoi_radical_creator;
  (*register_plugin)(&plugin, lmp);

  plugin.name = "knn/nnp";
  plugin.info = "slowdyn " SLOWDYN_VERSION ": k-nearest-neighbour Deep Potential (se_e2_a)";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &knn_nnp_creator;
  (*register_plugin)(&plugin, lmp);

  plugin.style = "fix";
  plugin.name = "sisf/msd";
  plugin.info = "slowdyn " SLOWDYN_VERSION ": on-the-fly MSD, F_s(q,t) and alpha2 (multiple-tau)";
  plugin.creator.v2 = (lammpsplugin_factory2 *) &sisf_msd_creator;
  (*register_plugin)(&plugin, lmp);

  plugin.name = "edbd";
  plugin.info = "slowdyn " SLOWDYN_VERSION ": event-driven Brownian dynamics of hard disks/spheres";
  plugin.creator.v2 = (lammpsplugin_factory2 *) &edbd_creator;
  (*register_plugin)(&plugin, lmp);
}
