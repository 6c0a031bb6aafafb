#!/usr/bin/env bash
# All or nothing: SIGTERM and SIGINT during a run end it with 143 and 130 and leave none
# of its outputs and no temporary file; an output that cannot be written fails the run
# before any output appears; a finished run writes every output.
set -euo pipefail
alinea=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
colin=/usr/share/mricron/templates/ch2bet.nii.gz

"$alinea" simulate -i "$colin" -o "$tmp/s_" --seed 3 --rotation 5 --deformation 4 > /dev/null
plan=(--transform affine --metric ncc --transform diffeo --iterations 100x60x40)
leftovers() { find "$1" -mindepth 1 | sort; }

for signal in TERM INT; do
  mkdir "$tmp/$signal"
  "$alinea" register -f "$colin" -m "$tmp/s_moving.nii.gz" -o "$tmp/$signal/r_" -q "${plan[@]}" 2> "$tmp/err.txt" &
  pid=$!
  sleep 2
  kill -s $signal $pid
  code=0
  wait $pid || code=$?
  expected=$([ $signal = TERM ] && echo 143 || echo 130)
  [ $code = "$expected" ] || fail "SIG$signal: exit $code, expected $expected"
  grep -q "interrupted" "$tmp/err.txt" || fail "SIG$signal: no message"
  [ -z "$(leftovers "$tmp/$signal")" ] || fail "SIG$signal left files: $(leftovers "$tmp/$signal")"
done

# The last output's name is taken by a folder: the run fails naming it, and writes nothing.
mkdir -p "$tmp/busy/r_qc.png"
if "$alinea" register -f "$colin" -m "$tmp/s_moving.nii.gz" -o "$tmp/busy/r_" -q --transform affine --metric ncc \
     2> "$tmp/err.txt"; then
  fail "a run whose output is a folder succeeded"
fi
grep -q "r_qc.png: cannot write: it is a folder" "$tmp/err.txt" || fail "unclear error: $(cat "$tmp/err.txt")"
[ "$(leftovers "$tmp/busy")" = "$tmp/busy/r_qc.png" ] || fail "a failed run left files: $(leftovers "$tmp/busy")"

# A finished run: every output, no temporary file.
mkdir "$tmp/done"
"$alinea" register -f "$colin" -m "$tmp/s_moving.nii.gz" -o "$tmp/done/r_" -q --transform affine --metric ncc
[ "$(leftovers "$tmp/done" | xargs -n1 basename | tr '\n' ' ')" = "r_affine.txt r_log.json r_qc.png r_report.html r_warped.nii.gz " ] ||
  fail "outputs of a finished run: $(leftovers "$tmp/done")"
echo "signals: all checks passed"
