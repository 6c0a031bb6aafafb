#pragma once
// 2-D PNG reading and writing (8- and 16-bit grey; colour is converted to grey).
// A PNG has no geometry: unit spacing, zero origin, identity direction (as ITK).
#include "alinea/image.hpp"

#include <string>

namespace alinea {

ScalarImage<2> read_png(const std::string& path);
// What the file holds (for `alinea info`); an RGB file is decoded to see whether it has
// any colour at all.
struct PngInfo {
    int width = 0, height = 0;
    int bit_depth = 8;   // 8 or 16: the depth read_png keeps
    int channels = 1;    // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (colour is read as grey)
    bool colour = false; // RGB(A) with a pixel whose channels differ (grey saved as RGB is not)
};
PngInfo read_png_info(const std::string& path);
// bit_depth 8 or 16; values are rounded and clamped to the range.
void write_png(const std::string& path, const ScalarImage<2>& image, int bit_depth = 8);
// An RGB picture (for QC): width x height, 3 bytes per pixel, row-major.
void write_png_rgb(const std::string& path, int width, int height, const std::vector<unsigned char>& rgb);
// The same encoded in memory, filtered and compressed for speed (report pictures: a
// few hundred kilobytes each, drawn at every registration).
std::string encode_png_rgb(int width, int height, const std::vector<unsigned char>& rgb);

}  // namespace alinea
