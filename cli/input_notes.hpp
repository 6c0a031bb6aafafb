#pragma once
// What the commands tell the user about an input before reading it: a colour image
// (RGB PNG, TIFF, DICOM ultrasound) is registered as one grey channel.
#include "alinea/image_io.hpp"

#include <cstdio>
#include <string>

namespace alinea::cli {

inline void warn_if_colour(const std::string& path) {
    if (!path.empty() && read_image_info(path).colour)
        std::fprintf(stderr, "alinea: warning: %s: a colour image, converted to grey (luminance)\n", path.c_str());
}

}  // namespace alinea::cli
