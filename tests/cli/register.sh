#!/usr/bin/env bash
# alinea register from the command line: outputs, reproducibility across thread
# counts (byte for byte), and clear one-line errors for bad options.
set -euo pipefail
alinea=$1
data=/usr/share/doc/insighttoolkit5-examples/examples/Data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

fixed=$data/BrainT1SliceBorder20.png
moving=$data/BrainProtonDensitySliceR10X13Y17.png
for t in 1 2; do
  "$alinea" register -f "$fixed" -m "$moving" -o "$tmp/t$t/" --threads $t -q \
    --transform rigid --metric mi:bins=24 --transform affine --metric mi --levels 2x1 --smoothing 1x0vox --iterations 40x20
done
for f in affine.txt warped.nii.gz qc.png; do
  [ -s "$tmp/t1/$f" ] || fail "missing output $f"
  cmp -s "$tmp/t1/$f" "$tmp/t2/$f" || fail "$f differs between 1 and 2 threads"
done
grep -q '"command"' "$tmp/t1/log.json" || fail "log.json has no command"
grep -q 'AffineTransform_double_2_2' "$tmp/t1/affine.txt" || fail "affine.txt is not an ITK 2-D affine"
# The affine file applies: the warped image from apply equals the one register wrote.
"$alinea" apply -r "$fixed" -i "$moving" -t "$tmp/t1/affine.txt" -o "$tmp/applied.nii.gz"
cmp -s "$tmp/applied.nii.gz" "$tmp/t1/warped.nii.gz" || fail "apply with the affine differs from register's warped image"

# ANTs' "[file,1]" (inverse) stays whole in evaluate: a result against itself, both
# inverted, is 0 mm away.
"$alinea" evaluate -r "$fixed" --truth "[$tmp/t1/affine.txt,1]" --result "[$tmp/t1/affine.txt,1]" > "$tmp/eval.txt" \
  || fail "evaluate rejected [file,1]"
grep -q "mean 0.0000 mm" "$tmp/eval.txt" || { cat "$tmp/eval.txt"; fail "evaluate of a transform against itself is not 0 mm"; }

# Help lists the stage options.
"$alinea" register --help | grep -q -- "--metric SPEC" || fail "register --help does not describe stage options"

# Bad options: exit non-zero, one line on stderr that names the problem, no outputs.
expect_error() {  # expect_error PATTERN ARGS...
  local pattern=$1; shift
  if "$alinea" register -o "$tmp/bad/" "$@" 2>"$tmp/err" >/dev/null; then
    fail "accepted: $*"
  fi
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "not one line for: $*"; }
  grep -q -- "$pattern" "$tmp/err" || { cat "$tmp/err"; fail "message lacks '$pattern' for: $*"; }
  [ ! -e "$tmp/bad/affine.txt" ] || fail "output written for: $*"
}
pair=(-f "$fixed" -m "$moving")
expect_error "radiu" "${pair[@]}" --transform rigid --metric lncc:radiu=2
expect_error "bogus" "${pair[@]}" --transform rigid --bogus 3
expect_error "before the first --transform" "${pair[@]}" --metric ssd --transform rigid
expect_error "same number of levels" "${pair[@]}" --transform rigid --levels 4x2x1 --iterations 10x10
expect_error "shear" "${pair[@]}" --transform shear
expect_error "nope.png" -f "$tmp/nope.png" -m "$moving" --transform rigid
expect_error "moving" -f "$fixed" --transform rigid
echo "register CLI: all checks passed"
