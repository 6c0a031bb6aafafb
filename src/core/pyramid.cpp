#include "alinea/pyramid.hpp"

#include "alinea/resample.hpp"
#include "alinea/smooth.hpp"

namespace alinea {

template <int D>
Grid<D> shrink_grid(const Grid<D>& grid, int factor) {
    Size<D> size;
    VecD<D> f, first;
    for (int a = 0; a < D; ++a) {
        const int fa = std::min<Index>(factor, std::max<Index>(grid.size(a), 1));
        size[a] = std::max<Index>(1, grid.size(a) / fa);
        f[a] = fa;
        // Centre the shrunk grid on the original box (also when fa does not divide it).
        first[a] = 0.5 * static_cast<double>(grid.size(a) - 1) - 0.5 * fa * static_cast<double>(size[a] - 1);
    }
    return Grid<D>(size, grid.linear() * f.asDiagonal(), grid.physical(first));
}

template <int D>
ScalarImage<D> pyramid_level(const ScalarImage<D>& image, int factor, const VecD<D>& sigma_voxels) {
    ScalarImage<D> smooth = image;
    if (sigma_voxels.maxCoeff() > 0) gaussian_smooth(smooth, sigma_voxels);
    if (factor <= 1) return smooth;
    return resample(smooth, shrink_grid(image.grid(), factor), Affine<D>::identity(), Interpolation::linear);
}

template Grid<2> shrink_grid<2>(const Grid<2>&, int);
template Grid<3> shrink_grid<3>(const Grid<3>&, int);
template ScalarImage<2> pyramid_level<2>(const ScalarImage<2>&, int, const VecD<2>&);
template ScalarImage<3> pyramid_level<3>(const ScalarImage<3>&, int, const VecD<3>&);

}  // namespace alinea
