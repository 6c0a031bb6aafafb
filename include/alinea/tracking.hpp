#pragma once
// Tracking labelled structures through a time series (frames of a 4-D acquisition, or
// scans of one subject days or months apart): the labels of one frame, the reference,
// are carried to every other frame by registration, and each label's volume and
// centroid are measured in every frame. As greedy_propagation does for ITK-SNAP:
//   chain   each frame is registered to its neighbour towards the reference and the
//           pairwise transforms are composed; each registration starts from the
//           previous one (the motion between neighbours changes slowly);
//   direct  each frame is registered to the reference;
//   hybrid  the chained transform is the start of a direct registration to the
//           reference, restricted to the reference labels grown by mask_dilation, at
//           the finest level: the chain brings large motion within reach, the direct
//           step removes the drift that composing many transforms accumulates. Each
//           frame is also registered directly, and the one of the two that matches
//           the reference better (the lower final metric value, the same metric over
//           the same mask) is kept: a chain broken at one frame (a scan repositioned
//           far from its neighbour) would otherwise break every frame after it.
// A frame's labels are resampled once, from the reference labels, through that
// frame's final transform (never through a chain of resamplings).
#include "alinea/label_measures.hpp"
#include "alinea/registration.hpp"

#include <array>
#include <span>
#include <string>
#include <vector>

namespace alinea {

enum class TrackingMode { chain, direct, hybrid };
TrackingMode parse_tracking_mode(const std::string& name);
std::string to_string(TrackingMode mode);

// Frames of one acquisition (cardiac, respiratory), or scans days to months apart.
enum class TrackingMotion { small, large };
TrackingMotion parse_tracking_motion(const std::string& name);  // "small", "large"

struct TrackingOptions {
    RegistrationPlan plan = small_motion_plan();
    TrackingMode mode = TrackingMode::hybrid;
    // Each registration of the chain starts from its predecessor's result: right when
    // the motion between neighbours changes slowly (one acquisition), wrong for scans
    // repositioned independently (bench/track_family.py: the chain lost every label after
    // the first badly started pair).
    bool chain_warm_start = true;
    double mask_dilation = 10;  // mm around the reference labels for direct and hybrid (0: no mask)
    // Independent registrations (the frames of direct and hybrid, the two directions of
    // the chain) at once, one thread each, instead of one at a time with every thread:
    // small frames keep two cores busier so. The result is the same either way.
    bool frames_in_parallel = true;

    // Frames of one acquisition (cardiac, respiratory): affine then a displacement field,
    // both with global correlation. On a noisy textureless growing blob (test_tracking)
    // local NCC (radius 2-4) put the edge 0.15 voxel outwards, +5 % volume in every
    // frame; global NCC within the dilated mask keeps it within 1 %.
    static RegistrationPlan small_motion_plan();
    // Scans days to months apart (other positioning, growth, bias): centres of mass,
    // rigid and affine with mutual information, then a displacement field with local
    // NCC (radius 2), which follows textured anatomy far better than global NCC
    // (bench/track_family.py: Dice 0.993 against 0.960, volume error 0.2 % against 4 %).
    static RegistrationPlan large_motion_plan();
    // The plan and the chain's warm start of each kind of series.
    static TrackingOptions preset(TrackingMotion motion);
};

template <int D>
struct TrackedFrame {
    TransformChain<D> transform;            // this frame's points -> the reference frame's
    ScalarImage<D> labels;                  // on this frame's grid
    std::vector<LabelMeasure<D>> measures;  // every reference label, in order (0 voxels if lost)
    std::vector<StageReport> stages;        // of the registrations that made the transform
    std::string origin;                     // "reference", "chain", "direct"; hybrid: the start it kept
    double seconds = 0;
};

template <int D>
struct Tracking {
    std::vector<TrackedFrame<D>> frames;  // in time order; frames[reference] is the reference
    std::size_t reference = 0;
    double seconds = 0;
};

// A label in a frame, measured against the reference frame: a row of `alinea track`'s
// PREFIXmeasures.csv. Centroids in RAS mm, as nibabel prints world coordinates (2-D: z 0).
struct TrackedMeasure {
    std::size_t frame = 0;  // from 0
    int label = 0;
    Index voxels = 0;
    double volume = 0;                  // mm^3 (mm^2 in 2-D)
    std::array<double, 3> centroid{};   // RAS mm; NaN when the label is lost
    double displacement = 0;            // mm, the centroid's distance from the reference frame's
    double volume_change_percent = 0;   // from the reference frame
};

// Frame by frame, each reference label in order.
template <int D>
std::vector<TrackedMeasure> tracked_measures(const Tracking<D>& tracking);

class TrackingObserver : public RegistrationObserver {
public:
    // A registration of `frame` (fixed) to `target` (moving) starts.
    virtual void registration_started(std::size_t frame, std::size_t target, const std::string& what) {}
};

// The frames may lie on different grids. Throws alinea::Error for a reference out of
// range, labels not on the reference's grid or without any label, and Cancelled.
template <int D>
Tracking<D> track_labels(std::span<const ScalarImage<D>> frames, std::size_t reference, const ScalarImage<D>& labels,
                         const TrackingOptions& options, TrackingObserver& observer);

}  // namespace alinea
