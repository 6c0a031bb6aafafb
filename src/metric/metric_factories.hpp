#pragma once
// The concrete metrics, one per file; make_metric() in metric.cpp picks one.
#include "alinea/metric.hpp"

namespace alinea {

std::unique_ptr<Metric> make_ssd_metric(const FixedSamples& fixed);
std::unique_ptr<Metric> make_ncc_metric(const FixedSamples& fixed);
std::unique_ptr<Metric> make_lncc_metric(const LnccOptions& options, const FixedSamples& fixed);
std::unique_ptr<Metric> make_mi_metric(const MiOptions& options, const FixedSamples& fixed,
                                       std::pair<float, float> moving_range);

}  // namespace alinea
