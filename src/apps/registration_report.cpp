#include "alinea/registration_report.hpp"

#include "alinea/html_report.hpp"

#include <cstdio>

namespace alinea {

using report_text::number;

namespace {

template <int D>
std::string matrix_text(const Affine<D>& a) {
    std::string out;
    const auto h = a.homogeneous();
    for (int r = 0; r < D + 1; ++r) {
        for (int c = 0; c < D + 1; ++c) out += number("%12.6f", h(r, c));
        out += "\n";
    }
    return out;
}

}  // namespace

template <int D>
std::string registration_report(const RegistrationResult<D>& result, const RegistrationRecord& record,
                                const RegistrationReview& review, const Grid<D>& moving_grid,
                                const std::vector<std::string>& outputs) {
    const auto name = [](const std::string& path) { return path.empty() ? std::string("(an array)") : path; };
    HtmlReport report("Registration of " + name(record.moving) + " to " + name(record.fixed), record.command, result.seconds);

    std::vector<std::string> warnings = record.warnings;
    warnings.insert(warnings.end(), review.warnings.begin(), review.warnings.end());
    report.section("Warnings").warnings(warnings);

    report.section("Inputs");
    std::vector<std::string> header{"image", "file"};
    for (const std::string& h : geometry_header()) header.push_back(h);
    std::vector<std::vector<std::string>> rows;
    for (const auto& [role, path, grid] : {std::tuple{"fixed", record.fixed, &result.fixed_grid},
                                           std::tuple{"moving", record.moving, &moving_grid}}) {
        std::vector<std::string> row{role, name(path)};
        for (const std::string& cell : geometry_cells(*grid)) row.push_back(cell);
        rows.push_back(std::move(row));
    }
    report.table(header, rows);
    std::vector<std::pair<std::string, std::string>> facts{{"initial alignment", record.init}};
    if (!record.fixed_mask.empty()) facts.emplace_back("fixed mask", record.fixed_mask);
    if (!record.moving_mask.empty()) facts.emplace_back("moving mask", record.moving_mask);
    facts.emplace_back("fixed foreground inside the moving image at the start", number("%.0f %%", 100 * review.start_overlap));
    facts.emplace_back("threads", std::to_string(record.threads));
    report.facts(facts);

    report.section("Stages");
    std::vector<std::vector<std::string>> stages;
    for (const StageReport& s : result.stages)
        for (const LevelReport& l : s.levels)
            stages.push_back({std::to_string(s.stage + 1), l.model, l.metric, std::to_string(l.level + 1) + " of " + std::to_string(l.levels),
                              std::to_string(l.shrink), std::to_string(l.result.iterations), l.result.stop_reason,
                              number("%.6g", l.initial_value), number("%.6g", l.result.value), number("%.2f", l.seconds)});
    report.table({"stage", "model", "metric", "level", "shrink", "iterations", "stopped because", "metric before",
                  "metric after", "time (s)"},
                 stages);
    for (const StageReport& s : result.stages) report.paragraph("Stage " + std::to_string(s.stage + 1) + ": " + s.description);

    report.section("Result");
    report.paragraph("The affine map, fixed to moving points (LPS mm, homogeneous):").code(matrix_text(result.affine));
    std::vector<std::pair<std::string, std::string>> result_facts;
    if (const auto& d = result.deformation) {
        result_facts.emplace_back("Jacobian determinant", number("%.3g", d->jacobian.min) + " to " + number("%.3g", d->jacobian.max));
        result_facts.emplace_back("folded voxels (det J <= 0)", std::to_string(d->jacobian.folded));
        if (review.mean_jacobian) result_facts.emplace_back("mean det J in the fixed mask or foreground", number("%.4f", *review.mean_jacobian));
        result_facts.emplace_back("inverse residual (mean, mm)", number("%.3g", d->inverse_residual));
    }
    if (!result_facts.empty()) report.facts(result_facts);

    report.section("Pictures");
    for (const NamedPicture& p : review.pictures) report.picture(p.picture, p.caption);

    report.section("Outputs");
    std::vector<std::vector<std::string>> files;
    for (const std::string& o : outputs) files.push_back({o});
    report.table({"file"}, files);
    return report.html();
}

template std::string registration_report<2>(const RegistrationResult<2>&, const RegistrationRecord&, const RegistrationReview&,
                                            const Grid<2>&, const std::vector<std::string>&);
template std::string registration_report<3>(const RegistrationResult<3>&, const RegistrationRecord&, const RegistrationReview&,
                                            const Grid<3>&, const std::vector<std::string>&);

}  // namespace alinea
