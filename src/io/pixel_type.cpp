#include "alinea/pixel_type.hpp"

#include "alinea/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

namespace alinea {

namespace {

struct PixelTypeName {
    PixelType type;
    const char* name;
};

// The first name of each type is canonical; the others are ITK/C spellings people type.
constexpr std::array<PixelTypeName, 22> kNames{{
    {PixelType::u8, "uint8"},   {PixelType::i8, "int8"},     {PixelType::u16, "uint16"},
    {PixelType::i16, "int16"},  {PixelType::u32, "uint32"},  {PixelType::i32, "int32"},
    {PixelType::f32, "float32"}, {PixelType::f64, "float64"},
    {PixelType::u8, "uchar"},   {PixelType::i8, "char"},     {PixelType::u16, "ushort"},
    {PixelType::i16, "short"},  {PixelType::u32, "uint"},    {PixelType::i32, "int"},
    {PixelType::f32, "float"},  {PixelType::f64, "double"},  {PixelType::u8, "u8"},
    {PixelType::i16, "i16"},    {PixelType::u16, "u16"},     {PixelType::i32, "i32"},
    {PixelType::f32, "f32"},    {PixelType::f64, "f64"},
}};

std::pair<double, double> range(PixelType type) {
    return visit_pixel_type(type, []<class T>(T) {
        return std::pair{static_cast<double>(std::numeric_limits<T>::lowest()),
                         static_cast<double>(std::numeric_limits<T>::max())};
    });
}

}  // namespace

std::string to_string(PixelType type) {
    for (const auto& entry : kNames)
        if (entry.type == type) return entry.name;
    return "unknown";
}

PixelType parse_pixel_type(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& entry : kNames)
        if (lower == entry.name) return entry.type;
    throw Error("unknown pixel type '" + name +
                "' (expected uint8, int8, uint16, int16, uint32, int32, float32 or float64)");
}

double pixel_type_min(PixelType type) { return range(type).first; }
double pixel_type_max(PixelType type) { return range(type).second; }

bool is_integer(PixelType type) { return type != PixelType::f32 && type != PixelType::f64; }

}  // namespace alinea
