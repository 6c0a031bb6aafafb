#pragma once
// A plan given from Python: one string of the CLI's stage options, or a list of tokens.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <sstream>
#include <string>
#include <vector>

namespace alinea::python {

inline std::vector<std::string> plan_token_list(const pybind11::object& plan) {
    if (plan.is_none()) return {};
    if (pybind11::isinstance<pybind11::str>(plan)) {
        std::vector<std::string> tokens;
        std::istringstream words(plan.cast<std::string>());
        for (std::string w; words >> w;) tokens.push_back(w);
        return tokens;
    }
    return plan.cast<std::vector<std::string>>();
}

}  // namespace alinea::python
