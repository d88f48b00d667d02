/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   pair_style nequip: compiled NequIP package on one MPI rank (see pair_nequip.h)

   The package (`nequip-compile --mode aotinductor --target pair_nequip`) is a
   function of five tensors, in the order its metadata names
   ("nequip_aoti_inputs"; nequip 0.19 writes pos edge_index atom_types cell
   edge_cell_shift):
     pos             (N, 3)  positions of the N atoms of the cell
     edge_index      (2, E)  pairs (i, j) of atom indices with |r_ij| <= r_max
     atom_types      (N,)    model type index of each atom
     cell            (1, 3, 3) lattice vectors as rows
     edge_cell_shift (E, 3)  integer lattice shifts: r_ij = pos_j - pos_i + shift . cell
   and returns ("nequip_aoti_outputs") atomic_energy (N, 1), forces (N, 3)
   and virial (1, 3, 3).  The graph is the periodic cell itself: every
   neighbour of an owned atom, ghost images included, is mapped back to its
   owner with the integer image shift.  That needs all atoms on one rank, and
   the package's forces are derivatives of the energy of all N atoms it is
   given, so domain decomposition (ghosts to n_layers r_max, energies of owned
   atoms only) cannot be built on it: more than one rank is an error.
------------------------------------------------------------------------- */

#include "pair_nequip.h"

#include "atom.h"
#include "citeme.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neighbor.h"

#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

using namespace LAMMPS_NS;

static const char cite_nequip[] =
    "pair_style nequip: doi:10.1038/s41467-022-29939-5\n\n"
    "@Article{Batzner22,\n"
    " author = {S. Batzner and A. Musaelian and L. Sun and M. Geiger and J. P. Mailoa and "
    "M. Kornbluth and N. Molinari and T. E. Smidt and B. Kozinsky},\n"
    " title = {E(3)-Equivariant Graph Neural Networks for Data-Efficient and Accurate "
    "Interatomic Potentials},\n"
    " journal = {Nat. Commun.},\n"
    " year = 2022,\n"
    " volume = 13,\n"
    " pages = {2453}\n"
    "}\n\n";

// the input and output order of packages that do not name them in their metadata
static const std::vector<std::string> DEFAULT_INPUTS = {"pos", "edge_index", "atom_types", "cell",
                                                        "edge_cell_shift"};
static const std::vector<std::string> DEFAULT_OUTPUTS = {"atomic_energy", "forces", "virial"};

struct PairNequIP::Model {
  std::unique_ptr<torch::inductor::AOTIModelPackageLoader> loader;
  std::vector<std::string> inputs, outputs;
};

static std::vector<std::string> split_words(const std::string &s)
{
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

static std::string join_words(const std::vector<std::string> &w)
{
  std::string out;
  for (const auto &s : w) out += (out.empty() ? "" : " ") + s;
  return out;
}

/* ---------------------------------------------------------------------- */

PairNequIP::PairNequIP(LAMMPS *lmp) : Pair(lmp), cutoff(0.0), num_model_types(0), typemap(nullptr)
{
  if (lmp->citeme) lmp->citeme->add(cite_nequip);
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  // the package returns the virial of the whole cell
  no_virial_fdotr_compute = 1;
}

PairNequIP::~PairNequIP()
{
  if (copymode) return;
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
    memory->destroy(typemap);
  }
}

/* ----------------------------------------------------------------------
   pair_style nequip (no arguments; the model comes with pair_coeff)
------------------------------------------------------------------------- */

void PairNequIP::settings(int narg, char **arg)
{
  if (narg > 0)
    error->all(FLERR, "pair_style nequip takes no arguments (got '{}'): give the model with "
                      "'pair_coeff * * MODEL.nequip.pt2 NAME_1 ... NAME_ntypes'", arg[0]);
  if (comm->nprocs > 1)
    error->all(FLERR, "pair_style nequip runs on one MPI rank ({} ranks here): the compiled NequIP "
                      "package evaluates the whole periodic cell as one graph and its forces are "
                      "derivatives of the energy of every atom it is given, so it cannot be split "
                      "over domains; run 'lmp' without mpirun (or with -np 1), or run independent "
                      "replicas with '-partition {}x1'", comm->nprocs, comm->nprocs);
}

/* ----------------------------------------------------------------------
   pair_coeff * * MODEL.nequip.pt2 NAME_1 ... NAME_ntypes
------------------------------------------------------------------------- */

void PairNequIP::coeff(int narg, char **arg)
{
  if (!allocated) allocate();
  const int n = atom->ntypes;
  if (narg != 3 + n)
    error->all(FLERR, "pair_coeff for pair_style nequip: use 'pair_coeff * * MODEL.nequip.pt2 NAME_1 ... "
                      "NAME_{}' with one model type name per LAMMPS atom type ({} names given, {} needed)",
               n, narg - 3, n);
  if (strcmp(arg[0], "*") != 0 || strcmp(arg[1], "*") != 0)
    error->all(FLERR, "pair_coeff for pair_style nequip must start with '* *', got '{} {}'", arg[0],
               arg[1]);
  model_file = arg[2];
  if (!std::ifstream(model_file).good())
    error->all(FLERR, "pair_style nequip: cannot open the model package '{}' (write one with "
                      "'nequip-compile CKPT {} --mode aotinductor --device cpu --target pair_nequip')",
               model_file, model_file);

  // metadata first: it says which device the package was compiled for, and a
  // CUDA package cannot even be loaded by a CPU-only libtorch
  std::unordered_map<std::string, std::string> meta;
  try {
    meta = torch::inductor::AOTIModelPackageLoader::load_metadata_from_package(model_file, "model");
  } catch (const std::exception &e) {
    error->all(FLERR, "pair_style nequip: '{}' is not an AOTInductor model package (compile the model "
                      "with 'nequip-compile ... --mode aotinductor --target pair_nequip'): {}",
               model_file, e.what());
  }
  const std::string device = meta.count("AOTI_DEVICE_KEY") ? meta["AOTI_DEVICE_KEY"] : "cpu";
  if (device != "cpu")
    error->all(FLERR, "pair_style nequip: the model package '{}' was compiled for device '{}', this "
                      "pair style runs on the CPU: compile it again with 'nequip-compile ... "
                      "--device cpu --target pair_nequip'",
               model_file, device);
  for (const char *key : {"r_max", "type_names", "num_types"})
    if (!meta.count(key))
      error->all(FLERR, "pair_style nequip: the model package '{}' has no '{}' in its metadata: it "
                        "was not written by 'nequip-compile --target pair_nequip'",
                 model_file, key);

  model = std::make_unique<Model>();
  model->inputs = meta.count("nequip_aoti_inputs") ? split_words(meta["nequip_aoti_inputs"]) : DEFAULT_INPUTS;
  model->outputs =
      meta.count("nequip_aoti_outputs") ? split_words(meta["nequip_aoti_outputs"]) : DEFAULT_OUTPUTS;
  for (const auto &key : model->inputs)
    if (std::find(DEFAULT_INPUTS.begin(), DEFAULT_INPUTS.end(), key) == DEFAULT_INPUTS.end())
      error->all(FLERR, "pair_style nequip: the model package '{}' wants the input '{}' (its inputs: "
                        "{}); pair_style nequip provides {}: compile it with '--target pair_nequip'",
                 model_file, key, join_words(model->inputs), join_words(DEFAULT_INPUTS));
  for (const auto &key : DEFAULT_OUTPUTS)
    if (std::find(model->outputs.begin(), model->outputs.end(), key) == model->outputs.end())
      error->all(FLERR, "pair_style nequip: the model package '{}' does not return '{}' (its outputs: "
                        "{}): compile it with '--target pair_nequip'",
                 model_file, key, join_words(model->outputs));

  cutoff = utils::numeric(FLERR, meta["r_max"], false, lmp);
  num_model_types = utils::inumeric(FLERR, meta["num_types"], false, lmp);
  type_names = split_words(meta["type_names"]);
  if ((int) type_names.size() != num_model_types)
    error->all(FLERR, "pair_style nequip: the model package '{}' is corrupt: {} type names '{}' for "
                      "num_types = {}",
               model_file, type_names.size(), meta["type_names"], num_model_types);
  if (meta.count("per_edge_type_cutoff") && !meta["per_edge_type_cutoff"].empty())
    error->all(FLERR, "pair_style nequip: the model package '{}' has per-edge-type cutoffs, which this "
                      "pair style does not implement: train the model with one r_max",
               model_file);

  for (int i = 1; i <= n; i++) {
    const std::string name = arg[2 + i];
    auto it = std::find(type_names.begin(), type_names.end(), name);
    if (it == type_names.end())
      error->all(FLERR, "pair_coeff for pair_style nequip: type name '{}' (LAMMPS type {}) is not a "
                        "type of the model '{}', whose types are: {}",
                 name, i, model_file, join_words(type_names));
    typemap[i] = (int) (it - type_names.begin());
  }

  try {
    model->loader = std::make_unique<torch::inductor::AOTIModelPackageLoader>(model_file, "model", true);
  } catch (const std::exception &e) {
    error->all(FLERR, "pair_style nequip: cannot load the model package '{}' with this libtorch ({}); "
                      "compile it with the torch version this plugin was built against: {}",
               model_file, TORCH_VERSION, e.what());
  }

  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 1;

  if (comm->me == 0)
    utils::logmesg(lmp, "pair_style nequip: {} (r_max = {}, types {}, device {}); LAMMPS types ->{}\n",
                   model_file, cutoff, join_words(type_names), device, [&] {
                     std::string s;
                     for (int i = 1; i <= n; i++) s += fmt::format(" {}:{}", i, type_names[typemap[i]]);
                     return s;
                   }());
}

/* ---------------------------------------------------------------------- */

void PairNequIP::allocate()
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

void PairNequIP::init_style()
{
  if (comm->nprocs > 1)
    error->all(FLERR, "pair_style nequip runs on one MPI rank ({} ranks here): run 'lmp' without "
                      "mpirun (or with -np 1)", comm->nprocs);
  if (domain->dimension != 3)
    error->all(FLERR, "pair_style nequip is a 3d potential: use 'dimension 3'");
  if (atom->tag_enable == 0)
    error->all(FLERR, "pair_style nequip needs atom IDs (atom_modify id yes) to map ghost images to "
                      "their atoms");
  if (atom->map_style == Atom::MAP_NONE)
    error->all(FLERR, "pair_style nequip needs an atom map: use 'atom_modify map array' or 'map hash'");
  if (!model)
    error->all(FLERR, "pair_style nequip: no model: use 'pair_coeff * * MODEL.nequip.pt2 NAME_1 ...'");
  neighbor->add_request(this, NeighConst::REQ_FULL);
}

/* ---------------------------------------------------------------------- */

double PairNequIP::init_one(int /*i*/, int /*j*/)
{
  return cutoff;
}

/* ----------------------------------------------------------------------
   parameters for inspection: r_max (double), num_types (int)
------------------------------------------------------------------------- */

void *PairNequIP::extract(const char *str, int &dim)
{
  dim = 0;
  if (strcmp(str, "r_max") == 0) return (void *) &cutoff;
  if (strcmp(str, "num_types") == 0) return (void *) &num_model_types;
  return nullptr;
}

/* ---------------------------------------------------------------------- */

void PairNequIP::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  if (vflag_atom)
    error->all(FLERR, "pair_style nequip does not provide per-atom virials (compute stressAtom/atom): "
                      "the package returns the virial of the whole cell only");

  double **x = atom->x;
  double **f = atom->f;
  const int *type = atom->type;
  const tagint *tag = atom->tag;
  const int nlocal = atom->nlocal;
  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  if (nlocal == 0) return;

  // cell rows a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz)
  const double lx = domain->xprd, ly = domain->yprd, lz = domain->zprd;
  const double xy = domain->xy, xz = domain->xz, yz = domain->yz;
  const double cutsq_model = cutoff * cutoff;

  // edges of owned atoms within r_max; ghosts -> their owner plus an image shift
  std::vector<int64_t> src, dst;
  std::vector<double> shift;
  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    const int *jlist = firstneigh[i];
    for (int jj = 0; jj < numneigh[i]; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      const double dx = x[j][0] - x[i][0], dy = x[j][1] - x[i][1], dz = x[j][2] - x[i][2];
      if (dx * dx + dy * dy + dz * dz > cutsq_model) continue;
      int owner = j;
      double s0 = 0.0, s1 = 0.0, s2 = 0.0;
      if (j >= nlocal) {
        owner = atom->map(tag[j]);
        if (owner < 0 || owner >= nlocal)
          error->one(FLERR, "pair_style nequip: ghost atom {} has no owned atom on this rank", tag[j]);
        // x_j - x_owner = s . cell (triangular solve), an integer vector
        const double ex = x[j][0] - x[owner][0], ey = x[j][1] - x[owner][1], ez = x[j][2] - x[owner][2];
        s2 = std::round(ez / lz);
        s1 = std::round((ey - s2 * yz) / ly);
        s0 = std::round((ex - s1 * xy - s2 * xz) / lx);
      }
      src.push_back(i);
      dst.push_back(owner);
      shift.push_back(s0);
      shift.push_back(s1);
      shift.push_back(s2);
    }
  }
  const int64_t nedges = (int64_t) src.size();

  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor pos = torch::empty({nlocal, 3}, f64);
  torch::Tensor types = torch::empty({nlocal}, torch::TensorOptions().dtype(torch::kInt64));
  {
    auto p = pos.accessor<double, 2>();
    auto t = types.accessor<int64_t, 1>();
    for (int i = 0; i < nlocal; i++) {
      for (int d = 0; d < 3; d++) p[i][d] = x[i][d];
      t[i] = typemap[type[i]];
    }
  }
  torch::Tensor edge_index = torch::empty({2, nedges}, torch::TensorOptions().dtype(torch::kInt64));
  if (nedges > 0) {
    std::memcpy(edge_index[0].data_ptr<int64_t>(), src.data(), nedges * sizeof(int64_t));
    std::memcpy(edge_index[1].data_ptr<int64_t>(), dst.data(), nedges * sizeof(int64_t));
  }
  torch::Tensor cell_shift = torch::from_blob(shift.data(), {nedges, 3}, f64).clone();
  torch::Tensor cell = torch::zeros({1, 3, 3}, f64);
  {
    auto c = cell.accessor<double, 3>();
    c[0][0][0] = lx;
    c[0][1][0] = xy;
    c[0][1][1] = ly;
    c[0][2][0] = xz;
    c[0][2][1] = yz;
    c[0][2][2] = lz;
  }

  // nequip's data (positions, cell, shifts) are float64 whatever the model's own dtype
  std::map<std::string, torch::Tensor> given = {{"pos", pos},
                                               {"edge_index", edge_index},
                                               {"atom_types", types},
                                               {"cell", cell},
                                               {"edge_cell_shift", cell_shift}};
  std::vector<torch::Tensor> inputs;
  for (const auto &key : model->inputs) inputs.push_back(given.at(key));

  std::vector<torch::Tensor> outputs;
  try {
    outputs = model->loader->run(inputs);
  } catch (const std::exception &e) {
    error->one(FLERR, "pair_style nequip: the model package '{}' failed on {} atoms and {} edges: {}",
               model_file, nlocal, nedges, e.what());
  }
  if (outputs.size() != model->outputs.size())
    error->one(FLERR, "pair_style nequip: the model package '{}' returned {} tensors, its metadata names {}",
               model_file, outputs.size(), model->outputs.size());
  std::map<std::string, torch::Tensor> got;
  for (size_t k = 0; k < outputs.size(); k++)
    got[model->outputs[k]] = outputs[k].detach().to(torch::kCPU, torch::kFloat64).contiguous();

  const torch::Tensor &forces = got.at("forces");
  const torch::Tensor &eatoms = got.at("atomic_energy");
  if (forces.numel() != 3 * (int64_t) nlocal || eatoms.numel() != (int64_t) nlocal)
    error->one(FLERR, "pair_style nequip: the model package '{}' returned forces of {} and energies of {} "
                      "values for {} atoms",
               model_file, forces.numel(), eatoms.numel(), nlocal);
  const double *fm = forces.data_ptr<double>();
  const double *em = eatoms.data_ptr<double>();
  for (int i = 0; i < nlocal; i++) {
    f[i][0] += fm[3 * i];
    f[i][1] += fm[3 * i + 1];
    f[i][2] += fm[3 * i + 2];
    if (eflag_global) eng_vdwl += em[i];
    if (eflag_atom) eatom[i] += em[i];
  }
  if (vflag_global) {
    const double *v = got.at("virial").data_ptr<double>();
    virial[0] += v[0];
    virial[1] += v[4];
    virial[2] += v[8];
    virial[3] += v[1];
    virial[4] += v[2];
    virial[5] += v[5];
  }
}
