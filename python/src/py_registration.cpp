// alinea.register: a whole plan through register_images() (py_progress.hpp: the GIL
// released, progress to a Python callable, Ctrl-C as a clean cancellation).
#include "py_registration.hpp"

#include "py_plan.hpp"
#include "py_progress.hpp"
#include "py_transform.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/output_set.hpp"
#include "alinea/parallel.hpp"
#include "alinea/transform_file.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

namespace alinea::python {

template <int D>
TransformChain<D> PyRegistration::chain(bool inverse) const {
    const auto& r = std::get<RegistrationResult<D>>(result);
    TransformChain<D> chain;
    if (!inverse) {
        if (r.deformation) chain.then(DisplacementField<D>{r.deformation->warp});
        chain.then(r.affine);
    } else {
        chain.then(r.affine.inverse());
        if (r.deformation) chain.then(DisplacementField<D>{r.deformation->inverse_warp});
    }
    return chain;
}

template TransformChain<2> PyRegistration::chain<2>(bool) const;
template TransformChain<3> PyRegistration::chain<3>(bool) const;

namespace {

using namespace pybind11::literals;

template <int D>
Affine<D> affine_from_matrix(const Eigen::MatrixXd& m, const char* what) {
    if (m.rows() != D + 1 || m.cols() != D + 1)
        throw py::value_error(std::string(what) + ": expected a " + std::to_string(D + 1) + "x" +
                              std::to_string(D + 1) + " matrix for a " + std::to_string(D) + "-D registration");
    if (!m.allFinite()) throw py::value_error(std::string(what) + ": the matrix has a value that is not finite");
    Affine<D> a;
    a.matrix = m.topLeftCorner<D, D>();
    a.offset = m.topRightCorner<D, 1>();
    return a;
}

template <int D>
Eigen::MatrixXd homogeneous(const Affine<D>& a) { return a.homogeneous(); }

template <int D>
RegistrationPtr run_registration(const ImagePtr& fixed, const ImagePtr& moving, std::vector<std::string> tokens,
                                 const ImagePtr& fixed_mask, const ImagePtr& moving_mask, const py::object& initial,
                                 int threads, const py::object& callback) {
    const ScalarImage<D>& f = scalar_image<D>(*fixed, "register: fixed");
    const ScalarImage<D>& m = scalar_image<D>(*moving, "register: moving");
    const ScalarImage<D>* fm = fixed_mask ? &scalar_image<D>(*fixed_mask, "register: fixed_mask") : nullptr;
    const ScalarImage<D>* mm = moving_mask ? &scalar_image<D>(*moving_mask, "register: moving_mask") : nullptr;
    if (fm && !fm->grid().same_as(f.grid())) throw py::value_error("register: fixed_mask is not on the fixed image's grid");
    if (mm && !mm->grid().same_as(m.grid())) throw py::value_error("register: moving_mask is not on the moving image's grid");

    RegistrationInputs<D> inputs{f, m, fm, mm};
    std::string init = "identity";
    if (py::isinstance<py::str>(initial)) {
        init = initial.cast<std::string>();
        if (is_initial_alignment_spec(init)) tokens.insert(tokens.begin(), {"--init", init});
        else inputs.initial_affine = read_linear_transform<D>(init);
    } else if (py::isinstance<PyRegistration>(initial)) {
        const auto& previous = initial.cast<const PyRegistration&>();
        if (previous.dimension() != D) throw py::value_error("register: initial is a result of another dimension");
        inputs.initial_affine = std::get<RegistrationResult<D>>(previous.result).affine;
        init = "<the affine of an earlier result>";
    } else if (!initial.is_none()) {
        inputs.initial_affine = affine_from_matrix<D>(initial.cast<Eigen::MatrixXd>(), "register: initial");
        init = "<a matrix>";
    }
    const RegistrationPlan plan = parse_registration_plan(tokens);

    auto out = std::make_shared<PyRegistration>();
    out->fixed = fixed, out->moving = moving, out->fixed_mask = fixed_mask, out->moving_mask = moving_mask;
    out->plan = plan_tokens(plan);
    if (inputs.initial_affine && !py::isinstance<PyRegistration>(initial) && py::isinstance<py::str>(initial))
        out->plan[1] = init;  // the starting transform file, as the CLI prints it
    out->record.fixed = fixed->source, out->record.moving = moving->source, out->record.init = init;
    if (!fixed->source.empty() && is_nifti_path(fixed->source)) out->record.codes = read_nifti_codes(fixed->source);
    PythonProgress progress(callback);
    ObserverOf<RegistrationObserver> observer(progress);
    RegistrationResult<D> result = progress.run(
        [&] {
            out->record.threads = omp_get_max_threads();
            return register_images(inputs, plan, observer);
        },
        threads);
    if (result.deformation) result.deformation->velocity = {};  // neither returned nor written
    out->result = std::move(result);
    return out;
}

template <int D>
const RegistrationResult<D>& result_of(const PyRegistration& r) { return std::get<RegistrationResult<D>>(r.result); }

template <class F>
auto visit_dimension(const PyRegistration& r, F&& f) {
    if (r.dimension() == 2) return f.template operator()<2>();
    return f.template operator()<3>();
}

// Kept for the life of the module: pybind11 keeps a pointer to a function's docstring.
const std::string& register_doc() {
    static const std::string doc = std::string(R"doc(
Registers moving to fixed with a plan, exactly as `alinea register` does, and returns a
Registration.

    fixed, moving   alinea.Image (scalar, both 2-D or both 3-D)
    plan            the stage options of `alinea register`, as one string or a list of
                    tokens, e.g. "--transform rigid --metric mi --transform affine";
                    None: the command's default plan
    fixed_mask, moving_mask
                    alinea.Image on the fixed / moving grid: samples only where > 0.5
    initial         an initial alignment mode ("mass", "moments", "search", ...), a
                    transform file, a (D+1)x(D+1) LPS fixed -> moving matrix, or an earlier
                    Registration (its affine)
    threads         None: all cores; 1 to 4 x the cores. Results do not depend on it.
    progress        a callable taking one dict per event: {"event": "stage" | "iteration"
                    | "level", ...}; an exception it raises stops the registration

The GIL is released while it runs; Ctrl-C (KeyboardInterrupt) stops it within an
iteration and raises KeyboardInterrupt.

The plan's options:
)doc") + registration_plan_help();
    return doc;
}

}  // namespace

void bind_registration(py::module_& m) {
    py::class_<PyRegistration, RegistrationPtr>(m, "Registration", R"doc(
The result of alinea.register. In alinea.apply's transform list it stands for the whole
fixed -> moving map (the warp, then the affine); (result, "inverse") for the other way.)doc")
        .def_property_readonly("dimension", &PyRegistration::dimension)
        .def_property_readonly(
            "affine",
            [](const PyRegistration& r) {
                return visit_dimension(r, [&]<int D>() { return homogeneous<D>(result_of<D>(r).affine); });
            },
            "The linear result, fixed -> moving, as a homogeneous matrix in ITK's LPS millimetres: "
            "the matrix that PREFIXaffine.txt holds")
        .def_property_readonly(
            "transform",
            [](const PyRegistration& r) {
                return visit_dimension(r, [&]<int D>() { return share_transform(r.chain<D>(false)); });
            },
            "The whole fixed -> moving map as an alinea.Transform (the warp, then the affine)")
        .def_property_readonly(
            "inverse_transform",
            [](const PyRegistration& r) {
                return visit_dimension(r, [&]<int D>() { return share_transform(r.chain<D>(true)); });
            },
            "The moving -> fixed map (the inverse affine, then the inverse warp)")
        .def_property_readonly(
            "initial_affine",
            [](const PyRegistration& r) {
                return visit_dimension(r, [&]<int D>() { return homogeneous<D>(result_of<D>(r).initial_affine); });
            },
            "Where the linear stages started (the initial alignment), LPS")
        .def(
            "affine_ras",
            [](const PyRegistration& r) {
                return visit_dimension(r, [&]<int D>() {
                    Eigen::MatrixXd flip = Eigen::MatrixXd::Identity(D + 1, D + 1);
                    flip(0, 0) = flip(1, 1) = -1;
                    return Eigen::MatrixXd(flip * homogeneous<D>(result_of<D>(r).affine) * flip);
                });
            },
            "The linear result in nibabel's RAS world coordinates: maps a fixed point (RAS mm) to the "
            "moving point, so that moving_affine^-1 @ affine_ras() @ fixed_affine maps fixed voxels to "
            "moving voxels")
        .def_property_readonly(
            "warp",
            [](PyRegistration& r) -> py::object {
                return visit_dimension(r, [&]<int D>() -> py::object {
                    const auto& d = result_of<D>(r).deformation;
                    if (!d) return py::none();
                    if (!r.warp) r.warp = share(d->warp);
                    return py::cast(r.warp);
                });
            },
            "The deformable stage's displacement field on the fixed grid (fixed point x -> x + u(x), before "
            "the affine; LPS mm, as PREFIXwarp.nii.gz), or None without a deformable stage")
        .def_property_readonly(
            "inverse_warp",
            [](PyRegistration& r) -> py::object {
                return visit_dimension(r, [&]<int D>() -> py::object {
                    const auto& d = result_of<D>(r).deformation;
                    if (!d) return py::none();
                    if (!r.inverse_warp) r.inverse_warp = share(d->inverse_warp);
                    return py::cast(r.inverse_warp);
                });
            },
            "Its inverse (PREFIXinverse_warp.nii.gz), or None")
        .def_property_readonly(
            "warped",
            [](PyRegistration& r) {
                if (!r.warped)
                    visit_dimension(r, [&]<int D>() {
                        py::gil_scoped_release release;
                        r.warped = share(apply_registration(result_of<D>(r), scalar_image<D>(*r.moving, "moving")));
                        return 0;
                    });
                return r.warped;
            },
            "The moving image resampled onto the fixed grid (linear interpolation), as PREFIXwarped.nii.gz")
        .def_property_readonly(
            "log",
            [](const PyRegistration& r) {
                return visit_dimension(r, [&]<int D>() {
                    RegistrationRecord record = r.record;
                    record.command = r.fixed->source.empty() || r.moving->source.empty()
                                         ? ""
                                         : register_command_line(r.fixed->source, r.moving->source, "PREFIX",
                                                                 r.fixed_mask ? r.fixed_mask->source : "",
                                                                 r.moving_mask ? r.moving_mask->source : "", r.plan);
                    return py::module_::import("json").attr("loads")(registration_log(result_of<D>(r), record).dump());
                });
            },
            "What PREFIXlog.json holds, as a dict (stages, levels, values, matrices, Jacobian, times)")
        .def_property_readonly(
            "seconds", [](const PyRegistration& r) { return visit_dimension(r, [&]<int D>() { return result_of<D>(r).seconds; }); },
            "Wall time of the registration")
        .def(
            "save",
            [](const PyRegistration& r, const std::string& prefix, bool qc, bool report) {
                visit_dimension(r, [&]<int D>() {
                    RegistrationRecord record = r.record;
                    record.qc_picture = qc;
                    record.report = report;
                    const std::string fm = r.fixed_mask ? r.fixed_mask->source : "";
                    const std::string mm = r.moving_mask ? r.moving_mask->source : "";
                    record.command = r.fixed->source.empty() || r.moving->source.empty()
                                         ? "alinea.register in Python, on images made in memory (no file reproduces them)"
                                         : register_command_line(r.fixed->source, r.moving->source, prefix, fm, mm, r.plan);
                    record.fixed_mask = fm;
                    record.moving_mask = mm;
                    check_outputs_spare_inputs({r.fixed->source, r.moving->source, fm, mm}, registration_output_names(prefix));
                    const ScalarImage<D>* fixed_mask = r.fixed_mask ? &scalar_image<D>(*r.fixed_mask, "fixed mask") : nullptr;
                    py::gil_scoped_release release;
                    write_registration_outputs(prefix, result_of<D>(r), scalar_image<D>(*r.fixed, "fixed"),
                                               scalar_image<D>(*r.moving, "moving"), record,
                                               fixed_mask);
                    return 0;
                });
            },
            py::arg("prefix"), py::arg("qc") = true, py::arg("report") = true,
            "Writes the files `alinea register -o PREFIX` writes (PREFIXaffine.txt, PREFIXwarped.nii.gz, "
            "PREFIXqc.png, PREFIXreport.html, PREFIXlog.json, and with a deformable stage PREFIXwarp.nii.gz and "
            "PREFIXinverse_warp.nii.gz): all of them or none; no input is overwritten")
        .def("__repr__", [](const PyRegistration& r) {
            std::string plan;
            for (const std::string& t : r.plan) plan += (plan.empty() ? "" : " ") + t;
            return "<alinea.Registration " + std::to_string(r.dimension()) + "-D: " + plan + ">";
        });

    m.def(
        "register",
        [](const ImagePtr& fixed, const ImagePtr& moving, const py::object& plan, const ImagePtr& fixed_mask,
           const ImagePtr& moving_mask, const py::object& initial, const py::object& threads,
           const py::object& progress) {
            if (fixed->dimension() != moving->dimension())
                throw py::value_error("register: the fixed image is " + std::to_string(fixed->dimension()) +
                                      "-D and the moving image " + std::to_string(moving->dimension()) + "-D");
            const std::vector<std::string> tokens = plan_token_list(plan);
            const int n = thread_count(threads);
            return fixed->dimension() == 2
                       ? run_registration<2>(fixed, moving, tokens, fixed_mask, moving_mask, initial, n, progress)
                       : run_registration<3>(fixed, moving, tokens, fixed_mask, moving_mask, initial, n, progress);
        },
        py::arg("fixed"), py::arg("moving"), py::arg("plan") = py::none(), py::arg("fixed_mask") = nullptr,
        py::arg("moving_mask") = nullptr, py::arg("initial") = py::none(), py::arg("threads") = py::none(),
        py::arg("progress") = py::none(),
        register_doc().c_str());
}

}  // namespace alinea::python
