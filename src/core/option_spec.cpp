#include "alinea/option_spec.hpp"

#include "alinea/error.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

namespace alinea {

OptionSpec parse_option_spec(const std::string& text, const std::string& what) {
    OptionSpec spec;
    spec.text = text;
    const size_t colon = text.find(':');
    spec.name = text.substr(0, colon);
    if (colon == std::string::npos) return spec;
    std::stringstream rest(text.substr(colon + 1));
    std::string item;
    while (std::getline(rest, item, ',')) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw Error(what + " '" + text + "': expected key=value, got '" + item + "'");
        std::string key = item.substr(0, eq);
        for (const auto& [k, v] : spec.keys)
            if (k == key) throw Error(what + " '" + text + "': key '" + key + "' given twice");
        spec.keys.emplace_back(std::move(key), item.substr(eq + 1));
    }
    return spec;
}

void reject_option_key(const OptionSpec& spec, const std::string& what, const std::string& key,
                       const std::string& known) {
    throw Error(what + " '" + spec.text + "': unknown key '" + key + "' for " + spec.name +
                (known.empty() ? " (it takes none)" : " (known: " + known + ")"));
}

int option_int(const OptionSpec& spec, const std::string& what, const std::string& key, const std::string& value,
               int lo, int hi) {
    int v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || v < lo || v > hi)
        throw Error(what + " '" + spec.text + "': " + key + " must be an integer in [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "], got '" + value + "'");
    return v;
}

double option_double(const OptionSpec& spec, const std::string& what, const std::string& key,
                     const std::string& value, double lo, double hi) {
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || !(v >= lo && v <= hi))
        throw Error(what + " '" + spec.text + "': " + key + " must be a number in [" + format_number(lo) + ", " +
                    format_number(hi) + "], got '" + value + "'");
    return v;
}

std::string format_number(double value) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round trip
    return ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

}  // namespace alinea
