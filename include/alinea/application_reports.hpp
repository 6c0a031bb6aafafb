#pragma once
// PREFIXreport.html of the applications, from their results in memory (registration's
// own report: registration_report.hpp). Each starts with the command that reproduces
// the run and the warnings, then shows the inputs' geometry, the pictures and the
// numbers a person checks:
// - segment: the label contours on the target, every label's volume;
// - track: the plots of volume and position over time, the labels on every frame;
// - atlas: the template and its spread, its change and the shape update per
//   iteration, the subjects carried into the template.
#include "alinea/atlas.hpp"
#include "alinea/image_file_info.hpp"
#include "alinea/line_plot.hpp"
#include "alinea/segmentation.hpp"
#include "alinea/tracking.hpp"
#include "alinea/variability.hpp"

#include <span>
#include <string>
#include <vector>

namespace alinea {

// What every report says about its run.
struct RunRecord {
    std::string command;
    double seconds = 0;
    std::vector<std::string> warnings;  // e.g. from reading the inputs
};

// atlas_names: each --atlas's files; atlas_headers: its image's header (or none).
template <int D>
std::string segmentation_report(const Segmentation<D>& segmentation, const ScalarImage<D>& target,
                                const std::string& target_name, const std::vector<std::string>& atlas_names,
                                const std::vector<ImageFileInfo>& atlas_headers, const RunRecord& run);

// The two panels of `alinea track`'s PREFIXplot.png: each label's volume, and its
// centroid's distance from the reference frame's, against the frame number.
template <int D>
std::vector<LinePlot> tracking_plots(const Tracking<D>& tracking);

template <int D>
std::string tracking_report(const Tracking<D>& tracking, std::span<const ScalarImage<D>> frames,
                            const std::vector<std::string>& frame_names, const RunRecord& run);

template <int D>
struct AtlasReportInputs {
    const ScalarImage<D>& initial;
    const ScalarImage<D>& template_image;
    const ScalarImage<D>& intensity_sd;
    const Variability<D>& variability;
    std::vector<AtlasIterationFigures> iterations;
    std::vector<std::string> subject_names;
    std::vector<std::string> subject_files;           // with their headers: the inputs' table
    std::vector<ImageFileInfo> subject_headers;
    std::vector<double> final_metric;                // every subject's, in the last iteration
    std::vector<ScalarImage<D>> subjects_in_template;  // thumbnails (may be fewer than the subjects)
};

template <int D>
std::string atlas_report(const AtlasReportInputs<D>& atlas, const RunRecord& run);

}  // namespace alinea
