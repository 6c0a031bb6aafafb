#include "alinea/optimizer.hpp"

#include <deque>

namespace alinea {

namespace {
constexpr int memory = 7;
constexpr double armijo = 1e-4;
}  // namespace

OptimizerResult lbfgs(const Objective& f, const Eigen::VectorXd& u0, const OptimizerOptions& options) {
    OptimizerResult r;
    r.u = u0;
    Eigen::VectorXd g;
    r.value = f(r.u, &g);
    r.evaluations = 1;
    std::deque<std::pair<Eigen::VectorXd, Eigen::VectorXd>> history;  // (s, y) pairs
    r.stop_reason = "iterations";
    while (r.iterations < options.max_iterations) {
        ++r.iterations;
        // Two-loop recursion: d = -H g.
        Eigen::VectorXd q = g;
        std::vector<double> alpha(history.size());
        for (int i = static_cast<int>(history.size()) - 1; i >= 0; --i) {
            const auto& [s, y] = history[i];
            alpha[i] = s.dot(q) / y.dot(s);
            q -= alpha[i] * y;
        }
        if (!history.empty()) {
            const auto& [s, y] = history.back();
            q *= s.dot(y) / y.dot(y);
        } else {
            // First step: a move of initial_step mm along the steepest descent.
            q *= options.initial_step / std::max(g.norm(), 1e-300);
        }
        for (size_t i = 0; i < history.size(); ++i) {
            const auto& [s, y] = history[i];
            q += s * (alpha[i] - y.dot(q) / y.dot(s));
        }
        Eigen::VectorXd d = -q;
        double slope = g.dot(d);
        if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
            history.clear();
            d = -g * (options.initial_step / std::max(g.norm(), 1e-300));
            slope = g.dot(d);
            if (!(slope < 0)) { r.stop_reason = "zero gradient"; break; }
        }
        // Backtracking line search on the Armijo condition.
        double t = 1;
        Eigen::VectorXd trial, trial_g;
        double value = 0;
        bool accepted = false;
        while (t * d.norm() >= options.min_step * 0.1) {
            trial = r.u + t * d;
            value = f(trial, &trial_g);
            ++r.evaluations;
            if (value <= r.value + armijo * t * slope) { accepted = true; break; }
            t *= 0.5;
        }
        if (!accepted) { r.stop_reason = "line search failed"; break; }
        const Eigen::VectorXd s = trial - r.u, y = trial_g - g;
        r.last_step = s.norm();
        r.u = trial;
        r.value = value;
        g = trial_g;
        r.trace.push_back(value);
        if (s.dot(y) > 1e-12 * s.norm() * y.norm()) {
            history.emplace_back(s, y);
            if (static_cast<int>(history.size()) > memory) history.pop_front();
        }
        if (options.on_iteration) options.on_iteration(r.iterations, value);
        if (r.last_step < options.min_step) { r.stop_reason = "step below minimum"; break; }
        if (converged(r.trace, options.convergence)) { r.stop_reason = "converged"; break; }
    }
    return r;
}

}  // namespace alinea
