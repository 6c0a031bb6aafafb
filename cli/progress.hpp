#pragma once
// The progress the CLI prints while a registration runs: a line when a stage starts
// and when a level ends, and within a level the iteration, the metric and an estimate
// of the time left for the whole run (on a terminal one live line, rewritten in place;
// in a log a line every 10 s). `--progress json` prints one JSON object per line
// instead (stage, iteration at most twice a second, level, note, done) for scripts and
// workflow engines; `--quiet` prints nothing. Ctrl-C (SIGINT) and SIGTERM end the
// process at once (remove_temporaries_on_signals in main: no output is left).
#include "alinea/registration_observer.hpp"
#include "alinea/registration_plan.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace alinea::cli {

enum class ProgressMode { text, json, quiet };

// --progress text|json (and -q,--quiet): sets *mode; call once per subcommand.
void add_progress_options(CLI::App& cmd, ProgressMode& mode);

// The work a plan will do at most, per stage and level, in "sample iterations": a
// linear level's samples times its iterations; a deformable level's voxels times its
// iterations. The estimate of the time left divides what is left by the rate measured
// so far (per kind of stage: a deformable voxel costs more than a linear sample).
struct RunOutline {
    struct Level {
        double work_per_iteration = 0;
        int iterations = 0;
    };
    std::vector<std::vector<Level>> stages;
    std::vector<bool> deformable;
};
template <int D>
RunOutline outline_of(const RegistrationPlan& plan, Index fixed_voxels);

class ProgressPrinter final : public RegistrationObserver {
public:
    explicit ProgressPrinter(ProgressMode mode, RunOutline outline = {});
    void stage_started(int stage, int stages, const std::string& description) override;
    void iteration_done(const IterationEvent& event) override;
    void level_done(const LevelReport& report) override;
    // A line of the application's own (atlas k of n, the final summary): text, or a JSON
    // object with "event": event and the fields given.
    void say(const std::string& text, const std::string& event, nlohmann::json fields = nlohmann::json::object());
    ProgressMode mode() const { return mode_; }

private:
    double seconds_left(const IterationEvent& e) const;
    void close_live_line();

    std::mutex mutex_;  // an application's lines come from its worker threads
    ProgressMode mode_;
    bool terminal_;
    RunOutline outline_;
    bool live_line_open_ = false;
    std::chrono::steady_clock::time_point start_, last_line_{};
    // Measured: seconds per unit of work, for linear and deformable stages.
    double work_done_[2] = {0, 0}, seconds_done_[2] = {0, 0};
};

// The observer of an application (Base: an observer class deriving from
// RegistrationObserver) whose registrations report through a ProgressPrinter; the
// application adds its own lines (atlas k of n, frame t) with say().
template <class Base>
class ApplicationProgress : public Base {
public:
    explicit ApplicationProgress(ProgressMode mode, ProgressMode registrations)
        : mode_(mode), registration_(registrations) {}
    explicit ApplicationProgress(ProgressMode mode) : ApplicationProgress(mode, mode) {}
    void stage_started(int stage, int stages, const std::string& description) override {
        registration_.stage_started(stage, stages, description);
    }
    void iteration_done(const IterationEvent& e) override { registration_.iteration_done(e); }
    void level_done(const LevelReport& r) override { registration_.level_done(r); }

protected:
    bool quiet() const { return mode_ == ProgressMode::quiet; }
    void say(const std::string& text, const std::string& event, nlohmann::json fields = nlohmann::json::object()) {
        if (!quiet()) lines_.say(text, event, std::move(fields));
    }

private:
    ProgressMode mode_;
    ProgressPrinter registration_;
    ProgressPrinter lines_{mode_};
};

}  // namespace alinea::cli
