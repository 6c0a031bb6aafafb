#pragma once
// The files of one registration, as `alinea register -o PREFIX` writes them and as
// Python's `result.save(prefix)` writes them: PREFIXaffine.txt (ITK, fixed -> moving,
// LPS), PREFIXwarped.nii.gz (the moving image on the fixed grid), PREFIXqc.png (the
// overview picture), PREFIXreport.html (every picture, the warnings, the inputs'
// geometry, the command), PREFIXlog.json, and with a deformable stage
// PREFIXwarp.nii.gz and PREFIXinverse_warp.nii.gz (+ PREFIXcontrol_points.nii.gz for
// bspline). All of them or none (OutputSet), in a folder that exists.
#include "alinea/nifti.hpp"
#include "alinea/registration.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace alinea {

// What the log says about the run beyond the result itself.
struct RegistrationRecord {
    std::string command;                  // the command (or call) that reproduces the run
    std::string fixed, moving;            // where the images came from ("" for arrays)
    std::string fixed_mask, moving_mask;  // "" when there is none
    std::string init = "identity";        // the initial alignment mode, or the starting transform file
    NiftiCodes codes;                     // sform/qform codes of the outputs (the fixed image's)
    bool qc_picture = true;
    bool report = true;
    std::vector<double> qc_point;         // where the pictures' slices cut (LPS mm); empty: the mask's or foreground's centre
    std::vector<std::string> warnings;    // from reading the inputs (non-finite voxels, colour converted to grey)
    int threads = 1;
};

// "alinea register -f FIXED -m MOVING -o PREFIX [--fixed-mask F] [--moving-mask M] PLAN...",
// the command that reproduces a run from its plan's tokens (plan_tokens()).
std::string register_command_line(const std::string& fixed, const std::string& moving, const std::string& prefix,
                                  const std::string& fixed_mask, const std::string& moving_mask,
                                  const std::vector<std::string>& plan);

// Every name the set may write under PREFIX, for the check that no output is an input.
std::vector<std::string> registration_output_names(const std::string& prefix);

// The content of PREFIXlog.json; `warnings`: the record's and the review's.
template <int D>
nlohmann::json registration_log(const RegistrationResult<D>& result, const RegistrationRecord& record,
                                const std::vector<std::string>& warnings = {});

// fixed and moving are the images that were registered (the warped image and the
// pictures are made from them; the slices cut through the fixed mask's centre).
// Returns the warnings (the record's and the review's: registration_review.hpp).
// Throws alinea::Error naming an output that cannot be written.
template <int D>
std::vector<std::string> write_registration_outputs(const std::string& prefix, const RegistrationResult<D>& result,
                                                    const ScalarImage<D>& fixed, const ScalarImage<D>& moving,
                                                    const RegistrationRecord& record,
                                                    const ScalarImage<D>* fixed_mask = nullptr);

}  // namespace alinea
