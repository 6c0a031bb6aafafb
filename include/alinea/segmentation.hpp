#pragma once
// Atlas-based segmentation: every atlas (an image and its label map) is registered to
// the target, its image and labels are carried onto the target's grid, and the
// labels are fused (label_fusion.hpp). One atlas gives propagation; several, fused,
// give a better segmentation than the best of them alone.
#include "alinea/label_fusion.hpp"
#include "alinea/registration.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace alinea {

template <int D>
struct Atlas {
    std::string name;              // for messages (e.g. the image's file name)
    const ScalarImage<D>& image;
    const ScalarImage<D>& labels;  // on the atlas image's grid
    // A registration already run (target -> atlas, e.g. `register -f TARGET -m ATLAS`):
    // used instead of registering again.
    std::optional<TransformChain<D>> transform = std::nullopt;
};

struct SegmentationOptions {
    RegistrationPlan plan = default_segmentation_plan();
    LabelFusionOptions fusion = {};
    // rigid -> affine (mutual information) -> diffeo (local correlation), as the validation
    // family of bench/family chose them for inter-subject brains.
    static RegistrationPlan default_segmentation_plan();
};

// The fusion a user gets without choosing: jlf with three or more atlases, weighted
// voting with two (majority voting can only tie), propagation with one.
FusionMethod default_fusion_method(std::size_t atlases);

template <int D>
struct AtlasOnTarget {
    ScalarImage<D> image, labels;  // on the target's grid
    TransformChain<D> transform;   // target -> atlas
    std::vector<StageReport> stages;  // empty when the transform was given
    double seconds = 0;            // registration and resampling
};

template <int D>
struct Segmentation {
    FusedLabels<D> fused;
    std::vector<AtlasOnTarget<D>> atlases;  // the atlases that took part, in input order
    std::vector<std::size_t> atlas_index;   // their indices among the inputs
    std::vector<std::string> failures;      // "NAME: message" for each atlas left out
    double registration_seconds = 0, fusion_seconds = 0;
};

// Progress of a segmentation; the registrations report through the base class.
class SegmentationObserver : public RegistrationObserver {
public:
    virtual void atlas_started(std::size_t atlas, std::size_t atlases, const std::string& name) {}
    // An atlas whose registration failed is left out; the segmentation goes on.
    virtual void atlas_failed(std::size_t atlas, const std::string& name, const std::string& message) {}
    virtual void fusion_started(FusionMethod method, std::size_t atlases) {}
};

// Throws alinea::Error when no atlas could be registered, and Cancelled when the
// observer asks to stop.
template <int D>
Segmentation<D> segment_image(const ScalarImage<D>& target, std::span<const Atlas<D>> atlases,
                              const SegmentationOptions& options, const ScalarImage<D>* target_mask,
                              SegmentationObserver& observer);

}  // namespace alinea
