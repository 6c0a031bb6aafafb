#pragma once
// Floats as a file's voxel type: integers rounded to nearest and clamped to the type,
// NaN stored as 0 (what storage_loss.hpp counts). Shared by every writer that stores
// voxels in a chosen type (NIfTI, the ITK formats).
#include "alinea/grid.hpp"
#include "alinea/pixel_type.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace alinea::io {

template <class T>
T to_stored(float v) {
    if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(v);
    } else {
        if (std::isnan(v)) return T{0};
        const double r = std::nearbyint(static_cast<double>(v));
        const double lo = static_cast<double>(std::numeric_limits<T>::min());
        const double hi = static_cast<double>(std::numeric_limits<T>::max());
        return static_cast<T>(std::clamp(r, lo, hi));
    }
}

// n floats from src[i * stride] stored as `type` at dst (native byte order).
inline void store(PixelType type, const float* src, Index n, Index stride, std::uint8_t* dst) {
    visit_pixel_type(type, [&]<class T>(T) {
        for (Index i = 0; i < n; ++i) {
            const T v = to_stored<T>(src[i * stride]);
            std::memcpy(dst + i * static_cast<Index>(sizeof(T)), &v, sizeof(T));
        }
    });
}

}  // namespace alinea::io
