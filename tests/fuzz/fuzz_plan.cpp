// The stage and metric spec parsers: a registration plan as a user types it (the
// input's bytes split at spaces into tokens), and the printed plan parsed back to
// the same plan.
#include "fuzz_input.hpp"

#include "alinea/option_spec.hpp"
#include "alinea/registration_plan.hpp"

#include <sstream>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace alinea;
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> tokens;
    std::istringstream words(text);
    for (std::string w; words >> w;) tokens.push_back(w);
    try {
        const RegistrationPlan plan = parse_registration_plan(tokens);
        // What is accepted prints back to options that parse to the same printout.
        const std::vector<std::string> printed = plan_tokens(plan);
        if (plan_tokens(parse_registration_plan(printed)) != printed) std::abort();
    } catch (const Error&) {
    }
    fuzz::expect_read_or_error([&] { parse_option_spec(text, "metric"); });
    fuzz::expect_read_or_error([&] { parse_initial_alignment(text); });
    return 0;
}
