#include "alinea/pyramid_schedule.hpp"

#include "alinea/error.hpp"
#include "alinea/option_spec.hpp"

#include <charconv>
#include <sstream>

namespace alinea {

namespace {
template <class T>
std::vector<T> parse_list(const std::string& option, const std::string& text) {
    std::vector<T> values;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, 'x')) {
        T v{};
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size())
            throw Error(option + ": expected numbers separated by 'x' (e.g. 4x2x1), got '" + text + "'");
        values.push_back(v);
    }
    if (values.empty()) throw Error(option + ": empty list");
    if (text.back() == 'x')  // getline drops the empty item after a trailing 'x'
        throw Error(option + ": expected numbers separated by 'x' (e.g. 4x2x1), got '" + text + "'");
    return values;
}
}  // namespace

std::vector<int> parse_int_list(const std::string& option, const std::string& text) {
    return parse_list<int>(option, text);
}

std::vector<double> parse_sigma_list(const std::string& option, const std::string& text, bool& in_mm) {
    std::string body = text;
    in_mm = false;
    if (body.size() > 2 && body.substr(body.size() - 2) == "mm") { in_mm = true; body.resize(body.size() - 2); }
    else if (body.size() > 3 && body.substr(body.size() - 3) == "vox") body.resize(body.size() - 3);
    return parse_list<double>(option, body);
}

std::string format_list(const std::vector<int>& values) {
    std::string s;
    for (size_t i = 0; i < values.size(); ++i) s += (i ? "x" : "") + std::to_string(values[i]);
    return s;
}

std::string format_sigmas(const std::vector<double>& values, bool in_mm) {
    std::string s;
    for (size_t i = 0; i < values.size(); ++i) s += (i ? "x" : "") + format_number(values[i]);
    return s + (in_mm ? "mm" : "vox");
}

std::string describe(const PyramidSchedule& p) {
    return "--levels " + format_list(p.shrink) + " --smoothing " + format_sigmas(p.smoothing, p.smoothing_in_mm) +
           " --iterations " + format_list(p.iterations);
}

void PyramidSchedule::validate() const {
    if (smoothing.size() != shrink.size() || iterations.size() != shrink.size())
        throw Error("--levels " + format_list(shrink) + ", --smoothing " + format_sigmas(smoothing, smoothing_in_mm) +
                    " and --iterations " + format_list(iterations) + " must have the same number of levels");
    for (int s : shrink)
        if (s < 1 || s > 64) throw Error("--levels: shrink factors must be in [1, 64]");
    for (double s : smoothing)
        if (!(s >= 0 && s <= 100)) throw Error("--smoothing: sigmas must be in [0, 100]");
    for (int i : iterations)
        if (i < 0 || i > 100000) throw Error("--iterations: counts must be in [0, 100000]");
}

}  // namespace alinea
