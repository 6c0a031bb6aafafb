#pragma once
// Smoothed and shrunk images, computed once per (image, shrink, sigma) and shared by
// the stages of a registration that use the same levels. A coarse level is derived
// from a finer cached one when there is one (Gaussian sigmas add in quadrature, per
// axis), which costs a fraction of smoothing the full image again.
#include "alinea/pyramid.hpp"

#include <cmath>
#include <list>
#include <tuple>

namespace alinea {

template <int D>
class PyramidCache {
public:
    // sigma_voxels: per axis, in voxels of the full image.
    const ScalarImage<D>& level(const ScalarImage<D>& image, int shrink, const VecD<D>& sigma_voxels) {
        if (shrink == 1 && !(sigma_voxels.maxCoeff() > 0)) return image;  // the finest level is the image itself
        for (auto& [k, v] : entries_)
            if (k.image == &image && k.shrink == shrink && k.sigma == sigma_voxels) return v;
        // The coarsest cached finer level this one can be derived from.
        const ScalarImage<D>* source = &image;
        int source_shrink = 1;
        VecD<D> source_sigma = VecD<D>::Zero();
        for (auto& [k, v] : entries_) {
            if (k.image == &image && k.shrink > source_shrink && k.shrink < shrink && shrink % k.shrink == 0 &&
                (k.sigma.array() <= sigma_voxels.array()).all()) {
                source = &v;
                source_shrink = k.shrink;
                source_sigma = k.sigma;
            }
        }
        const VecD<D> extra =
            (sigma_voxels.array().square() - source_sigma.array().square()).sqrt().matrix() / source_shrink;
        entries_.emplace_back(Key{&image, shrink, sigma_voxels}, pyramid_level(*source, shrink / source_shrink, extra));
        return entries_.back().second;
    }

private:
    struct Key {
        const ScalarImage<D>* image;
        int shrink;
        VecD<D> sigma;
    };
    std::list<std::pair<Key, ScalarImage<D>>> entries_;  // a list: references stay valid
};

}  // namespace alinea
