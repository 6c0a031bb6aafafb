#pragma once
// NIfTI-1 and NIfTI-2 (.nii, .nii.gz) reading and writing.
// Orientation is read exactly as nibabel does (sform when sform_code > 0, else qform
// when qform_code > 0, else nibabel's pixdim fallback), converted from the file's RAS
// to Alinea's internal LPS. Vector images (intent vector, 5-D) hold displacement
// fields in the ITK/ANTs convention: LPS millimetre components, stored unchanged.
#include "alinea/image.hpp"
#include "alinea/pixel_type.hpp"

#include <functional>
#include <span>
#include <string>

namespace alinea {

// What `alinea info` shows and what callers need to dispatch on dimension.
struct NiftiInfo {
    int version = 1;                  // 1 or 2
    int spatial_dimension = 3;        // 2 when nz == 1 (and no higher dims), else 3
    Size<3> size{1, 1, 1};            // nx, ny, nz
    Index time_points = 1;            // dim[4]
    Index components = 1;             // dim[5]
    PixelType pixel_type = PixelType::f32;
    double scl_slope = 1.0, scl_inter = 0.0;
    int sform_code = 0, qform_code = 0, intent_code = 0;
    Grid<3> grid;                     // LPS, of the first 3 spatial axes
    Eigen::Matrix4d ras_affine;       // voxel -> RAS, as nibabel reports it
    bool compressed = false;          // gzip (.nii.gz), recognised by content
};

// sform/qform codes to carry from an input to an output ("keep both codes").
struct NiftiCodes {
    int sform_code = 1;   // NIFTI_XFORM_SCANNER_ANAT
    int qform_code = 1;
};

// Reads and validates the header only (dims, data type, scaling, orientation): an
// image the readers below would refuse for its header is refused here too.
NiftiInfo read_nifti_info(const std::string& path);
NiftiCodes read_nifti_codes(const std::string& path);

// Scalar image (scl_slope/scl_inter applied). For D == 2 the file must have nz == 1.
// For a 4-D series, `frame` selects dim[4] index (reading only that frame's bytes
// after decompression).
template <int D> ScalarImage<D> read_nifti_scalar(const std::string& path, Index frame = 0);
// Every frame of a series (dim[4]) in order, one at a time into the same image (the
// file is decompressed once), e.g. the probability maps of an atlas.
template <int D>
void read_nifti_frames(const std::string& path, const std::function<void(Index, const ScalarImage<D>&)>& frame);
// A vector image with D components (dim[5] == D), e.g. a displacement field.
template <int D> VectorField<D> read_nifti_vector(const std::string& path);

// Over every voxel, frame and component of the file, scaled; NaN and infinite values
// are counted apart. For `alinea info`.
struct ValueStats {
    double min = 0, max = 0, mean = 0;
    Index count = 0, non_finite = 0;
};
ValueStats read_nifti_value_stats(const std::string& path);

// Three letters saying where each voxel axis points TO, from the voxel -> RAS affine
// (nibabel's aff2axcodes convention: "RAS" = i to the right, j anterior, k superior).
std::string orientation_code(const Eigen::Matrix4d& ras_affine);

// Written to a temporary file beside `path` and renamed. Integer types round and clamp.
// NIfTI-1, or NIfTI-2 when a dimension exceeds 32767; .nii.gz is gzip-compressed. The
// sform is the grid exactly; the qform its nearest rotation (exact unless sheared).
// Codes (0, 0) are written as qform_code 1, since a file without codes has no origin.
template <int D>
void write_nifti(const std::string& path, const ScalarImage<D>& image,
                 PixelType type = PixelType::f32, NiftiCodes codes = {});
template <int D>
void write_nifti(const std::string& path, const VectorField<D>& field, NiftiCodes codes = {});
// A 4-D series (dim[4] = frames, e.g. one probability map per label), filled frame by
// frame by frame(t, values) so that the frames never all exist as floats. Stored
// values are value / slope, the header's scl_slope (u8 with slope 1/255 holds a
// probability to within 0.002).
template <int D>
void write_nifti_frames(const std::string& path, const Grid<D>& grid, Index frames,
                        const std::function<void(Index, std::span<float>)>& frame, PixelType type,
                        NiftiCodes codes = {}, double slope = 1.0);

}  // namespace alinea
