#pragma once
// A subject of a population and its map from the template's space: what an atlas,
// its probability maps and its variability maps are made of.
#include "alinea/interpolate.hpp"
#include "alinea/transform_chain.hpp"

#include <string>

namespace alinea {

template <int D>
struct AtlasSubject {
    std::string name;  // for messages
    const ScalarImage<D>& image;
};

// A subject's map from template points to its own: x -> affine(x + warp(x)), the warp
// on the template grid (empty: none). As a registration with the template fixed
// writes it (ANTs order: -t warp -t affine).
template <int D>
struct SubjectMapping {
    Affine<D> affine;
    VectorField<D> warp;
    TransformChain<D> chain() const;
};

// The subject carried onto the template grid (linear interpolation; NaN where it maps
// outside the subject's grid).
template <int D>
ScalarImage<D> warp_subject(const ScalarImage<D>& subject, const Grid<D>& template_grid, const SubjectMapping<D>& mapping,
                            Interpolation interpolation = Interpolation::linear);

}  // namespace alinea
