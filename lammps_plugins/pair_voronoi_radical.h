/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics

   pair_style voronoi/radical GAMMA RC [radius atom|type]
   Voronoi liquid on the radical (power, Laguerre) tessellation with radii
   R_I per type (pair_coeff I I R_I) or per atom (atom_style sphere).
------------------------------------------------------------------------- */

#ifndef SLOWDYN_PAIR_VORONOI_RADICAL_H
#define SLOWDYN_PAIR_VORONOI_RADICAL_H

#include "pair_voronoi.h"

namespace LAMMPS_NS {

class PairVoronoiRadical : public PairVoronoi {
 public:
  PairVoronoiRadical(class LAMMPS *);
  void coeff(int, char **) override;
};

}    // namespace LAMMPS_NS

#endif
