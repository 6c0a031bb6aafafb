#include "alinea/application_reports.hpp"

#include "alinea/html_report.hpp"
#include "alinea/label_measures.hpp"
#include "alinea/label_picture.hpp"
#include "alinea/slice_panels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace alinea {

using report_text::number;

namespace {

template <int D>
std::vector<std::string> geometry_row(const std::string& role, const std::string& file, const Grid<D>& grid) {
    std::vector<std::string> row{role, file};
    for (const std::string& c : geometry_cells(grid)) row.push_back(c);
    return row;
}

std::vector<std::string> geometry_table_header() {
    std::vector<std::string> header{"image", "file"};
    for (const std::string& h : geometry_header()) header.push_back(h);
    return header;
}

const char* volume_unit(int d) { return d == 3 ? "mm³" : "mm²"; }

}  // namespace

template <int D>
std::string segmentation_report(const Segmentation<D>& s, const ScalarImage<D>& target, const std::string& target_name,
                                const std::vector<std::string>& atlas_names, const std::vector<ImageFileInfo>& atlas_headers,
                                const RunRecord& run) {
    HtmlReport report("Segmentation of " + target_name, run.command, run.seconds);
    std::vector<std::string> warnings = run.warnings;
    for (const std::string& f : s.failures) warnings.push_back("an atlas was left out: " + f);
    const std::vector<LabelMeasure<D>> measures = measure_labels(s.fused.labels);
    std::set<int> found;
    for (const LabelMeasure<D>& m : measures) found.insert(m.label);
    for (const int l : s.fused.label_values)
        if (l != 0 && !found.count(l)) warnings.push_back("label " + std::to_string(l) + " is in the atlases but not in the result");
    report.section("Warnings").warnings(warnings);

    report.section("Inputs");
    std::vector<std::vector<std::string>> rows{geometry_row("target", target_name, target.grid())};
    for (std::size_t k = 0; k < atlas_headers.size() && k < atlas_names.size(); ++k) {
        std::vector<std::string> row{"atlas " + std::to_string(k + 1), atlas_names[k].substr(0, atlas_names[k].find(' '))};
        for (const std::string& c : geometry_cells(atlas_headers[k])) row.push_back(c);
        rows.push_back(std::move(row));
    }
    report.table(geometry_table_header(), rows);
    std::vector<std::vector<std::string>> atlases;
    for (std::size_t k = 0; k < atlas_names.size(); ++k) {
        const auto used = std::find(s.atlas_index.begin(), s.atlas_index.end(), k);
        const std::size_t i = static_cast<std::size_t>(used - s.atlas_index.begin());
        atlases.push_back({std::to_string(k + 1), atlas_names[k], used == s.atlas_index.end() ? "left out" : "used",
                           used == s.atlas_index.end() ? "" : number("%.1f", s.atlases[i].seconds)});
    }
    report.table({"atlas", "files", "", "registration (s)"}, atlases);
    report.facts({{"atlases used", std::to_string(s.atlases.size()) + " of " + std::to_string(atlas_names.size())},
                  {"fusion search radius (voxels)", std::to_string(s.fused.search_radius)},
                  {"voxels fused (not unanimous)", std::to_string(s.fused.fused_voxels)},
                  {"registration time (s)", number("%.1f", s.registration_seconds)},
                  {"fusion time (s)", number("%.1f", s.fusion_seconds)}});

    report.section("Labels");
    report.picture(draw_label_picture("Labels of " + target_name, target, s.fused.labels),
                   "The target with every label's contour: contours should follow the target's boundaries.");
    std::vector<std::vector<std::string>> volumes;
    for (const LabelMeasure<D>& m : measures)
        volumes.push_back({std::to_string(m.label), std::to_string(m.voxels), number("%.1f", m.volume)});
    report.table({"label", "voxels", std::string("volume (") + volume_unit(D) + ")"}, volumes);
    return report.html();
}

template <int D>
std::vector<LinePlot> tracking_plots(const Tracking<D>& tracking) {
    std::vector<LinePlot> plots{{"Volume over time", "frame", D == 3 ? "volume (mm³)" : "area (mm²)", {}},
                                {"Centroid displacement from frame " + std::to_string(tracking.reference + 1), "frame",
                                 "displacement (mm)", {}}};
    for (LinePlot& p : plots) p.integer_x = true;
    const auto& reference = tracking.frames[tracking.reference].measures;
    for (const auto& m : reference) plots[0].series.push_back({"label " + std::to_string(m.label), {}, {}});
    plots[1].series = plots[0].series;
    const std::vector<TrackedMeasure> rows = tracked_measures(tracking);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const TrackedMeasure& m = rows[r];
        const std::size_t l = r % reference.size();
        plots[0].series[l].x.push_back(static_cast<double>(m.frame + 1));
        plots[0].series[l].y.push_back(m.volume);
        plots[1].series[l].x.push_back(static_cast<double>(m.frame + 1));
        plots[1].series[l].y.push_back(m.displacement);
    }
    return plots;
}

template <int D>
std::string tracking_report(const Tracking<D>& tracking, std::span<const ScalarImage<D>> frames,
                            const std::vector<std::string>& names, const RunRecord& run) {
    HtmlReport report("Tracking through " + std::to_string(frames.size()) + " frames", run.command, run.seconds);
    const std::vector<TrackedMeasure> measures = tracked_measures(tracking);
    std::vector<std::string> warnings = run.warnings;
    for (const TrackedMeasure& m : measures) {
        const std::string where = "frame " + std::to_string(m.frame + 1) + ", label " + std::to_string(m.label);
        if (m.voxels == 0) warnings.push_back(where + ": the label is lost (no voxel)");
        else if (std::abs(m.volume_change_percent) > 25)
            warnings.push_back(where + number(": the volume changed by %+.0f %% from the reference frame", m.volume_change_percent));
    }
    for (std::size_t t = 0; t < tracking.frames.size(); ++t)
        for (const StageReport& s : tracking.frames[t].stages)
            for (const LevelReport& l : s.levels)
                if (l.result.value > l.initial_value + 1e-9 * std::max(1.0, std::abs(l.initial_value)))
                    warnings.push_back("frame " + std::to_string(t + 1) + ": the metric of stage " + std::to_string(s.stage + 1) +
                                       " (" + l.model + "), level " + std::to_string(l.level + 1) + " got worse");
    report.section("Warnings").warnings(warnings);

    report.section("Inputs");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t t = 0; t < frames.size(); ++t)
        rows.push_back(geometry_row("frame " + std::to_string(t + 1) + (t == tracking.reference ? " (reference)" : ""),
                                    names[t], frames[t].grid()));
    report.table(geometry_table_header(), rows);

    report.section("Volume and position over time");
    report.picture(draw_line_plots(tracking_plots(tracking), 2),
                   "Each label's volume, and its centroid's distance from the reference frame's, frame by frame.");
    std::vector<std::vector<std::string>> table;
    for (const TrackedMeasure& m : measures)
        table.push_back({std::to_string(m.frame + 1), std::to_string(m.label), number("%.1f", m.volume),
                         number("%+.2f", m.volume_change_percent), number("%.2f", m.displacement),
                         tracking.frames[m.frame].origin});
    report.table({"frame", "label", std::string("volume (") + volume_unit(D) + ")", "change from reference (%)",
                  "centroid displacement (mm)", "transform from"},
                 table);

    report.section("The labels on every frame");
    std::vector<Thumbnail<D>> thumbnails;
    for (std::size_t t = 0; t < frames.size(); ++t)
        thumbnails.push_back({"frame " + std::to_string(t + 1), &frames[t], &tracking.frames[t].labels});
    report.picture(draw_thumbnails("Tracked labels, frame by frame", thumbnails, 6, 160),
                   "Every frame with its tracked labels' contours, cut through the labels' centre in that frame.");
    return report.html();
}

template <int D>
std::string atlas_report(const AtlasReportInputs<D>& a, const RunRecord& run) {
    HtmlReport report("Atlas of " + std::to_string(a.subject_names.size()) + " subjects", run.command, run.seconds);
    std::vector<std::string> warnings = run.warnings;
    if (a.variability.folded_voxels > 0)
        warnings.push_back(std::to_string(a.variability.folded_voxels) +
                           " voxels fold over all subjects' maps (Jacobian determinant <= 0)");
    if (a.iterations.size() >= 3 && a.iterations.back().shape_update_mm > a.iterations[1].shape_update_mm)
        warnings.push_back(number("the shape update grew in the later iterations (%.3f mm at the end): the template may not "
                                  "have converged",
                                  a.iterations.back().shape_update_mm));
    if (a.final_metric.size() >= 4) {
        double mean = 0, sq = 0;
        for (const double m : a.final_metric) mean += m;
        mean /= static_cast<double>(a.final_metric.size());
        for (const double m : a.final_metric) sq += (m - mean) * (m - mean);
        const double sd = std::sqrt(sq / static_cast<double>(a.final_metric.size() - 1));
        for (std::size_t s = 0; s < a.final_metric.size() && s < a.subject_names.size(); ++s)
            if (sd > 0 && (a.final_metric[s] - mean) / sd > 2.5)
                warnings.push_back(a.subject_names[s] +
                                   number(": its registration to the template ended far worse than the others' (%.1f SD "
                                          "above the mean metric): check it",
                                          (a.final_metric[s] - mean) / sd));
    }
    report.section("Warnings").warnings(warnings);

    report.section("Inputs and template");
    std::vector<std::vector<std::string>> rows{geometry_row("template", "", a.template_image.grid())};
    for (std::size_t k = 0; k < a.subject_headers.size() && k < a.subject_files.size(); ++k) {
        std::vector<std::string> row{"subject " + std::to_string(k + 1), a.subject_files[k]};
        for (const std::string& c : geometry_cells(a.subject_headers[k])) row.push_back(c);
        rows.push_back(std::move(row));
    }
    report.table(geometry_table_header(), rows);
    report.picture(draw_slice_panels<D>("Atlas of " + std::to_string(a.subject_names.size()) + " subjects",
                                        {{"initial mean", &a.initial, false, "intensity"},
                                         {"template", &a.template_image, false, "intensity"},
                                         {"intensity SD across subjects", &a.intensity_sd, false, "SD (intensity)"},
                                         {"mean log det J", &a.variability.log_jacobian_mean, true,
                                          "log det J (> 0: subjects larger)"},
                                         {"SD of log det J", &a.variability.log_jacobian_sd, false, "SD of log det J"}}),
                   "The initial mean, the template, the subjects' intensity spread on it, and the mean and spread of "
                   "their local volumes relative to it.");

    report.section("Iterations");
    LinePlot shape{"Shape update per iteration", "iteration", "RMS shape update (mm)", {{"shape update", {}, {}}}};
    LinePlot change{"Template change per iteration", "iteration", "RMS change / RMS template", {{"template change", {}, {}}}};
    LinePlot metric{"Mean registration metric", "iteration", "metric (lower is better)", {{"mean metric", {}, {}}}};
    shape.integer_x = change.integer_x = metric.integer_x = true;
    rows.clear();
    for (const AtlasIterationFigures& f : a.iterations) {
        const auto k = static_cast<double>(f.iteration);
        shape.series[0].x.push_back(k), shape.series[0].y.push_back(f.shape_update_mm);
        change.series[0].x.push_back(k), change.series[0].y.push_back(f.template_change);
        metric.series[0].x.push_back(k), metric.series[0].y.push_back(f.mean_metric);
        rows.push_back({std::to_string(f.iteration), number("%.3f", f.shape_update_mm), number("%.3f", f.velocity_update_mm),
                        number("%.4f", f.template_change), number("%.5g", f.mean_metric), number("%.1f", f.seconds)});
    }
    report.picture(draw_line_plots({shape, change, metric}, 3),
                   "A converging construction: the shape update and the template's change fall toward 0 (the first iteration's "
                   "metric is that of the last level it ran, which may be a coarser one).");
    report.table({"iteration", "shape update (mm)", "velocity update (mm)", "template change", "mean metric", "time (s)"}, rows);

    if (!a.subjects_in_template.empty()) {
        report.section("Subjects in the template's space");
        std::vector<Thumbnail<D>> thumbnails;
        for (std::size_t s = 0; s < a.subjects_in_template.size(); ++s)
            thumbnails.push_back({a.subject_names[s], &a.subjects_in_template[s], nullptr});
        report.picture(draw_thumbnails("Subjects carried into the template", thumbnails, 6, 150),
                       a.subjects_in_template.size() < a.subject_names.size()
                           ? "The first " + std::to_string(a.subjects_in_template.size()) + " subjects through their final maps."
                           : "Every subject through its final map: they should look alike.");
    }
    if (!a.variability.volumes.empty()) {
        report.section("Label volumes");
        std::map<int, std::pair<double, int>> by_label;
        for (const LabelVolume& v : a.variability.volumes) {
            auto& [sum, n] = by_label[v.label];
            sum += v.volume, ++n;
        }
        std::vector<std::vector<std::string>> volumes;
        for (const auto& [label, sn] : by_label)
            volumes.push_back({std::to_string(label), number("%.1f", sn.first / sn.second), std::to_string(sn.second)});
        report.table({"label", std::string("mean volume (") + volume_unit(D) + ")", "subjects"}, volumes);
    }
    return report.html();
}

#define ALINEA_APPLICATION_REPORTS(D)                                                                                   \
    template std::string segmentation_report<D>(const Segmentation<D>&, const ScalarImage<D>&, const std::string&,      \
                                                const std::vector<std::string>&, const std::vector<ImageFileInfo>&,     \
                                                const RunRecord&);                                                      \
    template std::vector<LinePlot> tracking_plots<D>(const Tracking<D>&);                                               \
    template std::string tracking_report<D>(const Tracking<D>&, std::span<const ScalarImage<D>>,                        \
                                            const std::vector<std::string>&, const RunRecord&);                         \
    template std::string atlas_report<D>(const AtlasReportInputs<D>&, const RunRecord&);
ALINEA_APPLICATION_REPORTS(2)
ALINEA_APPLICATION_REPORTS(3)
#undef ALINEA_APPLICATION_REPORTS

}  // namespace alinea
