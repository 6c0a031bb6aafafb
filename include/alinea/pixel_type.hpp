#pragma once
// Voxel storage types on disk. In memory, scalar images are float.
#include <string>

namespace alinea {

enum class PixelType { u8, i8, u16, i16, u32, i32, f32, f64 };

std::string to_string(PixelType type);
// "uint8", "int16", "float32", ... (also "uchar", "short", "float", "double").
PixelType parse_pixel_type(const std::string& name);
// Largest/smallest representable values (for clamping on write).
double pixel_type_min(PixelType type);
double pixel_type_max(PixelType type);
bool is_integer(PixelType type);

}  // namespace alinea
