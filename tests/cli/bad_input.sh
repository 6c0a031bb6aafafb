#!/usr/bin/env bash
# Bad input never crashes the program: each broken file (see
# tests/python/make_bad_inputs.py) must give exit code 1 or 2, nothing on stdout,
# exactly one line on stderr naming the file and the problem, and no output file
# (nor a temporary one) left behind. Run under a 4 GB address-space limit, so that a
# header-sized allocation would fail loudly instead of passing unnoticed.
# Usage: bash bad_input.sh ALINEA_BINARY SOURCE_DIR
set -u
alinea="$1"
source_dir="$2"
py=/usr/bin/python3

work=$(mktemp -d "${TMPDIR:-/tmp}/alinea_cli_bad_input.XXXXXX")
trap 'rm -rf "$work"' EXIT
in="$work/in"
outdir="$work/out"
mkdir -p "$in" "$outdir"

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$py" "$source_dir/tests/python/make_bad_inputs.py" "$in" > "$work/cases.tsv" || { echo "FAIL: cannot make the inputs" >&2; exit 1; }

# The address-space limit, unless this build cannot run under it (sanitizers).
limit=""
if (ulimit -v 4000000 && "$alinea" info "$in/good.nii.gz" > /dev/null 2>&1); then limit="ulimit -v 4000000;"; fi
echo "address-space limit: ${limit:-none (this build cannot run under it)}"

# expect_error WORDS FILE_NAMED -- COMMAND...: the command must fail cleanly.
expect_error() {
    local words="$1" named="$2"
    shift 3
    bash -c "$limit \"\$@\"" _ "$@" > "$work/stdout" 2> "$work/stderr"
    local code=$?
    local what="$(basename "$named") ($*)"
    local lines
    lines=$(wc -l < "$work/stderr")
    if [ $code -ne 1 ] && [ $code -ne 2 ]; then
        fail "$what: exit code $code (expected 1 or 2): $(head -c 300 "$work/stderr")"
    elif [ "$lines" -ne 1 ]; then
        fail "$what: $lines lines on stderr (expected 1): $(head -c 300 "$work/stderr")"
    elif ! grep -qF -- "$named" "$work/stderr"; then
        fail "$what: the message does not name the file: $(cat "$work/stderr")"
    elif ! grep -qiF -- "$words" "$work/stderr"; then
        fail "$what: the message does not say '$words': $(cat "$work/stderr")"
    elif [ -s "$work/stdout" ]; then
        fail "$what: printed on stdout: $(head -c 200 "$work/stdout")"
    elif [ -n "$(ls -A "$outdir")" ]; then
        fail "$what: left files behind: $(ls -A "$outdir")"
        rm -rf "${outdir:?}"/* "$outdir"/.[!.]*
    else
        echo "ok: $what -> $(cat "$work/stderr")"
    fi
}

count=0
while IFS=$'\t' read -r name words mode; do
    file="$in/$name"
    case "$mode" in
        info)
            expect_error "$words" "$file" -- "$alinea" info "$file"
            expect_error "$words" "$file" -- "$alinea" info --json "$file"
            # Through a command that writes: as the moving image and as the reference.
            expect_error "$words" "$file" -- "$alinea" apply -r "$in/good.nii.gz" -i "$file" -o "$outdir/out.nii.gz"
            expect_error "$words" "$file" -- "$alinea" apply -r "$file" -i "$in/good.nii.gz" -o "$outdir/out.nii.gz"
            ;;
        as-scalar)  # a vector image where a scalar image is expected
            expect_error "$words" "$file" -- "$alinea" apply -r "$in/good.nii.gz" -i "$file" -o "$outdir/out.nii.gz"
            ;;
        as-vector)  # a scalar image where a displacement field is expected
            expect_error "$words" "$file" -- "$alinea" apply -r "$in/good.nii.gz" -i "$in/good.nii.gz" -t "$file" -o "$outdir/out.nii.gz"
            ;;
        as-volume)  # a valid 4-D series where one image is expected: refused, not cut to frame 1
            expect_error "$words" "$file" -- "$alinea" apply -r "$in/good.nii.gz" -i "$file" -o "$outdir/out.nii.gz"
            expect_error "$words" "$file" -- "$alinea" apply -r "$file" -i "$in/good.nii.gz" -o "$outdir/out.nii.gz"
            expect_error "$words" "$file" -- "$alinea" register -f "$file" -m "$in/good.nii.gz" -o "$outdir/r_" -q
            expect_error "$words" "$file" -- "$alinea" register -f "$in/good.nii.gz" -m "$file" -o "$outdir/r_" -q
            ;;
        as-2d)      # a 3-D image where a 2-D image is expected
            expect_error "$words" "$file" -- "$alinea" apply -r "$in/good2d.png" -i "$file" -o "$outdir/out.png"
            ;;
    esac
    count=$((count + 1))
done < "$work/cases.tsv"

[ "$count" -ge 30 ] || fail "only $count cases were generated"

# The gzip bomb costs no more memory than its header declares (512 MiB of zeros follow).
/usr/bin/time -f '%M' -o "$work/rss.txt" "$alinea" info "$in/bomb.nii.gz" > /dev/null 2>&1 || true
rss=$(tail -1 "$work/rss.txt")
[ "$rss" -lt 100000 ] || fail "bomb.nii.gz: info used $rss KiB"
echo "ok: bomb.nii.gz: info peaked at $rss KiB"

# NIfTI quirks refused as nibabel refuses them.
for name in long_quaternion.nii slightly_long_quaternion.nii vox_offset_in_header.nii; do
    if "$py" -c "import sys, nibabel as nib; img = nib.load(sys.argv[1]); img.affine; img.get_fdata()" "$in/$name" 2> /dev/null; then
        fail "$name: nibabel reads it, Alinea refuses it"
    else
        echo "ok: $name: nibabel refuses it too"
    fi
done

# Images with no content: nothing to align, whichever side they are on.
"$py" - "$in/good.nii.gz" "$in" <<'PY'
import sys, numpy as np, nibabel as nib
good = nib.load(sys.argv[1])
for name, value in (("zeros", 0.0), ("constant", 7.0), ("allnan", np.nan)):
    nib.save(nib.Nifti1Image(np.full(good.shape, value, np.float32), good.affine), f"{sys.argv[2]}/{name}.nii.gz")
ramp = np.indices(good.shape).sum(axis=0).astype(np.float32)
nib.save(nib.Nifti1Image(ramp, good.affine), f"{sys.argv[2]}/ramp.nii.gz")
nib.save(nib.Nifti1Image(np.zeros(good.shape, np.uint8), good.affine), f"{sys.argv[2]}/empty_mask.nii.gz")
nib.save(nib.Nifti1Image(np.ones((1, 1, 1), np.float32), good.affine), f"{sys.argv[2]}/one_voxel.nii.gz")
for name, value in (("nan_warp", np.nan), ("far_warp", 1e30)):
    w = np.zeros(good.shape + (1, 3), np.float32); w[1, 1, 0, 0, 0] = value
    img = nib.Nifti1Image(w, good.affine); img.header.set_intent("vector")
    nib.save(img, f"{sys.argv[2]}/{name}.nii.gz")
PY
printf '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_doubleXYZ_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0 0 0\nFixedParameters: 0 0 0\n' > "$in/prefix_type.txt"
expect_error "is not of the form" "$in/prefix_type.txt" -- "$alinea" apply -r "$in/ramp.nii.gz" -i "$in/ramp.nii.gz" -t "$in/prefix_type.txt" -o "$outdir/out.nii.gz"
expect_error "one slice is 2-D" "$in/one_voxel.nii.gz" -- "$alinea" register -f "$in/one_voxel.nii.gz" -m "$in/ramp.nii.gz" -o "$outdir/r_" -q
expect_error "mask is empty" "$in/empty_mask.nii.gz" -- "$alinea" register -f "$in/ramp.nii.gz" -m "$in/ramp.nii.gz" --fixed-mask "$in/empty_mask.nii.gz" -o "$outdir/r_" -q
expect_error "not a displacement field" "$in/nan_warp.nii.gz" -- "$alinea" evaluate -r "$in/ramp.nii.gz" --truth identity --result "$in/nan_warp.nii.gz"
expect_error "not a displacement field" "$in/far_warp.nii.gz" -- "$alinea" invert "$in/far_warp.nii.gz" -o "$outdir/inverse.nii.gz"
for name in zeros constant; do
    expect_error "image is constant" "$in/$name.nii.gz" -- "$alinea" register -f "$in/$name.nii.gz" -m "$in/ramp.nii.gz" -o "$outdir/r_" -q
    expect_error "image is constant" "$in/$name.nii.gz" -- "$alinea" register -f "$in/ramp.nii.gz" -m "$in/$name.nii.gz" -o "$outdir/r_" -q
done
expect_error "no finite voxel" "$in/allnan.nii.gz" -- "$alinea" register -f "$in/ramp.nii.gz" -m "$in/allnan.nii.gz" -o "$outdir/r_" -q

# Writing into a folder that does not exist.
expect_error "does not exist" "$work/nowhere/out.nii.gz" -- "$alinea" apply -r "$in/good.nii.gz" -i "$in/good.nii.gz" -o "$work/nowhere/out.nii.gz"

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "all $count bad inputs rejected cleanly"
