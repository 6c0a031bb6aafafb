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
void add_points_command(CLI::App& app);
void add_resample_command(CLI::App& app);
void add_convert_command(CLI::App& app);

// The dimension of a transform list (its first file), or of a point table without one.
int chain_dimension(const std::vector<std::string>& specs, const std::string& point_table);

}  // namespace alinea::cli
