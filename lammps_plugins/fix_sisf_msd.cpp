/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   fix sisf/msd: on-the-fly MSD, F_s(q,t) and alpha2(t) (see fix_sisf_msd.h)

   Origin scheme (multiple-tau block correlator without averaging):
   samples are taken every NEVERY steps, sample n at step first_step +
   n*NEVERY. Level k (k = 0..ncorr-1) receives every sample with
   n % m^k == 0 and keeps the latest p of them in a ring buffer
   (p = nlen, m = ncount). When sample n arrives at level k it is correlated
   with every older sample stored at that level, n - j*m^k, for
     j = 1..p-1      on level 0,
     j = p/m..p-1    on levels k > 0 (smaller j repeat lags of level k-1).
   Hence lag tau = j*m^k (in samples) is averaged over ALL origins n0 with
   n0 % m^k == 0 and n0 + tau <= n_last: origins are spaced m^k <= tau*m/p
   apart (tau/4 for the defaults), so successive origins overlap strongly
   and a trajectory analysis over every origin gives practically the same
   statistics. Positions are stored exactly (never block-averaged), because
   F_s and alpha2 are nonlinear in the displacement.
------------------------------------------------------------------------- */

#include "fix_sisf_msd.h"
#include "slowdyn_simd.h"

#include "atom.h"
#include "citeme.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "group.h"
#include "memory.h"
#include "update.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace LAMMPS_NS;
using namespace FixConst;

static const char cite_multiple_tau[] =
    "fix sisf/msd: doi:10.1063/1.3491098\n\n"
    "@Article{Ramirez10,\n"
    " author = {J. Ram\\'{\\i}rez and S. K. Sukumaran and B. Vorselaars and A. E. Likhtman},\n"
    " title = {Efficient on the fly calculation of time correlation functions in computer "
    "simulations},\n"
    " journal = {J. Chem. Phys.},\n"
    " year = 2010,\n"
    " volume = 133,\n"
    " pages = {154103}\n"
    "}\n\n";

static constexpr double RESTART_MAGIC = 5051.0;    // marks a fix sisf/msd restart record
static constexpr int RESTART_VERSION = 2;    // 2: + timestep and group identity
static constexpr int CHUNK = 512;    // atoms per L1-resident block of the lag loop

/* ---------------------------------------------------------------------- */

FixSisfMsd::FixSisfMsd(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), nq(0), nfreq(0), comflag(0), nlen(8), ncount(2), ncorr(20), dim(3),
    nlags(0), nlev3(0), nper(0), nsample(0), first_step(-1), last_step(-1), dt_sample(0.0), nval(0),
    ntslot(0), group_count(0), ncols(0)
{
  if (narg < 4) utils::missing_cmd_args(FLERR, "fix sisf/msd", error);
  nevery = utils::inumeric(FLERR, arg[3], false, lmp);
  if (nevery <= 0)
    error->all(FLERR, "Fix sisf/msd NEVERY = {} must be a positive number of steps", arg[3]);

  int iarg = 4;
  while (iarg < narg) {
    const std::string kw = arg[iarg];
    if (kw == "file") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix sisf/msd file", error);
      filename = arg[iarg + 1];
      iarg += 2;
    } else if (kw == "q") {
      iarg++;
      while (iarg < narg && utils::is_double(arg[iarg])) {
        const double q = utils::numeric(FLERR, arg[iarg], false, lmp);
        if (q <= 0.0)
          error->all(FLERR, "Fix sisf/msd wave number q = {} must be > 0 (F_s(0,t) = 1 trivially)",
                     arg[iarg]);
        qvals.push_back(q);
        iarg++;
      }
      if (qvals.empty())
        error->all(FLERR, "Fix sisf/msd keyword q needs at least one wave number, e.g. q 7.25");
    } else if (kw == "nfreq") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix sisf/msd nfreq", error);
      nfreq = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      if (nfreq <= 0) error->all(FLERR, "Fix sisf/msd nfreq = {} must be > 0", arg[iarg + 1]);
      iarg += 2;
    } else if (kw == "com") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix sisf/msd com", error);
      comflag = utils::logical(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else if (kw == "nlen") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix sisf/msd nlen", error);
      nlen = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else if (kw == "ncount") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix sisf/msd ncount", error);
      ncount = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else if (kw == "ncorr") {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, "fix sisf/msd ncorr", error);
      ncorr = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else {
      error->all(FLERR, "Unknown fix sisf/msd keyword '{}': expected file, q, nfreq, com, nlen, "
                 "ncount or ncorr", kw);
    }
  }

  if (filename.empty())
    error->all(FLERR, "Fix sisf/msd needs an output file: add 'file FILE' to the fix command");
  if (qvals.empty())
    error->all(FLERR, "Fix sisf/msd needs wave numbers: add 'q Q1 [Q2 ...]' to the fix command");
  if (nfreq == 0) nfreq = 1000 * nevery;
  if (nfreq % nevery)
    error->all(FLERR, "Fix sisf/msd nfreq = {} must be a multiple of NEVERY = {}: change nfreq "
               "or NEVERY", nfreq, nevery);
  if (ncount < 2) error->all(FLERR, "Fix sisf/msd ncount = {} must be >= 2", ncount);
  if (nlen < 2 || nlen % ncount)
    error->all(FLERR, "Fix sisf/msd nlen = {} must be a multiple of ncount = {}", nlen, ncount);
  if (ncorr < 1) error->all(FLERR, "Fix sisf/msd ncorr = {} must be >= 1", ncorr);
  if ((ncorr - 1) * std::log2((double) ncount) + std::log2((double) nlen) > 52.0)
    error->all(FLERR, "Fix sisf/msd ncorr = {} gives lags beyond 2^52 samples: use fewer levels",
               ncorr);

  dim = domain->dimension;
  nq = static_cast<int>(qvals.size());
  nval = 2 + nq;
  ntslot = atom->ntypes;

  // atoms of the group per type and a checksum of their IDs (compared at a
  // restart); the group must not change while the fix exists
  type_count.assign(ntslot, 0);
  std::vector<bigint> mine(ntslot, 0);
  uint64_t idloc[2] = {0, 0};
  for (int i = 0; i < atom->nlocal; i++)
    if (atom->mask[i] & groupbit) {
      mine[atom->type[i] - 1]++;
      const auto t = (uint64_t) atom->tag[i];
      idloc[0] += t;
      idloc[1] += t * t;
    }
  MPI_Allreduce(mine.data(), type_count.data(), ntslot, MPI_LMP_BIGINT, MPI_SUM, world);
  MPI_Allreduce(idloc, id_sum, 2, MPI_UINT64_T, MPI_SUM, world);
  group_count = 0;
  for (int t = 0; t < ntslot; t++) {
    group_count += type_count[t];
    if (type_count[t] > 0) out_types.push_back(t + 1);
  }
  if (group_count == 0)
    error->all(FLERR, "Fix sisf/msd group {} has no atoms: define the fix after the atoms exist "
               "and use a group that contains some", group->names[igroup]);

  // lag grid
  level_stride.resize(ncorr);
  bigint stride = 1;
  for (int k = 0; k < ncorr; k++) {
    level_stride[k] = stride;
    for (int j = (k == 0 ? 1 : nlen / ncount); j < nlen; j++) {
      lag.push_back(j * stride);
      lag_level.push_back(k);
    }
    stride *= ncount;
  }
  nlags = static_cast<int>(lag.size());
  fill.assign(ncorr, 0);
  head.assign(ncorr, nlen - 1);
  norigin.assign(nlags, 0.0);
  acc_local.assign((size_t) nlags * ntslot * nval, 0.0);
  acc_total.assign((size_t) nlags * ntslot * nval, 0.0);

  ncols = 3 + (1 + (int) out_types.size()) * (2 + nq);
  table.assign((size_t) nlags * ncols, 0.0);

  array_flag = 1;
  size_array_rows = nlags;
  size_array_cols = ncols;
  extarray = 0;
  global_freq = nfreq;
  restart_global = 1;
  restart_peratom = 1;

  nlev3 = nlen * 3;
  buf_r2.resize(CHUNK);
  buf_fs.resize((size_t) CHUNK * nq);
  nper = ncorr * nlev3;
  maxexchange = nper;    // Comm sizes its exchange buffers with this
  hist.assign((size_t) ncorr * nlen, nullptr);
  FixSisfMsd::grow_arrays(atom->nmax);
  atom->add_callback(Atom::GROW);
  atom->add_callback(Atom::RESTART);

  if (lmp->citeme) lmp->citeme->add(cite_multiple_tau);
  if (comm->me == 0)
    utils::logmesg(lmp, "fix sisf/msd: {} lags from {} to {} steps, {} q value(s), {} stored "
                   "positions per atom ({:.3g} MB per 1000 atoms)\n", nlags, lag.front() * nevery,
                   lag.back() * nevery, nq, ncorr * nlen, nper * 8.0e-3);
}

/* ---------------------------------------------------------------------- */

FixSisfMsd::~FixSisfMsd()
{
  if (copymode) return;
  atom->delete_callback(id, Atom::GROW);
  atom->delete_callback(id, Atom::RESTART);
  for (auto &h : hist) memory->destroy(h);
}

/* ---------------------------------------------------------------------- */

int FixSisfMsd::setmask()
{
  return END_OF_STEP;
}

/* ----------------------------------------------------------------------
   the group must keep its atoms: per-atom histories assume it
------------------------------------------------------------------------- */

void FixSisfMsd::init()
{
  check_dt();
  std::vector<bigint> mine(ntslot, 0), now(ntslot, 0);
  for (int i = 0; i < atom->nlocal; i++)
    if (atom->mask[i] & groupbit) mine[atom->type[i] - 1]++;
  MPI_Allreduce(mine.data(), now.data(), ntslot, MPI_LMP_BIGINT, MPI_SUM, world);
  if (now != type_count)
    error->all(FLERR, "Fix sisf/msd: atoms of group {} changed since the fix was defined; the "
               "fix needs a fixed set of atoms (redefine it after adding/deleting atoms)",
               group->names[igroup]);
}

/* ----------------------------------------------------------------------
   lags are counted in steps: samples taken with another timestep would be
   pooled into the same lag under the wrong time
------------------------------------------------------------------------- */

void FixSisfMsd::check_dt()
{
  if (nsample > 0 && update->dt != dt_sample)
    error->all(FLERR, "Fix sisf/msd {}: the timestep changed from {} to {} after {} samples; its "
               "lags are counted in steps and cannot mix two timesteps: unfix {} and define it "
               "again (or under a new ID) after the timestep command", id, dt_sample, update->dt,
               nsample, id);
}

/* ----------------------------------------------------------------------
   sample the first step of a run unless it was sampled already
------------------------------------------------------------------------- */

void FixSisfMsd::setup(int /*vflag*/)
{
  const bigint step = update->ntimestep;
  if (step % nevery == 0 && step != last_step) {
    sample();
    reduce();
    build_table();
    write_file();
  }
}

/* ---------------------------------------------------------------------- */

void FixSisfMsd::end_of_step()
{
  if (update->ntimestep == last_step) return;
  sample();
  if (update->ntimestep % nfreq == 0) {
    reduce();
    build_table();
    write_file();
  }
}

/* ----------------------------------------------------------------------
   file complete at the end of every run
------------------------------------------------------------------------- */

void FixSisfMsd::post_run()
{
  reduce();
  build_table();
  write_file();
}

/* ----------------------------------------------------------------------
   sin(x)/x for x >= 0, branch-free so that the compiler vectorises the loop:
   x = 2 pi k + y with |y| <= pi (Cody-Waite with 2 pi split in three parts,
   k from the 1.5*2^52 rounding trick), then the Taylor series of sin(y) up
   to y^27 (truncation error < 3e-17 for |y| <= pi). Absolute error about
   1e-15 against std::sin(x)/x for 0 <= x < 1e9.
------------------------------------------------------------------------- */

static constexpr double SIN_TAYLOR[14] = {
    1.0, -0.16666666666666666, 0.008333333333333333, -0.0001984126984126984,
    2.7557319223985893e-06, -2.505210838544172e-08, 1.6059043836821613e-10,
    -7.647163731819816e-13, 2.8114572543455206e-15, -8.22063524662433e-18,
    1.9572941063391263e-20, -3.868170170630684e-23, 6.446950284384474e-26,
    -9.183689863795546e-29};

SLOWDYN_SIMD_CLONES
static void sinc_q_block(const double *__restrict r2, double q, double *__restrict out, int n)
{
  constexpr double INV2PI = 0.15915494309189533577;
  constexpr double ROUND = 6755399441055744.0;    // 1.5 * 2^52
  constexpr double TINY = 1.0e-300;
  // Cephes' three-part split of pi/4, scaled by 8 (exact): k*P1 is exact
  constexpr double P1 = 8.0 * 7.85398125648498535156e-1;
  constexpr double P2 = 8.0 * 3.77489470793079817668e-8;
  constexpr double P3 = 8.0 * 2.69515142907905952645e-15;
  for (int i = 0; i < n; i++) {
    const double xi = q * std::sqrt(r2[i]);
    const double k = (xi * INV2PI + ROUND) - ROUND;
    const double y = ((xi - k * P1) - k * P2) - k * P3;
    const double y2 = y * y;
    const double *c = SIN_TAYLOR;
    // Horner in y^2, written out so that the loop body has no inner loop
    const double p =
        c[0] + y2 * (c[1] + y2 * (c[2] + y2 * (c[3] + y2 * (c[4] + y2 * (c[5] + y2 * (c[6] +
        y2 * (c[7] + y2 * (c[8] + y2 * (c[9] + y2 * (c[10] + y2 * (c[11] + y2 * (c[12] +
        y2 * c[13]))))))))))));
    // sin(x)/x = p y / x; TINY makes x = 0 give y/x = 1 (there y = x = 0)
    // and changes nothing for x > 1e-284: no branch in the loop
    out[i] = p * ((y + TINY) / (xi + TINY));
  }
}

/* ----------------------------------------------------------------------
   r2[g] = |a_g - b_g|^2 for n packed xyz triples
------------------------------------------------------------------------- */

SLOWDYN_SIMD_CLONES
static void squared_displacements(const double *__restrict a, const double *__restrict b,
                                  double *__restrict r2, int n)
{
  for (int g = 0; g < n; g++) {
    const double dx = a[3 * g] - b[3 * g];
    const double dy = a[3 * g + 1] - b[3 * g + 1];
    const double dz = a[3 * g + 2] - b[3 * g + 2];
    r2[g] = dx * dx + dy * dy + dz * dz;
  }
}

/* ----------------------------------------------------------------------
   add the sums over the n chunk atoms of type slot t (tslot[c] == t) to
   a[0] (r2), a[1] (r2^2) and a[2+iq] (F_s at q_iq); fs holds nq rows of
   stride CHUNK. Masked vector sums in registers, written with GCC/Clang
   vector types: the plain loop that indexes the sums by type chains a
   load-add-store through memory for every atom (a third of the fix's time
   in perf, KA N = 4000), and neither GCC 12's vectoriser nor its
   "omp simd reduction" keeps the masked sums in registers.
------------------------------------------------------------------------- */

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));

static inline v4d load4(const double *p)
{
  v4d v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline double hsum(v4d v)
{
  return (v[0] + v[1]) + (v[2] + v[3]);
}

// x where ty == t, else 0
static inline v4d masked(v4d x, v4d ty, v4d t)
{
  return (v4d) ((v4l) x & (v4l) (ty == t));
}

SLOWDYN_SIMD_CLONES
static void tally_type(const double *__restrict tslot, double t, const double *__restrict r2,
                       const double *__restrict fs, int nq, int n, double *__restrict a)
{
  const v4d tv = {t, t, t, t};
  v4d s0a = {}, s0b = {}, s1a = {}, s1b = {};
  int c = 0;
  for (; c + 8 <= n; c += 8) {
    const v4d xa = masked(load4(r2 + c), load4(tslot + c), tv);
    const v4d xb = masked(load4(r2 + c + 4), load4(tslot + c + 4), tv);
    s0a += xa;
    s0b += xb;
    s1a += xa * xa;
    s1b += xb * xb;
  }
  double s0 = hsum(s0a + s0b), s1 = hsum(s1a + s1b);
  for (int cc = c; cc < n; cc++)
    if (tslot[cc] == t) {
      s0 += r2[cc];
      s1 += r2[cc] * r2[cc];
    }
  a[0] += s0;
  a[1] += s1;
  for (int iq = 0; iq < nq; iq++) {
    const double *f = fs + (size_t) iq * CHUNK;
    v4d sa = {}, sb = {};
    for (int cc = 0; cc < c; cc += 8) {
      sa += masked(load4(f + cc), load4(tslot + cc), tv);
      sb += masked(load4(f + cc + 4), load4(tslot + cc + 4), tv);
    }
    double s = hsum(sa + sb);
    for (int cc = c; cc < n; cc++)
      if (tslot[cc] == t) s += f[cc];
    a[2 + iq] += s;
  }
}

/* ----------------------------------------------------------------------
   F_s kernel for n squared displacements r2, x = q sqrt(r2): sin(x)/x (3D) or J0(x) (2D), the
   isotropic averages of exp(-i q.r)
------------------------------------------------------------------------- */

void FixSisfMsd::fs_kernel(const double *r2, double q, double *out, int n) const
{
  if (dim == 3)
    sinc_q_block(r2, q, out, n);
  else
    for (int i = 0; i < n; i++) out[i] = std::cyl_bessel_j(0.0, q * std::sqrt(r2[i]));
}

/* ----------------------------------------------------------------------
   take sample nsample: store the unwrapped positions on every level that
   receives it and correlate them with the older samples of that level
------------------------------------------------------------------------- */

void FixSisfMsd::sample()
{
  const bigint step = update->ntimestep;
  check_dt();    // also catches fix dt/reset within a run
  if (nsample == 0) {
    first_step = step;
    dt_sample = update->dt;
  } else if (step != first_step + nsample * nevery) {
    error->all(FLERR, "Fix sisf/msd expected its next sample at step {} but is at step {}: do not "
               "reset or skip timesteps while the fix is defined",
               first_step + nsample * nevery, step);
  }

  int nact = 0;
  while (nact < ncorr && nsample % level_stride[nact] == 0) nact++;
  for (int k = 0; k < nact; k++) {
    head[k] = (head[k] + 1) % nlen;
    if (fill[k] < nlen) fill[k]++;
  }

  // grid row of (level k, j): k = 0 -> j-1; k > 0 -> after the rows of lower levels
  const int jmin_up = nlen / ncount;
  const int per_up = nlen - jmin_up;
  auto row_of = [&](int k, int j) {
    return k == 0 ? j - 1 : (nlen - 1) + (k - 1) * per_up + (j - jmin_up);
  };

  double cm[3] = {0.0, 0.0, 0.0};
  if (comflag) {
    const double masstotal = group->mass(igroup);
    group->xcm(igroup, masstotal, cm);
  }

  double **x = atom->x;
  imageint *image = atom->image;
  int *mask = atom->mask;
  int *type = atom->type;
  const int nlocal = atom->nlocal;
  const double *q = qvals.data();

  // current unwrapped positions of the group atoms, stored on every level
  // that receives this sample. Dense (every local atom in the group): group
  // index g = atom index, the loops below run over contiguous memory, and
  // the positions are written straight into the new level-0 slot (level 0
  // receives every sample)
  int ng = 0;
  for (int i = 0; i < nlocal; i++)
    if (mask[i] & groupbit) ng++;
  const bool dense = (ng == nlocal);
  if ((int) buf_u.size() < 3 * ng) {
    buf_u.resize(3 * ng);
    buf_atom.resize(ng);
    buf_tslot.resize(ng);
  }
  double *unow = dense ? hist[head[0]] : buf_u.data();
  int *gatom = buf_atom.data();
  double *tslot = buf_tslot.data();
  double *r2buf = buf_r2.data();
  double *fsbuf = buf_fs.data();
  ng = 0;
  const bool ortho = !domain->triclinic;
  const double prd[3] = {domain->xprd, domain->yprd, domain->zprd};
  for (int i = 0; i < nlocal; i++) {
    if (!(mask[i] & groupbit)) continue;
    double *u = unow + 3 * ng;
    if (ortho) {
      // Domain::unmap() for orthogonal boxes, inlined
      const imageint im = image[i];
      u[0] = x[i][0] + prd[0] * (double) ((int) (im & IMGMASK) - IMGMAX) - cm[0];
      u[1] = x[i][1] + prd[1] * (double) ((int) (im >> IMGBITS & IMGMASK) - IMGMAX) - cm[1];
      u[2] = x[i][2] + prd[2] * (double) ((int) (im >> IMG2BITS) - IMGMAX) - cm[2];
    } else {
      domain->unmap(x[i], image[i], u);
      u[0] -= cm[0];
      u[1] -= cm[1];
      u[2] -= cm[2];
    }
    tslot[ng] = type[i] - 1;    // exact in a double; compared as a vector mask
    gatom[ng++] = i;
  }
  for (int k = 0; k < nact; k++) {
    double *now = hist[(size_t) k * nlen + head[k]];
    if (dense) {
      if (k > 0) memcpy(now, unow, sizeof(double) * 3 * ng);
      continue;
    }
    for (int g = 0; g < ng; g++) {
      const int i3 = 3 * gatom[g];
      now[i3] = unow[3 * g];
      now[i3 + 1] = unow[3 * g + 1];
      now[i3 + 2] = unow[3 * g + 2];
    }
  }

  // chunk by chunk over the group atoms, so that the current positions of a
  // chunk stay in L1 cache while every lag reads its stored positions as one
  // stream: squared displacements, the F_s kernel per q, then the sums per
  // atom type straight into the lag's accumulator row
  for (int g0 = 0; g0 < ng; g0 += CHUNK) {
    const int nc = std::min(CHUNK, ng - g0);
    const double *uc = unow + 3 * g0;
    for (int k = 0; k < nact; k++) {
      for (int j = (k == 0 ? 1 : jmin_up); j < fill[k]; j++) {
        const int slot = head[k] - j < 0 ? head[k] - j + nlen : head[k] - j;
        const double *hs = hist[(size_t) k * nlen + slot];
        if (dense)
          squared_displacements(uc, hs + 3 * g0, r2buf, nc);
        else
          for (int c = 0; c < nc; c++) {
            const double *old = hs + 3 * gatom[g0 + c];
            const double dx = uc[3 * c] - old[0];
            const double dy = uc[3 * c + 1] - old[1];
            const double dz = uc[3 * c + 2] - old[2];
            r2buf[c] = dx * dx + dy * dy + dz * dz;
          }
        for (int iq = 0; iq < nq; iq++) fs_kernel(r2buf, q[iq], fsbuf + (size_t) iq * CHUNK, nc);
        double *a = &acc_local[(size_t) row_of(k, j) * ntslot * nval];
        for (const int t : out_types)
          tally_type(tslot + g0, t - 1.0, r2buf, fsbuf, nq, nc, a + (size_t) (t - 1) * nval);
      }
    }
  }

  for (int k = 0; k < nact; k++)
    for (int j = (k == 0 ? 1 : jmin_up); j < fill[k]; j++) norigin[row_of(k, j)] += 1.0;

  nsample++;
  last_step = step;
}

/* ----------------------------------------------------------------------
   fold this rank's contributions into the global totals (collective)
------------------------------------------------------------------------- */

void FixSisfMsd::reduce()
{
  std::vector<double> sum(acc_local.size());
  MPI_Allreduce(acc_local.data(), sum.data(), (int) sum.size(), MPI_DOUBLE, MPI_SUM, world);
  for (size_t n = 0; n < sum.size(); n++) acc_total[n] += sum[n];
  std::fill(acc_local.begin(), acc_local.end(), 0.0);
}

/* ----------------------------------------------------------------------
   averages per grid row: lag, time, origins, then (msd, alpha2, F_s(q)...)
   for the whole group and for each type in it
------------------------------------------------------------------------- */

void FixSisfMsd::build_table()
{
  const double dt = nsample > 0 ? dt_sample : update->dt;
  const double c4 = dim / (dim + 2.0);
  std::vector<double> s(nval);
  for (int r = 0; r < nlags; r++) {
    double *row = &table[(size_t) r * ncols];
    row[0] = (double) (lag[r] * nevery);
    row[1] = row[0] * dt;
    row[2] = norigin[r];
    int c = 3;
    for (int b = -1; b < (int) out_types.size(); b++) {
      bigint natoms_block;
      std::fill(s.begin(), s.end(), 0.0);
      if (b < 0) {
        natoms_block = group_count;
        for (int t = 0; t < ntslot; t++)
          for (int v = 0; v < nval; v++) s[v] += acc_total[((size_t) r * ntslot + t) * nval + v];
      } else {
        const int t = out_types[b] - 1;
        natoms_block = type_count[t];
        for (int v = 0; v < nval; v++) s[v] = acc_total[((size_t) r * ntslot + t) * nval + v];
      }
      const double cnt = norigin[r] * (double) natoms_block;
      if (cnt > 0.0) {
        const double msd = s[0] / cnt;
        const double r4 = s[1] / cnt;
        row[c] = msd;
        row[c + 1] = msd > 0.0 ? c4 * r4 / (msd * msd) - 1.0 : 0.0;
        for (int iq = 0; iq < nq; iq++) row[c + 2 + iq] = s[2 + iq] / cnt;
      } else {
        for (int v = 0; v < 2 + nq; v++) row[c + v] = 0.0;
      }
      c += 2 + nq;
    }
  }
}

/* ----------------------------------------------------------------------
   rank 0 rewrites FILE through FILE.tmp + rename: the file is always
   complete and holds every lag sampled so far
------------------------------------------------------------------------- */

void FixSisfMsd::write_file()
{
  if (comm->me != 0) return;
  const std::string tmp = filename + ".tmp";
  FILE *fp = fopen(tmp.c_str(), "w");
  if (!fp)
    error->one(FLERR, "Fix sisf/msd cannot open file {}: {}", tmp, utils::getsyserror());

  fmt::print(fp, "# slowdyn fix sisf/msd: fix {} group {} dimension {} NEVERY {} nlen {} ncount {} "
             "ncorr {} com {}\n", id, group->names[igroup], dim, nevery, nlen, ncount, ncorr,
             comflag ? "yes" : "no");
  fmt::print(fp, "# step {} samples {} first_step {}\n", last_step, nsample, first_step);
  fmt::print(fp, "# q:");
  for (double q : qvals) fmt::print(fp, " {:.17g}", q);
  fmt::print(fp, "\n# types: all");
  for (int t : out_types) fmt::print(fp, " {}", t);
  fmt::print(fp, "\n# atoms: {}", group_count);
  for (int t : out_types) fmt::print(fp, " {}", type_count[t - 1]);
  fmt::print(fp, "\n# alpha2 = {}<r^4>/({}<r^2>^2) - 1; F_s = <sin(q r)/(q r)> (3D) or <J0(q r)> (2D)\n",
             dim, dim + 2);
  fmt::print(fp, "# columns: lag time norigin");
  std::vector<std::string> blocks{"all"};
  for (int t : out_types) blocks.push_back(std::to_string(t));
  for (const auto &b : blocks) {
    fmt::print(fp, " msd_{} alpha2_{}", b, b);
    for (int iq = 1; iq <= nq; iq++) fmt::print(fp, " fs_{}_q{}", b, iq);
  }
  fmt::print(fp, "\n");
  for (int r = 0; r < nlags; r++) {
    const double *row = &table[(size_t) r * ncols];
    if (row[2] <= 0.0) continue;
    fmt::print(fp, "{:.0f} {:.10g} {:.0f}", row[0], row[1], row[2]);
    for (int c = 3; c < ncols; c++) fmt::print(fp, " {:.17g}", row[c]);
    fmt::print(fp, "\n");
  }
  fclose(fp);
  if (std::rename(tmp.c_str(), filename.c_str()) != 0)
    error->one(FLERR, "Fix sisf/msd cannot rename {} to {}: {}", tmp, filename,
               utils::getsyserror());
}

/* ---------------------------------------------------------------------- */

double FixSisfMsd::compute_array(int i, int j)
{
  return table[(size_t) i * ncols + j];
}

/* ----------------------------------------------------------------------
   global correlator state: settings (checked on restart), counters, sums
------------------------------------------------------------------------- */

void FixSisfMsd::write_restart(FILE *fp)
{
  reduce();    // collective: every rank calls write_restart
  std::vector<double> list;
  list.push_back(RESTART_MAGIC);
  list.push_back(RESTART_VERSION);
  list.push_back(nevery);
  list.push_back(nlen);
  list.push_back(ncount);
  list.push_back(ncorr);
  list.push_back(dim);
  list.push_back(comflag);
  list.push_back(ntslot);
  list.push_back(nq);
  for (double q : qvals) list.push_back(q);
  list.push_back((double) nsample);
  list.push_back((double) first_step);
  list.push_back((double) last_step);
  list.push_back(dt_sample);
  for (int t = 0; t < ntslot; t++) list.push_back((double) type_count[t]);
  for (uint64_t w : id_sum) {
    list.push_back((double) (w >> 32));
    list.push_back((double) (w & 0xffffffffULL));
  }
  for (int k = 0; k < ncorr; k++) list.push_back(fill[k]);
  for (int k = 0; k < ncorr; k++) list.push_back(head[k]);
  for (double v : norigin) list.push_back(v);
  for (double v : acc_total) list.push_back(v);

  if (comm->me == 0) {
    int size = static_cast<int>(list.size() * sizeof(double));
    fwrite(&size, sizeof(int), 1, fp);
    fwrite(list.data(), sizeof(double), list.size(), fp);
  }
}

/* ---------------------------------------------------------------------- */

void FixSisfMsd::restart(char *buf)
{
  auto list = (double *) buf;
  int n = 0;
  if (list[n++] != RESTART_MAGIC)
    error->all(FLERR, "Fix sisf/msd restart record is not from this fix");
  const int version = (int) list[n++];
  if (version != RESTART_VERSION)
    error->all(FLERR, "Fix sisf/msd {}: the restart file holds a correlator of format {} (this "
               "plugin writes {}, which also records the group and timestep): give the fix a new "
               "ID to start afresh", id, version, RESTART_VERSION);
  const int r_nevery = (int) list[n++], r_nlen = (int) list[n++], r_ncount = (int) list[n++];
  const int r_ncorr = (int) list[n++], r_dim = (int) list[n++], r_com = (int) list[n++];
  const int r_ntypes = (int) list[n++], r_nq = (int) list[n++];
  bool same = r_nevery == nevery && r_nlen == nlen && r_ncount == ncount && r_ncorr == ncorr &&
      r_dim == dim && r_com == comflag && r_ntypes == ntslot && r_nq == nq;
  for (int iq = 0; iq < r_nq; iq++) {
    if (same && list[n] != qvals[iq]) same = false;
    n++;
  }
  if (!same)
    error->all(FLERR, "Fix sisf/msd {} was restarted with different settings: use the same "
               "NEVERY, q values, com, nlen, ncount and ncorr as in the run that wrote the restart "
               "file (or give the fix a new ID to start afresh)", id);
  nsample = (bigint) list[n++];
  first_step = (bigint) list[n++];
  last_step = (bigint) list[n++];
  dt_sample = list[n++];
  // the per-atom histories belong to the atoms of the group that wrote them
  bool same_atoms = true;
  for (int t = 0; t < ntslot; t++)
    if ((bigint) list[n++] != type_count[t]) same_atoms = false;
  for (uint64_t w : id_sum) {
    const auto hi = (uint64_t) list[n++];
    const auto lo = (uint64_t) list[n++];
    if (((hi << 32) | lo) != w) same_atoms = false;
  }
  if (!same_atoms)
    error->all(FLERR, "Fix sisf/msd {} was restarted on group {}, which holds other atoms than "
               "the group of the run that wrote the restart file: use the same group (or give the "
               "fix a new ID to start afresh)", id, group->names[igroup]);
  for (int k = 0; k < ncorr; k++) fill[k] = (int) list[n++];
  for (int k = 0; k < ncorr; k++) head[k] = (int) list[n++];
  for (int r = 0; r < nlags; r++) norigin[r] = list[n++];
  for (auto &v : acc_total) v = list[n++];
  std::fill(acc_local.begin(), acc_local.end(), 0.0);
  build_table();
}

/* ----------------------------------------------------------------------
   per-atom histories follow their atoms
------------------------------------------------------------------------- */

void FixSisfMsd::grow_arrays(int nmax)
{
  for (auto &h : hist) memory->grow(h, 3 * nmax, "sisf/msd:hist");
}

/* ---------------------------------------------------------------------- */

void FixSisfMsd::copy_arrays(int i, int j, int /*delflag*/)
{
  for (auto h : hist) {
    h[3 * j] = h[3 * i];
    h[3 * j + 1] = h[3 * i + 1];
    h[3 * j + 2] = h[3 * i + 2];
  }
}

/* ---------------------------------------------------------------------- */

int FixSisfMsd::pack_exchange(int i, double *buf)
{
  int m = 0;
  for (auto h : hist) {
    buf[m++] = h[3 * i];
    buf[m++] = h[3 * i + 1];
    buf[m++] = h[3 * i + 2];
  }
  return nper;
}

/* ---------------------------------------------------------------------- */

int FixSisfMsd::unpack_exchange(int nlocal, double *buf)
{
  int m = 0;
  for (auto h : hist) {
    h[3 * nlocal] = buf[m++];
    h[3 * nlocal + 1] = buf[m++];
    h[3 * nlocal + 2] = buf[m++];
  }
  return nper;
}

/* ---------------------------------------------------------------------- */

int FixSisfMsd::pack_restart(int i, double *buf)
{
  // pack buf[0] this way because other fixes unpack it
  buf[0] = nper + 1;
  pack_exchange(i, buf + 1);
  return nper + 1;
}

/* ---------------------------------------------------------------------- */

void FixSisfMsd::unpack_restart(int nlocal, int nth)
{
  double **extra = atom->extra;
  // skip to the nth fix's values in this atom's extra data
  int m = 0;
  for (int i = 0; i < nth; i++) m += static_cast<int>(extra[nlocal][m]);
  m++;
  unpack_exchange(nlocal, &extra[nlocal][m]);
}

/* ---------------------------------------------------------------------- */

int FixSisfMsd::size_restart(int /*nlocal*/)
{
  return nper + 1;
}

/* ---------------------------------------------------------------------- */

int FixSisfMsd::maxsize_restart()
{
  return nper + 1;
}

/* ---------------------------------------------------------------------- */

double FixSisfMsd::memory_usage()
{
  double bytes = (double) atom->nmax * nper * sizeof(double);
  bytes += (double) (acc_local.size() + acc_total.size() + table.size()) * sizeof(double);
  return bytes;
}
