// alinea.apply (an image through a transform chain onto a reference grid) and
// alinea.jacobian (the determinant map of a warp).
#include "py_apply.hpp"

#include "py_registration.hpp"
#include "py_transform.hpp"

#include "alinea/displacement.hpp"
#include "alinea/parallel.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/transform_chain_file.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>


namespace alinea::python {

namespace {

template <int D>
void append(TransformChain<D>& chain, const TransformChain<D>& steps) {
    for (const Transform<D>& step : steps.steps()) chain.then(step);
}

template <int D>
Affine<D> matrix_affine(const Eigen::MatrixXd& m) {
    if (m.rows() != D + 1 || m.cols() != D + 1 || !m.allFinite())
        throw py::value_error("apply: a matrix transform must be a finite " + std::to_string(D + 1) + "x" +
                              std::to_string(D + 1) + " homogeneous LPS matrix (as Registration.affine)");
    return {m.topLeftCorner<D, D>(), m.topRightCorner<D, 1>()};
}

// One element of the list: a file ("[file,1]" too), a Registration, a matrix, a warp
// Image, or (one of these, "inverse").
template <int D>
void append_element(TransformChain<D>& chain, const py::handle& item) {
    if (py::isinstance<py::tuple>(item)) {
        const auto pair = item.cast<py::tuple>();
        if (pair.size() != 2 || !py::isinstance<py::str>(pair[1]) || pair[1].cast<std::string>() != "inverse")
            throw py::value_error("apply: a pair in the transform list must be (transform, \"inverse\")");
        const py::handle t = pair[0];
        if (py::isinstance<py::str>(t)) return append(chain, read_transform_chain<D>({"[" + t.cast<std::string>() + ",1]"}));
        if (py::isinstance<PyRegistration>(t)) {
            const auto& r = t.cast<const PyRegistration&>();
            if (r.dimension() != D) throw py::value_error("apply: a Registration of another dimension");
            return append(chain, r.chain<D>(true));
        }
        if (py::isinstance<PyImage>(t) || py::isinstance<PyTransform>(t))
            throw py::value_error("apply: warps cannot be inverted here (a Registration has its inverse; "
                                  "alinea invert inverts a warp file)");
        chain.then(matrix_affine<D>(t.cast<Eigen::MatrixXd>()).inverse());
        return;
    }
    if (py::isinstance<py::str>(item)) return append(chain, read_transform_chain<D>({item.cast<std::string>()}));
    if (py::isinstance<PyRegistration>(item)) {
        const auto& r = item.cast<const PyRegistration&>();
        if (r.dimension() != D) throw py::value_error("apply: a Registration of another dimension");
        return append(chain, r.chain<D>(false));
    }
    if (py::isinstance<PyImage>(item)) {
        chain.then(DisplacementField<D>{vector_field<D>(item.cast<const PyImage&>(), "apply: transform")});
        return;
    }
    if (py::isinstance<PyTransform>(item)) {
        const auto& t = item.cast<const PyTransform&>();
        if (t.dimension() != D) throw py::value_error("apply: a Transform of another dimension");
        return append(chain, std::get<TransformChain<D>>(t.chain));
    }
    chain.then(matrix_affine<D>(item.cast<Eigen::MatrixXd>()));
}

template <int D>
ImagePtr apply_chain(const PyImage& reference, const PyImage& image, const py::object& transforms,
                     Interpolation how, float outside) {
    TransformChain<D> chain;
    if (!transforms.is_none()) {
        if (py::isinstance<py::str>(transforms) || py::isinstance<PyRegistration>(transforms) ||
            py::isinstance<py::tuple>(transforms) || py::isinstance<PyImage>(transforms) ||
            py::isinstance<PyTransform>(transforms))
            append_element<D>(chain, transforms);  // a single transform
        else
            for (const py::handle item : transforms) append_element<D>(chain, item);
    }
    const Grid<D> grid = std::visit([](const auto& im) -> Grid<D> {
        if constexpr (std::decay_t<decltype(im)>::dimension == D) return im.grid();
        else throw py::value_error("apply: the reference is not of the image's dimension");
    }, reference.image);
    const ScalarImage<D>& input = scalar_image<D>(image, "apply: image");
    py::gil_scoped_release release;
    return share(resample(input, grid, chain, how, outside));
}

template <int D>
ImagePtr jacobian_map(const PyImage& warp, bool log) {
    ScalarImage<D> det = jacobian_determinant(vector_field<D>(warp, "jacobian"));
    if (log) take_log_of_determinant(det);
    return share(std::move(det));
}

}  // namespace

void bind_apply(py::module_& m) {
    m.def(
        "apply",
        [](const ImagePtr& reference, const ImagePtr& image, const py::object& transforms,
           const std::string& interpolation, float outside) {
            const Interpolation how = parse_interpolation(interpolation);
            return image->dimension() == 2 ? apply_chain<2>(*reference, *image, transforms, how, outside)
                                           : apply_chain<3>(*reference, *image, transforms, how, outside);
        },
        py::arg("reference"), py::arg("image"), py::arg("transforms") = py::none(),
        py::arg("interpolation") = "linear", py::arg("outside") = 0.0f, R"doc(
Resamples image onto reference's grid through a chain of transforms, as `alinea apply`:
every reference voxel takes the image's value where the chain maps it.

    transforms      a list in ANTs' order (a reference point goes through the first one
                    first), each a transform file (ITK .txt, RAS .mat, a NIfTI warp;
                    "[file,1]" for a linear file's inverse), a Registration (its whole
                    fixed -> moving map), an alinea.Transform, a (D+1)x(D+1) LPS matrix,
                    a warp Image, or (a file, Registration or matrix, "inverse");
                    None: the identity.
                    To carry a moving image onto the fixed grid: [result] (or
                    ["warp.nii.gz", "affine.txt"]); a fixed image onto the moving grid:
                    [(result, "inverse")].
    interpolation   "linear", "nearest", "bspline" or "label" (each label's
                    indicator interpolated: no label appears that was not there)
    outside         the value where the chain leaves the image (float("nan") allowed)
)doc");

    m.def(
        "jacobian",
        [](const ImagePtr& warp, bool log) {
            return warp->dimension() == 2 ? jacobian_map<2>(*warp, log) : jacobian_map<3>(*warp, log);
        },
        py::arg("warp"), py::arg("log") = false, R"doc(
The Jacobian determinant map det(I + du/dx) of a warp (x -> x + u(x)) on its grid, by
central differences in mm, as `alinea jacobian`; log=True gives log(det), with folded
voxels (det <= 0) at log(1e-6).)doc");
}

}  // namespace alinea::python
