#include "progress.hpp"

#include <cstdio>

namespace alinea::cli {

void ProgressPrinter::stage_started() {
    ++stage_;
    if (!quiet_)
        std::printf("stage %d/%zu: %s\n", stage_ + 1, descriptions_.size(),
                    stage_ < static_cast<int>(descriptions_.size()) ? descriptions_[stage_].c_str() : "");
}

void ProgressPrinter::level_done(const LevelReport& r) {
    if (!quiet_)
        std::printf("  level %d/%d  shrink %-2d %8lld samples  %3d iterations %3d evaluations  metric %.6g -> %.6g"
                    "  last step %.3g mm  %.2f s\n",
                    r.level + 1, r.levels, r.shrink, static_cast<long long>(r.samples), r.result.iterations,
                    r.result.evaluations, r.initial_value, r.result.value, r.result.last_step, r.seconds);
    std::fflush(stdout);
    levels_.push_back({{"stage", stage_},
                       {"level", r.level},
                       {"shrink", r.shrink},
                       {"model", r.model},
                       {"metric", r.metric},
                       {"optimizer", r.optimizer},
                       {"samples", r.samples},
                       {"iterations", r.result.iterations},
                       {"evaluations", r.result.evaluations},
                       {"initial_value", r.initial_value},
                       {"final_value", r.result.value},
                       {"trace", r.result.trace},
                       {"seconds", r.seconds}});
}

void ProgressPrinter::finished(double seconds, const std::string& prefix) const {
    if (!quiet_)
        std::printf("done in %.2f s; outputs %saffine.txt, %swarped.nii.gz, %slog.json ...\n", seconds,
                    prefix.c_str(), prefix.c_str(), prefix.c_str());
}

}  // namespace alinea::cli
