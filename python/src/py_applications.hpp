#pragma once
#include <pybind11/pybind11.h>

namespace alinea::python {

void bind_applications(pybind11::module_& m);

}  // namespace alinea::python
