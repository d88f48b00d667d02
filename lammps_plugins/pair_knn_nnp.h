/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics

   pair_style knn/nnp MODEL_FILE RMAX [table yes|no]
   pair_coeff * * TYPE_NAME_1 ... TYPE_NAME_NTYPES

   Deep Potential with the se_e2_a descriptor (Zhang et al., NeurIPS 2018)
   built from the k nearest neighbours of each atom (Granz, PhD thesis,
   HHU Duesseldorf 2026, sec. 3.3.2), evaluated natively: descriptor,
   embedding and fitting networks and their analytic backward pass.  The
   model file is written by slowdyn.nnp.knn.export (format in
   doc/pair_knn_nnp.rst).
------------------------------------------------------------------------- */

#ifndef SLOWDYN_PAIR_KNN_NNP_H
#define SLOWDYN_PAIR_KNN_NNP_H

#include "pair.h"

#include <string>
#include <vector>

namespace LAMMPS_NS {

class PairKNNNNP : public Pair {
 public:
  PairKNNNNP(class LAMMPS *);
  ~PairKNNNNP() override;

  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  void *extract(const char *, int &) override;
  double memory_usage() override;

  // one dense layer y = act(W x + b) (+ x or (x, x) by DeePMD's residual rule)
  struct Layer {
    int nin, nout;
    int residual;              // 0 none, 1 identity, 2 doubled input
    bool linear;               // output layer of a fitting net: no tanh, no residual
    std::vector<double> wt;    // W transposed: wt[i * nout + o] = W[o][i]
    std::vector<double> w;     // W row-major: w[o * nin + i] (fitting nets' long rows)
    std::vector<double> b;
  };
  using Net = std::vector<Layer>;

  // tabulated embedding net: quintic Hermite pieces on a uniform grid of R0
  struct Table {
    double lo, hi, h, inv_h;
    int n;                     // intervals
    std::vector<double> c;     // c[(interval * 6 + power) * M1 + m]
  };

 protected:
  std::string model_file;
  double rmax;
  int use_table;

  // model
  int ntypes_model, knn, weighting;    // weighting: 0 s = r, 1 s = 1/r
  double rmax_hint;
  std::vector<std::string> type_names;
  std::vector<int> emb_widths, fit_widths;
  int m1, m2;
  std::vector<double> avg, std_r, std_a, e_shift;
  double e_scale;
  std::vector<Net> emb_nets;    // [ti * ntypes_model + tj]
  std::vector<Net> fit_nets;    // [ti]
  std::vector<Table> tables;    // [ti * ntypes_model + tj] when use_table
  double table_error;           // max |table - net| / max |net| over the check points
  int *typemap;                 // LAMMPS type -> model type

  // per-atom work buffers, grown when needed, never inside the atom loop
  int maxcand;
  double *cand_rsq;
  int *cand_j, *cand_order;
  double *nb_del, *nb_r, *nb_env, *nb_g, *nb_gd;
  int *nb_j;
  double *amat, *damat, *dmat, *ddmat;
  double *fit_buf, *fit_grad;
  double *emb_h, *emb_dh, *emb_z, *emb_dz;
  int fit_stride;

  void read_model(const std::string &text);
  void build_tables();
  void allocate();
  void grow_candidates(int n);
  void allocate_work();
  void free_work();
  void embed_exact(const Net &net, double x, double *g, double *gd);
  void embed_table(const Table &tab, const Net &net, double x, double *g, double *gd);
  double fit_forward_backward(const Net &net, const double *in, double *dout_din);
};

}    // namespace LAMMPS_NS

#endif
