#!/bin/bash
# Brownian hard disks (fix edbd) through inputs/edbd_disks/in.edbd_disks at several packing
# fractions, REPS sequential replicas each (seeds 20261202 + 1000 r), averaged with
# slowdyn.analysis.io.sisf.average_sisf into SIMDIR/sisf_phi<PHI>.sisf.
#   bash scripts/memory_validation/edbd_ensemble.sh RUNDIR SIMDIR "PHI:NRUN:NEQ ..."
# (NRUN, NEQ in steps of dt). Run from the repository root with the venv active.
set -euo pipefail
RUNDIR=$1; SIMDIR=$2; LIST=$3
N=${N:-1000}; REPS=${REPS:-2}; DT=${DT:-1e-4}; NEVERY=${NEVERY:-20}
QLIST=${QLIST:-"2 3 4 5 6 6.5 7 8 9 10"}
DECK=$(realpath inputs/edbd_disks/in.edbd_disks)
mkdir -p "$RUNDIR" "$SIMDIR"
for item in $LIST; do
  IFS=: read -r PHI NRUN NEQ <<< "$item"
  files=()
  for r in $(seq 1 "$REPS"); do
    d="$RUNDIR/phi$PHI"; mkdir -p "$d"
    start=$(date +%s)
    (cd "$d" && OMP_NUM_THREADS=1 lmp -in "$DECK" -log "log_rep$r.lammps" -screen none \
      -var N "$N" -var phi "$PHI" -var dt "$DT" -var growdt 1e-4 -var ngrow 20000 -var nheal 2000 \
      -var neq "$NEQ" -var nrun "$NRUN" -var nevery "$NEVERY" -var nfreq $((NEVERY * 1000)) \
      -var nthermo 10000 -var seed $((20261202 + 1000 * r)) -var qlist "$QLIST" -var out "rep$r")
    echo "phi $PHI replica $r: N $N dt $DT neq $NEQ nrun $NRUN nevery $NEVERY wall $(( $(date +%s) - start )) s"
    files+=("$d/rep$r/sisf_1.dat")
  done
  python -c "import sys; from slowdyn.analysis.io.sisf import average_sisf; average_sisf(sys.argv[2:], sys.argv[1])" \
    "$SIMDIR/sisf_phi$PHI.sisf" "${files[@]}"
  echo "phi $PHI done: $SIMDIR/sisf_phi$PHI.sisf"
done
