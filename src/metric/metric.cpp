#include "alinea/metric.hpp"

#include "alinea/error.hpp"
#include "alinea/option_spec.hpp"
#include "metric_factories.hpp"


namespace alinea {

MetricOptions parse_metric(const std::string& text) {
    const OptionSpec spec = parse_option_spec(text, "metric");
    if (spec.name == "ssd" || spec.name == "ncc") {
        if (!spec.keys.empty()) reject_option_key(spec, "metric", spec.keys.front().first, "");
        return spec.name == "ssd" ? MetricOptions{SsdOptions{}} : MetricOptions{NccOptions{}};
    }
    if (spec.name == "lncc" || spec.name == "cc") {
        LnccOptions o;
        for (const auto& [key, value] : spec.keys) {
            if (key == "radius" || key == "r") o.radius = option_int(spec, "metric", key, value, 1, 20);
            else reject_option_key(spec, "metric", key, "radius");
        }
        return o;
    }
    if (spec.name == "mi" || spec.name == "mattes") {
        MiOptions o;
        for (const auto& [key, value] : spec.keys) {
            if (key == "bins") o.bins = option_int(spec, "metric", key, value, 4, 256);
            else reject_option_key(spec, "metric", key, "bins");
        }
        return o;
    }
    throw Error("unknown metric '" + spec.name + "' (expected ssd, ncc, lncc[:radius=R] or mi[:bins=N]; cc and mattes are accepted for lncc and mi)");
}

std::string to_string(const MetricOptions& options) {
    struct Printer {
        std::string operator()(const SsdOptions&) const { return "ssd"; }
        std::string operator()(const NccOptions&) const { return "ncc"; }
        std::string operator()(const LnccOptions& o) const { return "lncc:radius=" + std::to_string(o.radius); }
        std::string operator()(const MiOptions& o) const { return "mi:bins=" + std::to_string(o.bins); }
    };
    return std::visit(Printer{}, options);
}

bool needs_dense_samples(const MetricOptions& options) { return std::holds_alternative<LnccOptions>(options); }

std::unique_ptr<Metric> make_metric(const MetricOptions& options, const FixedSamples& fixed,
                                    std::pair<float, float> moving_range) {
    struct Maker {
        const FixedSamples& fixed;
        std::pair<float, float> range;
        std::unique_ptr<Metric> operator()(const SsdOptions&) const { return make_ssd_metric(fixed); }
        std::unique_ptr<Metric> operator()(const NccOptions&) const { return make_ncc_metric(fixed); }
        std::unique_ptr<Metric> operator()(const LnccOptions& o) const { return make_lncc_metric(o, fixed); }
        std::unique_ptr<Metric> operator()(const MiOptions& o) const { return make_mi_metric(o, fixed, range); }
    };
    return std::visit(Maker{fixed, moving_range}, options);
}

}  // namespace alinea
