/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   Convex cells by half-space clipping (see voronoi_cell.h)
------------------------------------------------------------------------- */

#include "voronoi_cell.h"

#include <cmath>

using namespace SlowDyn;

// relative tolerance for classifying a vertex as lying on a cutting plane
static constexpr double PLANE_TOL = 1.0e-12;

/* ----------------------------------------------------------------------
   3D: initial cube with outward-oriented faces
------------------------------------------------------------------------- */

void ConvexCell3D::reset_cube(double h)
{
  static const int corner[8][3] = {{-1, -1, -1}, {1, -1, -1}, {1, 1, -1}, {-1, 1, -1},
                                   {-1, -1, 1},  {1, -1, 1},  {1, 1, 1},  {-1, 1, 1}};
  // counter-clockwise seen from outside
  static const int face[6][4] = {{0, 3, 2, 1}, {4, 5, 6, 7}, {0, 1, 5, 4},
                                 {2, 3, 7, 6}, {1, 2, 6, 5}, {0, 4, 7, 3}};
  vx.clear();
  capnext.clear();
  live.clear();
  for (int k = 0; k < 8; k++) {
    const double p[3] = {h * corner[k][0], h * corner[k][1], h * corner[k][2]};
    live.push_back(new_vertex(p));
  }
  nf = 6;
  grow_faces(nf);
  for (int f = 0; f < 6; f++) {
    fl[f] = 4;
    fid[f] = -1;
    for (int k = 0; k < 4; k++) fv[f * MAXFV + k] = face[f][k];
  }
  rmax2 = 3.0 * h * h;
  overflow = false;
}

/* ---------------------------------------------------------------------- */

int ConvexCell3D::new_vertex(const double *p)
{
  const int idx = (int) capnext.size();
  vx.push_back(p[0]);
  vx.push_back(p[1]);
  vx.push_back(p[2]);
  capnext.push_back(-1);
  return idx;
}

/* ---------------------------------------------------------------------- */

void ConvexCell3D::grow_faces(int n)
{
  if ((int) fl.size() < n) {
    fl.resize(2 * n);
    fid.resize(2 * n);
    fv.resize(2 * n * MAXFV);
  }
}

/* ----------------------------------------------------------------------
   the point where edge a-b crosses the plane; created once and shared by
   the two faces of the edge
------------------------------------------------------------------------- */

int ConvexCell3D::cut_vertex(int a, int b)
{
  const int lo = a < b ? a : b;
  const int hi = a < b ? b : a;
  const int ncut = (int) cutkey.size() / 3;
  for (int k = 0; k < ncut; k++)
    if (cutkey[3 * k] == lo && cutkey[3 * k + 1] == hi) return cutkey[3 * k + 2];

  // interpolate from the inside vertex so both faces see identical coordinates
  const int in = cls[lo] == IN ? lo : hi;
  const int out = in == lo ? hi : lo;
  const double t = sval[in] / (sval[in] - sval[out]);
  double p[3];
  for (int d = 0; d < 3; d++) p[d] = vx[3 * in + d] + t * (vx[3 * out + d] - vx[3 * in + d]);
  const int idx = new_vertex(p);
  cutkey.push_back(lo);
  cutkey.push_back(hi);
  cutkey.push_back(idx);
  return idx;
}

/* ----------------------------------------------------------------------
   3D: clip by the half-space n.v <= d.  Faces without outside vertices are
   not touched; cut faces are rewritten in place, faces entirely outside
   are replaced by the last face, and the cap face is appended.
------------------------------------------------------------------------- */

void ConvexCell3D::clip(const double *n, double d, int id)
{
  if (nf == 0) return;
  const double nsq = n[0] * n[0] + n[1] * n[1] + n[2] * n[2];
  // max_v n.v <= |n| rmax: the plane cannot reach the cell
  if (d > 0.0 && d * d >= nsq * rmax2) return;

  const double tol = PLANE_TOL * std::sqrt(nsq * rmax2);
  const int nvert = (int) capnext.size();
  if ((int) sval.size() < nvert) {
    sval.resize(2 * nvert);
    cls.resize(2 * nvert);
  }
  int nout = 0, nin = 0;
  for (int k : live) {
    const double s = n[0] * vx[3 * k] + n[1] * vx[3 * k + 1] + n[2] * vx[3 * k + 2] - d;
    sval[k] = s;
    if (s > tol) {
      cls[k] = OUT;
      nout++;
    } else if (s < -tol) {
      cls[k] = IN;
      nin++;
    } else
      cls[k] = ON;
  }
  if (nout == 0) return;
  if (nin == 0) {    // everything on or beyond the plane: the cell is empty
    nf = 0;
    live.clear();
    rmax2 = 0.0;
    return;
  }

  cutkey.clear();
  capset.clear();
  int f = 0;
  while (f < nf) {
    int *fvf = &fv[f * MAXFV];
    const int len = fl[f];
    int fout = 0;
    for (int k = 0; k < len; k++) fout += cls[fvf[k]] == OUT;
    if (fout == 0) {
      f++;
      continue;
    }
    if (fout < len) {
      int pexit = -1, qenter = -1;
      loop.clear();
      for (int k = 0; k < len; k++) {
        const int a = fvf[k];
        const int b = fvf[k + 1 < len ? k + 1 : 0];
        const int ca = cls[a], cb = cls[b];
        if (ca != OUT) loop.push_back(a);
        if (cb == OUT && ca != OUT) {
          pexit = ca == IN ? cut_vertex(a, b) : a;
          if (ca == IN) loop.push_back(pexit);
        } else if (ca == OUT && cb != OUT) {
          qenter = cb == IN ? cut_vertex(a, b) : b;
          if (cb == IN) loop.push_back(qenter);
        }
      }
      // the cap face runs along this face's cut edge in the opposite direction
      if (pexit >= 0 && qenter >= 0 && pexit != qenter) {
        capnext[qenter] = pexit;
        capset.push_back(qenter);
      }
      const int newlen = (int) loop.size();
      if (newlen >= 3 && newlen <= MAXFV) {
        for (int k = 0; k < newlen; k++) fvf[k] = loop[k];
        fl[f] = newlen;
        f++;
        continue;
      }
      if (newlen > MAXFV) overflow = true;
    }
    // face gone: move the last face here and look at it next
    nf--;
    if (f != nf) {
      fl[f] = fl[nf];
      fid[f] = fid[nf];
      for (int k = 0; k < fl[nf]; k++) fvf[k] = fv[nf * MAXFV + k];
    }
  }

  // assemble the cap face by following the directed cut edges
  if (!capset.empty()) {
    const int first = capset[0];
    loop.clear();
    int k = first;
    do {
      loop.push_back(k);
      k = capnext[k];
    } while (k >= 0 && k != first && loop.size() <= capset.size());
    for (int q : capset) capnext[q] = -1;
    const int newlen = (int) loop.size();
    if (newlen > MAXFV) overflow = true;
    if (newlen >= 3 && newlen <= MAXFV) {
      grow_faces(nf + 1);
      for (int kk = 0; kk < newlen; kk++) fv[nf * MAXFV + kk] = loop[kk];
      fl[nf] = newlen;
      fid[nf] = id;
      nf++;
    }
  }

  live2.clear();
  for (int kk : live)
    if (cls[kk] != OUT) live2.push_back(kk);
  for (size_t c = 2; c < cutkey.size(); c += 3) live2.push_back(cutkey[c]);
  live.swap(live2);

  if (nf < 4) {    // degenerate sliver: no volume left
    nf = 0;
    live.clear();
    rmax2 = 0.0;
    return;
  }
  rmax2 = 0.0;
  for (int kk : live) {
    const double r2 = vx[3 * kk] * vx[3 * kk] + vx[3 * kk + 1] * vx[3 * kk + 1] + vx[3 * kk + 2] * vx[3 * kk + 2];
    if (r2 > rmax2) rmax2 = r2;
  }
}

/* ----------------------------------------------------------------------
   3D: volume, first and second moments by tetrahedra (origin, v0, vk, vk+1);
   signed volumes make this valid when the origin lies outside the cell
------------------------------------------------------------------------- */

void ConvexCell3D::moments(CellMoments &m) const
{
  m.vol = 0.0;
  for (int d = 0; d < 3; d++) m.m1[d] = 0.0;
  for (int d = 0; d < 6; d++) m.m2[d] = 0.0;
  m.nfaces = 0;
  for (int f = 0; f < nf; f++) {
    if (fid[f] >= 0) m.nfaces++;
    const int *fvf = &fv[f * MAXFV];
    const double *a = &vx[3 * fvf[0]];
    for (int k = 1; k + 1 < fl[f]; k++) {
      const double *b = &vx[3 * fvf[k]];
      const double *c = &vx[3 * fvf[k + 1]];
      const double vol = (a[0] * (b[1] * c[2] - b[2] * c[1]) + a[1] * (b[2] * c[0] - b[0] * c[2]) +
                          a[2] * (b[0] * c[1] - b[1] * c[0])) / 6.0;
      const double s[3] = {a[0] + b[0] + c[0], a[1] + b[1] + c[1], a[2] + b[2] + c[2]};
      m.vol += vol;
      for (int d = 0; d < 3; d++) m.m1[d] += 0.25 * vol * s[d];
      // int_T x_p x_q = V/20 (sum_vertices v_p v_q + s_p s_q), origin a vertex
      static const int P[6] = {0, 1, 2, 0, 0, 1}, Q[6] = {0, 1, 2, 1, 2, 2};
      for (int t = 0; t < 6; t++) {
        const int p = P[t], q = Q[t];
        m.m2[t] += 0.05 * vol * (a[p] * a[q] + b[p] * b[q] + c[p] * c[q] + s[p] * s[q]);
      }
    }
  }
}

/* ----------------------------------------------------------------------
   2D: initial square, counter-clockwise
------------------------------------------------------------------------- */

void ConvexCell2D::reset_square(double h)
{
  nv = 4;
  vx.assign({-h, -h, h, -h, h, h, -h, h});
  eid.assign(4, -1);
  rmax2 = 2.0 * h * h;
}

/* ----------------------------------------------------------------------
   2D: clip by the half-plane n.v <= d; the new edge runs from the exit
   point to the entry point and carries id
------------------------------------------------------------------------- */

void ConvexCell2D::clip(const double *n, double d, int id)
{
  if (nv == 0) return;
  const double nsq = n[0] * n[0] + n[1] * n[1];
  if (d > 0.0 && d * d >= nsq * rmax2) return;

  const double tol = PLANE_TOL * std::sqrt(nsq * rmax2);
  sval.resize(nv);
  cls.resize(nv);
  int nout = 0, nin = 0;
  for (int k = 0; k < nv; k++) {
    const double s = n[0] * vx[2 * k] + n[1] * vx[2 * k + 1] - d;
    sval[k] = s;
    if (s > tol) {
      cls[k] = OUT;
      nout++;
    } else if (s < -tol) {
      cls[k] = IN;
      nin++;
    } else
      cls[k] = ON;
  }
  if (nout == 0) return;
  if (nin == 0) {
    nv = 0;
    rmax2 = 0.0;
    return;
  }

  vx2.clear();
  eid2.clear();
  for (int k = 0; k < nv; k++) {
    const int b = (k + 1) % nv;
    const int ca = cls[k], cb = cls[b];
    if (ca != OUT) {
      vx2.push_back(vx[2 * k]);
      vx2.push_back(vx[2 * k + 1]);
      eid2.push_back(cb == OUT && ca == ON ? id : eid[k]);
    }
    if ((ca == IN && cb == OUT) || (ca == OUT && cb == IN)) {
      const int in = ca == IN ? k : b;
      const int out = ca == IN ? b : k;
      const double t = sval[in] / (sval[in] - sval[out]);
      vx2.push_back(vx[2 * in] + t * (vx[2 * out] - vx[2 * in]));
      vx2.push_back(vx[2 * in + 1] + t * (vx[2 * out + 1] - vx[2 * in + 1]));
      eid2.push_back(ca == IN ? id : eid[k]);
    }
  }
  vx.swap(vx2);
  eid.swap(eid2);
  nv = (int) eid.size();
  if (nv < 3) {
    nv = 0;
    rmax2 = 0.0;
    return;
  }
  rmax2 = 0.0;
  for (int k = 0; k < nv; k++) {
    const double r2 = vx[2 * k] * vx[2 * k] + vx[2 * k + 1] * vx[2 * k + 1];
    if (r2 > rmax2) rmax2 = r2;
  }
}

/* ----------------------------------------------------------------------
   2D: area and moments by triangles (origin, vk, vk+1)
------------------------------------------------------------------------- */

void ConvexCell2D::moments(CellMoments &m) const
{
  m.vol = 0.0;
  for (int d = 0; d < 3; d++) m.m1[d] = 0.0;
  for (int d = 0; d < 6; d++) m.m2[d] = 0.0;
  m.nfaces = 0;
  for (int k = 0; k < nv; k++) {
    if (eid[k] >= 0) m.nfaces++;
    const double *a = &vx[2 * k];
    const double *b = &vx[2 * ((k + 1) % nv)];
    const double area = 0.5 * (a[0] * b[1] - a[1] * b[0]);
    const double s[2] = {a[0] + b[0], a[1] + b[1]};
    m.vol += area;
    m.m1[0] += area * s[0] / 3.0;
    m.m1[1] += area * s[1] / 3.0;
    // int_T x_p x_q = A/12 (sum_vertices v_p v_q + s_p s_q), origin a vertex
    m.m2[0] += area / 12.0 * (a[0] * a[0] + b[0] * b[0] + s[0] * s[0]);
    m.m2[1] += area / 12.0 * (a[1] * a[1] + b[1] * b[1] + s[1] * s[1]);
    m.m2[3] += area / 12.0 * (a[0] * a[1] + b[0] * b[1] + s[0] * s[1]);
  }
}
