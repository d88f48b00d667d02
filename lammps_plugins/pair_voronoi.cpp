/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   pair_style voronoi: the Voronoi liquid potential (see pair_voronoi.h)

   Energy, force and virial of owned atom i follow from its own cell only:
     E_i  = gamma/2 [ int_{V_i} |r - r_i|^2 dV + (<R^2> - R_i^2) V_i ]
     F_i  = gamma int_{V_i} (r - r_i) dV           (pull towards the centroid)
     W_ab = -[ delta_ab E_i + gamma int_{V_i} (r - r_i)_a (r - r_i)_b dV ]
   F_i needs no boundary terms because the integrand is continuous across
   every (radical) face; W follows from the envelope theorem (the power
   diagram minimises E over partitions, so a strain may keep it fixed).
   No force acts on ghost atoms, so newton on/off give identical results.
------------------------------------------------------------------------- */

#include "pair_voronoi.h"

#include "atom.h"
#include "citeme.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neighbor.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace LAMMPS_NS;
using SlowDyn::CellMoments;

static const char cite_voronoi_liquid[] =
    "pair_style voronoi: doi:10.1209/0295-5075/112/66003\n\n"
    "@Article{Ruscher16,\n"
    " author = {C. Ruscher and J. Baschnagel and J. Farago},\n"
    " title = {The {V}oronoi liquid},\n"
    " journal = {Europhys. Lett.},\n"
    " year = 2016,\n"
    " volume = 112,\n"
    " pages = {66003}\n"
    "}\n\n";

// neighbours expected inside the first (sorted) shell: enough that most
// cells close before the unsorted remainder of the list is visited
static constexpr double NEAR_SHELL_COUNT_3D = 32.0;
static constexpr double NEAR_SHELL_COUNT_2D = 12.0;
static constexpr int CELLINFO_COLS = 5;

/* ---------------------------------------------------------------------- */

PairVoronoi::PairVoronoi(LAMMPS *lmp) :
    Pair(lmp), gamma(0.0), rc(0.0), style_name("voronoi"), radical(0), peratom_radius(0),
    radius_type(nullptr), rset(nullptr), radsq(nullptr), nmax_radsq(0), radsq_mean(0.0),
    radsq_max(0.0), cellinfo(nullptr), nmax_cell(0), nearidx(nullptr), nearfirst(nullptr),
    nearnum(nullptr), maxnearidx(0), maxnearatom(0), near_ncalls(-1), rs2(0.0)
{
  single_enable = 0;
  restartinfo = 1;
  one_coeff = 1;
  manybody_flag = 1;
  // the virial is not sum r_i f_i: tally it from the cell second moments
  no_virial_fdotr_compute = 1;
  if (lmp->citeme) lmp->citeme->add(cite_voronoi_liquid);
}

/* ---------------------------------------------------------------------- */

PairVoronoi::~PairVoronoi()
{
  if (copymode) return;
  memory->destroy(cellinfo);
  memory->destroy(radsq);
  memory->destroy(nearidx);
  memory->destroy(nearfirst);
  memory->destroy(nearnum);
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
    memory->destroy(radius_type);
    memory->destroy(rset);
  }
}

/* ----------------------------------------------------------------------
   one cell per owned atom; forces, energy and virial from its moments
------------------------------------------------------------------------- */

void PairVoronoi::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);

  if (atom->nmax > nmax_cell) {
    nmax_cell = atom->nmax;
    memory->destroy(cellinfo);
    memory->create(cellinfo, CELLINFO_COLS, nmax_cell, "pair:cellinfo");
  }
  if (radical) fill_radsq();

  double **x = atom->x;
  double **f = atom->f;
  const int dim = domain->dimension;
  // new candidates whenever the neighbour list was (re)built: at every step that
  // rebuilt it (ago == 0) and in every setup, which includes each frame of rerun,
  // where Verlet::setup_minimal() resets neighbor->ncalls after its build
  if (neighbor->ago == 0 || neighbor->ncalls != near_ncalls) build_near_lists();

  CellMoments mom;
  const int inum = list->inum;
  for (int ii = 0; ii < inum; ii++) {
    const int i = list->ilist[ii];
    const double wi = radical ? radsq[i] : 0.0;
    const double h = security_half_width(wi);
    if (dim == 3)
      build_cell<3>(i, wi, h, mom);
    else
      build_cell<2>(i, wi, h, mom);

    const double ei = 0.5 * gamma * (mom.m2[0] + mom.m2[1] + mom.m2[2] + (radsq_mean - wi) * mom.vol);
    for (int d = 0; d < dim; d++) f[i][d] += gamma * mom.m1[d];

    cellinfo[0][i] = mom.vol;
    for (int d = 0; d < 3; d++) cellinfo[1 + d][i] = mom.vol > 0.0 ? x[i][d] + mom.m1[d] / mom.vol : x[i][d];
    cellinfo[4][i] = mom.nfaces;

    if (eflag_global) eng_vdwl += ei;
    if (eflag_atom) eatom[i] += ei;
    if (vflag_either) {
      double w[6];
      for (int k = 0; k < 6; k++) w[k] = -gamma * mom.m2[k];
      for (int k = 0; k < dim; k++) w[k] -= ei;
      if (dim == 2) w[2] = w[4] = w[5] = 0.0;
      if (vflag_global)
        for (int k = 0; k < 6; k++) virial[k] += w[k];
      if (vflag_atom)
        for (int k = 0; k < 6; k++) vatom[i][k] += w[k];
    }
  }
}

/* ----------------------------------------------------------------------
   build the cell of owned atom i (weight wi = R_i^2) and integrate it.
   Neighbours inside the near shell are clipped nearest first, which
   closes most cells early; once the nearest remaining neighbour provably
   lies beyond twice the cell's vertex radius the cell is final.
   Error if the cell reaches the security half-width h (cell not proven
   closed by the atoms inside RC).
------------------------------------------------------------------------- */

template <int DIM>
void PairVoronoi::build_cell(int i, double wi, double h, CellMoments &mom)
{
  double **x = atom->x;
  const int *jlist = list->firstneigh[i];
  const int jnum = list->numneigh[i];

  // near shell only, kept sorted by distance while it is gathered (insertion
  // into a few dozen keys); the rest of the list is revisited only if the
  // cell is not final after the near shell
  const int *cand = nearidx + nearfirst[i];
  const int ncand = nearnum[i];
  if ((int) nnear.size() < ncand) {
    nnear.resize(ncand);
    order.resize(ncand);
  }
  int nn = 0;
  const bool have_far = jnum > ncand;
  const double xi0 = x[i][0], xi1 = x[i][1], xi2 = x[i][2];
  for (int jj = 0; jj < ncand; jj++) {
    const int j = cand[jj];
    const double dx = x[j][0] - xi0, dy = x[j][1] - xi1;
    const double dz = DIM == 3 ? x[j][2] - xi2 : 0.0;
    const double rsq = dx * dx + dy * dy + dz * dz;
    if (rsq >= rs2) continue;
    if (rsq == 0.0)
      error->one(FLERR, "pair_style {}: atoms {} and {} sit at the same position", style_name,
                 atom->tag[i], atom->tag[j]);
    Neigh &n = nnear[nn];
    n.del[0] = dx;
    n.del[1] = dy;
    n.del[2] = dz;
    n.rsq = rsq;
    n.wj = radical ? radsq[j] : 0.0;
    n.j = j;
    int b = nn;
    while (b > 0 && order[b - 1].first > rsq) {
      order[b] = order[b - 1];
      b--;
    }
    order[b] = {rsq, nn};
    nn++;
  }

  if (DIM == 3)
    cell3d.reset_cube(h);
  else
    cell2d.reset_square(h);

  // a plane at distance >= r/2 - aplus/(2r) can only cut if that is < rmax
  const double aplus = std::max(radsq_max - wi, 0.0);
  bool done = false;
  for (int a = 0; a < nn; a++) {
    const Neigh &n = nnear[order[a].second];
    const double rmax2 = DIM == 3 ? cell3d.max_r2() : cell2d.max_r2();
    const double t = n.rsq - aplus;
    if (t > 0.0 && t * t >= 4.0 * n.rsq * rmax2) {
      done = true;
      break;
    }
    const double d = 0.5 * (n.rsq + wi - n.wj);
    if (DIM == 3)
      cell3d.clip(n.del, d);
    else
      cell2d.clip(n.del, d, n.j);
  }
  if (!done && have_far)
    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      const double del[3] = {x[j][0] - xi0, x[j][1] - xi1, DIM == 3 ? x[j][2] - xi2 : 0.0};
      const double rsq = del[0] * del[0] + del[1] * del[1] + del[2] * del[2];
      if (rsq < rs2) continue;
      const double d = 0.5 * (rsq + wi - (radical ? radsq[j] : 0.0));
      if (DIM == 3)
        cell3d.clip(del, d);
      else
        cell2d.clip(del, d, j);
    }

  const bool empty = DIM == 3 ? cell3d.empty() : cell2d.empty();
  const double rmax2 = DIM == 3 ? cell3d.max_r2() : cell2d.max_r2();
  if (!empty && rmax2 >= h * h)
    error->one(FLERR,
               "pair_style {}: the cell of atom {} cannot be proven closed within the cut-off "
               "RC = {} (a cell vertex lies {:.4g} from the atom, the limit is {:.4g}); "
               "raise RC in the pair_style command",
               style_name, atom->tag[i], rc, sqrt(rmax2), h);

  // a plain Voronoi cell always contains its atom (every bisector plane lies
  // at r/2 > 0); an empty one means the cell is thinner than the clipping
  // resolves, and its atom would silently get no force.  Radical cells may be
  // empty (a small atom engulfed by its neighbours' cells).
  if (empty && !radical) {
    const double rmin = nn > 0 ? sqrt(order[0].first) : 0.0;
    const tagint jtag = nn > 0 ? atom->tag[nnear[order[0].second].j] : 0;
    error->one(FLERR,
               "pair_style {}: the cell of atom {} came out empty, which a Voronoi cell cannot "
               "be; its nearest neighbour (atom {}) is {:.6g} away: check the positions for "
               "atoms (nearly) on top of each other or a collapsed configuration",
               style_name, atom->tag[i], jtag, rmin);
  }

  if (DIM == 3)
    cell3d.moments(mom);
  else
    cell2d.moments(mom);
}

/* ----------------------------------------------------------------------
   after each neighbour-list build: radius of the sorted near shell from the
   mean number density (a few dozen atoms), and for every owned atom the
   neighbours within rs + skin, which contain all atoms within rs until the
   next build
------------------------------------------------------------------------- */

void PairVoronoi::build_near_lists()
{
  near_ncalls = neighbor->ncalls;
  if (domain->dimension == 3) {
    const double rho = atom->natoms / (domain->xprd * domain->yprd * domain->zprd);
    rs2 = pow(3.0 * NEAR_SHELL_COUNT_3D / (4.0 * M_PI * rho), 2.0 / 3.0);
  } else {
    const double rho = atom->natoms / (domain->xprd * domain->yprd);
    rs2 = NEAR_SHELL_COUNT_2D / (M_PI * rho);
  }
  rs2 = std::min(rs2, rc * rc);
  const double cut = sqrt(rs2) + neighbor->skin;
  const double cut2 = cut * cut;

  if (atom->nmax > maxnearatom) {
    maxnearatom = atom->nmax;
    memory->destroy(nearfirst);
    memory->destroy(nearnum);
    memory->create(nearfirst, maxnearatom, "pair:nearfirst");
    memory->create(nearnum, maxnearatom, "pair:nearnum");
  }
  const int inum = list->inum;
  bigint total = 0;
  for (int ii = 0; ii < inum; ii++) total += list->numneigh[list->ilist[ii]];
  if (total > maxnearidx) {
    maxnearidx = (int) total;
    memory->destroy(nearidx);
    memory->create(nearidx, maxnearidx, "pair:nearidx");
  }

  double **x = atom->x;
  int pos = 0;
  for (int ii = 0; ii < inum; ii++) {
    const int i = list->ilist[ii];
    const int *jlist = list->firstneigh[i];
    const int jnum = list->numneigh[i];
    nearfirst[i] = pos;
    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      const double dx = x[j][0] - x[i][0], dy = x[j][1] - x[i][1], dz = x[j][2] - x[i][2];
      if (dx * dx + dy * dy + dz * dz < cut2) nearidx[pos++] = j;
    }
    nearnum[i] = pos - nearfirst[i];
  }
}

/* ----------------------------------------------------------------------
   distance within which atoms outside RC cannot cut the cell of an atom
   with weight wi: every plane of a neighbour at r >= RC lies at least
   RC/2 - max(Rmax^2 - R_i^2, 0)/(2 RC) from the atom
------------------------------------------------------------------------- */

double PairVoronoi::security_half_width(double wi) const
{
  return 0.5 * rc - 0.5 * std::max(radsq_max - wi, 0.0) / rc;
}

/* ----------------------------------------------------------------------
   R^2 of owned and ghost atoms for the radical planes
------------------------------------------------------------------------- */

void PairVoronoi::fill_radsq()
{
  const int nall = atom->nlocal + atom->nghost;
  if (nall > nmax_radsq) {
    nmax_radsq = atom->nmax;
    memory->destroy(radsq);
    memory->create(radsq, nmax_radsq, "pair:radsq");
  }
  if (peratom_radius) {
    const double *radius = atom->radius;
    for (int i = 0; i < nall; i++) radsq[i] = radius[i] * radius[i];
  } else {
    const int *type = atom->type;
    for (int i = 0; i < nall; i++) radsq[i] = radius_type[type[i]] * radius_type[type[i]];
  }
}

/* ----------------------------------------------------------------------
   global settings: GAMMA RC [radius atom]
------------------------------------------------------------------------- */

void PairVoronoi::settings(int narg, char **arg)
{
  const std::string cmd = std::string("pair_style ") + style_name;
  if (narg < 2) utils::missing_cmd_args(FLERR, cmd, error);
  // a repeated pair_style command starts from the defaults (per-type radii)
  peratom_radius = 0;
  gamma = utils::numeric(FLERR, arg[0], false, lmp);
  rc = utils::numeric(FLERR, arg[1], false, lmp);
  if (gamma <= 0.0) error->all(FLERR, "{}: GAMMA must be positive, got {}", cmd, arg[0]);
  if (rc <= 0.0) error->all(FLERR, "{}: the cut-off RC must be positive, got {}", cmd, arg[1]);

  int iarg = 2;
  while (iarg < narg) {
    if (radical && strcmp(arg[iarg], "radius") == 0) {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, cmd + " radius", error);
      if (strcmp(arg[iarg + 1], "atom") == 0)
        peratom_radius = 1;
      else if (strcmp(arg[iarg + 1], "type") == 0)
        peratom_radius = 0;
      else
        error->all(FLERR, "{}: radius must be 'atom' or 'type', got '{}'", cmd, arg[iarg + 1]);
      iarg += 2;
    } else
      error->all(FLERR, "{}: unknown keyword '{}' (usage: {} GAMMA RC{})", cmd, arg[iarg], cmd,
                 radical ? " [radius atom|type]" : "");
  }
  one_coeff = (!radical || peratom_radius) ? 1 : 0;
}

/* ----------------------------------------------------------------------
   monodisperse: pair_coeff * * takes no parameters
------------------------------------------------------------------------- */

void PairVoronoi::coeff(int narg, char ** /*arg*/)
{
  if (narg != 2)
    error->all(FLERR, "pair_coeff for pair_style {} takes no parameters: use 'pair_coeff * *'",
               style_name);
  if (!allocated) allocate();
  const int n = atom->ntypes;
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 1;
}

/* ---------------------------------------------------------------------- */

void PairVoronoi::allocate()
{
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  memory->create(radius_type, n + 1, "pair:radius_type");
  memory->create(rset, n + 1, "pair:rset");
  for (int i = 0; i <= n; i++) {
    radius_type[i] = 0.0;
    rset[i] = 0;
    for (int j = 0; j <= n; j++) setflag[i][j] = 0;
  }
}

/* ----------------------------------------------------------------------
   checks that need the whole input, full neighbour list, <R^2>
------------------------------------------------------------------------- */

void PairVoronoi::init_style()
{
  const int dim = domain->dimension;
  if (!domain->xperiodic || !domain->yperiodic || (dim == 3 && !domain->zperiodic))
    error->all(FLERR,
               "pair_style {} tessellates a periodic box: use 'boundary p p p' "
               "(non-periodic boundaries have no walls to close the cells)",
               style_name);
  if (radical && peratom_radius && !atom->radius_flag)
    error->all(FLERR,
               "pair_style {} radius atom needs per-atom radii: use 'atom_style sphere' "
               "(or drop 'radius atom' and give pair_coeff I I R_I)",
               style_name);
  if (radical && !peratom_radius)
    for (int i = 1; i <= atom->ntypes; i++)
      if (!rset[i])
        error->all(FLERR, "pair_style {}: no radius for atom type {}: add 'pair_coeff {} {} R'",
                   style_name, i, i, i);

  neighbor->add_request(this, NeighConst::REQ_FULL);

  // Neighbor::init() restarts neighbor->ncalls at every run, so the count
  // alone does not tell a new list from the previous run's: atoms moved
  // between runs (scatter_atoms, displace_atoms, read_dump) would be
  // tessellated with stale near-shell candidates. Force a rebuild.
  near_ncalls = -1;

  // <R^2> and max R^2 over all atoms
  double sums[2] = {0.0, 0.0}, maxloc = 0.0;
  if (radical) {
    fill_radsq();
    for (int i = 0; i < atom->nlocal; i++) {
      sums[0] += radsq[i];
      maxloc = std::max(maxloc, radsq[i]);
    }
  }
  sums[1] = atom->nlocal;
  double sumall[2];
  MPI_Allreduce(sums, sumall, 2, MPI_DOUBLE, MPI_SUM, world);
  MPI_Allreduce(&maxloc, &radsq_max, 1, MPI_DOUBLE, MPI_MAX, world);
  radsq_mean = sumall[1] > 0.0 ? sumall[0] / sumall[1] : 0.0;

  // the smallest atom needs a positive security half-width
  double minloc = radsq_max;
  if (radical)
    for (int i = 0; i < atom->nlocal; i++) minloc = std::min(minloc, radsq[i]);
  double radsq_min;
  MPI_Allreduce(&minloc, &radsq_min, 1, MPI_DOUBLE, MPI_MIN, world);
  if (security_half_width(radsq_min) <= 0.0)
    error->all(FLERR,
               "pair_style {}: RC = {} is too small for radii differing by "
               "R_max^2 - R_min^2 = {}: RC must exceed sqrt of that, and several "
               "neighbour distances in practice",
               style_name, rc, radsq_max - radsq_min);
}

/* ---------------------------------------------------------------------- */

double PairVoronoi::init_one(int /*i*/, int /*j*/)
{
  return rc;
}

/* ---------------------------------------------------------------------- */

void PairVoronoi::write_restart_settings(FILE *fp)
{
  fwrite(&gamma, sizeof(double), 1, fp);
  fwrite(&rc, sizeof(double), 1, fp);
  fwrite(&peratom_radius, sizeof(int), 1, fp);
}

/* ---------------------------------------------------------------------- */

void PairVoronoi::read_restart_settings(FILE *fp)
{
  if (comm->me == 0) {
    utils::sfread(FLERR, &gamma, sizeof(double), 1, fp, nullptr, error);
    utils::sfread(FLERR, &rc, sizeof(double), 1, fp, nullptr, error);
    utils::sfread(FLERR, &peratom_radius, sizeof(int), 1, fp, nullptr, error);
  }
  MPI_Bcast(&gamma, 1, MPI_DOUBLE, 0, world);
  MPI_Bcast(&rc, 1, MPI_DOUBLE, 0, world);
  MPI_Bcast(&peratom_radius, 1, MPI_INT, 0, world);
  one_coeff = (!radical || peratom_radius) ? 1 : 0;
}

/* ---------------------------------------------------------------------- */

void PairVoronoi::write_restart(FILE *fp)
{
  write_restart_settings(fp);
  for (int i = 1; i <= atom->ntypes; i++) {
    fwrite(&rset[i], sizeof(int), 1, fp);
    fwrite(&radius_type[i], sizeof(double), 1, fp);
  }
}

/* ---------------------------------------------------------------------- */

void PairVoronoi::read_restart(FILE *fp)
{
  read_restart_settings(fp);
  allocate();
  const int n = atom->ntypes;
  for (int i = 1; i <= n; i++) {
    if (comm->me == 0) {
      utils::sfread(FLERR, &rset[i], sizeof(int), 1, fp, nullptr, error);
      utils::sfread(FLERR, &radius_type[i], sizeof(double), 1, fp, nullptr, error);
    }
    MPI_Bcast(&rset[i], 1, MPI_INT, 0, world);
    MPI_Bcast(&radius_type[i], 1, MPI_DOUBLE, 0, world);
  }
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 1;
}

/* ----------------------------------------------------------------------
   parameters for inspection: gamma, rc (scalars), radius (per type)
------------------------------------------------------------------------- */

void *PairVoronoi::extract(const char *str, int &dim)
{
  dim = 0;
  if (strcmp(str, "gamma") == 0) return (void *) &gamma;
  if (strcmp(str, "rc") == 0) return (void *) &rc;
  if (strcmp(str, "radius") == 0) {
    dim = 1;
    return (void *) radius_type;
  }
  return nullptr;
}

/* ----------------------------------------------------------------------
   per-atom cell data for fix pair, one vector each: volume (area in 2D),
   centroid cx cy cz, neighbors (faces in 3D, edges in 2D)
------------------------------------------------------------------------- */

void *PairVoronoi::extract_peratom(const char *str, int &ncol)
{
  static const char *names[CELLINFO_COLS] = {"volume", "cx", "cy", "cz", "neighbors"};
  ncol = 0;
  for (int k = 0; k < CELLINFO_COLS; k++)
    if (strcmp(str, names[k]) == 0) return cellinfo ? (void *) cellinfo[k] : nullptr;
  return nullptr;
}

/* ---------------------------------------------------------------------- */

double PairVoronoi::memory_usage()
{
  double bytes = Pair::memory_usage();
  bytes += (double) nmax_cell * CELLINFO_COLS * sizeof(double);
  bytes += (double) nmax_radsq * sizeof(double);
  bytes += (double) maxnearidx * sizeof(int) + 2.0 * maxnearatom * sizeof(int);
  bytes += (double) nnear.capacity() * sizeof(Neigh);
  return bytes;
}
