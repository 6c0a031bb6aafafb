#pragma once
// What writing an image in an integer voxel type would lose: values beyond the type's
// range, infinities included (clipped to it), and NaN (written as 0: an integer cannot
// hold it). The writers round and clip; the commands warn.
#include "alinea/image.hpp"
#include "alinea/pixel_type.hpp"

#include <string>

namespace alinea {

struct StorageLoss {
    Index clipped = 0;     // values beyond the type's range (after rounding), infinities included
    Index non_finite = 0;  // NaN
    bool any() const { return clipped > 0 || non_finite > 0; }
};

template <int D>
StorageLoss storage_loss(const ScalarImage<D>& image, PixelType type);

// "12 values beyond uint8's range 0 .. 255 were clipped; 3 NaN values were written as
// 0 (uint8 cannot hold them)" ("" when nothing is lost).
std::string describe(const StorageLoss& loss, PixelType type);

}  // namespace alinea
