#include "alinea/optimizer.hpp"

namespace alinea {

OptimizerResult adaptive_gradient_descent(const Objective& f, const Eigen::VectorXd& u0,
                                          const OptimizerOptions& options) {
    OptimizerResult r;
    r.u = u0;
    Eigen::VectorXd g;
    r.value = f(r.u, &g);
    r.evaluations = 1;
    double step = options.initial_step;
    r.stop_reason = "iterations";
    while (r.iterations < options.max_iterations) {
        if (step < options.min_step) { r.stop_reason = "step below minimum"; break; }
        ++r.iterations;
        const double norm = g.norm();
        if (!(norm > 0)) { r.stop_reason = "zero gradient"; break; }
        const Eigen::VectorXd trial = r.u - (step / norm) * g;
        Eigen::VectorXd trial_g;
        const double value = f(trial, &trial_g);
        ++r.evaluations;
        if (value < r.value) {
            r.u = trial;
            r.value = value;
            g = trial_g;
            r.last_step = step;
            r.trace.push_back(value);
            step *= 1.1;
        } else {
            step *= 0.5;
        }
        if (options.on_iteration) options.on_iteration(r.iterations, r.value);
        if (converged(r.trace, options.convergence)) { r.stop_reason = "converged"; break; }
    }
    return r;
}

}  // namespace alinea
