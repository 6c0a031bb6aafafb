#pragma once
// The "name:key=value,key=value" form that every component with options takes on the
// command line (metrics, deformable models, the rotation search). One parser, so
// that every component reports a bad key the same way: naming the key and the keys
// it takes.
#include <string>
#include <utility>
#include <vector>

namespace alinea {

struct OptionSpec {
    std::string text;  // the whole spec, for messages
    std::string name;
    std::vector<std::pair<std::string, std::string>> keys;  // in the order given
};

// Throws alinea::Error on an item without '=' or with an empty key or value, and on
// a key given twice. `what` names the component in messages ("metric", "transform").
OptionSpec parse_option_spec(const std::string& text, const std::string& what);

// Throws "<what> '<text>': unknown key 'k' (known: a, b)" or "(it takes none)".
[[noreturn]] void reject_option_key(const OptionSpec& spec, const std::string& what, const std::string& key,
                                    const std::string& known);

// Numbers of a key, range-checked, with a message naming the spec and the key.
int option_int(const OptionSpec& spec, const std::string& what, const std::string& key, const std::string& value,
               int lo, int hi);
double option_double(const OptionSpec& spec, const std::string& what, const std::string& key,
                     const std::string& value, double lo, double hi);

// The shortest text that reads back as exactly the same double ("0.5", "1e-06").
std::string format_number(double value);

}  // namespace alinea
