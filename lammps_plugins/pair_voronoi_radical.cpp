/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   pair_style voronoi/radical: radii enter the cell planes
     d_ij = (r_ij^2 + R_i^2 - R_j^2) / (2 r_ij)
   and the energy through -R_i^2 + <R^2>; the rest is PairVoronoi.
------------------------------------------------------------------------- */

#include "pair_voronoi_radical.h"

#include "atom.h"
#include "error.h"

#include <algorithm>

using namespace LAMMPS_NS;

/* ---------------------------------------------------------------------- */

PairVoronoiRadical::PairVoronoiRadical(LAMMPS *lmp) : PairVoronoi(lmp)
{
  radical = 1;
  one_coeff = 0;
  style_name = "voronoi/radical";
}

/* ----------------------------------------------------------------------
   pair_coeff I I R_I  (per-type radius), or pair_coeff * * with radius atom
------------------------------------------------------------------------- */

void PairVoronoiRadical::coeff(int narg, char **arg)
{
  if (peratom_radius) {
    if (narg != 2)
      error->all(FLERR,
                 "pair_coeff for pair_style voronoi/radical radius atom takes no parameters: "
                 "use 'pair_coeff * *' (radii come from atom_style sphere)");
    PairVoronoi::coeff(narg, arg);
    return;
  }
  if (narg != 3)
    error->all(FLERR, "pair_coeff for pair_style voronoi/radical needs 'pair_coeff I I R_I', got {} "
               "arguments", narg);
  if (!allocated) allocate();

  int ilo, ihi, jlo, jhi;
  utils::bounds_typelabel(FLERR, arg[0], 1, atom->ntypes, ilo, ihi, lmp, Atom::ATOM);
  utils::bounds_typelabel(FLERR, arg[1], 1, atom->ntypes, jlo, jhi, lmp, Atom::ATOM);
  const double radius = utils::numeric(FLERR, arg[2], false, lmp);
  if (radius <= 0.0)
    error->all(FLERR, "pair_coeff for pair_style voronoi/radical: radius must be positive, got {}",
               arg[2]);

  int count = 0;
  for (int i = std::max(ilo, jlo); i <= std::min(ihi, jhi); i++) {
    radius_type[i] = radius;
    rset[i] = 1;
    count++;
  }
  if (count == 0)
    error->all(FLERR,
               "pair_coeff {} {} for pair_style voronoi/radical: the radius belongs to one type, "
               "use the same type twice (pair_coeff I I R_I)",
               arg[0], arg[1]);

  // every I,J pair is defined once the per-type radii are; missing radii are
  // reported by init_style() with the type that lacks one
  const int n = atom->ntypes;
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 1;
}
