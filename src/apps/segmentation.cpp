#include "alinea/segmentation.hpp"

#include "alinea/resample_chain.hpp"

#include <chrono>

namespace alinea {

RegistrationPlan SegmentationOptions::default_segmentation_plan() {
    return parse_registration_plan("--transform rigid --transform affine --transform diffeo");
}

FusionMethod default_fusion_method(std::size_t atlases) {
    return atlases >= 3 ? FusionMethod::joint : atlases == 2 ? FusionMethod::weighted : FusionMethod::majority;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <int D>
AtlasOnTarget<D> carry_atlas(const ScalarImage<D>& target, const Atlas<D>& atlas, const SegmentationOptions& options,
                             const ScalarImage<D>* target_mask, RegistrationObserver& observer) {
    if (!atlas.labels.grid().same_as(atlas.image.grid())) throw Error("the labels are not on the atlas image's grid");
    const auto start = std::chrono::steady_clock::now();
    AtlasOnTarget<D> out;
    if (atlas.transform) {
        out.transform = *atlas.transform;
    } else {
        const RegistrationResult<D> r = register_images<D>({target, atlas.image, target_mask}, options.plan, observer);
        out.transform = r.transform();
        out.stages = r.stages;
    }
    out.image = resample(atlas.image, target.grid(), out.transform, Interpolation::linear);
    out.labels = resample(atlas.labels, target.grid(), out.transform, Interpolation::label);
    out.seconds = seconds_since(start);
    return out;
}

}  // namespace

template <int D>
Segmentation<D> segment_image(const ScalarImage<D>& target, std::span<const Atlas<D>> atlases,
                              const SegmentationOptions& options, const ScalarImage<D>* target_mask,
                              SegmentationObserver& observer) {
    options.fusion.validate();  // before hours of registrations, not after
    if (atlases.empty()) throw Error("segmentation: no atlas");
    Segmentation<D> out;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t a = 0; a < atlases.size(); ++a) {
        observer.atlas_started(a, atlases.size(), atlases[a].name);
        try {
            out.atlases.push_back(carry_atlas(target, atlases[a], options, target_mask, observer));
            out.atlas_index.push_back(a);
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {  // one bad atlas must not end a long job
            out.failures.push_back(atlases[a].name + ": " + e.what());
            observer.atlas_failed(a, atlases[a].name, e.what());
        }
    }
    if (out.atlases.empty()) throw Error("segmentation: no atlas could be registered (" + out.failures.front() + ")");
    out.registration_seconds = seconds_since(start);

    const auto fusion_start = std::chrono::steady_clock::now();
    observer.fusion_started(options.fusion.method, out.atlases.size());
    // Lent to the fusion as two arrays, and given back (no copies of the images).
    std::vector<ScalarImage<D>> images, labels;
    for (AtlasOnTarget<D>& a : out.atlases) {
        images.push_back(std::move(a.image));
        labels.push_back(std::move(a.labels));
    }
    out.fused = fuse_labels<D>(target, images, labels, options.fusion, target_mask);
    for (std::size_t a = 0; a < out.atlases.size(); ++a) {
        out.atlases[a].image = std::move(images[a]);
        out.atlases[a].labels = std::move(labels[a]);
    }
    out.fusion_seconds = seconds_since(fusion_start);
    return out;
}

template Segmentation<2> segment_image<2>(const ScalarImage<2>&, std::span<const Atlas<2>>, const SegmentationOptions&,
                                          const ScalarImage<2>*, SegmentationObserver&);
template Segmentation<3> segment_image<3>(const ScalarImage<3>&, std::span<const Atlas<3>>, const SegmentationOptions&,
                                          const ScalarImage<3>*, SegmentationObserver&);

}  // namespace alinea
