#include "alinea/registration_outputs.hpp"

#include "alinea/image_io.hpp"
#include "alinea/output_set.hpp"
#include "alinea/registration_report.hpp"
#include "alinea/registration_review.hpp"
#include "alinea/transform_file.hpp"

#include <filesystem>

namespace alinea {

namespace {

template <int D>
nlohmann::json matrix_json(const Affine<D>& a) {
    nlohmann::json rows = nlohmann::json::array();
    const auto h = a.homogeneous();
    for (int r = 0; r < D + 1; ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (int c = 0; c < D + 1; ++c) row.push_back(h(r, c));
        rows.push_back(row);
    }
    return rows;
}

nlohmann::json stages_json(const std::vector<StageReport>& stages) {
    nlohmann::json out = nlohmann::json::array();
    for (const StageReport& s : stages) {
        nlohmann::json levels = nlohmann::json::array();
        for (const LevelReport& r : s.levels)
            levels.push_back({{"level", r.level},
                              {"shrink", r.shrink},
                              {"model", r.model},
                              {"metric", r.metric},
                              {"optimizer", r.optimizer},
                              {"samples", r.samples},
                              {"iterations", r.result.iterations},
                              {"evaluations", r.result.evaluations},
                              {"stop_reason", r.result.stop_reason},
                              {"initial_value", r.initial_value},
                              {"final_value", r.result.value},
                              {"trace", r.result.trace},
                              {"seconds", r.seconds}});
        out.push_back({{"stage", s.stage}, {"options", s.description}, {"seconds", s.seconds}, {"levels", levels}});
    }
    return out;
}

}  // namespace

std::string register_command_line(const std::string& fixed, const std::string& moving, const std::string& prefix,
                                  const std::string& fixed_mask, const std::string& moving_mask,
                                  const std::vector<std::string>& plan) {
    std::string command = "alinea register -f " + fixed + " -m " + moving + " -o " + prefix;
    if (!fixed_mask.empty()) command += " --fixed-mask " + fixed_mask;
    if (!moving_mask.empty()) command += " --moving-mask " + moving_mask;
    for (const std::string& t : plan) command += " " + t;
    return command;
}

std::vector<std::string> registration_output_names(const std::string& prefix) {
    std::vector<std::string> names;
    for (const char* name : {"affine.txt", "warped.nii.gz", "warp.nii.gz", "inverse_warp.nii.gz",
                             "control_points.nii.gz", "qc.png", "report.html", "log.json"})
        names.push_back(prefix + name);
    return names;
}

template <int D>
nlohmann::json registration_log(const RegistrationResult<D>& result, const RegistrationRecord& record,
                                const std::vector<std::string>& warnings) {
    nlohmann::json log;
    log["command"] = record.command;
    log["version"] = ALINEA_VERSION;
    log["fixed"] = record.fixed;
    log["moving"] = record.moving;
    log["dimension"] = D;
    log["init"] = record.init;
    log["initial_matrix"] = matrix_json(result.initial_affine);
    log["nonfinite_voxels"] = {{"fixed", result.nonfinite_fixed}, {"moving", result.nonfinite_moving}};
    if (const auto& d = result.deformation) {
        const JacobianSummary& j = d->jacobian;
        log["jacobian"] = {{"min", j.min}, {"max", j.max}, {"folded_fraction", j.folded_fraction}};
        log["inverse_residual_mm"] = d->inverse_residual;
    }
    log["stages"] = stages_json(result.stages);
    log["matrix"] = matrix_json(result.affine);
    log["seconds"] = result.seconds;
    log["threads"] = record.threads;
    log["warnings"] = warnings;
    return log;
}

template <int D>
std::vector<std::string> write_registration_outputs(const std::string& prefix, const RegistrationResult<D>& result,
                                                    const ScalarImage<D>& fixed, const ScalarImage<D>& moving,
                                                    const RegistrationRecord& record, const ScalarImage<D>* fixed_mask) {
    check_output_prefix(prefix);
    if (!record.qc_point.empty() && record.qc_point.size() != static_cast<std::size_t>(D))
        throw Error("the QC slices' point has " + std::to_string(record.qc_point.size()) + " coordinates; a " +
                    std::to_string(D) + "-D image needs " + std::to_string(D));
    OutputSet out;  // all of them or none
    std::vector<std::string> written;
    const auto name = [&](const std::string& suffix) {
        written.push_back(prefix + suffix);
        return out(prefix + suffix);
    };
    write_itk_transform(name("affine.txt"), result.affine);
    if (const auto& d = result.deformation) {
        write_nifti(name("warp.nii.gz"), d->warp, record.codes);
        write_nifti(name("inverse_warp.nii.gz"), d->inverse_warp, record.codes);
        if (!d->control_points.empty()) write_nifti(name("control_points.nii.gz"), d->control_points, record.codes);
    }
    const ScalarImage<D> warped = apply_registration(result, moving);
    write_image(name("warped.nii.gz"), warped, PixelType::f32, record.codes);

    RegistrationReviewInputs<D> review_inputs{fixed, moving, warped, fixed_mask};
    if (!record.qc_point.empty()) review_inputs.through = Eigen::Map<const VecD<D>>(record.qc_point.data());
    review_inputs.pictures = record.qc_picture || record.report;
    const RegistrationReview review = review_registration(result, review_inputs);
    std::vector<std::string> warnings = record.warnings;
    warnings.insert(warnings.end(), review.warnings.begin(), review.warnings.end());
    if (record.qc_picture) write_picture(name("qc.png"), review.pictures.front().picture);
    const std::string log_name = prefix + "log.json", report_name = prefix + "report.html";
    if (record.report) written.push_back(report_name);
    written.push_back(log_name);
    if (record.report)
        write_text_file(out(report_name), registration_report(result, record, review, moving.grid(), written));
    write_text_file(out(log_name), registration_log(result, record, warnings).dump(2) + "\n");
    out.commit();
    return warnings;
}

template nlohmann::json registration_log<2>(const RegistrationResult<2>&, const RegistrationRecord&,
                                           const std::vector<std::string>&);
template nlohmann::json registration_log<3>(const RegistrationResult<3>&, const RegistrationRecord&,
                                           const std::vector<std::string>&);
template std::vector<std::string> write_registration_outputs<2>(const std::string&, const RegistrationResult<2>&,
                                                                const ScalarImage<2>&, const ScalarImage<2>&,
                                                                const RegistrationRecord&, const ScalarImage<2>*);
template std::vector<std::string> write_registration_outputs<3>(const std::string&, const RegistrationResult<3>&,
                                                                const ScalarImage<3>&, const ScalarImage<3>&,
                                                                const RegistrationRecord&, const ScalarImage<3>*);

}  // namespace alinea
