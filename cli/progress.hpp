#pragma once
// The progress line the CLI prints for each pyramid level, and the per-level trace
// kept for the log.
#include "alinea/registration_observer.hpp"

#include <nlohmann/json.hpp>

namespace alinea::cli {

class ProgressPrinter final : public RegistrationObserver {
public:
    // descriptions[s]: the options of stage s, printed when it starts.
    ProgressPrinter(bool quiet, std::vector<std::string> descriptions)
        : quiet_(quiet), descriptions_(std::move(descriptions)) {}
    void stage_started() override;
    void level_done(const LevelReport& report) override;
    void finished(double seconds, const std::string& prefix) const;
    const nlohmann::json& levels_json() const { return levels_; }

private:
    bool quiet_;
    std::vector<std::string> descriptions_;
    int stage_ = -1;
    nlohmann::json levels_ = nlohmann::json::array();
};

}  // namespace alinea::cli
