#pragma once
// Minimisers of a smooth objective f(u) with an analytic gradient. The parameters u
// are in physical units (mm of point motion per unit), so steps and tolerances are
// in millimetres whatever the transform model.
#include <Eigen/Dense>

#include <functional>
#include <string>
#include <vector>

namespace alinea {

// Returns f(u); fills *gradient when it is not null.
using Objective = std::function<double(const Eigen::VectorXd& u, Eigen::VectorXd* gradient)>;

enum class OptimizerKind {
    // The classic: step along the normalised negative gradient; after a step that
    // lowers f grow the step by 10 %, else halve it and retry.
    adaptive_gradient_descent,
    // Limited-memory BFGS with a backtracking (Armijo) line search.
    lbfgs,
};
OptimizerKind parse_optimizer(const std::string& name);  // "gd", "lbfgs"
std::string to_string(OptimizerKind kind);

// The stopping rule of a level: stop when the objective improved by less than
// `tolerance` (relative) over the last `window` iterations (ANTs' --convergence).
struct Convergence {
    double tolerance = 1e-6;
    int window = 8;
    bool operator==(const Convergence&) const = default;

    // "1e-6,10" or "1e-6" (window kept); throws alinea::Error naming --convergence.
    static Convergence parse(const std::string& text, int default_window = 8);
    std::string spec() const;  // "1e-06,10": reads back as the same value
};

struct OptimizerOptions {
    int max_iterations = 100;
    double initial_step = 2.0;      // mm
    double min_step = 0.005;        // mm: stop when steps get this small
    Convergence convergence;
    // Called after every iteration with its number (from 1) and the best f so far; may
    // throw to cancel (the registration's observer does).
    std::function<void(int iteration, double value)> on_iteration;
};

struct OptimizerResult {
    Eigen::VectorXd u;
    double value = 0;
    int iterations = 0;
    int evaluations = 0;
    double last_step = 0;                 // mm
    std::vector<double> trace;            // f after each accepted iteration
    std::string stop_reason;              // why it stopped: "iterations", "converged", ...
};

// True when trace (f after each iteration) improved by less than the tolerance,
// relative to |f|, over the last window iterations.
bool converged(const std::vector<double>& trace, const Convergence& convergence);

OptimizerResult minimize(OptimizerKind kind, const Objective& f, const Eigen::VectorXd& u0,
                         const OptimizerOptions& options);

OptimizerResult adaptive_gradient_descent(const Objective& f, const Eigen::VectorXd& u0,
                                          const OptimizerOptions& options);
OptimizerResult lbfgs(const Objective& f, const Eigen::VectorXd& u0, const OptimizerOptions& options);

}  // namespace alinea
