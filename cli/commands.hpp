#pragma once
// Each subcommand lives in its own file and registers itself on the app.
#include <CLI/CLI.hpp>

namespace alinea::cli {

void add_info_command(CLI::App& app);
void add_apply_command(CLI::App& app);
void add_register_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_simulate_command(CLI::App& app);
void add_jacobian_command(CLI::App& app);
void add_invert_command(CLI::App& app);
void add_compose_command(CLI::App& app);
void add_segment_command(CLI::App& app);
void add_overlap_command(CLI::App& app);
void add_track_command(CLI::App& app);
void add_atlas_command(CLI::App& app);

}  // namespace alinea::cli
