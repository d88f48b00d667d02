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
  nv = 8;
  nf = 6;
  vx.resize(3 * nv);
  for (int k = 0; k < 8; k++)
    for (int d = 0; d < 3; d++) vx[3 * k + d] = h * corner[k][d];
  fv.resize(24);
  fs.resize(6);
  fl.resize(6);
  fid.resize(6);
  for (int f = 0; f < 6; f++) {
    fs[f] = 4 * f;
    fl[f] = 4;
    fid[f] = -1;
    for (int k = 0; k < 4; k++) fv[4 * f + k] = face[f][k];
  }
  rmax2 = 3.0 * h * h;
}

/* ----------------------------------------------------------------------
   index (in the new vertex array) of the point where edge a-b crosses the
   plane; created once and shared by the two faces of the edge
------------------------------------------------------------------------- */

int ConvexCell3D::cut_vertex(int a, int b, int &nvn)
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
  const int idx = nvn++;
  vx2.resize(3 * nvn);
  for (int d = 0; d < 3; d++) vx2[3 * idx + d] = vx[3 * in + d] + t * (vx[3 * out + d] - vx[3 * in + d]);
  cutkey.push_back(lo);
  cutkey.push_back(hi);
  cutkey.push_back(idx);
  return idx;
}

/* ----------------------------------------------------------------------
   3D: clip by the half-space n.v <= d
------------------------------------------------------------------------- */

void ConvexCell3D::clip(const double *n, double d, int id)
{
  if (nf == 0) return;
  const double nsq = n[0] * n[0] + n[1] * n[1] + n[2] * n[2];
  // max_v n.v <= |n| rmax: the plane cannot reach the cell
  if (d > 0.0 && d * d >= nsq * rmax2) return;

  const double tol = PLANE_TOL * std::sqrt(nsq * rmax2);
  sval.resize(nv);
  cls.resize(nv);
  int nout = 0, nin = 0;
  for (int k = 0; k < nv; k++) {
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
    nv = nf = 0;
    rmax2 = 0.0;
    return;
  }

  // kept vertices first, in their old order
  vmap.resize(nv);
  vx2.resize(3 * nv);
  int nvn = 0;
  for (int k = 0; k < nv; k++) {
    if (cls[k] == OUT) {
      vmap[k] = -1;
      continue;
    }
    for (int dd = 0; dd < 3; dd++) vx2[3 * nvn + dd] = vx[3 * k + dd];
    vmap[k] = nvn++;
  }
  cutkey.clear();
  capnext.assign(nv + fv.size(), -1);
  fv2.clear();
  fs2.clear();
  fl2.clear();
  fid2.clear();

  for (int f = 0; f < nf; f++) {
    const int start = fs[f], len = fl[f];
    int fout = 0;
    for (int k = 0; k < len; k++) fout += cls[fv[start + k]] == OUT;
    if (fout == len) continue;
    const int newstart = (int) fv2.size();
    if (fout == 0) {
      for (int k = 0; k < len; k++) fv2.push_back(vmap[fv[start + k]]);
    } else {
      int pexit = -1, qenter = -1;
      for (int k = 0; k < len; k++) {
        const int a = fv[start + k];
        const int b = fv[start + (k + 1) % len];
        const int ca = cls[a], cb = cls[b];
        if (ca != OUT) fv2.push_back(vmap[a]);
        if (cb == OUT && ca != OUT) {
          if (ca == IN) {
            pexit = cut_vertex(a, b, nvn);
            fv2.push_back(pexit);
          } else
            pexit = vmap[a];
        } else if (ca == OUT && cb != OUT) {
          if (cb == IN) {
            qenter = cut_vertex(a, b, nvn);
            fv2.push_back(qenter);
          } else
            qenter = vmap[b];
        }
      }
      // the cap face runs along this face's cut edge in the opposite direction
      if (pexit >= 0 && qenter >= 0 && pexit != qenter) capnext[qenter] = pexit;
    }
    const int newlen = (int) fv2.size() - newstart;
    if (newlen < 3) {
      fv2.resize(newstart);
      continue;
    }
    fs2.push_back(newstart);
    fl2.push_back(newlen);
    fid2.push_back(fid[f]);
  }

  // assemble the cap face by following the directed cut edges
  int first = -1;
  for (int k = 0; k < nvn; k++)
    if (capnext[k] >= 0) {
      first = k;
      break;
    }
  if (first >= 0) {
    const int newstart = (int) fv2.size();
    int k = first, guard = 0;
    do {
      fv2.push_back(k);
      k = capnext[k];
    } while (k >= 0 && k != first && ++guard < nvn);
    const int newlen = (int) fv2.size() - newstart;
    if (newlen >= 3) {
      fs2.push_back(newstart);
      fl2.push_back(newlen);
      fid2.push_back(id);
    } else
      fv2.resize(newstart);
  }

  vx.swap(vx2);
  fv.swap(fv2);
  fs.swap(fs2);
  fl.swap(fl2);
  fid.swap(fid2);
  nv = nvn;
  nf = (int) fs.size();
  if (nf < 4) {    // degenerate sliver: no volume left
    nv = nf = 0;
    rmax2 = 0.0;
    return;
  }
  rmax2 = 0.0;
  for (int k = 0; k < nv; k++) {
    const double r2 = vx[3 * k] * vx[3 * k] + vx[3 * k + 1] * vx[3 * k + 1] + vx[3 * k + 2] * vx[3 * k + 2];
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
    const double *a = &vx[3 * fv[fs[f]]];
    for (int k = 1; k + 1 < fl[f]; k++) {
      const double *b = &vx[3 * fv[fs[f] + k]];
      const double *c = &vx[3 * fv[fs[f] + k + 1]];
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
