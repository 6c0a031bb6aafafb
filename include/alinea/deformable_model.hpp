#pragma once
// The deformable models and their own options, one typed value per model (a key of
// one model given to another is an error, never silently ignored):
//   diffeo:  a stationary velocity field v; the deformation is exp(v) (scaling and
//            squaring), its inverse exp(-v): smooth and invertible by construction.
//            symmetric=yes deforms both images half-way, to a midpoint (as ANTs' SyN).
//   greedy:  a displacement field u updated directly (the fast classic); its inverse
//            by fixed-point iteration.
//   bspline: a cubic B-spline free-form deformation with a bending penalty.
// On the command line: "diffeo", "greedy:step=0.25,fluid=3", "bspline:spacing=8".
#include "alinea/option_spec.hpp"

#include <string>
#include <variant>

namespace alinea {

// Update rule shared by the dense models: each iteration takes the metric's dense
// gradient, smooths it ("fluid" sigma), scales it so that its largest vector is
// `step`, adds it to the field and smooths the field ("elastic" sigma). Step and
// sigmas are in voxels of the pyramid level. The sigmas (greedy's defaults, sqrt(3)
// and sqrt(0.5)) were chosen over bench/family: 24 simulated Colin27 cases and 9 real
// IXI pairs; 2 and 1 (the earlier defaults) were worse on both (BENCHMARKS.md).
// diffeo's step of 1 voxel (greedy's epsilon) was chosen there too: against 0.5 it gains
// on the real pairs (mean Dice 0.691 against 0.685, worst 0.669 against 0.658) and on
// the worst simulated case, and is faster; greedy keeps 0.5 (the tracking presets use it).
struct DenseFieldOptions {
    double step = 0.5;
    double fluid = 1.732;
    double elastic = 0.707;
    bool operator==(const DenseFieldOptions&) const = default;
};

struct DiffeoOptions : DenseFieldOptions {
    static constexpr const char* name = "diffeo";
    DiffeoOptions() : DenseFieldOptions{1.0, 1.732, 0.707} {}
    // Symmetric: the metric compares the fixed image moved by exp(-v/2) with the moving
    // image moved by exp(v/2) (a midpoint between them), and its gradient flows into v
    // from both sides. The result is the same kind of field (the warp is still
    // exp(v)), but swapping the images gives -v: the two directions are inverse.
    bool symmetric = false;
    static DiffeoOptions parse(const OptionSpec& spec);
    std::string spec() const;
    bool operator==(const DiffeoOptions&) const = default;
};

struct GreedyOptions : DenseFieldOptions {
    static constexpr const char* name = "greedy";
    static GreedyOptions parse(const OptionSpec& spec);
    std::string spec() const;
    bool operator==(const GreedyOptions&) const = default;
};

struct BsplineOptions {
    static constexpr const char* name = "bspline";
    // Chosen over bench/family (Colin27 under 24 known warps, 9 IXI pairs; table in
    // BENCHMARKS.md): finer grids and weaker bending gain on every kind of case until
    // they fold real inter-subject maps, which the barrier prevents where it acts.
    double spacing = 5;      // control point spacing at the finest level, mm (doubled per coarser level)
    double bending = 0.001;  // weight of the mean squared second difference of the coefficients
    double barrier = 100;    // weight of the folding barrier and its wall (folding_barrier.hpp), 0: off
    static BsplineOptions parse(const OptionSpec& spec);
    std::string spec() const;
    bool operator==(const BsplineOptions&) const = default;
};

using DeformableModel = std::variant<DiffeoOptions, GreedyOptions, BsplineOptions>;

// True if the spec names a deformable model (whatever its keys).
bool is_deformable_spec(const std::string& spec);
// Throws alinea::Error naming an unknown model, or a key and the keys the model takes.
DeformableModel parse_deformable_model(const std::string& spec);
std::string to_string(const DeformableModel& model);  // the spec that reproduces it
std::string model_name(const DeformableModel& model);  // "diffeo", "greedy", "bspline"
// One line per model with its keys and defaults, for --help.
std::string deformable_model_help();

}  // namespace alinea
