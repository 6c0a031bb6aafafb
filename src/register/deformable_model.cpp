#include "alinea/deformable_model.hpp"

#include "alinea/error.hpp"

namespace alinea {

namespace {

constexpr const char* what = "transform";

// The keys the dense models share; false if the key is not one of them.
bool parse_dense_key(const OptionSpec& spec, const std::string& key, const std::string& value,
                     DenseFieldOptions& o) {
    if (key == "step") o.step = option_double(spec, what, key, value, 1e-3, 10);
    else if (key == "fluid") o.fluid = option_double(spec, what, key, value, 0, 100);
    else if (key == "elastic") o.elastic = option_double(spec, what, key, value, 0, 100);
    else return false;
    return true;
}

bool option_yes_no(const OptionSpec& spec, const std::string& key, const std::string& value) {
    if (value == "yes" || value == "1" || value == "true") return true;
    if (value == "no" || value == "0" || value == "false") return false;
    throw Error(std::string(what) + " '" + spec.text + "': " + key + " must be yes or no, got '" + value + "'");
}

std::string dense_spec(const char* name, const DenseFieldOptions& o) {
    return std::string(name) + ":step=" + format_number(o.step) + ",fluid=" + format_number(o.fluid) +
           ",elastic=" + format_number(o.elastic);
}

}  // namespace

DiffeoOptions DiffeoOptions::parse(const OptionSpec& spec) {
    DiffeoOptions o;
    for (const auto& [key, value] : spec.keys) {
        if (key == "symmetric") o.symmetric = option_yes_no(spec, key, value);
        else if (!parse_dense_key(spec, key, value, o)) reject_option_key(spec, what, key, "step, fluid, elastic, symmetric");
    }
    return o;
}

GreedyOptions GreedyOptions::parse(const OptionSpec& spec) {
    GreedyOptions o;
    for (const auto& [key, value] : spec.keys)
        if (!parse_dense_key(spec, key, value, o)) reject_option_key(spec, what, key, "step, fluid, elastic");
    return o;
}

std::string DiffeoOptions::spec() const {
    return dense_spec(name, *this) + ",symmetric=" + (symmetric ? "yes" : "no");
}
std::string GreedyOptions::spec() const { return dense_spec(name, *this); }

BsplineOptions BsplineOptions::parse(const OptionSpec& spec) {
    BsplineOptions o;
    for (const auto& [key, value] : spec.keys) {
        if (key == "spacing") o.spacing = option_double(spec, what, key, value, 1, 1000);
        else if (key == "bending") o.bending = option_double(spec, what, key, value, 0, 100);
        else if (key == "barrier") o.barrier = option_double(spec, what, key, value, 0, 1e6);
        else reject_option_key(spec, what, key, "spacing, bending, barrier");
    }
    return o;
}

std::string BsplineOptions::spec() const {
    return std::string(name) + ":spacing=" + format_number(spacing) + ",bending=" + format_number(bending) +
           ",barrier=" + format_number(barrier);
}

bool is_deformable_spec(const std::string& spec) {
    const std::string name = spec.substr(0, spec.find(':'));
    return name == DiffeoOptions::name || name == GreedyOptions::name || name == BsplineOptions::name;
}

DeformableModel parse_deformable_model(const std::string& text) {
    const OptionSpec spec = parse_option_spec(text, what);
    if (spec.name == DiffeoOptions::name) return DiffeoOptions::parse(spec);
    if (spec.name == GreedyOptions::name) return GreedyOptions::parse(spec);
    if (spec.name == BsplineOptions::name) return BsplineOptions::parse(spec);
    throw Error("unknown deformable transform '" + spec.name + "' (expected diffeo, greedy or bspline)");
}

std::string to_string(const DeformableModel& model) {
    return std::visit([](const auto& o) { return o.spec(); }, model);
}

std::string model_name(const DeformableModel& model) {
    return std::visit([](const auto& o) { return std::string(o.name); }, model);
}

std::string deformable_model_help() {
    return "                        " + DiffeoOptions{}.spec() +
           "\n                            velocity field, invertible; symmetric=yes: both images\n"
           "                            deformed half-way (SyN), A->B and B->A inverse\n"
           "                        " + GreedyOptions{}.spec() +
           "   displacement field\n"
           "                        " + BsplineOptions{}.spec() +
           "   B-spline FFD (mm)\n"
           "                        (step, fluid, elastic in voxels of each level)\n";
}

}  // namespace alinea
