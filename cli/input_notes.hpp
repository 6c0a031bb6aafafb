#pragma once
// What the commands tell the user about an input before reading it: a colour image
// (RGB PNG, TIFF, DICOM ultrasound) is registered as one grey channel.
#include "alinea/image_io.hpp"

#include <cstdio>
#include <string>

namespace alinea::cli {

// "PATH: a colour image, converted to grey (luminance)", or "".
inline std::string colour_note(const std::string& path) {
    return !path.empty() && read_image_info(path).colour ? path + ": a colour image, converted to grey (luminance)" : "";
}

inline void warn_if_colour(const std::string& path) {
    if (const std::string note = colour_note(path); !note.empty()) std::fprintf(stderr, "alinea: warning: %s\n", note.c_str());
}

}  // namespace alinea::cli
