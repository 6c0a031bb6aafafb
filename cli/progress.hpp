#pragma once
// The progress the CLI prints while a registration runs: a line when a stage starts
// and when a level ends, and on a terminal a live line within the level (iteration,
// metric, an estimate of the time left in the level). Ctrl-C (SIGINT) and SIGTERM end
// the process at once (remove_temporaries_on_signals in main: no output is left).
#include "alinea/registration_observer.hpp"

#include <chrono>

namespace alinea::cli {

class ProgressPrinter final : public RegistrationObserver {
public:
    explicit ProgressPrinter(bool quiet);
    void stage_started(int stage, int stages, const std::string& description) override;
    void iteration_done(const IterationEvent& event) override;
    void level_done(const LevelReport& report) override;

private:
    bool quiet_, live_;
    bool live_line_open_ = false;
    std::chrono::steady_clock::time_point last_live_{};
};

}  // namespace alinea::cli

namespace alinea::cli {

// The observer of an application (Base: an observer class deriving from
// RegistrationObserver) whose registrations report through a ProgressPrinter; the
// application adds its own lines (atlas k of n, frame t).
template <class Base>
class ApplicationProgress : public Base {
public:
    explicit ApplicationProgress(bool quiet) : quiet_(quiet), registration_(quiet) {}
    void stage_started(int stage, int stages, const std::string& description) override {
        registration_.stage_started(stage, stages, description);
    }
    void iteration_done(const IterationEvent& e) override { registration_.iteration_done(e); }
    void level_done(const LevelReport& r) override { registration_.level_done(r); }

protected:
    bool quiet_;

private:
    ProgressPrinter registration_;
};

}  // namespace alinea::cli
