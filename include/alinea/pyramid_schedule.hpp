#pragma once
// The coarse-to-fine schedule of a stage, as ANTs users write it:
// --levels 4x2x1 --smoothing 2x1x0vox --iterations 100x50x20.
#include "alinea/grid.hpp"

#include <string>
#include <vector>

namespace alinea {

struct PyramidSchedule {
    std::vector<int> shrink{4, 2, 1};
    std::vector<double> smoothing{2, 1, 0};
    bool smoothing_in_mm = false;  // else in voxels of each image's own grid
    std::vector<int> iterations{100, 50, 25};

    int levels() const { return static_cast<int>(shrink.size()); }
    // The level's smoothing sigma per axis, in voxels of `grid` (the full-resolution
    // image's). A sigma in mm becomes mm / spacing on each axis, so a thick-slice
    // scan is smoothed less (in voxels) along its thick axis: the same Gaussian in mm.
    template <int D>
    VecD<D> sigma_voxels(int level, const Grid<D>& grid) const {
        if (!smoothing_in_mm) return VecD<D>::Constant(smoothing[level]);
        return (VecD<D>::Constant(smoothing[level]).array() / grid.spacing().array()).matrix();
    }
    // Throws if the three lists do not have the same length or hold absurd values.
    void validate() const;
    bool operator==(const PyramidSchedule&) const = default;
};

std::vector<int> parse_int_list(const std::string& option, const std::string& text);
// "2x1x0vox", "4x2x0mm" (no unit: voxels); sets in_mm.
std::vector<double> parse_sigma_list(const std::string& option, const std::string& text, bool& in_mm);
std::string format_list(const std::vector<int>& values);
std::string format_sigmas(const std::vector<double>& values, bool in_mm);
// "--levels 4x2x1 --smoothing 2x1x0vox --iterations 100x50x25"
std::string describe(const PyramidSchedule& schedule);

}  // namespace alinea
