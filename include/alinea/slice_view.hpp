#pragma once
// Slices of images for pictures: the planes a picture cuts (3-D: axial, coronal and
// sagittal through a point, in radiological view, the patient's left on the right;
// 2-D: the image), images sampled on them in physical space (so images on different
// grids line up), and what is drawn on a slice: grey or colour-mapped values, the
// edges of another image, label contours, a checkerboard, a deformed grid.
#include "alinea/figure.hpp"
#include "alinea/image.hpp"

#include <optional>
#include <string>
#include <vector>

namespace alinea {

// A plane through `centre` spanned by the unit physical axes u (to the right on the
// picture) and v (downwards), half_u x half_v mm either side, sampled every pixel_mm.
template <int D>
struct SliceView {
    std::string name;      // "axial", "coronal", "sagittal", or "" in 2-D
    std::string position;  // "z = 12.0 mm" (RAS, as NIfTI viewers show it), or "" in 2-D
    VecD<D> centre, u, v;
    double half_u = 0, half_v = 0, pixel_mm = 1;
    int width() const;
    int height() const;
    VecD<D> point(int row, int column) const;  // the physical point of a pixel's centre
};

// The views through `through` of the grid's physical box, about `pixels` across the
// widest view whatever the voxel size (small images are shown enlarged).
template <int D>
std::vector<SliceView<D>> orthogonal_views(const Grid<D>& grid, const VecD<D>& through, double pixels = 240);

// Where pictures cut by default: the centre of the mask's voxels when there is a mask,
// else of the image's foreground (voxels above a tenth of its robust maximum), else
// the grid's centre.
template <int D>
VecD<D> picture_centre(const ScalarImage<D>& image, const ScalarImage<D>* mask = nullptr);

// Values of an image on a view: NaN outside the image (and where it is NaN).
struct Slice {
    int width = 0, height = 0;
    std::vector<float> values;
    float at(int row, int column) const { return values[static_cast<std::size_t>(row) * width + column]; }
};
template <int D>
Slice sample_slice(const ScalarImage<D>& image, const SliceView<D>& view, bool nearest = false);
// The displacement's components along the view's axes (u, v) at every pixel.
template <int D>
std::pair<Slice, Slice> sample_in_plane(const VectorField<D>& field, const SliceView<D>& view);

// The values a picture maps to its colours: lo -> 0, hi -> 1.
struct Window {
    double lo = 0, hi = 1;
    double operator()(double v) const;
};
// From 0 (or the 1st percentile, when negative) to the 99.5th percentile of the non-zero voxels.
template <int D>
Window robust_window(const ScalarImage<D>& image);
// Symmetric about 0 up to the 99th percentile of |value| over the voxels where mask > 0.5.
template <int D>
Window symmetric_window(const ScalarImage<D>& image, const ScalarImage<D>* mask = nullptr, double floor = 1e-6);

// Pixels outside the image are black.
Raster colour_slice(const Slice& slice, const Window& window, ColourMap map, double pixel_mm);

// Draws the edges of `of` (a slice of another image on the same view, in its own
// window) over the raster: thin lines where its windowed gradient is a local maximum
// across the edge and among the strongest (Canny's non-maximum suppression with one
// threshold).
void draw_edges(Raster& raster, const Slice& of, const Window& window, const Rgb& colour);
// Draws each label's boundary (pixels with a differently labelled 4-neighbour) in its colour.
void draw_contours(Raster& raster, const Slice& labels);
// Squares of `tile` pixels taken alternately from a and b (same size).
Raster checkerboard(const Raster& a, const Raster& b, int tile);
// Lines of a regular grid of `spacing` mm in the deformed space drawn over the raster:
// a pixel at x lies on a line where x + u(x), in the view's axes, is a multiple of the spacing.
template <int D>
void draw_deformed_grid(Raster& raster, const std::pair<Slice, Slice>& displacement, const SliceView<D>& view,
                        double spacing_mm, const Rgb& colour);

}  // namespace alinea
