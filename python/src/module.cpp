// The compiled part of the alinea package: bindings over the library the CLI uses.
#include "py_applications.hpp"
#include "py_apply.hpp"
#include "py_image.hpp"
#include "py_registration.hpp"
#include "py_transform.hpp"

#include "alinea/error.hpp"

PYBIND11_MODULE(_alinea, m) {
    namespace py = pybind11;
    m.doc() = "Alinea: image registration and its applications (the compiled core; import alinea)";
    m.attr("__version__") = ALINEA_VERSION;
    py::register_exception<alinea::Error>(m, "Error", PyExc_RuntimeError);
    alinea::python::bind_image(m);
    alinea::python::bind_transform(m);
    alinea::python::bind_registration(m);
    alinea::python::bind_apply(m);
    alinea::python::bind_applications(m);
}
