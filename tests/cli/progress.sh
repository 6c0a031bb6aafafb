#!/usr/bin/env bash
# Progress output: --progress json is one JSON object per line (stage, iteration, level,
# done, in the run's order, with an estimate of the time left that ends near zero);
# text into a pipe has no carriage returns; --quiet prints nothing; the applications'
# own lines are JSON too.
set -euo pipefail
alinea=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
data=/usr/share/doc/insighttoolkit5-examples/examples/Data
fixed=$data/BrainProtonDensitySliceBorder20.png moving=$data/BrainProtonDensitySliceShifted13x17y.png
plan=(--transform rigid --transform affine --transform diffeo --iterations 30x20x10)

"$alinea" register -f "$fixed" -m "$moving" -o "$tmp/j_" --progress json "${plan[@]}" > "$tmp/json.txt"
/usr/bin/python3 - "$tmp/json.txt" "$tmp/j_" <<'PY' || fail "--progress json: $(head -5 "$tmp/json.txt")"
import json, os, sys
events = [json.loads(line) for line in open(sys.argv[1])]  # every line is one object
kinds = [e["event"] for e in events]
assert kinds[0] == "stage" and kinds[-1] == "done", kinds
assert kinds.count("stage") == 3 and kinds.count("level") == 9, kinds
stages = [e["stage"] for e in events if e["event"] == "stage"]
assert stages == [1, 2, 3], stages
levels = [(e["stage"], e["level"]) for e in events if e["event"] == "level"]
assert levels == sorted(levels) and len(set(levels)) == 9, levels
iterations = [e for e in events if e["event"] == "iteration"]
assert iterations and all(e["seconds_left"] >= 0 and e["elapsed_seconds"] >= 0 for e in iterations), iterations[:3]
assert all(set(e) >= {"stage", "stages", "level", "levels", "iteration", "max_iterations", "metric"} for e in iterations)
# the estimate is for the whole run: the first one (at most) exceeds the last one
assert iterations[0]["seconds_left"] >= iterations[-1]["seconds_left"], (iterations[0], iterations[-1])
done = events[-1]
assert done["seconds"] > 0 and all(os.path.exists(f) for f in done["outputs"]), done
assert sys.argv[2] + "affine.txt" in done["outputs"] and sys.argv[2] + "warp.nii.gz" in done["outputs"], done
print(f"--progress json: {len(events)} objects, {len(iterations)} iteration events, first estimate "
      f"{iterations[0]['seconds_left']:.2f} s left, run {done['seconds']:.2f} s")
PY

"$alinea" register -f "$fixed" -m "$moving" -o "$tmp/t_" "${plan[@]}" > "$tmp/text.txt"
grep -q $'\r' "$tmp/text.txt" && fail "text progress into a pipe holds carriage returns"
grep -q "^stage 3/3: --transform diffeo" "$tmp/text.txt" && grep -q "^done in" "$tmp/text.txt" ||
  fail "text progress: $(cat "$tmp/text.txt")"
"$alinea" register -f "$fixed" -m "$moving" -o "$tmp/q_" -q "${plan[@]}" > "$tmp/quiet.txt"
[ -s "$tmp/quiet.txt" ] && fail "--quiet printed: $(cat "$tmp/quiet.txt")"
if "$alinea" register -f "$fixed" -m "$moving" -o "$tmp/b_" --progress xml 2> "$tmp/err.txt"; then fail "--progress xml accepted"; fi
grep -q "progress" "$tmp/err.txt" || fail "--progress xml: $(cat "$tmp/err.txt")"

# An application: segmentation with two 2-D atlases (the same slice under two shifts).
for k in 1 2; do
  "$alinea" apply -r "$fixed" -i "$moving" -t "[$tmp/j_affine.txt,1]" -o "$tmp/atlas$k.nii.gz" > /dev/null
  /usr/bin/python3 -c "
import sys, numpy as np, nibabel as nib
image = nib.load(sys.argv[1]); labels = (np.asanyarray(image.dataobj) > 60).astype(np.uint8)
nib.save(nib.Nifti1Image(labels, image.affine), sys.argv[2])" "$tmp/atlas$k.nii.gz" "$tmp/atlas${k}_labels.nii.gz"
done
"$alinea" segment -i "$fixed" --atlas "$tmp/atlas1.nii.gz" "$tmp/atlas1_labels.nii.gz" \
  --atlas "$tmp/atlas2.nii.gz" "$tmp/atlas2_labels.nii.gz" -o "$tmp/s_" --progress json \
  --transform affine --iterations 20x10x5 > "$tmp/segment.txt"
/usr/bin/python3 - "$tmp/segment.txt" <<'PY' || fail "segment --progress json: $(head -5 "$tmp/segment.txt")"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
kinds = [e["event"] for e in events]
assert kinds.count("atlas") == 2 and "fusion" in kinds and kinds[-1] == "done", kinds
print(f"segment --progress json: {len(events)} objects ({', '.join(sorted(set(kinds)))})")
PY
echo "progress: all checks passed"
