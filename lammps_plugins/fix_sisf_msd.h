/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics

   fix ID group sisf/msd NEVERY file FILE q Q1 [Q2 ...] [keyword value ...]
   On-the-fly mean squared displacement, self-intermediate scattering
   function F_s(q,t) and non-Gaussian parameter alpha2(t), per atom type and
   for the whole group, from a multiple-tau (block) correlator of the
   unwrapped positions on a quasi-logarithmic lag grid.
------------------------------------------------------------------------- */

#ifndef SLOWDYN_FIX_SISF_MSD_H
#define SLOWDYN_FIX_SISF_MSD_H

#include "fix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class FixSisfMsd : public Fix {
 public:
  FixSisfMsd(class LAMMPS *, int, char **);
  ~FixSisfMsd() override;

  int setmask() override;
  void init() override;
  void setup(int) override;
  void end_of_step() override;
  void post_run() override;
  double compute_array(int, int) override;

  void write_restart(FILE *) override;
  void restart(char *) override;

  void grow_arrays(int) override;
  void copy_arrays(int, int, int) override;
  int pack_exchange(int, double *) override;
  int unpack_exchange(int, double *) override;
  int pack_restart(int, double *) override;
  void unpack_restart(int, int) override;
  int size_restart(int) override;
  int maxsize_restart() override;
  double memory_usage() override;

 protected:
  std::string filename;
  std::vector<double> qvals;
  int nq;
  int nfreq;       // steps between file writes / array updates
  int comflag;     // 1: positions relative to the group centre of mass
  int nlen;        // samples kept per level (p)
  int ncount;      // spacing ratio between levels (m)
  int ncorr;       // number of levels (L)
  int dim;

  // lag grid: level k holds lags j*m^k (k = 0: j = 1..p-1; k > 0: j = p/m..p-1)
  int nlags;
  std::vector<bigint> lag;        // lag in samples, per grid row
  std::vector<int> lag_level;     // level of each grid row
  std::vector<bigint> level_stride;   // m^k in samples

  // per-atom history of unwrapped positions, one array per (level, slot):
  // hist[k*nlen + slot][3*i + d]. Slot-major, so that one sample writes and
  // one lag reads a contiguous stream over the atoms.
  std::vector<double *> hist;
  int nlev3;   // nlen*3 values per atom and level
  int nper;    // ncorr*nlen*3 values per atom

  // global correlator state (identical on all ranks)
  bigint nsample;          // samples taken so far
  bigint first_step;       // step of sample 0
  bigint last_step;        // step of the latest sample (-1: none)
  double dt_sample;        // timestep of the samples (lags are counted in steps)
  std::vector<int> fill;   // samples stored per level (<= nlen)
  std::vector<int> head;   // ring slot of the newest sample per level
  std::vector<double> norigin;   // origins accumulated per lag

  // accumulators [lag][type slot][value], value = r2, r4, F_s(q_1..q_nq)
  int nval;
  int ntslot;                  // number of atom types (slot t = type-1)
  std::vector<double> acc_local;    // this rank's contributions since the last reduction
  std::vector<double> acc_total;    // reduced totals (identical on all ranks)
  std::vector<bigint> type_count;   // group atoms per type
  bigint group_count;
  uint64_t id_sum[2];               // sum of the group's atom IDs and of their squares (mod 2^64)
  std::vector<int> out_types;       // types with atoms in the group
  int ncols;
  std::vector<double> table;        // [nlags][ncols] output table (last reduction)

  // work buffers of one sample: positions, local index and type slot per
  // local group atom; r2 and F_s per atom of one chunk
  std::vector<double> buf_u, buf_tslot, buf_r2, buf_fs;
  std::vector<int> buf_atom;

  void check_dt();
  void sample();
  void reduce();
  void build_table();
  void write_file();
  void fs_kernel(const double *r2, double q, double *out, int n) const;
};

}    // namespace LAMMPS_NS

#endif
