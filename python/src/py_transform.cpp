#include "py_transform.hpp"

#include "py_image.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

namespace alinea::python {

void bind_transform(py::module_& m) {
    py::class_<PyTransform, TransformPtr>(m, "Transform", R"doc(
A chain of transforms in ANTs' order (a point goes through the first step first):
affines as (D+1)x(D+1) LPS matrices and warps as vector Images. Give it to
alinea.apply in the transform list; `steps` lists the parts.)doc")
        .def_property_readonly("dimension", &PyTransform::dimension)
        .def_property_readonly(
            "steps",
            [](const PyTransform& t) {
                py::list steps;
                std::visit(
                    [&](const auto& chain) {
                        using Chain = std::decay_t<decltype(chain)>;
                        constexpr int D = std::is_same_v<Chain, TransformChain<2>> ? 2 : 3;
                        for (const Transform<D>& step : chain.steps()) {
                            if (const auto* a = std::get_if<Affine<D>>(&step))
                                steps.append(py::cast(Eigen::MatrixXd(a->homogeneous())));
                            else
                                steps.append(py::cast(share(std::get<DisplacementField<D>>(step).field)));
                        }
                    },
                    t.chain);
                return steps;
            },
            "The steps in the order a point goes through them: LPS matrices and warp Images")
        .def("__repr__", [](const PyTransform& t) {
            const std::size_t n = std::visit([](const auto& c) { return c.steps().size(); }, t.chain);
            return "<alinea.Transform " + std::to_string(t.dimension()) + "-D, " + std::to_string(n) + " steps>";
        });
}

}  // namespace alinea::python
