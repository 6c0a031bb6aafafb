#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace alinea::cli {

ProgressPrinter::ProgressPrinter(bool quiet) : quiet_(quiet), live_(!quiet && isatty(STDOUT_FILENO)) {}

void ProgressPrinter::stage_started(int stage, int stages, const std::string& description) {
    if (quiet_) return;
    std::printf("stage %d/%d: %s\n", stage + 1, stages, description.c_str());
    std::fflush(stdout);
}

void ProgressPrinter::iteration_done(const IterationEvent& e) {
    if (!live_) return;
    const auto now = std::chrono::steady_clock::now();
    if (live_line_open_ && now - last_live_ < std::chrono::milliseconds(250)) return;
    last_live_ = now;
    // The time left in this level if the remaining iterations cost what the past ones did.
    const double left = e.level_seconds / e.iteration * (e.max_iterations - e.iteration);
    std::printf("\r  level %d/%d  iteration %d/%d  metric %.6g  at most %.0f s left in the level   ", e.level + 1,
                e.levels, e.iteration, e.max_iterations, e.value, left);
    std::fflush(stdout);
    live_line_open_ = true;
}

void ProgressPrinter::level_done(const LevelReport& r) {
    if (quiet_) return;
    if (live_line_open_) std::printf("\r\033[K");
    live_line_open_ = false;
    std::printf("  level %d/%d  shrink %-2d %8lld samples  %3d iterations %3d evaluations  metric %.6g -> %.6g"
                "  (%s)  %.2f s\n",
                r.level + 1, r.levels, r.shrink, static_cast<long long>(r.samples), r.result.iterations,
                r.result.evaluations, r.initial_value, r.result.value, r.result.stop_reason.c_str(), r.seconds);
    std::fflush(stdout);
}

}  // namespace alinea::cli
