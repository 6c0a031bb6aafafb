#pragma once
// The progress line the CLI prints for each pyramid level, and the per-level trace
// kept for the log.
#include "alinea/linear_registration.hpp"

#include <nlohmann/json.hpp>

namespace alinea::cli {

class ProgressPrinter final : public RegistrationObserver {
public:
    explicit ProgressPrinter(bool quiet) : quiet_(quiet) {}
    void stage_started(int stage, int stages, const LinearStage& options) override;
    void level_done(const LevelReport& report) override;
    void finished(double seconds, const std::string& prefix) const;
    const nlohmann::json& levels_json() const { return levels_; }

private:
    bool quiet_;
    nlohmann::json levels_ = nlohmann::json::array();
};

}  // namespace alinea::cli
