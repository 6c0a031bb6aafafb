#pragma once
// Similarity metrics: a value to MINIMISE and its derivative with respect to the
// warped moving intensity at every sample, dM/dt_i. Chained with the moving image's
// gradient this gives the dense gradient dM/du(x) that every transform maps to its
// own parameters, so one metric implementation serves every transform.
//
// Samples are fixed-image points. A dense sample set covers a whole grid in voxel
// order (needed by local NCC, which looks at neighbourhoods); a sparse one is any
// subset (pointwise metrics: SSD, NCC, MI).
#include "alinea/grid.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace alinea {

struct SsdOptions { bool operator==(const SsdOptions&) const = default; };
struct NccOptions { bool operator==(const NccOptions&) const = default; };
struct LnccOptions {
    int radius = 2;
    bool operator==(const LnccOptions&) const = default;
};
struct MiOptions {
    int bins = 32;
    bool operator==(const MiOptions&) const = default;
};
using MetricOptions = std::variant<SsdOptions, NccOptions, LnccOptions, MiOptions>;

// "ssd", "ncc", "lncc:radius=3", "mi:bins=48"; unknown names or keys are errors.
MetricOptions parse_metric(const std::string& spec);
std::string to_string(const MetricOptions& options);
// True if the metric needs a dense sample set (local NCC).
bool needs_dense_samples(const MetricOptions& options);

// The fixed side of a metric evaluation, prepared once per pyramid level.
struct FixedSamples {
    std::vector<float> values;          // fixed intensity at each sample
    std::optional<Size<3>> dense_shape; // set when the samples are a whole grid (2-D: nz = 1)
    Index size() const { return static_cast<Index>(values.size()); }
};

// Sample-wise inputs of one evaluation.
struct MovingSamples {
    std::span<const float> values;      // warped moving intensity t_i
    std::span<const std::uint8_t> valid;// 1 where t_i is defined (inside moving image and masks)
};

class Metric {
public:
    virtual ~Metric() = default;
    // Returns the value; if derivative is non-empty, fills dM/dt_i (0 where invalid).
    // Results are independent of the thread count.
    virtual double evaluate(const MovingSamples& moving, std::span<float> derivative) const = 0;
    // 1 at the samples whose moving value cannot change the metric, whatever the moving
    // image (their derivative is zero, up to rounding): a dense model need not sample
    // the moving image there. LNCC: every window that holds the sample is flat in the fixed image (the
    // background of a skull-stripped brain). Empty: no such samples known.
    virtual std::vector<std::uint8_t> indifferent_samples() const { return {}; }
};

// Builds the metric for one level. moving_range is the moving image's [min, max]
// (MI bins the moving intensities over it).
std::unique_ptr<Metric> make_metric(const MetricOptions& options, const FixedSamples& fixed,
                                    std::pair<float, float> moving_range);

}  // namespace alinea
