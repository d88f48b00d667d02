/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics

   pair_style nequip
   pair_coeff * * MODEL.nequip.pt2 TYPE_NAME_1 ... TYPE_NAME_NTYPES

   NequIP E(3)-equivariant message-passing potential (Batzner et al.,
   Nat. Commun. 13, 2453 (2022)) from a package written by
   `nequip-compile --mode aotinductor --target pair_nequip`, run through
   libtorch's AOTInductor loader on one MPI rank.  Built into its own plugin
   library (slowdynnequipplugin.so, `slowdyn nnp build-plugin`) so that the
   core plugin never needs libtorch.  See doc/pair_nequip.rst.
------------------------------------------------------------------------- */

#ifndef SLOWDYN_PAIR_NEQUIP_H
#define SLOWDYN_PAIR_NEQUIP_H

#include "pair.h"

#include <memory>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class PairNequIP : public Pair {
 public:
  PairNequIP(class LAMMPS *);
  ~PairNequIP() override;

  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  void *extract(const char *, int &) override;

  struct Model;    // the libtorch side (pair_nequip.cpp): no torch header here

 protected:
  std::string model_file;
  double cutoff;
  int num_model_types;
  std::vector<std::string> type_names;
  int *typemap;    // LAMMPS type -> model type index
  std::unique_ptr<Model> model;

  void allocate();
};

}    // namespace LAMMPS_NS

#endif
