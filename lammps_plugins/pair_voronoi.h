/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics

   pair_style voronoi GAMMA RC
   Voronoi liquid (Ruscher, Baschnagel, Farago, EPL 112, 66003 (2016)):
     E = gamma/2 sum_i int_{V_i} (|r - r_i|^2 - R_i^2 + <R^2>) dV
   with V_i the Voronoi cell (this class) or the radical cell
   (PairVoronoiRadical, which sets the radii).
------------------------------------------------------------------------- */

#ifndef SLOWDYN_PAIR_VORONOI_H
#define SLOWDYN_PAIR_VORONOI_H

#include "pair.h"
#include "voronoi_cell.h"

#include <utility>
#include <vector>

namespace LAMMPS_NS {

class PairVoronoi : public Pair {
 public:
  PairVoronoi(class LAMMPS *);
  ~PairVoronoi() override;

  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  void write_restart(FILE *) override;
  void read_restart(FILE *) override;
  void write_restart_settings(FILE *) override;
  void read_restart_settings(FILE *) override;
  void *extract(const char *, int &) override;
  void *extract_peratom(const char *, int &) override;
  double memory_usage() override;

 protected:
  // one neighbour of the cell under construction, position relative to r_i
  struct Neigh {
    double del[3];
    double rsq;
    double wj;    // R_j^2 (0 for plain Voronoi)
    int j;
  };

  double gamma;    // energy scale
  double rc;       // cut-off within which every cell must close
  const char *style_name;

  // radii: per type (radsq_type) or per atom (atom->radius); 0 if monodisperse
  int radical;
  int peratom_radius;
  double *radius_type;  // R_I per type (voronoi/radical without 'radius atom')
  int *rset;            // 1 if R_I was given for type I
  double *radsq;        // R^2 of owned + ghost atoms, filled each step
  int nmax_radsq;
  double radsq_mean;    // <R^2> over all atoms
  double radsq_max;     // max R^2 over all atoms

  double **cellinfo;    // [field][atom]: volume, centroid x y z, #faces
  int nmax_cell;

  // near-shell candidates of each owned atom: every neighbour within
  // rs + skin when LAMMPS last built its lists, so every atom within rs now
  // (atoms move less than skin/2 between builds); rebuilt after each build
  int *nearidx, *nearfirst, *nearnum;
  int maxnearidx, maxnearatom;
  bigint near_ncalls;
  double rs2;    // squared radius of the sorted near shell, fixed per build

  std::vector<Neigh> nnear;
  std::vector<std::pair<double, int>> order;    // near shell sorted by distance
  SlowDyn::ConvexCell3D cell3d;
  SlowDyn::ConvexCell2D cell2d;

  virtual void allocate();
  void fill_radsq();
  void build_near_lists();
  double security_half_width(double wi) const;
  template <int DIM> void build_cell(int i, double wi, double h, SlowDyn::CellMoments &mom);
};

}    // namespace LAMMPS_NS

#endif
