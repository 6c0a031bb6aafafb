#!/usr/bin/env bash
# alinea atlas on Open MPI ranks (mpirun, as root on CI): three real brains at 4 mm
# with their labels give the same bytes (template, every iteration's template, the
# transforms, probability, label, variability maps, volumes) on 1, 2 and 3 ranks and
# in one process without mpirun; a rank that fails ends the whole job at once, naming
# the rank, the host and the subject, leaving nothing of the failed iteration; a rank
# killed mid-run is resumed with another number of ranks to the uninterrupted bytes.
# A build without MPI (scripts/test --without-mpi) is checked here too: under mpirun,
# rank 0 builds the same atlas alone and says so.
set -euo pipefail
alinea=$1
source_dir=$2
ixi=$source_dir/../shared/data/ixi10
tmp=$(mktemp -d)
mkdir -p "$tmp/alone" "$tmp/bad" "$tmp/c" "$tmp/k" "$tmp/one"  # output folders (runs do not create them)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v mpirun > /dev/null || fail "mpirun not found (scripts/setup installs openmpi-bin)"
mpi=(mpirun --oversubscribe --allow-run-as-root)

source "$source_dir/tests/cli/lib/ixi_4mm.sh"  # subjects=(...) at 4 mm in $tmp
images=() labels=()
for s in "${subjects[@]:0:3}"; do images+=("$tmp/$s.nii.gz") labels+=("$tmp/${s}_labels.nii.gz"); done
args=(-i "${images[@]}" --labels "${labels[@]}" --iterations 2 -q
      --transform rigid --transform affine --transform diffeo --iterations 40x20x10)
outputs=(template.nii.gz iteration0_template.nii.gz iteration1_template.nii.gz intensity_sd.nii.gz probabilities.nii.gz
         labels.nii.gz labels.csv logjac_mean.nii.gz logjac_sd.nii.gz volumes.csv qc.png)
for s in "${subjects[@]:0:3}"; do outputs+=("${s}_affine.txt" "${s}_warp.nii.gz"); done
same_as() {  # folder, reference folder, what
  for f in "${outputs[@]}"; do
    [ -s "$2/$f" ] || fail "$3: the reference has no $f"
    cmp -s "$1/$f" "$2/$f" || fail "$3: $f differs"
  done
}

# One process, no mpirun: the reference (several threads, subjects in parallel: the same bytes).
"$alinea" atlas "${args[@]}" --threads 2 -o "$tmp/one/"

if "$alinea" --version | grep -q "without MPI"; then
  "${mpi[@]}" -np 2 "$alinea" atlas "${args[@]}" --threads 1 -o "$tmp/alone/" 2> "$tmp/err.txt"
  grep -q "built without MPI" "$tmp/err.txt" || fail "no word that the build has no MPI: $(cat "$tmp/err.txt")"
  same_as "$tmp/alone" "$tmp/one" "a build without MPI under mpirun"
  echo "atlas_mpi: a build without MPI builds the atlas in one process under mpirun"
  exit 0
fi
"$alinea" --version | grep -q "with MPI" || fail "alinea --version does not say whether it has MPI"

for n in 1 2 3; do
  mkdir -p "$tmp/np$n"
  "${mpi[@]}" -np $n "$alinea" atlas "${args[@]}" --threads 1 -o "$tmp/np$n/"
  same_as "$tmp/np$n" "$tmp/one" "$n rank(s) against one process"
  /usr/bin/python3 -c "import json, sys; log = json.load(open(sys.argv[1])); assert log['ranks'] == $n and len(set(log['rank_of_subject'])) == min($n, 3), log['rank_of_subject']" \
    "$tmp/np$n/log.json" || fail "log.json of $n ranks: ranks or assignment"
done
echo "atlas_mpi: 1, 2 and 3 ranks give the bytes of one process"

# A subject that cannot be registered (a constant image) fails its rank, and the job,
# at once: one line naming the rank, the host and the subject; no maps of the iteration.
/usr/bin/python3 -c "import sys, numpy as np, nibabel as nib; r = nib.load(sys.argv[1]); nib.save(nib.Nifti1Image(np.full(r.shape, 100, np.float32), r.affine), sys.argv[2])" \
  "${images[0]}" "$tmp/flat.nii.gz"
bad=(-i "${images[@]}" "$tmp/flat.nii.gz" --iterations 2 -q --transform rigid --transform affine --transform diffeo)
start=$(date +%s)
if "${mpi[@]}" -np 2 "$alinea" atlas "${bad[@]}" -o "$tmp/bad/" 2> "$tmp/err.txt"; then fail "a failing rank did not fail the job"; fi
took=$(( $(date +%s) - start ))
[ $took -le 20 ] || fail "the job took $took s to fail"
grep -Eq "^alinea: error: rank [0-9]+ on $(hostname)[^:]*: atlas: subject 4 \(.*flat.nii.gz\): the moving image is constant" "$tmp/err.txt" ||
  fail "unclear failure: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/bad/log.json" ] && ! ls -a "$tmp/bad" | grep -Eq '_affine.txt|_warp|^\.staged|^\.alinea' ||
  fail "the failed iteration left files: $(ls -a "$tmp/bad")"
# A corrupt subject file: its rank names it, the job fails; --resume once it is fixed
# completes, with the bytes of an uninterrupted run.
mkdir "$tmp/fix"
for f in "${images[@]}" "${labels[@]}"; do cp "$f" "$tmp/fix/"; done
head -c 3000 "${images[2]}" > "$tmp/fix/$(basename "${images[2]}")"
fixed=()
for f in "${images[@]}"; do fixed+=("$tmp/fix/$(basename "$f")"); done
fixed_labels=()
for f in "${labels[@]}"; do fixed_labels+=("$tmp/fix/$(basename "$f")"); done
fargs=(-i "${fixed[@]}" --labels "${fixed_labels[@]}" "${args[@]:$((2 + 2 * ${#images[@]}))}")
if "${mpi[@]}" -np 3 "$alinea" atlas "${fargs[@]}" -o "$tmp/c/" 2> "$tmp/err.txt"; then fail "a corrupt subject was accepted"; fi
grep -Eq "^alinea: error: rank [0-9]+ on .*$(basename "${images[2]}")" "$tmp/err.txt" || fail "unclear failure: $(cat "$tmp/err.txt")"
cp "${images[2]}" "$tmp/fix/"
"${mpi[@]}" -np 2 "$alinea" atlas "${fargs[@]}" -o "$tmp/c/" --resume
for f in template.nii.gz probabilities.nii.gz volumes.csv; do
  cmp -s "$tmp/c/$f" "$tmp/one/$f" || fail "resumed after a corrupt subject: $f differs"
done
echo "atlas_mpi: a failing rank fails the job in $took s, naming rank, host and subject"

# A rank killed (SIGKILL) after the first iteration is committed: the job ends; resumed
# on 3 ranks, the atlas is the uninterrupted one's, byte for byte.
"${mpi[@]}" -np 2 "$alinea" atlas "${args[@]}" --threads 1 -o "$tmp/k/" 2> /dev/null &
job=$!
for _ in $(seq 600); do
  grep -q '"completed_iterations": 1' "$tmp/k/log.json" 2>/dev/null && break
  sleep 0.1
done
grep -q '"completed_iterations": 1' "$tmp/k/log.json" || fail "the first iteration never completed"
victim=$(pgrep -f "^$alinea atlas .*-o $tmp/k/" | tail -1)  # a rank, not mpirun
[ -n "$victim" ] || fail "no rank to kill"
kill -9 "$victim"
start=$(date +%s)
if wait $job; then fail "the job succeeded although a rank was killed"; fi
took=$(( $(date +%s) - start ))
[ $took -le 20 ] || fail "the job took $took s to end after a rank was killed"
"${mpi[@]}" -np 3 "$alinea" atlas "${args[@]}" --threads 1 -o "$tmp/k/" --resume > /dev/null
same_as "$tmp/k" "$tmp/one" "killed on 2 ranks, resumed on 3"
! ls -a "$tmp/k" | grep -Eq '^\.staged-|^\.alinea-' || fail "temporary files left: $(ls -a "$tmp/k")"
echo "atlas_mpi: a killed rank ends the job in $took s; resumed on 3 ranks it gives the uninterrupted bytes"
echo "atlas_mpi: all checks passed"
