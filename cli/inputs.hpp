#pragma once
// How subcommands read their inputs.
#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/nifti.hpp"

#include <string>

namespace alinea::cli {

// A single volume: a 4-D file where one image is expected is refused, not cut to its
// first frame.
template <int D>
ScalarImage<D> read_volume(const std::string& path) {
    if (is_nifti_path(path)) {
        const Index frames = read_nifti_info(path).time_points;
        if (frames > 1)
            throw Error(path + ": a 4-D series (" + std::to_string(frames) + " frames) where one image is expected");
    }
    return read_image<D>(path);
}

}  // namespace alinea::cli
