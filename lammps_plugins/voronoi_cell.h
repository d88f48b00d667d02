/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   Convex Voronoi / power (radical) cells built by half-space clipping.

   A cell is stored relative to its particle (the origin) and is cut by the
   half-spaces {v : n.v <= d} of the bisector (Voronoi) or radical (power)
   planes of its neighbours.  3D cells are polyhedra stored as a graph of
   degree-3 vertices, as in voro++ (Rycroft, Chaos 19, 041111 (2009)), so a
   cut only touches the region it removes; 2D cells are counter-clockwise
   polygons.  Both know the integrals the Voronoi potentials need: volume,
   first and second moments about the origin.

   Why not voro++: no package registry ships its headers, and the pair styles
   need cells of owned atoms built from LAMMPS' own neighbour lists (ghost
   atoms included), which voro++'s container model does not provide.
------------------------------------------------------------------------- */

#ifndef SLOWDYN_VORONOI_CELL_H
#define SLOWDYN_VORONOI_CELL_H

#include <vector>

namespace SlowDyn {

/* integrals over one cell, relative to the particle position r_i */
struct CellMoments {
  double vol;      // volume (3D) or area (2D)
  double m1[3];    // int (r - r_i) dV
  double m2[6];    // int (r - r_i)_a (r - r_i)_b dV, order xx yy zz xy xz yz
  int nfaces;      // faces (3D) or edges (2D) contributed by neighbours
};

/* ---------------------------------------------------------------------- */

class ConvexCell3D {
 public:
  // start from the cube [-h, h]^3
  void reset_cube(double h);

  // keep the part with n.v <= d (n need not be normalised); returns at once
  // when the plane cannot reach the cell
  void clip(const double *n, double d);

  bool empty() const { return live.empty(); }
  double max_r2() const { return rmax2; }

  // integrals; faces of zero area (from exactly degenerate cuts) are not
  // counted as neighbours
  void moments(CellMoments &m);

 private:
  // Every vertex has exactly three edges, listed counter-clockwise seen from
  // outside; back[k] is the slot of this vertex in the list of e[k].  A vertex
  // is inside a plane when n.v - d <= 0 and outside otherwise (no tolerance):
  // an exactly degenerate cut then makes a zero-length edge, never a vertex of
  // higher degree, so the graph stays valid for lattices too.
  // Walking a face counter-clockwise: arriving at w through slot j, leave
  // through slot (j + 2) % 3.
  struct Vertex {
    double x[3];
    double r2;
    int e[3];
    int back[3];
  };

  std::vector<Vertex> v;    // append-only while one cell is built
  std::vector<int> live, live2, outv, newu, cutv;
  std::vector<double> sval;
  std::vector<unsigned char> seen;
  double rmax2 = 0.0;
};

/* ---------------------------------------------------------------------- */

class ConvexCell2D {
 public:
  // start from the square [-h, h]^2; its edges carry id -1
  void reset_square(double h);

  // keep the part with n.v <= d (n has two components)
  void clip(const double *n, double d, int id);

  bool empty() const { return nv == 0; }
  double max_r2() const { return rmax2; }
  void moments(CellMoments &m) const;

 private:
  enum { IN = 0, ON = 1, OUT = 2 };

  // vertices counter-clockwise; eid[k] is the id of the edge k -> k+1
  std::vector<double> vx, vx2, sval;
  std::vector<int> eid, eid2, cls;
  int nv = 0;
  double rmax2 = 0.0;
};

}    // namespace SlowDyn

#endif
