#!/bin/bash
# Brownian hard disks (fix edbd) through inputs/edbd_disks/in.edbd_disks at several packing
# fractions, REPS sequential replicas each (seeds 20261202 + 1000 r), averaged with
# slowdyn.analysis.io.sisf.average_sisf into SIMDIR/sisf_phi<PHI>.sisf.
#   bash scripts/memory_validation/edbd_ensemble.sh RUNDIR SIMDIR "PHI:NRUN:NEQ ..."
# (NRUN, NEQ in steps of dt). Run from the repository root with the venv active.
# Environment: N (1000), REPS (2), DT (1e-4), NEVERY (20), QLIST, NSHORT (0) and SHORTLEVELS (3).
# NSHORT > 0 adds the deck's short-lag stage (NSHORT steps, fix sisf/msd every step, SHORTLEVELS
# correlator levels); each replica's short table is spliced below its production table
# (slowdyn.analysis.io.sisf.splice_sisf) into RUNDIR/phi<PHI>/rep<r>/sisf_spliced_1.dat, and
# those spliced files are averaged. Every replica's line (wall and CPU seconds of lmp) goes
# to stdout and RUNDIR/timing.txt. lmp runs under nice, one process at a time, one thread.
set -euo pipefail
RUNDIR=$1; SIMDIR=$2; LIST=$3
N=${N:-1000}; REPS=${REPS:-2}; DT=${DT:-1e-4}; NEVERY=${NEVERY:-20}
NSHORT=${NSHORT:-0}; SHORTLEVELS=${SHORTLEVELS:-3}
QLIST=${QLIST:-"2 3 4 5 6 6.5 7 8 9 10"}
DECK=$(realpath inputs/edbd_disks/in.edbd_disks)
mkdir -p "$RUNDIR" "$SIMDIR"
for item in $LIST; do
  IFS=: read -r PHI NRUN NEQ <<< "$item"
  files=()
  for r in $(seq 1 "$REPS"); do
    d="$RUNDIR/phi$PHI"; mkdir -p "$d"
    start=$(date +%s)
    (cd "$d" && OMP_NUM_THREADS=1 /usr/bin/time -f "%U %S" -o "time_rep$r.txt" nice lmp -in "$DECK" \
      -log "log_rep$r.lammps" -screen none \
      -var N "$N" -var phi "$PHI" -var dt "$DT" -var growdt 1e-4 -var ngrow 20000 -var nheal 2000 \
      -var neq "$NEQ" -var nrun "$NRUN" -var nevery "$NEVERY" -var nfreq $((NEVERY * 1000)) \
      -var nshort "$NSHORT" -var shortlevels "$SHORTLEVELS" \
      -var nthermo 10000 -var seed $((20261202 + 1000 * r)) -var qlist "$QLIST" -var out "rep$r")
    cpu=$(awk '{printf "%.1f", $1 + $2}' "$d/time_rep$r.txt")
    line="phi $PHI replica $r: N $N dt $DT neq $NEQ nrun $NRUN nevery $NEVERY nshort $NSHORT"
    line+=" wall $(( $(date +%s) - start )) s cpu $cpu s"
    echo "$line" | tee -a "$RUNDIR/timing.txt"
    if [ "$NSHORT" -gt 0 ]; then
      python -c "import sys; from slowdyn.analysis.io.sisf import splice_sisf; splice_sisf(*sys.argv[1:])" \
        "$d/rep$r/sisf_short_1.dat" "$d/rep$r/sisf_1.dat" "$d/rep$r/sisf_spliced_1.dat"
      files+=("$d/rep$r/sisf_spliced_1.dat")
    else
      files+=("$d/rep$r/sisf_1.dat")
    fi
  done
  python -c "import sys; from slowdyn.analysis.io.sisf import average_sisf; average_sisf(sys.argv[2:], sys.argv[1])" \
    "$SIMDIR/sisf_phi$PHI.sisf" "${files[@]}"
  echo "phi $PHI done: $SIMDIR/sisf_phi$PHI.sisf"
done
