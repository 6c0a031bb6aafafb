#include "progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace alinea::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A deformable voxel iteration against a linear sample iteration, until both are
// measured in this run (forces, smoothing and composition against one interpolation).
constexpr double deformable_cost_guess = 4.0;

void print_json(nlohmann::json object) {
    std::printf("%s\n", object.dump().c_str());
    std::fflush(stdout);
}

std::string duration(double seconds) {
    char text[32];
    if (seconds < 90) std::snprintf(text, sizeof text, "%.0f s", std::max(0.0, seconds));
    else if (seconds < 5400) std::snprintf(text, sizeof text, "%.0f min", seconds / 60);
    else std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
    return text;
}

}  // namespace

void add_progress_options(CLI::App& cmd, ProgressMode& mode) {
    cmd.add_option_function<std::string>(
           "--progress",
           [&mode](const std::string& v) {
               if (mode != ProgressMode::quiet) mode = v == "json" ? ProgressMode::json : ProgressMode::text;
           },
           "text (default: a live line on a terminal, a line every 10 s in a log) or json (one object per line)")
        ->check(CLI::IsMember({"text", "json"}));
    cmd.add_flag_callback("-q,--quiet", [&mode] { mode = ProgressMode::quiet; }, "No progress output");
}

template <int D>
RunOutline outline_of(const RegistrationPlan& plan, Index fixed_voxels) {
    RunOutline outline;
    const auto voxels = [&](int shrink) { return static_cast<double>(fixed_voxels) / std::pow(shrink, D); };
    for (const LinearStage& stage : plan.linear) {
        std::vector<RunOutline::Level> levels;
        for (int l = 0; l < stage.pyramid.levels(); ++l) {
            const double n = voxels(stage.pyramid.shrink[l]);
            levels.push_back({stage.max_samples > 0 ? std::min(n, static_cast<double>(stage.max_samples)) : n,
                              stage.pyramid.iterations[l]});
        }
        outline.stages.push_back(levels);
        outline.deformable.push_back(false);
    }
    if (plan.deformable) {
        std::vector<RunOutline::Level> levels;
        for (int l = 0; l < plan.deformable->pyramid.levels(); ++l)
            levels.push_back({voxels(plan.deformable->pyramid.shrink[l]), plan.deformable->pyramid.iterations[l]});
        outline.stages.push_back(levels);
        outline.deformable.push_back(true);
    }
    return outline;
}

template RunOutline outline_of<2>(const RegistrationPlan&, Index);
template RunOutline outline_of<3>(const RegistrationPlan&, Index);

ProgressPrinter::ProgressPrinter(ProgressMode mode, RunOutline outline)
    : mode_(mode), terminal_(isatty(STDOUT_FILENO)), outline_(std::move(outline)), start_(Clock::now()),
      last_line_(start_) {}

void ProgressPrinter::close_live_line() {
    if (live_line_open_) std::printf("\r\033[K");
    live_line_open_ = false;
}

void ProgressPrinter::stage_started(int stage, int stages, const std::string& description) {
    const std::lock_guard lock(mutex_);
    if (mode_ == ProgressMode::quiet) return;
    if (mode_ == ProgressMode::json)
        return print_json({{"event", "stage"}, {"stage", stage + 1}, {"stages", stages}, {"description", description}});
    close_live_line();
    last_line_ = Clock::now();
    std::printf("stage %d/%d: %s\n", stage + 1, stages, description.c_str());
    std::fflush(stdout);
}

// The rest of this level at the rate of its past iterations, and the levels and stages
// after it at the rate measured so far (NaN without an outline).
double ProgressPrinter::seconds_left(const IterationEvent& e) const {
    const double in_level = e.level_seconds / e.iteration * (e.max_iterations - e.iteration);
    if (outline_.stages.size() != static_cast<std::size_t>(e.stages)) return in_level;
    const auto& stage = outline_.stages[e.stage];
    if (stage.size() != static_cast<std::size_t>(e.levels)) return in_level;
    const bool deformable = outline_.deformable[e.stage];
    // Seconds per unit of work: this level's own rate, else what finished levels measured.
    const double own = e.level_seconds / (e.iteration * stage[e.level].work_per_iteration);
    const auto rate = [&](bool kind) {
        if (kind == deformable) return own;
        if (work_done_[kind] > 0) return seconds_done_[kind] / work_done_[kind];
        return kind ? own * deformable_cost_guess : own / deformable_cost_guess;
    };
    double left = in_level;
    for (std::size_t s = e.stage; s < outline_.stages.size(); ++s)
        for (std::size_t l = s == static_cast<std::size_t>(e.stage) ? e.level + 1 : 0; l < outline_.stages[s].size(); ++l)
            left += outline_.stages[s][l].work_per_iteration * outline_.stages[s][l].iterations * rate(outline_.deformable[s]);
    return left;
}

void ProgressPrinter::iteration_done(const IterationEvent& e) {
    const std::lock_guard lock(mutex_);
    if (mode_ == ProgressMode::quiet) return;
    const auto now = Clock::now();
    if (mode_ == ProgressMode::text && !terminal_) {  // a log: a line when 10 s passed without one
        if (now - last_line_ < std::chrono::seconds(10)) return;
    } else if (e.iteration > 1 && now - last_line_ < std::chrono::milliseconds(mode_ == ProgressMode::json ? 500 : 250)) {
        return;
    }
    last_line_ = now;
    const double left = seconds_left(e);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (mode_ == ProgressMode::json)
        return print_json({{"event", "iteration"}, {"stage", e.stage + 1}, {"stages", e.stages},
                           {"level", e.level + 1}, {"levels", e.levels}, {"iteration", e.iteration},
                           {"max_iterations", e.max_iterations}, {"metric", e.value},
                           {"elapsed_seconds", elapsed}, {"seconds_left", left}});
    // The first iterations of a level include its set-up: too early for an estimate.
    const std::string estimate = e.iteration < 3 ? "" : ", at most " + duration(left) + " left";
    std::printf("%s  level %d/%d  iteration %d/%d  metric %.6g  %s so far%s%s", terminal_ ? "\r" : "", e.level + 1,
                e.levels, e.iteration, e.max_iterations, e.value, duration(elapsed).c_str(), estimate.c_str(),
                terminal_ ? "   " : "\n");
    std::fflush(stdout);
    live_line_open_ = terminal_;
}

void ProgressPrinter::level_done(const LevelReport& r) {
    const std::lock_guard lock(mutex_);
    if (r.stage < static_cast<int>(outline_.stages.size()) &&
        r.level < static_cast<int>(outline_.stages[r.stage].size())) {
        const bool kind = outline_.deformable[r.stage];
        work_done_[kind] += outline_.stages[r.stage][r.level].work_per_iteration * std::max(1, r.result.iterations);
        seconds_done_[kind] += r.seconds;
    }
    if (mode_ == ProgressMode::quiet) return;
    if (mode_ == ProgressMode::json)
        return print_json({{"event", "level"}, {"stage", r.stage + 1}, {"level", r.level + 1}, {"levels", r.levels},
                           {"shrink", r.shrink}, {"samples", r.samples}, {"iterations", r.result.iterations},
                           {"evaluations", r.result.evaluations}, {"initial_metric", r.initial_value},
                           {"metric", r.result.value}, {"stop", r.result.stop_reason}, {"seconds", r.seconds}});
    close_live_line();
    last_line_ = Clock::now();
    std::printf("  level %d/%d  shrink %-2d %8lld samples  %3d iterations %3d evaluations  metric %.6g -> %.6g"
                "  (%s)  %.2f s\n",
                r.level + 1, r.levels, r.shrink, static_cast<long long>(r.samples), r.result.iterations,
                r.result.evaluations, r.initial_value, r.result.value, r.result.stop_reason.c_str(), r.seconds);
    std::fflush(stdout);
}

void ProgressPrinter::say(const std::string& text, const std::string& event, nlohmann::json fields) {
    const std::lock_guard lock(mutex_);
    if (mode_ == ProgressMode::quiet) return;
    if (mode_ == ProgressMode::json) {
        fields["event"] = event;
        if (!fields.contains("text")) fields["text"] = text;
        return print_json(std::move(fields));
    }
    close_live_line();
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
}

}  // namespace alinea::cli
