#pragma once
// What an image file holds, from its header alone, whatever the format: enough to pick
// the dimension, keep the voxel type of labels, and warn about what reading changes.
#include "alinea/grid.hpp"
#include "alinea/pixel_type.hpp"

#include <string>

namespace alinea {

struct ImageFileInfo {
    std::string format;                     // "NIfTI-1", "PNG", "MetaImage", "NRRD", "DICOM", ...
    int dimension = 3;                      // spatial: 2 or 3 (one slice is a 2-D image)
    Index time_points = 1;                  // frames of a 4-D series
    Index components = 1;                   // values per voxel (3 for RGB, D for a warp)
    bool colour = false;                    // RGB or RGBA: read as grey (luminance)
    PixelType pixel_type = PixelType::f32;  // of the stored values
    Grid<3> grid;                           // LPS, of the first three axes
    std::string description;                // e.g. a DICOM series' description
};

}  // namespace alinea
