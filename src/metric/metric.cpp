#include "alinea/metric.hpp"

#include "alinea/error.hpp"
#include "metric_factories.hpp"

#include <charconv>
#include <sstream>

namespace alinea {

namespace {

// "name:key=value,key=value" -> name and key/value pairs.
struct Spec {
    std::string name;
    std::vector<std::pair<std::string, std::string>> keys;
};

Spec split_spec(const std::string& text) {
    Spec spec;
    const size_t colon = text.find(':');
    spec.name = text.substr(0, colon);
    if (colon == std::string::npos) return spec;
    std::stringstream rest(text.substr(colon + 1));
    std::string item;
    while (std::getline(rest, item, ',')) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw Error("metric '" + text + "': expected key=value, got '" + item + "'");
        spec.keys.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    return spec;
}

int parse_int(const std::string& metric, const std::string& key, const std::string& value, int lo, int hi) {
    int v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || v < lo || v > hi)
        throw Error("metric '" + metric + "': " + key + " must be an integer in [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "], got '" + value + "'");
    return v;
}

void reject_key(const std::string& metric, const std::string& key, const std::string& known) {
    throw Error("metric '" + metric + "': unknown key '" + key + "'" +
                (known.empty() ? " (it takes none)" : " (known: " + known + ")"));
}

}  // namespace

MetricOptions parse_metric(const std::string& text) {
    const Spec spec = split_spec(text);
    if (spec.name == "ssd" || spec.name == "ncc") {
        if (!spec.keys.empty()) reject_key(spec.name, spec.keys.front().first, "");
        return spec.name == "ssd" ? MetricOptions{SsdOptions{}} : MetricOptions{NccOptions{}};
    }
    if (spec.name == "lncc" || spec.name == "cc") {
        LnccOptions o;
        for (const auto& [key, value] : spec.keys) {
            if (key == "radius" || key == "r") o.radius = parse_int("lncc", key, value, 1, 20);
            else reject_key("lncc", key, "radius");
        }
        return o;
    }
    if (spec.name == "mi" || spec.name == "mattes") {
        MiOptions o;
        for (const auto& [key, value] : spec.keys) {
            if (key == "bins") o.bins = parse_int("mi", key, value, 4, 256);
            else reject_key("mi", key, "bins");
        }
        return o;
    }
    throw Error("unknown metric '" + spec.name + "' (expected ssd, ncc, lncc[:radius=R] or mi[:bins=N])");
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
