#pragma once
// Transform chains from files, in ANTs' order (`-t warp.nii.gz -t affine.txt`): a
// point of the reference (fixed) grid goes through the FIRST file first, so the warp,
// defined on the fixed grid, acts before the affine: x -> affine(x + u(x)). (For the
// image, the moving image is carried by the affine first, then the warp: the "last
// listed is applied first" of ANTs' documentation.) Linear files are ITK text
// transforms or RAS matrices ("[file,1]" for the inverse); fields are NIfTI
// displacement images.
#include "alinea/transform_chain.hpp"

#include <string>
#include <vector>

namespace alinea {

template <int D> TransformChain<D> read_transform_chain(const std::vector<std::string>& files);

}  // namespace alinea
