/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   fix edbd: event-driven Brownian dynamics of hard disks/spheres
   (see fix_edbd.h)

   One LAMMPS timestep is one Brownian step dt (Scala, Voigtmann and
   De Michele, J. Chem. Phys. 126, 134109 (2007)):
     1. pseudo-velocities v_i = sqrt(2 D_i/dt) xi_i (+ V0 e(theta_i) for
        active particles), drawn in atom-ID order;
     2. an event-driven run of length dt: elastic collisions of hard
        particles with effective masses m_i = dt/(2 beta D_i) (kept in the
        fix; the atoms' own masses are not changed); each collision
        changes the velocities along the line of centres,
          v_i' = v_i - 2 m_j/(m_i+m_j) (v_ij.r_ij) r_ij/r_ij^2,
          v_j' = v_j + 2 m_i/(m_i+m_j) (v_ij.r_ij) r_ij/r_ij^2;
     3. positions at time dt, wrapped into the box with image flags.
   Events: every mobile atom keeps its earliest predicted event (collision
   with a list neighbour, or leaving the neighbour-list skin) in a binary
   heap; collision counters invalidate stale events (an event of atom i
   whose partner collided in between is re-predicted when it is popped).
   The neighbour list is a Verlet list (cut-off (sigma_i+sigma_j)/2 + skin)
   built with a cell list; it stays valid while no atom moves more than
   skin/2 from its position at the build. It is rebuilt at the start of a
   step when an atom came within a margin of 5 rms step lengths of that
   bound, and in the middle of a step (exact fallback) when an atom reaches it.
------------------------------------------------------------------------- */

#include "fix_edbd.h"

#include "atom.h"
#include "citeme.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "group.h"
#include "memory.h"
#include "update.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

using namespace LAMMPS_NS;
using namespace FixConst;

static const char cite_edbd[] =
    "fix edbd: doi:10.1063/1.2719190\n\n"
    "@Article{Scala07,\n"
    " author = {A. Scala and Th. Voigtmann and C. De Michele},\n"
    " title = {Event-driven {B}rownian dynamics for hard spheres},\n"
    " journal = {J. Chem. Phys.},\n"
    " year = 2007,\n"
    " volume = 126,\n"
    " pages = {134109}\n"
    "}\n\n";

static constexpr double RESTART_MAGIC = 5052.0;    // marks a fix edbd restart record
static constexpr int RESTART_VERSION = 1;
static constexpr double INF = std::numeric_limits<double>::infinity();
static constexpr double OVERLAP_TOL = 1.0e-10;    // relative overlap accepted as contact
static constexpr double MARGIN_STEPS = 5.0;       // rms step lengths kept free below skin/2

/* ----------------------------------------------------------------------
   random numbers (xoshiro256**, seeded through splitmix64)
------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t &x)
{
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void FixEDBD::Rng::seed(uint64_t value)
{
  uint64_t x = value;
  for (auto &w : s) w = splitmix64(x);
  have_cached = 0;
  cached = 0.0;
}

double FixEDBD::Rng::gaussian()
{
  if (have_cached) {
    have_cached = 0;
    return cached;
  }
  double a, b, r2;
  do {
    a = 2.0 * uniform() - 1.0;
    b = 2.0 * uniform() - 1.0;
    r2 = a * a + b * b;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  cached = b * f;
  have_cached = 1;
  return a * f;
}

// orientation of a new atom: a hash of the seed and the atom ID, so that it
// does not depend on the order in which atoms are created or stored
static double initial_angle(int seed, tagint tag)
{
  uint64_t x = ((uint64_t) seed << 32) ^ (uint64_t) tag ^ 0x5bd1e995ULL;
  return 2.0 * M_PI * (double) (splitmix64(x) >> 11) * 0x1.0p-53;
}

/* ---------------------------------------------------------------------- */

FixEDBD::FixEDBD(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), temperature(0.0), d0(0.0), seed(0), stokes(0), active(0), v0(0.0),
    dr(0.0), nu0(0.0), skin_user(0.0), growflag(0), grow_rate(0.0), grow_excess(0.0), dim(3), theta(nullptr), skin(0.0), margin(0.0),
    cutmax(0.0), dtstep(0.0), nlist(-1), ncoll_step(0), ncoll_total(0), nbuild_total(0),
    nmidstep_total(0), sigma_mean(1.0), radmax_build(0.0)
{
  need_refresh = 1;
  xp = nullptr;
  if (narg < 6) utils::missing_cmd_args(FLERR, "fix edbd", error);
  temperature = utils::numeric(FLERR, arg[3], false, lmp);
  d0 = utils::numeric(FLERR, arg[4], false, lmp);
  seed = utils::inumeric(FLERR, arg[5], false, lmp);
  if (temperature <= 0.0)
    error->all(FLERR, "Fix edbd TEMP = {} must be > 0 (it sets the effective masses "
               "m_i = dt kT/(2 D_i))", arg[3]);
  if (d0 <= 0.0) error->all(FLERR, "Fix edbd D0 = {} must be > 0", arg[4]);
  if (seed <= 0) error->all(FLERR, "Fix edbd SEED = {} must be a positive integer", arg[5]);

  int iarg = 6;
  while (iarg < narg) {
    const std::string kw = arg[iarg];
    if (kw == "diffusion") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix edbd diffusion", error);
      const std::string how = arg[iarg + 1];
      if (how == "constant")
        stokes = 0;
      else if (how == "stokes")
        stokes = 1;
      else
        error->all(FLERR, "Fix edbd diffusion must be 'constant' (D_i = D0) or 'stokes' "
                   "(D_i = D0 sigma_mean/sigma_i), not '{}'", how);
      iarg += 2;
    } else if (kw == "active") {
      if (iarg + 4 > narg) utils::missing_cmd_args(FLERR, "fix edbd active V0 DR NU0", error);
      active = 1;
      v0 = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      dr = utils::numeric(FLERR, arg[iarg + 2], false, lmp);
      nu0 = utils::numeric(FLERR, arg[iarg + 3], false, lmp);
      if (v0 < 0.0) error->all(FLERR, "Fix edbd active V0 = {} must be >= 0", arg[iarg + 1]);
      if (dr < 0.0) error->all(FLERR, "Fix edbd active DR = {} must be >= 0", arg[iarg + 2]);
      iarg += 4;
    } else if (kw == "skin") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix edbd skin", error);
      skin_user = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      if (skin_user <= 0.0)
        error->all(FLERR, "Fix edbd skin = {} must be > 0 (a distance)", arg[iarg + 1]);
      iarg += 2;
    } else if (kw == "grow") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix edbd grow", error);
      growflag = 1;
      grow_rate = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
      if (grow_rate < 0.0)
        error->all(FLERR, "Fix edbd grow RATE = {} must be >= 0", arg[iarg + 1]);
      iarg += 2;
    } else {
      error->all(FLERR, "Unknown fix edbd keyword '{}': expected diffusion, active, skin or grow",
                 kw);
    }
  }

  if (comm->nprocs > 1)
    error->all(FLERR, "Fix edbd runs one replica on one MPI rank, but {} ranks were given: run "
               "independent replicas (ensembles) with the -partition command-line switch, "
               "e.g. mpirun -np 8 lmp -partition 8x1 -in deck", comm->nprocs);
  if (!atom->radius_flag || !atom->rmass_flag)
    error->all(FLERR, "Fix edbd needs per-atom diameters: use atom_style sphere");
  if (!atom->tag_enable) error->all(FLERR, "Fix edbd needs atom IDs (atom_modify id yes)");
  dim = domain->dimension;
  if (active && dim != 2)
    error->all(FLERR, "Fix edbd active needs dimension 2 (orientations are angles in the plane)");
  if (domain->nonperiodic)
    error->all(FLERR, "Fix edbd needs a periodic box in every direction: use boundary p p p");
  if (domain->triclinic)
    error->all(FLERR, "Fix edbd needs an orthogonal box (triclinic boxes are not supported)");

  rng.seed((uint64_t) seed + 0x1000193ULL * (uint64_t) comm->me);

  time_integrate = 1;
  restart_global = 1;
  restart_peratom = 1;
  create_attribute = 1;
  virial_global_flag = 1;
  thermo_virial = 1;
  vector_flag = 1;
  size_vector = 4;
  global_freq = 1;
  extvector = 0;
  peratom_flag = 1;
  size_peratom_cols = 0;
  peratom_freq = 1;
  maxexchange = 1;

  FixEDBD::grow_arrays(atom->nmax);
  atom->add_callback(Atom::GROW);
  atom->add_callback(Atom::RESTART);
  for (int i = 0; i < atom->nlocal; i++) theta[i] = initial_angle(seed, atom->tag[i]);

  if (lmp->citeme) lmp->citeme->add(cite_edbd);
}

/* ---------------------------------------------------------------------- */

FixEDBD::~FixEDBD()
{
  if (copymode) return;
  atom->delete_callback(id, Atom::GROW);
  atom->delete_callback(id, Atom::RESTART);
  memory->destroy(theta);
}

/* ---------------------------------------------------------------------- */

int FixEDBD::setmask()
{
  return INITIAL_INTEGRATE;
}

/* ----------------------------------------------------------------------
   hard particles only: no pair forces, periodic orthogonal box
------------------------------------------------------------------------- */

void FixEDBD::init()
{
  if (force->pair && !utils::strmatch(force->pair_style, "^zero$"))
    error->all(FLERR, "Fix edbd moves hard particles and ignores forces, but pair style {} is "
               "defined: use 'pair_style none' (or pair_style zero for neighbour-based computes)",
               force->pair_style);
  if (domain->nonperiodic)
    error->all(FLERR, "Fix edbd needs a periodic box in every direction: use boundary p p p");
  if (domain->triclinic)
    error->all(FLERR, "Fix edbd needs an orthogonal box (triclinic boxes are not supported)");
  if (domain->dimension != dim)
    error->all(FLERR, "Fix edbd was defined for dimension {}: redefine it", dim);
  if (comm->nprocs > 1)
    error->all(FLERR, "Fix edbd runs one replica on one MPI rank: use -partition for ensembles");
  if (update->dt <= 0.0) error->all(FLERR, "Fix edbd needs a timestep > 0 (the Brownian step)");
}

/* ----------------------------------------------------------------------
   effective masses, pseudo-velocity scales and radii of the local atoms.
   The effective masses m_i stay inside the fix: the per-atom masses M_i
   (rmass) are not changed, so that computes that cache the group mass in
   their init() (compute com, compute msd com yes, velocity ... zero linear)
   stay consistent. The fix stores v_i sqrt(m_i/M_i) in atom->v, which keeps
   the kinetic energy M_i v^2/2 = m_i u_i^2/2 of the pseudo-velocity u_i:
   thermo temp is TEMP on average, whatever dt and M_i are.
------------------------------------------------------------------------- */

void FixEDBD::refresh_atoms()
{
  const int nlocal = atom->nlocal;
  const double kt = force->boltz * temperature;
  rad.resize(nlocal);
  winv.resize(nlocal);
  vscale.resize(nlocal);
  vout.resize(nlocal);
  for (int i = 0; i < nlocal; i++) {
    rad[i] = atom->radius[i];
    if (atom->mask[i] & groupbit) {
      const double d = stokes ? d0 * sigma_mean / (2.0 * rad[i]) : d0;
      const double m = kt * dtstep / (2.0 * d * force->mvv2e);
      if (!(atom->rmass[i] > 0.0))
        error->one(FLERR, "Fix edbd: atom {} has mass {}: every atom of the group needs a "
                   "positive per-atom mass (set it with the density in read_data or 'set ... "
                   "mass')", atom->tag[i], atom->rmass[i]);
      winv[i] = 1.0 / m;
      vscale[i] = std::sqrt(2.0 * d / dtstep);
      vout[i] = std::sqrt(m / atom->rmass[i]);
    } else {
      winv[i] = 0.0;    // atoms outside the group are immobile obstacles
      vscale[i] = 0.0;
      vout[i] = 0.0;
    }
  }
}

/* ---------------------------------------------------------------------- */

void FixEDBD::setup(int vflag)
{
  v_init(vflag);
  dtstep = update->dt;

  const int nlocal = atom->nlocal;
  double sum = 0.0, radmin = INF, radmax = 0.0;
  bigint ngroup = 0;
  for (int i = 0; i < nlocal; i++) {
    radmax = std::max(radmax, atom->radius[i]);
    if (!(atom->mask[i] & groupbit)) continue;
    sum += 2.0 * atom->radius[i];
    radmin = std::min(radmin, atom->radius[i]);
    ngroup++;
  }
  if (ngroup == 0) error->all(FLERR, "Fix edbd group {} has no atoms", group->names[igroup]);
  sigma_mean = sum / ngroup;
  if (stokes && radmin <= 0.0)
    error->all(FLERR, "Fix edbd diffusion stokes needs diameters > 0 for every atom of the group");

  // rms displacement per direction and step of the fastest atom
  const double dmax = stokes ? d0 * sigma_mean / (2.0 * radmin) : d0;
  const double ell = std::sqrt(2.0 * dmax * dtstep) + v0 * dtstep;
  margin = MARGIN_STEPS * ell;
  skin = skin_user > 0.0 ? skin_user : std::max(0.25 * 2.0 * radmax, 36.0 * ell);
  if (0.5 * skin <= margin + ell && comm->me == 0)
    error->warning(FLERR, "Fix edbd skin = {} is small for the step (an atom moves about {:.3g} "
                   "per step): the list is rebuilt every step and often within steps, which is "
                   "correct but slow; use skin > {:.3g}", skin, ell, 2.0 * (margin + ell));

  nlist = -1;
  need_refresh = 1;
  build_list(0.0, 0);
  if (!growflag) check_overlaps();
  ncoll_step = 0;
  if (comm->me == 0)
    utils::logmesg(lmp, "fix edbd: {} atoms, dimension {}, sigma_mean {:.6g}, skin {:.4g}, "
                   "{:.3g} list neighbours per atom\n", ngroup, dim, sigma_mean, skin,
                   nlocal > 0 ? (double) nbr.size() / nlocal : 0.0);
}

/* ---------------------------------------------------------------------- */

void FixEDBD::reset_dt()
{
  dtstep = update->dt;
  nlist = -1;    // masses and margins change with dt: rebuild at the next step
  need_refresh = 1;
  // between runs, setup() recomputes the skin; within a run (fix dt/reset) it stays
  if (update->whichflag && comm->me == 0)
    error->warning(FLERR, "Fix edbd: timestep changed during a run; effective masses follow at the next "
                   "step but the skin keeps its setup value");
}

/* ----------------------------------------------------------------------
   shortest periodic image of a difference vector (|d_a| < L_a assumed)
------------------------------------------------------------------------- */

inline void FixEDBD::min_image(double *d) const
{
  for (int a = 0; a < 3; a++) {
    if (d[a] > domain->prd_half[a])
      d[a] -= domain->prd[a];
    else if (d[a] < -domain->prd_half[a])
      d[a] += domain->prd[a];
  }
}

/* ----------------------------------------------------------------------
   Verlet list with cut-off r_i + r_j + skin through a cell list; positions
   at time tnow of the step (midstep) or the stored ones
------------------------------------------------------------------------- */

void FixEDBD::build_list(double tnow, int midstep)
{
  const int nlocal = atom->nlocal;
  double **x = atom->x;
  const tagint *tag = atom->tag;

  const bool reorder = !midstep && ((int) tag_build.size() != nlocal ||
                                     !std::equal(tag, tag + nlocal, tag_build.begin()));
  if (reorder || need_refresh) refresh_atoms();
  need_refresh = 0;
  double radmax = 0.0;
  for (int i = 0; i < nlocal; i++) radmax = std::max(radmax, rad[i]);
  cutmax = 2.0 * radmax + skin;
  radmax_build = radmax;
  grow_excess = 0.0;
  for (int a = 0; a < dim; a++)
    if (cutmax >= domain->prd_half[a])
      error->all(FLERR, "Fix edbd: box length {} in direction {} must exceed twice the list "
                 "cut-off sigma_max + skin = {}: use a larger system or a smaller skin",
                 domain->prd[a], "xyz"[a], cutmax);

  // positions at the build, wrapped into the box (without touching image flags)
  xbuild.resize(3 * (size_t) nlocal);
  for (int i = 0; i < nlocal; i++) {
    for (int a = 0; a < 3; a++) {
      double p = x[i][a];
      if (midstep) p += vel[3 * i + a] * (tnow - tloc[i]);
      if (a < dim) {
        const double lo = domain->boxlo[a], len = domain->prd[a];
        while (p < lo) p += len;
        while (p >= lo + len) p -= len;
      }
      xbuild[3 * i + a] = p;
    }
  }

  // cells of edge >= cutmax
  int ncell[3] = {1, 1, 1};
  double cellinv[3] = {0.0, 0.0, 0.0};
  for (int a = 0; a < dim; a++) {
    ncell[a] = std::max(1, (int) (domain->prd[a] / cutmax));
    cellinv[a] = ncell[a] / domain->prd[a];
  }
  const int ntot = ncell[0] * ncell[1] * ncell[2];
  cell_head.assign(ntot, -1);
  cell_next.resize(nlocal);
  std::vector<int> &cellof = best_j;    // scratch: cell of each atom
  cellof.resize(nlocal);
  for (int i = nlocal - 1; i >= 0; i--) {
    int c[3] = {0, 0, 0};
    for (int a = 0; a < dim; a++) {
      c[a] = (int) ((xbuild[3 * i + a] - domain->boxlo[a]) * cellinv[a]);
      c[a] = std::min(std::max(c[a], 0), ncell[a] - 1);
    }
    const int ic = (c[2] * ncell[1] + c[1]) * ncell[0] + c[0];
    cellof[i] = ic;
    cell_next[i] = cell_head[ic];
    cell_head[ic] = i;
  }
  // distinct neighbour-cell offsets per direction (fewer than 3 cells: no repeats)
  std::vector<int> offs[3];
  for (int a = 0; a < 3; a++) {
    if (ncell[a] == 1)
      offs[a] = {0};
    else if (ncell[a] == 2)
      offs[a] = {0, 1};
    else
      offs[a] = {-1, 0, 1};
  }

  first.resize(nlocal + 1);
  nbr.clear();
  for (int i = 0; i < nlocal; i++) {
    first[i] = (int) nbr.size();
    const int ic = cellof[i];
    const int cx = ic % ncell[0], cy = (ic / ncell[0]) % ncell[1], cz = ic / (ncell[0] * ncell[1]);
    for (int oz : offs[2])
      for (int oy : offs[1])
        for (int ox : offs[0]) {
          const int jx = (cx + ox + ncell[0]) % ncell[0];
          const int jy = (cy + oy + ncell[1]) % ncell[1];
          const int jz = (cz + oz + ncell[2]) % ncell[2];
          for (int k = cell_head[(jz * ncell[1] + jy) * ncell[0] + jx]; k >= 0; k = cell_next[k]) {
            if (k == i) continue;
            double d[3] = {xbuild[3 * i] - xbuild[3 * k], xbuild[3 * i + 1] - xbuild[3 * k + 1],
                           xbuild[3 * i + 2] - xbuild[3 * k + 2]};
            min_image(d);
            const double cut = rad[i] + rad[k] + skin;
            if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < cut * cut) nbr.push_back(k);
          }
        }
  }
  first[nlocal] = (int) nbr.size();
  // neighbours k > i first: predict_all visits each pair once
  half_end.resize(nlocal);
  for (int i = 0; i < nlocal; i++)
    half_end[i] = (int) (std::stable_partition(nbr.begin() + first[i], nbr.begin() + first[i + 1],
                                               [i](int k) { return k > i; }) - nbr.begin());

  if (reorder) {
    // draw order of the random numbers: by atom ID, independent of storage order
    tag_build.assign(tag, tag + nlocal);
    std::vector<std::pair<tagint, int>> bytag(nlocal);
    for (int i = 0; i < nlocal; i++) bytag[i] = {tag[i], i};
    std::sort(bytag.begin(), bytag.end());
    order.resize(nlocal);
    for (int i = 0; i < nlocal; i++) order[i] = bytag[i].second;
  }
  if (!midstep) {
    nlist = nlocal;
    for (int a = 0; a < 3; a++) prd_build[a] = domain->prd[a];
  }
  vel.resize(3 * (size_t) nlocal, 0.0);
  tloc.resize(nlocal, 0.0);
  cnt.resize(nlocal, 0);
  best_t.resize(nlocal);
  best_j.resize(nlocal);
  nbuild_total++;
  if (midstep) nmidstep_total++;
}

/* ----------------------------------------------------------------------
   hard particles must not overlap: name the worst pair
------------------------------------------------------------------------- */

void FixEDBD::check_overlaps()
{
  double worst = 0.0, worst_sigma = 0.0;
  int wi = -1, wk = -1;
  const int nlocal = atom->nlocal;
  for (int i = 0; i < nlocal; i++)
    for (int n = first[i]; n < first[i + 1]; n++) {
      const int k = nbr[n];
      if (k < i) continue;
      double d[3] = {xbuild[3 * i] - xbuild[3 * k], xbuild[3 * i + 1] - xbuild[3 * k + 1],
                     xbuild[3 * i + 2] - xbuild[3 * k + 2]};
      min_image(d);
      const double sigma = rad[i] + rad[k];
      const double overlap = sigma - std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
      if (overlap > OVERLAP_TOL * sigma && overlap > worst) {
        worst = overlap;
        worst_sigma = sigma;
        wi = i;
        wk = k;
      }
    }
  if (wi >= 0)
    error->all(FLERR, "Fix edbd: hard particles overlap at the start of the run; worst pair: atom "
               "IDs {} and {}, overlap {:.6g} (contact distance {:.6g}). Start from a "
               "configuration without overlaps (e.g. slowdyn pack) or shrink the diameters",
               atom->tag[wi], atom->tag[wk], worst, worst_sigma);
}

/* ----------------------------------------------------------------------
   the list must be rebuilt after LAMMPS reordered atoms, after a box change
   or when an atom may reach skin/2 within the coming step
------------------------------------------------------------------------- */

bool FixEDBD::list_stale() const
{
  const int nlocal = atom->nlocal;
  if (nlocal != nlist) return true;
  for (int a = 0; a < 3; a++)
    if (domain->prd[a] != prd_build[a]) return true;
  const tagint *tag = atom->tag;
  double **x = atom->x;
  // growth: an unlisted pair's contact distance grew by at most 2 grow_excess
  const double lim = 0.5 * skin - grow_excess - margin;
  if (lim <= 0.0) return true;
  const double lim2 = lim * lim;
  for (int i = 0; i < nlocal; i++) {
    if (tag[i] != tag_build[i]) return true;
    double d[3] = {x[i][0] - xbuild[3 * i], x[i][1] - xbuild[3 * i + 1],
                   x[i][2] - xbuild[3 * i + 2]};
    min_image(d);
    if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > lim2) return true;
  }
  return false;
}

/* ----------------------------------------------------------------------
   collision time of i and k after t0 (eq. 2.10 of Granz 2026 in the
   cancellation-free form c/(-b + sqrt(b^2 - v^2 c))), INF if none before dt
------------------------------------------------------------------------- */

namespace {
struct Box {
  double half[3], prd[3];
  explicit Box(const Domain *domain)
  {
    for (int a = 0; a < 3; a++) {
      half[a] = domain->prd_half[a];
      prd[a] = domain->prd[a];
    }
  }
};

// START: both positions are at time t0 (step start), no lazy propagation
template <int D, bool START>
inline double collision_time(const double *__restrict xi, const double *__restrict vi, double ti,
                             const double *__restrict xk, const double *__restrict vk, double tk,
                             double s, double t0, double tend, const Box &box)
{
  double b = 0.0, r2 = 0.0, w2 = 0.0;
  for (int a = 0; a < D; a++) {
    double d = START ? xi[a] - xk[a] : (xi[a] + vi[a] * ti) - (xk[a] + vk[a] * tk);
    if (d > box.half[a])
      d -= box.prd[a];
    else if (d < -box.half[a])
      d += box.prd[a];
    const double w = vi[a] - vk[a];
    b += d * w;
    r2 += d * d;
    w2 += w * w;
  }
  if (b >= 0.0) return INF;    // receding
  const double c = r2 - s * s;
  if (c <= 0.0) return t0;    // in contact (or overlapping) and approaching: collide now
  // tau >= c/(-2b): no collision within the rest of the step
  if (c >= -2.0 * b * (tend - t0)) return INF;
  const double disc = b * b - w2 * c;
  if (disc <= 0.0) return INF;
  return t0 + c / (-b + std::sqrt(disc));
}
}    // namespace

/* ----------------------------------------------------------------------
   time at which atom i reaches skin/2 from its position at the list build
------------------------------------------------------------------------- */

template <int D> inline double FixEDBD::exit_time(int i, double t0) const
{
  const double *v = &vel[3 * i];
  const double *xi = xp + 3 * i, *xb = &xbuild[3 * i];
  const double *half = domain->prd_half, *prd = domain->prd;
  const double ti = t0 - tloc[i];
  double d[3], dd = 0.0, a2 = 0.0, b = 0.0;
  for (int a = 0; a < D; a++) {
    d[a] = xi[a] + v[a] * ti - xb[a];
    if (d[a] > half[a])
      d[a] -= prd[a];
    else if (d[a] < -half[a])
      d[a] += prd[a];
    dd += d[a] * d[a];
    a2 += v[a] * v[a];
    b += d[a] * v[a];
  }
  const double h = 0.5 * skin - grow_excess;
  const double rem = dtstep - t0;
  // (|d| + |v| rem)^2 <= 2 (d^2 + v^2 rem^2) < h^2: cannot leave in this step
  if (2.0 * (dd + a2 * rem * rem) < h * h) return INF;
  if (a2 == 0.0) return INF;
  const double c = dd - h * h;
  if (c >= 0.0) return t0;
  const double disc = std::sqrt(b * b - a2 * c);
  return t0 + (b >= 0.0 ? -c / (b + disc) : (disc - b) / a2);
}

/* ---------------------------------------------------------------------- */

static inline bool later(const FixEDBD::Event &a, const FixEDBD::Event &b)
{
  if (a.t != b.t) return a.t > b.t;
  if (a.ti != b.ti) return a.ti > b.ti;
  return a.tj > b.tj;
}

inline void FixEDBD::push_event(double t, int i, int j)
{
  const tagint *tag = atom->tag;
  heap.push_back({t, tag[i], j >= 0 ? tag[j] : 0, i, j, cnt[i], j >= 0 ? cnt[j] : 0u});
  std::push_heap(heap.begin(), heap.end(), later);
}

/* ----------------------------------------------------------------------
   earliest event of every mobile atom from time t0 (each pair once)
------------------------------------------------------------------------- */

template <int D> void FixEDBD::predict_all(double t0)
{
  const int nlocal = atom->nlocal;
  double *__restrict bt = best_t.data();
  int *__restrict bj = best_j.data();
  for (int i = 0; i < nlocal; i++) {
    bt[i] = winv[i] > 0.0 ? exit_time<D>(i, t0) : INF;
    bj[i] = -1;
  }
  const Box box(domain);
  const double *__restrict x = xp;
  const double *__restrict v = vel.data();
  const double *__restrict tl = tloc.data();
  const double *__restrict r = rad.data();
  const int *__restrict nb = nbr.data();
  const int *__restrict fi = first.data();
  const int *__restrict he = half_end.data();
  const double tend = dtstep;
  const bool start = (t0 == 0.0);    // every atom's position is at t = 0
  for (int i = 0; i < nlocal; i++) {
    double bi = bt[i];
    int ji = bj[i];
    const double *xi = x + 3 * i, *vi = v + 3 * i;
    const double ti = t0 - tl[i], ri = r[i];
    for (int n = fi[i], e = he[i]; n < e; n++) {
      const int k = nb[n];
      const double t = start
          ? collision_time<D, true>(xi, vi, 0.0, x + 3 * k, v + 3 * k, 0.0, ri + r[k], 0.0, tend, box)
          : collision_time<D, false>(xi, vi, ti, x + 3 * k, v + 3 * k, t0 - tl[k], ri + r[k], t0,
                                     tend, box);
      if (t < bi) {
        bi = t;
        ji = k;
      }
      if (t < bt[k]) {
        bt[k] = t;
        bj[k] = i;
      }
    }
    bt[i] = bi;
    bj[i] = ji;
  }
  for (int i : order)
    if (winv[i] > 0.0 && bt[i] < dtstep) push_event(bt[i], i, bj[i]);
}

/* ---------------------------------------------------------------------- */

template <int D> void FixEDBD::predict_one(int i, double t0)
{
  if (winv[i] == 0.0) return;
  double best = exit_time<D>(i, t0);
  int bj = -1;
  const Box box(domain);
  const double *__restrict x = xp;
  const double *__restrict v = vel.data();
  const double *__restrict tl = tloc.data();
  const double *__restrict r = rad.data();
  const int *__restrict nb = nbr.data();
  const double *xi = x + 3 * i, *vi = v + 3 * i;
  const double ti = t0 - tl[i], ri = r[i], tend = dtstep;
  for (int n = first[i], e = first[i + 1]; n < e; n++) {
    const int k = nb[n];
    const double t = collision_time<D, false>(xi, vi, ti, x + 3 * k, v + 3 * k, t0 - tl[k],
                                              ri + r[k], t0, tend, box);
    if (t < best) {
      best = t;
      bj = k;
    }
  }
  if (best < dtstep) push_event(best, i, bj);
}

/* ----------------------------------------------------------------------
   all events of one step, in time order
------------------------------------------------------------------------- */

template <int D> void FixEDBD::run_events()
{
  heap.clear();
  predict_all<D>(0.0);
  while (!heap.empty() && heap.front().t < dtstep) {
    const Event e = heap.front();
    std::pop_heap(heap.begin(), heap.end(), later);
    heap.pop_back();
    if (cnt[e.i] != e.ci) continue;    // i collided since: it was re-predicted then
    if (e.j < 0) {
      // i reached the skin: rebuild the list at time e.t and predict afresh
      build_list(e.t, 1);
      xp = atom->x[0];
      heap.clear();
      predict_all<D>(e.t);
      continue;
    }
    if (cnt[e.j] != e.cj) {    // the partner collided since: predict i again
      predict_one<D>(e.i, e.t);
      continue;
    }
    collide(e.i, e.j, e.t);
    predict_one<D>(e.i, e.t);
    predict_one<D>(e.j, e.t);
  }
}

/* ----------------------------------------------------------------------
   elastic collision of i and k at time t (eqs. 2.11-2.12 of Granz 2026 with
   inverse masses w = 1/m; w = 0 is an immobile obstacle)
------------------------------------------------------------------------- */

void FixEDBD::collide(int i, int k, double t)
{
  double **x = atom->x;
  double *vi = &vel[3 * i], *vk = &vel[3 * k];
  for (int a = 0; a < 3; a++) {
    x[i][a] += vi[a] * (t - tloc[i]);
    x[k][a] += vk[a] * (t - tloc[k]);
  }
  tloc[i] = tloc[k] = t;
  cnt[i]++;
  cnt[k]++;
  double d[3] = {x[i][0] - x[k][0], x[i][1] - x[k][1], x[i][2] - x[k][2]};
  min_image(d);
  const double b = d[0] * (vi[0] - vk[0]) + d[1] * (vi[1] - vk[1]) + d[2] * (vi[2] - vk[2]);
  if (b >= 0.0) return;    // already receding (round-off)
  const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const double f = -2.0 * b / (r2 * (winv[i] + winv[k]));
  const double dp[3] = {f * d[0], f * d[1], f * d[2]};    // momentum change of i
  for (int a = 0; a < 3; a++) {
    vi[a] += winv[i] * dp[a];
    vk[a] -= winv[k] * dp[a];
  }
  wsum[0] += d[0] * dp[0];
  wsum[1] += d[1] * dp[1];
  wsum[2] += d[2] * dp[2];
  wsum[3] += d[0] * dp[1];
  wsum[4] += d[0] * dp[2];
  wsum[5] += d[1] * dp[2];
  ncoll_step++;
}

/* ----------------------------------------------------------------------
   one Brownian step
------------------------------------------------------------------------- */

void FixEDBD::initial_integrate(int vflag)
{
  v_init(vflag);
  if (update->dt != dtstep || nlist < 0) {
    dtstep = update->dt;
    nlist = -1;
    need_refresh = 1;
  }
  if (growflag && grow_rate > 0.0 && nlist >= 0) {
    // Lubachevsky-Stillinger-like growth, one factor per step; the overlaps
    // it creates heal: approaching overlapping pairs collide at once
    const double f = 1.0 + grow_rate * dtstep;
    for (int i = 0; i < atom->nlocal; i++)
      if (atom->mask[i] & groupbit) {
        atom->radius[i] *= f;
        rad[i] = atom->radius[i];
      }
    grow_excess += (f - 1.0) * (radmax_build + grow_excess);
    sigma_mean *= f;
  }
  if (list_stale()) build_list(0.0, 0);

  const int nlocal = atom->nlocal;
  double **x = atom->x;
  double **v = atom->v;
  imageint *image = atom->image;

  // 1. pseudo-velocities, in atom-ID order
  const double rot = std::sqrt(2.0 * dr * dtstep);
  for (int i : order) {
    double *vi = &vel[3 * i];
    if (winv[i] == 0.0) {
      vi[0] = vi[1] = vi[2] = 0.0;
      continue;
    }
    vi[0] = vscale[i] * rng.gaussian();
    vi[1] = vscale[i] * rng.gaussian();
    vi[2] = dim == 3 ? vscale[i] * rng.gaussian() : 0.0;
    if (active) {
      vi[0] += v0 * std::cos(theta[i]);
      vi[1] += v0 * std::sin(theta[i]);
      theta[i] += nu0 * dtstep + rot * rng.gaussian();
    }
  }
  std::fill(tloc.begin(), tloc.end(), 0.0);
  std::fill(cnt.begin(), cnt.end(), 0u);
  for (double &w : wsum) w = 0.0;
  ncoll_step = 0;

  // 2. events of the step
  xp = x[0];
  if (dim == 2)
    run_events<2>();
  else
    run_events<3>();

  // 3. positions at the end of the step, wrapped into the box
  const double *lo = domain->boxlo, *hi = domain->boxhi;
  for (int i = 0; i < nlocal; i++) {
    const double *vi = &vel[3 * i];
    const double rest = dtstep - tloc[i];
    for (int a = 0; a < 3; a++) {
      x[i][a] += vi[a] * rest;
      v[i][a] = vi[a] * vout[i];
    }
    if (x[i][0] < lo[0] || x[i][0] >= hi[0] || x[i][1] < lo[1] || x[i][1] >= hi[1] ||
        x[i][2] < lo[2] || x[i][2] >= hi[2])
      domain->remap(x[i], image[i]);
  }

  // collision virial: sum over collisions of r_ij (x) dp_i, as a force times
  // distance averaged over the step
  if (vflag_global) {
    const double scale = 1.0 / (dtstep * force->ftm2v);
    for (int a = 0; a < 6; a++) virial[a] += wsum[a] * scale;
  }
  ncoll_total += ncoll_step;
}

/* ---------------------------------------------------------------------- */

double FixEDBD::compute_vector(int n)
{
  if (n == 0) return (double) ncoll_step;
  if (n == 1) return (double) ncoll_total;
  if (n == 2) return (double) nbuild_total;
  return (double) nmidstep_total;
}

/* ----------------------------------------------------------------------
   global state: seed, generator state (exact, as 32-bit halves), counters
------------------------------------------------------------------------- */

void FixEDBD::write_restart(FILE *fp)
{
  std::vector<double> list;
  list.push_back(RESTART_MAGIC);
  list.push_back(RESTART_VERSION);
  list.push_back(dim);
  list.push_back(seed);
  for (uint64_t w : rng.s) {
    list.push_back((double) (w >> 32));
    list.push_back((double) (w & 0xffffffffULL));
  }
  list.push_back(rng.have_cached);
  list.push_back(rng.cached);
  list.push_back((double) ncoll_total);
  list.push_back((double) nbuild_total);
  list.push_back((double) nmidstep_total);
  if (comm->me == 0) {
    int size = static_cast<int>(list.size() * sizeof(double));
    fwrite(&size, sizeof(int), 1, fp);
    fwrite(list.data(), sizeof(double), list.size(), fp);
  }
}

/* ---------------------------------------------------------------------- */

void FixEDBD::restart(char *buf)
{
  auto list = (double *) buf;
  int n = 0;
  if (list[n++] != RESTART_MAGIC || (int) list[n++] != RESTART_VERSION)
    error->all(FLERR, "Fix edbd restart record is not from this fix version");
  if ((int) list[n++] != dim)
    error->all(FLERR, "Fix edbd restart record is for another dimension");
  const int r_seed = (int) list[n++];
  Rng saved;
  for (auto &w : saved.s) {
    const auto hi = (uint64_t) list[n++];
    const auto lo = (uint64_t) list[n++];
    w = (hi << 32) | lo;
  }
  saved.have_cached = (int) list[n++];
  saved.cached = list[n++];
  ncoll_total = (bigint) list[n++];
  nbuild_total = (bigint) list[n++];
  nmidstep_total = (bigint) list[n++];
  if (r_seed == seed) {
    rng = saved;    // same SEED: continue the stored random-number stream
  } else if (comm->me == 0) {
    utils::logmesg(lmp, "fix edbd: SEED {} differs from the restart file's {}: new random "
                   "stream\n", seed, r_seed);
  }
}

/* ----------------------------------------------------------------------
   per-atom orientation follows its atom
------------------------------------------------------------------------- */

void FixEDBD::grow_arrays(int nmax)
{
  memory->grow(theta, nmax, "edbd:theta");
  vector_atom = theta;
}

void FixEDBD::copy_arrays(int i, int j, int /*delflag*/)
{
  theta[j] = theta[i];
}

void FixEDBD::set_arrays(int i)
{
  theta[i] = initial_angle(seed, atom->tag[i]);
}

int FixEDBD::pack_exchange(int i, double *buf)
{
  buf[0] = theta[i];
  return 1;
}

int FixEDBD::unpack_exchange(int nlocal, double *buf)
{
  theta[nlocal] = buf[0];
  return 1;
}

int FixEDBD::pack_restart(int i, double *buf)
{
  // buf[0] holds the count because other fixes skip over it
  buf[0] = 2;
  buf[1] = theta[i];
  return 2;
}

void FixEDBD::unpack_restart(int nlocal, int nth)
{
  double **extra = atom->extra;
  int m = 0;
  for (int i = 0; i < nth; i++) m += static_cast<int>(extra[nlocal][m]);
  theta[nlocal] = extra[nlocal][m + 1];
}

int FixEDBD::size_restart(int /*nlocal*/)
{
  return 2;
}

int FixEDBD::maxsize_restart()
{
  return 2;
}

double FixEDBD::memory_usage()
{
  double bytes = (double) atom->nmax * sizeof(double);
  bytes += (double) (xbuild.size() + vel.size() + tloc.size() + winv.size() + rad.size() +
                     vscale.size() + vout.size() + best_t.size()) * sizeof(double);
  bytes += (double) (first.size() + nbr.size() + order.size() + best_j.size() + cnt.size() +
                     cell_head.size() + cell_next.size()) * sizeof(int);
  bytes += (double) heap.capacity() * sizeof(Event);
  return bytes;
}
