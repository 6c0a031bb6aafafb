#include "alinea/regrid.hpp"

#include "alinea/affine.hpp"
#include "alinea/error.hpp"
#include "alinea/resample.hpp"
#include "alinea/smooth.hpp"

#include <cmath>

namespace alinea {

namespace {

// A grid with `spacing` and `size`, the direction of `grid`, centred where `grid` is.
template <int D>
Grid<D> centred_grid(const Grid<D>& grid, const Size<D>& size, const VecD<D>& spacing) {
    MatD<D> linear = grid.direction() * spacing.asDiagonal();
    VecD<D> half;
    for (int a = 0; a < D; ++a) half[a] = (static_cast<double>(size[a]) - 1) / 2;
    return Grid<D>(size, linear, grid.center() - linear * half);
}

}  // namespace

template <int D>
Grid<D> grid_with_spacing(const Grid<D>& grid, const VecD<D>& spacing) {
    Size<D> size;
    for (int a = 0; a < D; ++a) {
        if (!(spacing[a] > 0) || !std::isfinite(spacing[a])) throw Error("--spacing: voxel sizes must be positive mm");
        size[a] = std::max<Index>(1, std::llround(static_cast<double>(grid.size(a)) * grid.spacing()[a] / spacing[a]));
        if (size[a] > (Index{1} << 16)) throw Error("--spacing: " + std::to_string(spacing[a]) + " mm makes " +
                                                     std::to_string(size[a]) + " voxels along an axis (at most 65536)");
    }
    return centred_grid<D>(grid, size, spacing);
}

template <int D>
Grid<D> grid_with_size(const Grid<D>& grid, const Size<D>& size) {
    VecD<D> spacing;
    for (int a = 0; a < D; ++a) {
        if (size[a] < 1 || size[a] > (Index{1} << 16)) throw Error("--size: 1 to 65536 voxels per axis");
        spacing[a] = static_cast<double>(grid.size(a)) * grid.spacing()[a] / static_cast<double>(size[a]);
    }
    return centred_grid<D>(grid, size, spacing);
}

template <int D>
VecD<D> antialiasing_sigmas(const Grid<D>& image, const Grid<D>& target) {
    const double fwhm_per_sigma = 2 * std::sqrt(2 * std::log(2.0));
    const bool aligned = (image.direction() - target.direction()).cwiseAbs().maxCoeff() < 1e-6;
    VecD<D> sigmas;
    for (int a = 0; a < D; ++a) {
        const double coarse = aligned ? target.spacing()[a] : target.spacing().maxCoeff();
        const double fine = image.spacing()[a];
        sigmas[a] = coarse > fine ? std::sqrt(coarse * coarse - fine * fine) / fwhm_per_sigma : 0.0;
    }
    return sigmas;
}

template <int D>
ScalarImage<D> resample_onto(const ScalarImage<D>& image, const Grid<D>& target, Interpolation interpolation,
                             bool antialias, float outside) {
    const VecD<D> sigmas = antialiasing_sigmas(image.grid(), target);
    const bool smooth = antialias && interpolation != Interpolation::nearest && interpolation != Interpolation::label &&
                        sigmas.maxCoeff() > 0;
    if (!smooth) return resample(image, target, Affine<D>{}, interpolation, outside);
    ScalarImage<D> smoothed = image;
    gaussian_smooth(smoothed, VecD<D>(sigmas.cwiseQuotient(image.grid().spacing())));
    return resample(smoothed, target, Affine<D>{}, interpolation, outside);
}

template Grid<2> grid_with_spacing<2>(const Grid<2>&, const VecD<2>&);
template Grid<3> grid_with_spacing<3>(const Grid<3>&, const VecD<3>&);
template Grid<2> grid_with_size<2>(const Grid<2>&, const Size<2>&);
template Grid<3> grid_with_size<3>(const Grid<3>&, const Size<3>&);
template VecD<2> antialiasing_sigmas<2>(const Grid<2>&, const Grid<2>&);
template VecD<3> antialiasing_sigmas<3>(const Grid<3>&, const Grid<3>&);
template ScalarImage<2> resample_onto<2>(const ScalarImage<2>&, const Grid<2>&, Interpolation, bool, float);
template ScalarImage<3> resample_onto<3>(const ScalarImage<3>&, const Grid<3>&, Interpolation, bool, float);

}  // namespace alinea
