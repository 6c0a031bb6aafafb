#pragma once
// Voxel storage types on disk. In memory, scalar images are float.
#include <cstdint>
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

// Calls body(T{}) with the C++ type that stores `type` (one switch for every converter).
template <class F>
decltype(auto) visit_pixel_type(PixelType type, F&& body) {
    switch (type) {
        case PixelType::u8: return body(std::uint8_t{});
        case PixelType::i8: return body(std::int8_t{});
        case PixelType::u16: return body(std::uint16_t{});
        case PixelType::i16: return body(std::int16_t{});
        case PixelType::u32: return body(std::uint32_t{});
        case PixelType::i32: return body(std::int32_t{});
        case PixelType::f32: return body(float{});
        case PixelType::f64: break;
    }
    return body(double{});
}

}  // namespace alinea
