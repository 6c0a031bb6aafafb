#include "alinea/storage_loss.hpp"

#include "alinea/parallel.hpp"

#include <cmath>
#include <sstream>

namespace alinea {

template <int D>
StorageLoss storage_loss(const ScalarImage<D>& image, PixelType type) {
    const double low = pixel_type_min(type), high = pixel_type_max(type);
    const bool integer = is_integer(type);
    struct Counts {
        Index clipped = 0, non_finite = 0;
        Counts& operator+=(const Counts& o) {
            clipped += o.clipped, non_finite += o.non_finite;
            return *this;
        }
    };
    const Counts c = parallel_sum(image.voxel_count(), 1 << 16, Counts{}, [&](Index begin, Index end) {
        Counts part;
        for (Index i = begin; i < end; ++i) {
            const double v = image[i];
            if (!integer) continue;  // float voxels are stored as they are
            if (std::isnan(v)) ++part.non_finite;
            else if (std::nearbyint(v) < low || std::nearbyint(v) > high) ++part.clipped;  // infinities too
        }
        return part;
    });
    return {c.clipped, c.non_finite};
}

std::string describe(const StorageLoss& loss, PixelType type) {
    std::ostringstream out;
    if (loss.clipped > 0)
        out << loss.clipped << " values beyond " << to_string(type) << "'s range " << pixel_type_min(type) << " .. "
            << pixel_type_max(type) << " were clipped";
    if (loss.non_finite > 0)
        out << (loss.clipped > 0 ? "; " : "") << loss.non_finite << " NaN values were written as 0 ("
            << to_string(type) << " cannot hold them)";
    return out.str();
}

template StorageLoss storage_loss<2>(const ScalarImage<2>&, PixelType);
template StorageLoss storage_loss<3>(const ScalarImage<3>&, PixelType);

}  // namespace alinea
