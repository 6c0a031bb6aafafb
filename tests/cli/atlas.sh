#!/usr/bin/env bash
# alinea atlas from the command line, on four real brains at 4 mm (../shared/data/ixi10,
# DLMUSE labels): every output is there and consistent (probabilities sum to 1, the
# labels are their argmax, apply with the written transforms brings a subject onto the
# template), labels overlap better in template space after the atlas's deformable
# registrations than after affine ones, a resumed run gives the same bytes as an
# uninterrupted one, 2-D works, and bad input gets one clear line.
set -euo pipefail
alinea=$1
source_dir=$2
ixi=$source_dir/../shared/data/ixi10
tmp=$(mktemp -d)
mkdir -p "$tmp/2d" "$tmp/a" "$tmp/e" "$tmp/k" "$tmp/l" "$tmp/other" "$tmp/r"  # output folders (runs do not create them)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

source "$source_dir/tests/cli/lib/ixi_4mm.sh"  # subjects=(...) at 4 mm in $tmp
images=() labels=()
for s in "${subjects[@]}"; do images+=("$tmp/$s.nii.gz") labels+=("$tmp/${s}_labels.nii.gz"); done
plan=(--transform rigid --transform affine --transform diffeo --iterations 40x20x10)

"$alinea" atlas -i "${images[@]}" --labels "${labels[@]}" -o "$tmp/a/" --iterations 2 -q "${plan[@]}"
for f in template.nii.gz intensity_sd.nii.gz logjac_mean.nii.gz logjac_sd.nii.gz probabilities.nii.gz labels.csv \
         labels.nii.gz volumes.csv log.json qc.png iteration0_template.nii.gz iteration2_template.nii.gz \
         IXI013-HH-1212_affine.txt IXI013-HH-1212_warp.nii.gz; do
  [ -s "$tmp/a/$f" ] || fail "missing output $f"
done
cmp -s "$tmp/a/template.nii.gz" "$tmp/a/iteration2_template.nii.gz" || fail "the template is not the last iteration's"
head -1 "$tmp/a/volumes.csv" | grep -qx 'subject,label,volume_mm3,mean_logjac' || fail "volumes.csv header"
grep -q '^IXI014-HH-1236,4,' "$tmp/a/volumes.csv" || fail "volumes.csv has no row for subject IXI014, label 4"

# The log: per-iteration figures, the shape update falls, the command reproduces the run.
/usr/bin/python3 - "$tmp/a/log.json" <<'PY' || fail "log.json"
import json, sys
log = json.load(open(sys.argv[1]))
its = log["iterations"]
assert [i["iteration"] for i in its] == [1, 2], its
assert its[1]["shape_update_mm"] < its[0]["shape_update_mm"], its
assert log["completed_iterations"] == 2 and log["complete"]
assert log["command"].startswith("alinea atlas -i ") and "--transform diffeo" in log["command"]
PY

# Probabilities: frame k = label k, sums of 1, the labels their argmax; transforms:
# `apply -t warp -t affine` brings a subject onto the template (far closer than the
# subject as it is), and every subject's warped labels overlap better after the
# deformable atlas than the affine maps alone give (checked below with an affine atlas).
for s in "${subjects[@]}"; do
  "$alinea" apply -r "$tmp/a/template.nii.gz" -i "$tmp/${s}_labels.nii.gz" -n label \
    -t "$tmp/a/${s}_warp.nii.gz" -t "$tmp/a/${s}_affine.txt" -o "$tmp/a_${s}_labels.nii.gz"
done
"$alinea" apply -r "$tmp/a/template.nii.gz" -i "${images[1]}" -t "$tmp/a/${subjects[1]}_warp.nii.gz" \
  -t "$tmp/a/${subjects[1]}_affine.txt" -o "$tmp/a_subject2.nii.gz"
/usr/bin/python3 - "$tmp/a" "$tmp/a_subject2.nii.gz" "${images[1]}" <<'PY' || fail "probabilities or transforms"
import sys, numpy as np, nibabel as nib
d = sys.argv[1]
p = nib.load(d + "/probabilities.nii.gz").get_fdata(); labels = nib.load(d + "/labels.nii.gz").get_fdata()
present = [int(l.split(",")[0]) for l in open(d + "/labels.csv").read().split()[1:]]
assert p.shape == labels.shape + (max(present) + 1,), (p.shape, labels.shape)
assert np.abs(p.sum(axis=3) - 1).max() < 1e-3, np.abs(p.sum(axis=3) - 1).max()
absent = [k for k in range(p.shape[3]) if k not in present]
assert p[..., absent].max() == 0
assert (np.argmax(p, axis=3) == labels).mean() > 0.999
t = nib.load(d + "/template.nii.gz").get_fdata()
def ncc(a, b):
    m = t > t.mean(); a = a[m] - a[m].mean(); b = b[m] - b[m].mean()
    return (a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum())
warped = ncc(nib.load(sys.argv[2]).get_fdata(), t); raw = ncc(nib.load(sys.argv[3]).get_fdata(), t)
assert warped > 0.9 and warped > raw + 0.1, (warped, raw)
PY
pairwise() {  # mean pairwise Dice of the subjects' labels in template space
  local sum=0 n=0
  for i in 0 1 2 3; do for j in 0 1 2 3; do
    [ $i -lt $j ] || continue
    d=$("$alinea" overlap "$1_${subjects[$i]}_labels.nii.gz" "$1_${subjects[$j]}_labels.nii.gz" --no-distances |
        sed -n 's/.*mean Dice \([0-9.]*\).*/\1/p')
    sum=$(awk -v s=$sum -v d=$d 'BEGIN {print s + d}') n=$((n + 1))
  done; done
  awk -v s=$sum -v n=$n 'BEGIN {print s / n}'
}
"$alinea" atlas -i "${images[@]}" -o "$tmp/l/" --iterations 2 -q --no-qc --transform rigid --transform affine
for s in "${subjects[@]}"; do
  [ ! -e "$tmp/l/${s}_warp.nii.gz" ] || fail "an affine atlas wrote a warp"
  "$alinea" apply -r "$tmp/l/template.nii.gz" -i "$tmp/${s}_labels.nii.gz" -n label -t "$tmp/l/${s}_affine.txt" \
    -o "$tmp/l_${s}_labels.nii.gz"
done
deformable=$(pairwise "$tmp/a") affine=$(pairwise "$tmp/l")
echo "mean pairwise Dice in template space: affine $affine, deformable $deformable"
awk -v d=$deformable -v a=$affine 'BEGIN {exit !(d > a + 0.05)}' || fail "deformable atlas Dice $deformable not above affine $affine"

# Resume: one iteration, then --resume to two, gives the uninterrupted run's bytes.
"$alinea" atlas -i "${images[@]}" --labels "${labels[@]}" -o "$tmp/r/" --iterations 1 -q "${plan[@]}"
"$alinea" atlas -i "${images[@]}" --labels "${labels[@]}" -o "$tmp/r/" --iterations 2 -q --resume "${plan[@]}" |
  tee "$tmp/resume.txt" >/dev/null
for f in template.nii.gz probabilities.nii.gz logjac_mean.nii.gz IXI015-HH-1258_warp.nii.gz IXI015-HH-1258_affine.txt volumes.csv; do
  cmp -s "$tmp/a/$f" "$tmp/r/$f" || fail "resumed $f differs from the uninterrupted run's"
done
# Killed (SIGKILL: no chance to clean up) at some moment after the first iteration
# committed, then resumed: the same bytes again.
"$alinea" atlas -i "${images[@]}" --labels "${labels[@]}" -o "$tmp/k/" --iterations 2 -q "${plan[@]}" &
pid=$!
for _ in $(seq 600); do
  grep -q '"completed_iterations": 1' "$tmp/k/log.json" 2>/dev/null && break
  sleep 0.1
done
sleep 0.5
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
"$alinea" atlas -i "${images[@]}" --labels "${labels[@]}" -o "$tmp/k/" --iterations 2 -q --resume "${plan[@]}"
for f in template.nii.gz probabilities.nii.gz IXI015-HH-1258_warp.nii.gz IXI012-HH-1211_affine.txt; do
  cmp -s "$tmp/a/$f" "$tmp/k/$f" || fail "$f after a kill and --resume differs from the uninterrupted run's"
done
! ls -a "$tmp/k" | grep -q '^\.staged-' || fail "staged files left after the resumed run"
# Resuming a finished run registers nothing and rewrites the same maps.
"$alinea" atlas -i "${images[@]}" --labels "${labels[@]}" -o "$tmp/r/" --iterations 2 --resume "${plan[@]}" > "$tmp/again.txt"
grep -q "resuming after iteration 2 of 2" "$tmp/again.txt" || fail "no resume message"
! grep -q "subject 1/4" "$tmp/again.txt" || fail "a finished run registered again"
cmp -s "$tmp/a/probabilities.nii.gz" "$tmp/r/probabilities.nii.gz" || fail "maps of a finished run differ"
# Fewer iterations than are complete cannot be resumed (the maps are the later ones).
if "$alinea" atlas -i "${images[@]}" --labels "${labels[@]}" -o "$tmp/r/" --iterations 1 --resume "${plan[@]}" 2> "$tmp/err.txt"; then
  fail "resumed with fewer iterations than complete"
fi
grep -q "2 iterations are complete; resume with --iterations 2 or more" "$tmp/err.txt" || fail "unclear error: $(cat "$tmp/err.txt")"
# Another command cannot resume this run.
if "$alinea" atlas -i "${images[@]}" -o "$tmp/r/" --iterations 2 --resume "${plan[@]}" 2> "$tmp/err.txt"; then
  fail "resumed with other inputs"
fi
grep -q "log.json: it was made by another atlas command" "$tmp/err.txt" || fail "unclear resume error: $(cat "$tmp/err.txt")"

# 2-D: three ANTs slices, affine + diffeo.
slices=$source_dir/../shared/data/ants-slices
"$alinea" atlas -i "$slices/r16slice.png" "$slices/r27slice.png" "$slices/r64slice.png" -o "$tmp/2d/" --iterations 1 -q \
  --transform affine --transform diffeo --iterations 30x20x0
"$alinea" info "$tmp/2d/template.nii.gz" | grep -q "dimension    2" || fail "2-D template"

# Bad input: one clear line naming the problem, no output.
expect_error() {  # pattern, then the command's arguments
  local pattern=$1; shift
  if "$alinea" atlas "$@" 2> "$tmp/err.txt" > /dev/null; then fail "accepted: $*"; fi
  [ "$(wc -l < "$tmp/err.txt")" -eq 1 ] || fail "more than one line for: $*: $(cat "$tmp/err.txt")"
  grep -q "$pattern" "$tmp/err.txt" || fail "unclear error for $*: $(cat "$tmp/err.txt")"
}
head -c 2000 "${images[0]}" > "$tmp/truncated.nii.gz"
expect_error "truncated.nii.gz" -i "$tmp/truncated.nii.gz" "${images[1]}" -o "$tmp/e/"
expect_error "2 label maps for 4 subjects" -i "${images[@]}" --labels "${labels[0]}" "${labels[1]}" -o "$tmp/e/"
mkdir -p "$tmp/other"
cp "${images[0]}" "$tmp/other/"
expect_error "two subjects named" -i "${images[0]}" "$tmp/other/$(basename "${images[0]}")" -o "$tmp/e/"
expect_error "grid differs" -i "${images[0]}" "${images[1]}" --labels "${labels[0]}" \
  "$ixi/dlmuse/${subjects[1]}-T1_ds_DLMUSE.nii.gz" -o "$tmp/e/"
cp "${images[1]}" "$tmp/other/template.nii.gz"
expect_error "would overwrite an input" -i "${images[0]}" "$tmp/other/template.nii.gz" -o "$tmp/other/"
/usr/bin/python3 -c "import sys, numpy as np, nibabel as nib; r = nib.load(sys.argv[1]); nib.save(nib.Nifti1Image(np.zeros(r.shape, np.float32), r.affine), sys.argv[2])" \
  "${images[0]}" "$tmp/empty.nii.gz"
expect_error "subject $tmp/empty.nii.gz" -i "${images[0]}" "$tmp/empty.nii.gz" -o "$tmp/e/"
[ ! -e "$tmp/e" ] || [ -z "$(ls "$tmp/e")" ] || fail "a failed run left outputs: $(ls "$tmp/e")"
echo "atlas: all checks passed"
