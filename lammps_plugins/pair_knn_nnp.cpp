/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   pair_style knn/nnp: k-nearest-neighbour Deep Potential (see pair_knn_nnp.h)

   For owned atom i of model type t with its k nearest neighbours j
   (r = x_j - x_i, within RMAX, from a full neighbour list with ghosts):
     R_j  = ((s - avg_t)/std_r_t, s x/(r std_a_t), s y/(r std_a_t), s z/(r std_a_t)),
            s = r (Granz 2026) or 1/r (DeePMD)
     g_j  = G_{t t_j}(R_j0)                      embedding net, M1 outputs
     A    = (1/k) sum_j g_j R_j^T                 M1 x 4
     D    = A A_<^T                               M1 x M2 (A_<: first M2 rows)
     E_i  = e_scale F_t(vec D) + e_shift_t       fitting net
   Backward pass (analytic): dE/dD from the fitting net, then
     dA_mc = sum_p dD_mp A_pc + [m < M2] sum_q dD_qm A_qc
     dE/dR_j = (1/k) dA^T g_j + e_0 (1/k) (dA R_j) . dg_j/dR_j0
   and the chain rule to r; the pair term gvec = dE_i/dr acts as +gvec on i
   and -gvec on j (a ghost when j is an image: newton_pair on sends it home).
   The embedding nets depend on one scalar each, so by default they are
   replaced by quintic Hermite tables built from the exact values, first and
   second derivatives (the "model compression" of Lu et al., J. Chem. Theory
   Comput. 18, 5559 (2022)); the table error is checked against the nets at
   the interval midpoints and logged.  'table no' evaluates the nets.
------------------------------------------------------------------------- */

#include "pair_knn_nnp.h"

#include "atom.h"
#include "citeme.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neighbor.h"
#include "slowdyn_simd.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace LAMMPS_NS;

static const char cite_knn_nnp[] =
    "pair_style knn/nnp: doi:10.5555/3327345.3327356\n\n"
    "@InProceedings{Zhang18,\n"
    " author = {L. Zhang and J. Han and H. Wang and W. A. Saidi and R. Car and W. E},\n"
    " title = {End-to-end Symmetry Preserving Inter-atomic Potential Energy Model for "
    "Finite and Extended Systems},\n"
    " booktitle = {Advances in Neural Information Processing Systems 31},\n"
    " year = 2018,\n"
    " pages = {4436--4446}\n"
    "}\n\n";

static constexpr const char *MAGIC = "slowdyn_knn_nnp";
static constexpr int FORMAT_VERSION = 1;
// table: start spacing (R0 units), accepted relative error of values and derivatives
// (round-off of the quintic coefficients alone is ~1e-12), at most this many halvings
static constexpr double TABLE_H0 = 1.0 / 64.0;
static constexpr double TABLE_TOL = 1.0e-10;
static constexpr int TABLE_MAX_REFINE = 4;
// tabulated range of r for s = 1/r (below: exact nets), as a fraction of RMAX
static constexpr double TABLE_RMIN_FRAC = 0.05;

/* ----------------------------------------------------------------------
   hot kernels (free functions so that SIMD clones can be generated)
------------------------------------------------------------------------- */

// z[o] = b[o] + sum_i wt[i*nout+o] h[i];  dz likewise from dh (no bias)
SLOWDYN_SIMD_CLONES
static void dense_tangent(int nin, int nout, const double *__restrict wt, const double *__restrict b,
                          const double *__restrict h, const double *__restrict dh,
                          double *__restrict z, double *__restrict dz)
{
  for (int o = 0; o < nout; o++) {
    z[o] = b[o];
    dz[o] = 0.0;
  }
  for (int i = 0; i < nin; i++) {
    const double hi = h[i], dhi = dh[i];
    const double *w = wt + (size_t) i * nout;
    for (int o = 0; o < nout; o++) {
      z[o] += w[o] * hi;
      dz[o] += w[o] * dhi;
    }
  }
}

// value and derivative of the quintic pieces for all M1 outputs at t in [0,1)
SLOWDYN_SIMD_CLONES
static void quintic_eval(int m1, const double *__restrict c, double t, double inv_h,
                         double *__restrict g, double *__restrict gd)
{
  const double *c0 = c, *c1 = c + m1, *c2 = c + 2 * m1, *c3 = c + 3 * m1, *c4 = c + 4 * m1,
               *c5 = c + 5 * m1;
  for (int m = 0; m < m1; m++) {
    g[m] = c0[m] + t * (c1[m] + t * (c2[m] + t * (c3[m] + t * (c4[m] + t * c5[m]))));
    gd[m] = inv_h * (c1[m] + t * (2.0 * c2[m] + t * (3.0 * c3[m] + t * (4.0 * c4[m] + t * 5.0 * c5[m]))));
  }
}

// A[c][m] += g[m] env[c]   (stored 4 x M1: contiguous in m)
SLOWDYN_SIMD_CLONES
static void accumulate_a(int m1, const double *__restrict g, const double *__restrict env,
                         double *__restrict a)
{
  const double e0 = env[0], e1 = env[1], e2 = env[2], e3 = env[3];
  double *__restrict a0 = a, *__restrict a1 = a + m1, *__restrict a2 = a + 2 * m1,
                     *__restrict a3 = a + 3 * m1;
  for (int m = 0; m < m1; m++) {
    a0[m] += g[m] * e0;
    a1[m] += g[m] * e1;
    a2[m] += g[m] * e2;
    a3[m] += g[m] * e3;
  }
}

// t[o] = b[o] + sum_i wt[i*nout+o] x[i]   (independent accumulators over o)
SLOWDYN_SIMD_CLONES
static void dense_forward(int nin, int nout, const double *__restrict wt, const double *__restrict b,
                          const double *__restrict x, double *__restrict t)
{
  for (int o = 0; o < nout; o++) t[o] = b[o];
  for (int i = 0; i < nin; i++) {
    const double xi = x[i];
    const double *w = wt + (size_t) i * nout;
    for (int o = 0; o < nout; o++) t[o] += w[o] * xi;
  }
}

// y[i] = sum_o w[o*nin+i] dz[o]   (W^T dz as a sum of long rows)
SLOWDYN_SIMD_CLONES
static void dense_backward(int nin, int nout, const double *__restrict w, const double *__restrict dz,
                           double *__restrict y)
{
  for (int i = 0; i < nin; i++) y[i] = 0.0;
  for (int o = 0; o < nout; o++) {
    const double *row = w + (size_t) o * nin;
    const double d = dz[o];
    for (int i = 0; i < nin; i++) y[i] += row[i] * d;
  }
}

// D[m][p] = sum_c A[c][m] A[c][p]  (A stored 4 x M1)
SLOWDYN_SIMD_CLONES
static void descriptor_d(int m1, int m2, const double *__restrict a, double *__restrict d)
{
  const double *a0 = a, *a1 = a + m1, *a2 = a + 2 * m1, *a3 = a + 3 * m1;
  for (int m = 0; m < m1; m++)
    for (int p = 0; p < m2; p++)
      d[m * m2 + p] = a0[m] * a0[p] + a1[m] * a1[p] + a2[m] * a2[p] + a3[m] * a3[p];
}

// dA[c][m] = scale (sum_p dD[m][p] A[c][p] + [m < M2] sum_q dD[q][m] A[c][q])
SLOWDYN_SIMD_CLONES
static void descriptor_backward(int m1, int m2, double scale, const double *__restrict a,
                                const double *__restrict dd, double *__restrict da)
{
  for (int c = 0; c < 4; c++) {
    const double *ac = a + c * m1;
    double *dac = da + c * m1;
    for (int m = 0; m < m1; m++) {
      const double *row = dd + m * m2;
      double s = 0.0;
#pragma omp simd reduction(+ : s)
      for (int p = 0; p < m2; p++) s += row[p] * ac[p];
      dac[m] = s;
    }
    // (dD^T A)[p] = sum_q dD[q][p] A[c][q], for p < M2
    for (int q = 0; q < m1; q++) {
      const double *row = dd + q * m2;
      const double aq = ac[q];
      for (int p = 0; p < m2; p++) dac[p] += row[p] * aq;
    }
    for (int m = 0; m < m1; m++) dac[m] *= scale;
  }
}

// backward through A for one neighbour (dA stored 4 x M1): de[c] = sum_m dA[c][m] g[m],
// de[0] += sum_m (dA^T env)_m gd[m]  (the embedding's dependence on env0)
SLOWDYN_SIMD_CLONES
static void neighbour_backward(int m1, const double *__restrict da, const double *__restrict g,
                               const double *__restrict gd, const double *__restrict env,
                               double *__restrict de)
{
  const double e0 = env[0], e1 = env[1], e2 = env[2], e3 = env[3];
  const double *__restrict d0 = da, *__restrict d1 = da + m1, *__restrict d2 = da + 2 * m1,
                           *__restrict d3 = da + 3 * m1;
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, se = 0.0;
#pragma omp simd reduction(+ : s0, s1, s2, s3, se)
  for (int m = 0; m < m1; m++) {
    s0 += d0[m] * g[m];
    s1 += d1[m] * g[m];
    s2 += d2[m] * g[m];
    s3 += d3[m] * g[m];
    se += (d0[m] * e0 + d1[m] * e1 + d2[m] * e2 + d3[m] * e3) * gd[m];
  }
  de[0] = s0 + se;
  de[1] = s1;
  de[2] = s2;
  de[3] = s3;
}

/* ---------------------------------------------------------------------- */

PairKNNNNP::PairKNNNNP(LAMMPS *lmp) :
    Pair(lmp), rmax(0.0), use_table(1), ntypes_model(0), knn(0), weighting(0), rmax_hint(0.0), m1(0),
    m2(0), e_scale(1.0), table_error(0.0), typemap(nullptr), maxcand(0), cand_rsq(nullptr),
    cand_j(nullptr), cand_order(nullptr), nb_del(nullptr), nb_r(nullptr), nb_env(nullptr),
    nb_g(nullptr), nb_gd(nullptr), nb_j(nullptr), amat(nullptr), damat(nullptr), dmat(nullptr),
    ddmat(nullptr), fit_buf(nullptr), fit_grad(nullptr), emb_h(nullptr), emb_dh(nullptr),
    emb_z(nullptr), emb_dz(nullptr), fit_stride(0)
{
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  // the virial is tallied pair by pair in compute()
  no_virial_fdotr_compute = 1;
  if (lmp->citeme) lmp->citeme->add(cite_knn_nnp);
}

/* ---------------------------------------------------------------------- */

PairKNNNNP::~PairKNNNNP()
{
  if (copymode) return;
  free_work();
  memory->destroy(cand_rsq);
  memory->destroy(cand_j);
  memory->destroy(cand_order);
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
    memory->destroy(typemap);
  }
}

/* ---------------------------------------------------------------------- */

void PairKNNNNP::free_work()
{
  memory->destroy(nb_del);
  memory->destroy(nb_r);
  memory->destroy(nb_env);
  memory->destroy(nb_g);
  memory->destroy(nb_gd);
  memory->destroy(nb_j);
  memory->destroy(amat);
  memory->destroy(damat);
  memory->destroy(dmat);
  memory->destroy(ddmat);
  memory->destroy(fit_buf);
  memory->destroy(fit_grad);
  memory->destroy(emb_h);
  memory->destroy(emb_dh);
  memory->destroy(emb_z);
  memory->destroy(emb_dz);
}

/* ----------------------------------------------------------------------
   buffers sized by the model (k, widths): created once per pair_style
------------------------------------------------------------------------- */

void PairKNNNNP::allocate_work()
{
  free_work();
  int wmax = 1;
  for (int w : emb_widths) wmax = std::max(wmax, w);
  memory->create(nb_del, 3 * knn, "pair:nb_del");
  memory->create(nb_r, knn, "pair:nb_r");
  memory->create(nb_env, 4 * knn, "pair:nb_env");
  memory->create(nb_g, (bigint) knn * m1, "pair:nb_g");
  memory->create(nb_gd, (bigint) knn * m1, "pair:nb_gd");
  memory->create(nb_j, knn, "pair:nb_j");
  memory->create(amat, 4 * m1, "pair:amat");
  memory->create(damat, 4 * m1, "pair:damat");
  memory->create(dmat, m1 * m2, "pair:dmat");
  memory->create(ddmat, m1 * m2, "pair:ddmat");
  // fitting net: input and each layer's output (tanh part kept for backward)
  fit_stride = m1 * m2;
  for (int w : fit_widths) fit_stride = std::max(fit_stride, w);
  const int nlay = (int) fit_widths.size() + 1;
  memory->create(fit_buf, 2 * (nlay + 1) * fit_stride, "pair:fit_buf");
  memory->create(fit_grad, 2 * fit_stride, "pair:fit_grad");
  memory->create(emb_h, wmax, "pair:emb_h");
  memory->create(emb_dh, wmax, "pair:emb_dh");
  memory->create(emb_z, wmax, "pair:emb_z");
  memory->create(emb_dz, wmax, "pair:emb_dz");
}

/* ---------------------------------------------------------------------- */

void PairKNNNNP::grow_candidates(int n)
{
  if (n <= maxcand) return;
  maxcand = std::max(n, 2 * maxcand);
  memory->destroy(cand_rsq);
  memory->destroy(cand_j);
  memory->destroy(cand_order);
  memory->create(cand_rsq, maxcand, "pair:cand_rsq");
  memory->create(cand_j, maxcand, "pair:cand_j");
  memory->create(cand_order, maxcand, "pair:cand_order");
}

/* ----------------------------------------------------------------------
   embedding net at x = R0: outputs g (M1) and dg/dx (forward-mode tangent)
------------------------------------------------------------------------- */

void PairKNNNNP::embed_exact(const Net &net, double x, double *g, double *gd)
{
  double *h = emb_h, *dh = emb_dh, *z = emb_z, *dz = emb_dz;
  h[0] = x;
  dh[0] = 1.0;
  int width = 1;
  for (const Layer &L : net) {
    dense_tangent(L.nin, L.nout, L.wt.data(), L.b.data(), h, dh, z, dz);
    for (int o = 0; o < L.nout; o++) {
      const double t = std::tanh(z[o]);
      const double d = (1.0 - t * t) * dz[o];
      double v = t, dv = d;
      if (L.residual == 1) {
        v += h[o];
        dv += dh[o];
      } else if (L.residual == 2) {
        v += h[o % L.nin];
        dv += dh[o % L.nin];
      }
      z[o] = v;
      dz[o] = dv;
    }
    std::swap(h, z);
    std::swap(dh, dz);
    width = L.nout;
  }
  std::memcpy(g, h, sizeof(double) * width);
  std::memcpy(gd, dh, sizeof(double) * width);
}

/* ---------------------------------------------------------------------- */

void PairKNNNNP::embed_table(const Table &tab, const Net &net, double x, double *g, double *gd)
{
  if (!(x >= tab.lo && x < tab.hi)) {
    embed_exact(net, x, g, gd);
    return;
  }
  const double u = (x - tab.lo) * tab.inv_h;
  int iv = (int) u;
  if (iv >= tab.n) iv = tab.n - 1;
  quintic_eval(m1, tab.c.data() + (size_t) iv * 6 * m1, u - iv, tab.inv_h, g, gd);
}

/* ----------------------------------------------------------------------
   fitting net: returns the network output; dout_din = d output / d input
   (layer inputs and tanh outputs are kept in fit_buf for the backward pass)
------------------------------------------------------------------------- */

double PairKNNNNP::fit_forward_backward(const Net &net, const double *in, double *dout_din)
{
  const int nl = (int) net.size();
  const int s = fit_stride;
  // fit_buf: [2l] = input of layer l, [2l+1] = tanh output of layer l
  std::memcpy(fit_buf, in, sizeof(double) * net[0].nin);
  double out = 0.0;
  for (int l = 0; l < nl; l++) {
    const Layer &L = net[l];
    const double *x = fit_buf + 2 * l * s;
    double *t = fit_buf + (2 * l + 1) * s;
    double *y = fit_buf + (2 * l + 2) * s;
    dense_forward(L.nin, L.nout, L.wt.data(), L.b.data(), x, t);
    if (L.linear) {
      out = t[0];
      break;
    }
    for (int o = 0; o < L.nout; o++) {
      t[o] = std::tanh(t[o]);
      y[o] = t[o] + (L.residual == 1 ? x[o] : (L.residual == 2 ? x[o % L.nin] : 0.0));
    }
  }
  // backward: gradient of the output w.r.t. each layer's input
  double *gy = fit_grad, *gx = fit_grad + s;
  const Layer &Lout = net[nl - 1];
  for (int i = 0; i < Lout.nin; i++) gy[i] = Lout.w[i];    // W_out^T (nout = 1)
  for (int l = nl - 2; l >= 0; l--) {
    const Layer &L = net[l];
    const double *t = fit_buf + (2 * l + 1) * s;
    // gy: gradient w.r.t. this layer's output; dz = gy (1 - t^2)
    double *dz = fit_buf + (2 * l + 2) * s;    // the layer output is no longer needed
    for (int o = 0; o < L.nout; o++) dz[o] = gy[o] * (1.0 - t[o] * t[o]);
    dense_backward(L.nin, L.nout, L.w.data(), dz, gx);
    if (L.residual == 1)
      for (int i = 0; i < L.nin; i++) gx[i] += gy[i];
    else if (L.residual == 2)
      for (int i = 0; i < L.nin; i++) gx[i] += gy[i] + gy[i + L.nin];
    std::swap(gx, gy);
  }
  std::memcpy(dout_din, gy, sizeof(double) * net[0].nin);
  return out;
}

/* ----------------------------------------------------------------------
   energies, forces and virial of every owned atom's environment
------------------------------------------------------------------------- */

void PairKNNNNP::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);

  double **x = atom->x;
  double **f = atom->f;
  const int *type = atom->type;
  const double rmax2 = rmax * rmax;
  const double inv_k = 1.0 / knn;
  const int nt = ntypes_model;

  const int inum = list->inum;
  const int *ilist = list->ilist;
  // candidate buffers sized once per step, never inside the atom loop
  int maxjnum = 0;
  for (int ii = 0; ii < inum; ii++) maxjnum = std::max(maxjnum, list->numneigh[ilist[ii]]);
  grow_candidates(maxjnum);

  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    const int ti = typemap[type[i]];
    const int *jlist = list->firstneigh[i];
    const int jnum = list->numneigh[i];
    const double xi0 = x[i][0], xi1 = x[i][1], xi2 = x[i][2];

    // candidates within RMAX, then the k nearest (partial selection)
    int nc = 0;
    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      const double dx = x[j][0] - xi0, dy = x[j][1] - xi1, dz = x[j][2] - xi2;
      const double rsq = dx * dx + dy * dy + dz * dz;
      if (rsq < rmax2) {
        cand_rsq[nc] = rsq;
        cand_j[nc] = j;
        cand_order[nc] = nc;
        nc++;
      }
    }
    if (nc < knn)
      error->one(FLERR,
                 "pair_style knn/nnp: atom {} has {} neighbours within RMAX = {}, fewer than the "
                 "model's k = {}: raise RMAX in the pair_style command (or the density is far "
                 "below the training data)",
                 atom->tag[i], nc, rmax, knn);
    if (nc > knn) {
      const double *crsq = cand_rsq;
      std::nth_element(cand_order, cand_order + knn - 1, cand_order + nc,
                       [crsq](int a, int b) { return crsq[a] < crsq[b]; });
    }

    // environment rows, embedding and A
    std::fill(amat, amat + 4 * m1, 0.0);
    const double avg_t = avg[ti], isr = 1.0 / std_r[ti], isa = 1.0 / std_a[ti];
    for (int n = 0; n < knn; n++) {
      const int j = cand_j[cand_order[n]];
      const double dx = x[j][0] - xi0, dy = x[j][1] - xi1, dz = x[j][2] - xi2;
      const double r = sqrt(cand_rsq[cand_order[n]]);
      if (r == 0.0)
        error->one(FLERR, "pair_style knn/nnp: atoms {} and {} sit at the same position",
                   atom->tag[i], atom->tag[j]);
      const double s = weighting == 0 ? r : 1.0 / r;
      double *del = nb_del + 3 * n;
      del[0] = dx;
      del[1] = dy;
      del[2] = dz;
      nb_r[n] = r;
      nb_j[n] = j;
      double *env = nb_env + 4 * n;
      const double sa = s / r * isa;
      env[0] = (s - avg_t) * isr;
      env[1] = sa * dx;
      env[2] = sa * dy;
      env[3] = sa * dz;
      const int p = ti * nt + typemap[type[j]];
      double *g = nb_g + (size_t) n * m1;
      double *gd = nb_gd + (size_t) n * m1;
      if (use_table)
        embed_table(tables[p], emb_nets[p], env[0], g, gd);
      else
        embed_exact(emb_nets[p], env[0], g, gd);
      accumulate_a(m1, g, env, amat);
    }
    for (int q = 0; q < 4 * m1; q++) amat[q] *= inv_k;

    // D = A A_<^T, fitting net, dE/dD, then dA folded with e_scale / k  (A, dA stored 4 x M1)
    descriptor_d(m1, m2, amat, dmat);
    const double out = fit_forward_backward(fit_nets[ti], dmat, ddmat);
    const double ei = e_scale * out + e_shift[ti];
    descriptor_backward(m1, m2, e_scale * inv_k, amat, ddmat, damat);

    // per neighbour: dE/denv, then dE/dr; forces and virial
    double fi[3] = {0.0, 0.0, 0.0};
    double vi[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    for (int n = 0; n < knn; n++) {
      const double *env = nb_env + 4 * n;
      const double *g = nb_g + (size_t) n * m1;
      const double *gd = nb_gd + (size_t) n * m1;
      double de[4];
      neighbour_backward(m1, damat, g, gd, env, de);
      const double r = nb_r[n];
      const double *del = nb_del + 3 * n;
      const double u[3] = {del[0] / r, del[1] / r, del[2] / r};
      const double s = weighting == 0 ? r : 1.0 / r;
      const double ds = weighting == 0 ? 1.0 : -1.0 / (r * r);
      const double du = de[1] * u[0] + de[2] * u[1] + de[3] * u[2];
      // d env0/dr_c = ds u_c / std_r ; d env_c'/dr_c = (ds u_c u_c' + s/r (delta - u_c u_c')) / std_a
      const double radial = de[0] * ds * isr + isa * (ds - s / r) * du;
      const double tang = isa * s / r;
      double gv[3];
      for (int c = 0; c < 3; c++) gv[c] = radial * u[c] + tang * de[1 + c];
      const int j = nb_j[n];
      fi[0] += gv[0];
      fi[1] += gv[1];
      fi[2] += gv[2];
      f[j][0] -= gv[0];
      f[j][1] -= gv[1];
      f[j][2] -= gv[2];
      if (vflag_either) {
        const double v[6] = {-del[0] * gv[0], -del[1] * gv[1], -del[2] * gv[2],
                             -del[0] * gv[1], -del[0] * gv[2], -del[1] * gv[2]};
        for (int c = 0; c < 6; c++) vi[c] += v[c];
        if (vflag_atom)
          for (int c = 0; c < 6; c++) vatom[j][c] += 0.5 * v[c];
      }
    }
    f[i][0] += fi[0];
    f[i][1] += fi[1];
    f[i][2] += fi[2];
    if (eflag_global) eng_vdwl += ei;
    if (eflag_atom) eatom[i] += ei;
    if (vflag_global)
      for (int c = 0; c < 6; c++) virial[c] += vi[c];
    if (vflag_atom)
      for (int c = 0; c < 6; c++) vatom[i][c] += 0.5 * vi[c];
  }
}

/* ----------------------------------------------------------------------
   pair_style knn/nnp MODEL_FILE RMAX [table yes|no]
------------------------------------------------------------------------- */

void PairKNNNNP::settings(int narg, char **arg)
{
  const std::string cmd = "pair_style knn/nnp";
  if (narg < 2) utils::missing_cmd_args(FLERR, cmd + " MODEL_FILE RMAX", error);
  // defaults
  use_table = 1;
  model_file = arg[0];
  rmax = utils::numeric(FLERR, arg[1], false, lmp);
  if (rmax <= 0.0)
    error->all(FLERR, "{}: RMAX must be positive (the radius that holds every atom's k "
                      "nearest neighbours), got {}", cmd, arg[1]);
  int iarg = 2;
  while (iarg < narg) {
    if (strcmp(arg[iarg], "table") == 0) {
      if (iarg + 2 > narg) utils::missing_cmd_args(FLERR, cmd + " table", error);
      use_table = utils::logical(FLERR, arg[iarg + 1], false, lmp);
      iarg += 2;
    } else
      error->all(FLERR, "{}: unknown keyword '{}' (usage: {} MODEL_FILE RMAX [table yes|no])", cmd,
                 arg[iarg], cmd);
  }

  // rank 0 reads the file, every rank parses the same text
  std::string text;
  int len = -1;
  if (comm->me == 0) {
    std::ifstream in(model_file, std::ios::binary);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
      len = (int) text.size();
    }
  }
  MPI_Bcast(&len, 1, MPI_INT, 0, world);
  if (len < 0)
    error->all(FLERR, "{}: cannot open model file '{}': {} (write one with "
                      "slowdyn.nnp.knn.export.write_model)", cmd, model_file, "no such readable file");
  text.resize(len);
  MPI_Bcast(text.data(), len, MPI_CHAR, 0, world);
  read_model(text);
  allocate_work();
  if (use_table) build_tables();
  if (comm->me == 0)
    utils::logmesg(lmp,
                   "pair_style knn/nnp: model '{}': {} types, k = {}, s(r) = {}, embedding {} x {}, "
                   "{} axis neurons, fitting {} layers; RMAX = {} (training hint {}){}\n",
                   model_file, ntypes_model, knn, weighting == 0 ? "r" : "1/r",
                   emb_widths.size(), m1, m2, fit_widths.size(), rmax, rmax_hint,
                   use_table ? fmt::format("; embedding tables, max relative error {:.2e}", table_error)
                             : std::string("; exact embedding nets"));
  if (allocated) {
    // a new model may have other type names: pair_coeff must map them again
    const int n = atom->ntypes;
    for (int i = 1; i <= n; i++)
      for (int j = i; j <= n; j++) setflag[i][j] = 0;
  }
}

/* ----------------------------------------------------------------------
   parse the model file (format: slowdyn.nnp.knn.export, doc/pair_knn_nnp.rst)
------------------------------------------------------------------------- */

void PairKNNNNP::read_model(const std::string &text)
{
  const size_t nul = text.find('\0');
  if (nul != std::string::npos)
    error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: it contains a NUL byte at "
                      "offset {} (a model file is plain text: write it again with "
                      "slowdyn.nnp.knn.export.write_model)", model_file, nul);
  std::vector<std::string> toks;
  {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line[0] == '#') continue;
      std::istringstream ls(line);
      std::string t;
      while (ls >> t) toks.push_back(t);
    }
  }
  size_t pos = 0;
  const std::string &file = model_file;
  auto next = [&](const char *what) -> const std::string & {
    if (pos >= toks.size())
      error->all(FLERR, "pair_style knn/nnp: model file '{}' is truncated or corrupt: it ends "
                        "where {} was expected", file, what);
    return toks[pos++];
  };
  auto key = [&](const char *name) {
    const std::string &t = next(name);
    if (t != name)
      error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: expected '{}', found '{}'",
                 file, name, t);
  };
  auto real = [&](const char *what) -> double {
    const std::string &t = next(what);
    char *end = nullptr;
    errno = 0;
    const double v = strtod(t.c_str(), &end);
    if (end == t.c_str() || end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v))
      error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: '{}' is not a finite "
                        "number ({})", file, t, what);
    return v;
  };
  auto integer = [&](const char *what, int lo, int hi) -> int {
    const std::string &t = next(what);
    char *end = nullptr;
    const long v = strtol(t.c_str(), &end, 10);
    if (end == t.c_str() || end != t.c_str() + t.size() || v < lo || v > hi)
      error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: {} must be an integer in "
                        "[{}, {}], found '{}'", file, what, lo, hi, t);
    return (int) v;
  };

  if (toks.empty() || toks[0] != MAGIC)
    error->all(FLERR, "pair_style knn/nnp: '{}' is not a kNN model file (its first word must be "
                      "'{}'; write it with slowdyn.nnp.knn.export.write_model)", file, MAGIC);
  pos = 1;
  const int version = integer("the format version", 0, 1000000);
  if (version != FORMAT_VERSION)
    error->all(FLERR, "pair_style knn/nnp: model file '{}' has format version {}, this slowdyn "
                      "reads version {}: export the model again with this slowdyn", file, version,
               FORMAT_VERSION);
  key("ntypes");
  ntypes_model = integer("ntypes", 1, 1000);
  key("type_names");
  type_names.clear();
  for (int t = 0; t < ntypes_model; t++) type_names.push_back(next("a type name"));
  key("k");
  knn = integer("k", 1, 100000);
  key("rmax");
  rmax_hint = real("rmax");
  key("weighting");
  const std::string w = next("weighting");
  if (w == "r")
    weighting = 0;
  else if (w == "inv_r")
    weighting = 1;
  else
    error->all(FLERR, "pair_style knn/nnp: model file '{}': weighting must be 'r' or 'inv_r', "
                      "found '{}'", file, w);
  key("embedding");
  emb_widths.assign(integer("the number of embedding layers", 1, 100), 0);
  for (int &v : emb_widths) v = integer("an embedding width", 1, 100000);
  key("axis_neurons");
  m1 = emb_widths.back();
  m2 = integer("axis_neurons", 1, m1);
  key("fitting");
  fit_widths.assign(integer("the number of fitting layers", 0, 100), 0);
  for (int &v : fit_widths) v = integer("a fitting width", 1, 100000);
  auto per_type = [&](const char *name, std::vector<double> &v) {
    key(name);
    v.assign(ntypes_model, 0.0);
    for (double &x : v) x = real(name);
  };
  per_type("avg", avg);
  per_type("std_r", std_r);
  per_type("std_a", std_a);
  per_type("e_shift", e_shift);
  for (int t = 0; t < ntypes_model; t++)
    if (std_r[t] <= 0.0 || std_a[t] <= 0.0)
      error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: std_r and std_a must be "
                        "positive", file);
  key("e_scale");
  e_scale = real("e_scale");

  auto read_net = [&](Net &net, const std::vector<int> &widths, int nin0, bool with_output) {
    net.clear();
    int prev = nin0;
    const int nlayers = (int) widths.size() + (with_output ? 1 : 0);
    for (int l = 0; l < nlayers; l++) {
      const bool out = with_output && l == (int) widths.size();
      const int nout = out ? 1 : widths[l];
      key("layer");
      const int nin_f = integer("a layer's input width", 1, 10000000);
      const int nout_f = integer("a layer's output width", 1, 10000000);
      if (nin_f != prev || nout_f != nout)
        error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: a layer is {} x {}, "
                          "the header implies {} x {}", file, nin_f, nout_f, prev, nout);
      Layer L;
      L.nin = prev;
      L.nout = nout;
      L.linear = out;
      L.residual = out ? 0 : (nout == prev ? 1 : (nout == 2 * prev ? 2 : 0));
      L.wt.assign((size_t) prev * nout, 0.0);
      L.w.assign((size_t) prev * nout, 0.0);
      for (int o = 0; o < nout; o++)
        for (int i = 0; i < prev; i++) {
          L.w[(size_t) o * prev + i] = real("a weight");
          L.wt[(size_t) i * nout + o] = L.w[(size_t) o * prev + i];
        }
      L.b.assign(nout, 0.0);
      for (double &b : L.b) b = real("a bias");
      net.push_back(std::move(L));
      prev = nout;
    }
  };
  emb_nets.assign(ntypes_model * ntypes_model, Net());
  for (int ti = 0; ti < ntypes_model; ti++)
    for (int tj = 0; tj < ntypes_model; tj++) {
      key("embedding_net");
      const int a = integer("TI", 0, ntypes_model - 1), b = integer("TJ", 0, ntypes_model - 1);
      if (a != ti || b != tj)
        error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: embedding net {} {} "
                          "where {} {} was expected", file, a, b, ti, tj);
      read_net(emb_nets[ti * ntypes_model + tj], emb_widths, 1, false);
    }
  fit_nets.assign(ntypes_model, Net());
  for (int ti = 0; ti < ntypes_model; ti++) {
    key("fitting_net");
    const int a = integer("TI", 0, ntypes_model - 1);
    if (a != ti)
      error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: fitting net {} where {} "
                        "was expected", file, a, ti);
    read_net(fit_nets[ti], fit_widths, m1 * m2, true);
  }
  key("end");
  if (pos != toks.size())
    error->all(FLERR, "pair_style knn/nnp: model file '{}' is corrupt: text after 'end'", file);
}

/* ----------------------------------------------------------------------
   quintic Hermite tables of every embedding net over the R0 range that
   distances in (0, RMAX] produce; error checked at the interval midpoints
------------------------------------------------------------------------- */

void PairKNNNNP::build_tables()
{
  const int nt = ntypes_model;
  tables.assign(nt * nt, Table());
  table_error = 0.0;
  std::vector<double> hv(64), dv(64), d2v(64), zv(64), dzv(64), d2zv(64);
  // value, first and second derivative of the net at x (forward mode, 2nd order)
  auto eval2 = [&](const Net &net, double x, double *v0, double *v1, double *v2) {
    size_t wmax = 1;
    for (const Layer &L : net) wmax = std::max(wmax, (size_t) L.nout);
    if (hv.size() < wmax) {
      for (auto *vec : {&hv, &dv, &d2v, &zv, &dzv, &d2zv}) vec->resize(wmax);
    }
    hv[0] = x;
    dv[0] = 1.0;
    d2v[0] = 0.0;
    int width = 1;
    for (const Layer &L : net) {
      for (int o = 0; o < L.nout; o++) {
        double z = L.b[o], z1 = 0.0, z2 = 0.0;
        for (int i = 0; i < L.nin; i++) {
          const double wv = L.wt[(size_t) i * L.nout + o];
          z += wv * hv[i];
          z1 += wv * dv[i];
          z2 += wv * d2v[i];
        }
        const double t = std::tanh(z), sech2 = 1.0 - t * t;
        double y0 = t, y1 = sech2 * z1, y2 = sech2 * z2 - 2.0 * t * sech2 * z1 * z1;
        if (L.residual) {
          const int src = L.residual == 1 ? o : o % L.nin;
          y0 += hv[src];
          y1 += dv[src];
          y2 += d2v[src];
        }
        zv[o] = y0;
        dzv[o] = y1;
        d2zv[o] = y2;
      }
      std::swap(hv, zv);
      std::swap(dv, dzv);
      std::swap(d2v, d2zv);
      width = L.nout;
    }
    for (int m = 0; m < width; m++) {
      v0[m] = hv[m];
      v1[m] = dv[m];
      v2[m] = d2v[m];
    }
  };

  std::vector<double> f0(m1), f1(m1), f2(m1), g0(m1), g1(m1), g2(m1), ge(m1), gde(m1), gt(m1),
      gdt(m1);
  for (int ti = 0; ti < nt; ti++) {
    // range of R0 = (s - avg)/std_r for r in (rmin, RMAX]
    double s_lo, s_hi;
    if (weighting == 0) {
      s_lo = 0.0;
      s_hi = rmax;
    } else {
      s_lo = 1.0 / rmax;
      s_hi = 1.0 / (TABLE_RMIN_FRAC * rmax);
    }
    const double lo = (s_lo - avg[ti]) / std_r[ti], hi = (s_hi - avg[ti]) / std_r[ti];
    for (int tj = 0; tj < nt; tj++) {
      const Net &net = emb_nets[ti * nt + tj];
      Table &tab = tables[ti * nt + tj];
      // scale of the outputs and their derivatives over the range (errors are relative to it)
      double gmax = 0.0, dmax = 0.0;
      const int nscan = 2048;
      for (int q = 0; q <= nscan; q++) {
        embed_exact(net, lo + (hi - lo) * q / nscan, ge.data(), gde.data());
        for (int m = 0; m < m1; m++) {
          gmax = std::max(gmax, std::fabs(ge[m]));
          dmax = std::max(dmax, std::fabs(gde[m]));
        }
      }
      gmax = std::max(gmax, 1e-300);
      dmax = std::max(dmax, 1e-300);
      // halve the spacing until the error is below TABLE_TOL; round-off of the
      // coefficients grows as the spacing shrinks, so keep the best table seen
      Table best;
      double best_err = HUGE_VAL;
      double h = TABLE_H0;
      for (int refine = 0; refine <= TABLE_MAX_REFINE; refine++, h *= 0.5) {
        tab.n = std::max(1, (int) std::ceil((hi - lo) / h));
        tab.h = (hi - lo) / tab.n;
        tab.inv_h = 1.0 / tab.h;
        tab.lo = lo;
        tab.hi = hi;
        tab.c.assign((size_t) tab.n * 6 * m1, 0.0);
        eval2(net, lo, f0.data(), f1.data(), f2.data());
        for (int iv = 0; iv < tab.n; iv++) {
          eval2(net, lo + (iv + 1) * tab.h, g0.data(), g1.data(), g2.data());
          double *c = tab.c.data() + (size_t) iv * 6 * m1;
          const double hh = tab.h;
          for (int m = 0; m < m1; m++) {
            const double df = g0[m] - f0[m], d0 = f1[m] * hh, d1 = g1[m] * hh;
            const double s0 = f2[m] * hh * hh, s1 = g2[m] * hh * hh;
            c[0 * m1 + m] = f0[m];
            c[1 * m1 + m] = d0;
            c[2 * m1 + m] = 0.5 * s0;
            c[3 * m1 + m] = 10.0 * df - 6.0 * d0 - 4.0 * d1 - 0.5 * (3.0 * s0 - s1);
            c[4 * m1 + m] = -15.0 * df + 8.0 * d0 + 7.0 * d1 + 0.5 * (3.0 * s0 - 2.0 * s1);
            c[5 * m1 + m] = 6.0 * df - 3.0 * d0 - 3.0 * d1 - 0.5 * (s0 - s1);
          }
          f0.swap(g0);
          f1.swap(g1);
          f2.swap(g2);
        }
        // check at quarter points: values and derivatives against the nets
        double err = 0.0;
        for (int iv = 0; iv < tab.n; iv++)
          for (double frac : {0.25, 0.5, 0.75}) {
            embed_exact(net, lo + (iv + frac) * tab.h, ge.data(), gde.data());
            quintic_eval(m1, tab.c.data() + (size_t) iv * 6 * m1, frac, tab.inv_h, gt.data(),
                         gdt.data());
            for (int m = 0; m < m1; m++) {
              err = std::max(err, std::fabs(gt[m] - ge[m]) / gmax);
              err = std::max(err, std::fabs(gdt[m] - gde[m]) / dmax);
            }
          }
        if (err < best_err) {
          best_err = err;
          best = tab;
        }
        if (err <= TABLE_TOL) break;
      }
      tab = std::move(best);
      const double err = best_err;
      table_error = std::max(table_error, err);
    }
  }
}

/* ----------------------------------------------------------------------
   pair_coeff * * NAME_1 ... NAME_ntypes: model type of each LAMMPS type
------------------------------------------------------------------------- */

void PairKNNNNP::coeff(int narg, char **arg)
{
  if (!allocated) allocate();
  const int n = atom->ntypes;
  if (narg != 2 + n)
    error->all(FLERR, "pair_coeff for pair_style knn/nnp: use 'pair_coeff * * NAME_1 ... NAME_{}' "
                      "with one model type name per LAMMPS atom type ({} given, {} needed)",
               n, narg - 2, n);
  if (strcmp(arg[0], "*") != 0 || strcmp(arg[1], "*") != 0)
    error->all(FLERR, "pair_coeff for pair_style knn/nnp must start with '* *', got '{} {}'",
               arg[0], arg[1]);
  for (int i = 1; i <= n; i++) {
    const std::string name = arg[1 + i];
    auto it = std::find(type_names.begin(), type_names.end(), name);
    if (it == type_names.end()) {
      std::string known;
      for (const auto &t : type_names) known += (known.empty() ? "" : " ") + t;
      error->all(FLERR, "pair_coeff for pair_style knn/nnp: type name '{}' (LAMMPS type {}) is not "
                        "in the model file '{}', whose types are: {}",
                 name, i, model_file, known);
    }
    typemap[i] = (int) (it - type_names.begin());
  }
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 1;
}

/* ---------------------------------------------------------------------- */

void PairKNNNNP::allocate()
{
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  memory->create(typemap, n + 1, "pair:typemap");
  for (int i = 0; i <= n; i++) {
    typemap[i] = -1;
    for (int j = 0; j <= n; j++) setflag[i][j] = 0;
  }
}

/* ---------------------------------------------------------------------- */

void PairKNNNNP::init_style()
{
  if (domain->dimension != 3)
    error->all(FLERR, "pair_style knn/nnp is a 3d potential: use 'dimension 3'");
  if (force->newton_pair == 0)
    error->all(FLERR, "pair_style knn/nnp needs 'newton on' (forces on ghost neighbours are "
                      "sent back to their owners)");
  neighbor->add_request(this, NeighConst::REQ_FULL);
  if (atom->natoms <= knn && !domain->xperiodic && !domain->yperiodic && !domain->zperiodic)
    error->all(FLERR, "pair_style knn/nnp: the model needs k = {} neighbours per atom, the "
                      "non-periodic system has only {} atoms", knn, atom->natoms);
}

/* ---------------------------------------------------------------------- */

double PairKNNNNP::init_one(int /*i*/, int /*j*/)
{
  return rmax;
}

/* ----------------------------------------------------------------------
   parameters for inspection: k (int), rmax (double), table_error (double)
------------------------------------------------------------------------- */

void *PairKNNNNP::extract(const char *str, int &dim)
{
  dim = 0;
  if (strcmp(str, "k") == 0) return (void *) &knn;
  if (strcmp(str, "rmax") == 0) return (void *) &rmax;
  if (strcmp(str, "table_error") == 0) return (void *) &table_error;
  return nullptr;
}

/* ---------------------------------------------------------------------- */

double PairKNNNNP::memory_usage()
{
  double bytes = Pair::memory_usage();
  bytes += (double) maxcand * (sizeof(double) + 2 * sizeof(int));
  bytes += (double) knn * (8 + 2 * m1) * sizeof(double);
  for (const Table &t : tables) bytes += (double) t.c.size() * sizeof(double);
  for (const Net &net : emb_nets)
    for (const Layer &L : net) bytes += (double) (2 * L.wt.size() + L.b.size()) * sizeof(double);
  for (const Net &net : fit_nets)
    for (const Layer &L : net) bytes += (double) (2 * L.wt.size() + L.b.size()) * sizeof(double);
  return bytes;
}
