# Sourced by CLI tests: subjects IXI012, IXI013, IXI014, IXI015 of ../shared/data/ixi10
# (real brains, DLMUSE labels) on a 4 mm grid (the box of the 2 mm originals), as
# $tmp/NAME.nii.gz and $tmp/NAME_labels.nii.gz; also $tmp/identity.txt. Needs $alinea,
# $ixi and $tmp; sets subjects=(NAME...).
subjects=(IXI012-HH-1211 IXI013-HH-1212 IXI014-HH-1236 IXI015-HH-1258)
/usr/bin/python3 - "$ixi/nifti/${subjects[0]}-T1_ds.nii.gz" "$tmp/ref.nii.gz" <<'PY'
import sys, numpy as np, nibabel as nib
img = nib.load(sys.argv[1])
affine = img.affine.copy(); affine[:3, :3] *= 2
affine[:3, 3] += img.affine[:3, :3] @ np.full(3, 0.5)
nib.save(nib.Nifti1Image(np.zeros([n // 2 for n in img.shape[:3]], np.uint8), affine), sys.argv[2])
PY
printf '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0 0 0\nFixedParameters: 0 0 0\n' > "$tmp/identity.txt"
for s in "${subjects[@]}"; do
  "$alinea" apply -r "$tmp/ref.nii.gz" -i "$ixi/nifti/$s-T1_ds.nii.gz" -t "$tmp/identity.txt" -o "$tmp/$s.nii.gz"
  "$alinea" apply -r "$tmp/ref.nii.gz" -i "$ixi/dlmuse/$s-T1_ds_DLMUSE.nii.gz" -t "$tmp/identity.txt" -o "$tmp/${s}_labels.nii.gz" -n label
done
