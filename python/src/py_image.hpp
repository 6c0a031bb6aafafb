#pragma once
// The Python Image: one of Alinea's four image kinds (scalar or vector, 2-D or 3-D),
// shared by every Python object that refers to it (numpy views keep it alive).
#include "alinea/image.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <variant>

namespace alinea::python {

namespace py = pybind11;

using AnyImage = std::variant<ScalarImage<2>, ScalarImage<3>, VectorField<2>, VectorField<3>>;

struct PyImage {
    AnyImage image;
    std::string source;  // the file it was read from; "" for an image made in memory

    int dimension() const;
    bool is_vector() const;
};
using ImagePtr = std::shared_ptr<PyImage>;

// The image as the kind a function needs; a ValueError naming `what` otherwise.
template <int D> const ScalarImage<D>& scalar_image(const PyImage& image, const char* what);
template <int D> const VectorField<D>& vector_field(const PyImage& image, const char* what);

template <class I>
ImagePtr share(I image, std::string source = {}) {
    return std::make_shared<PyImage>(PyImage{AnyImage(std::move(image)), std::move(source)});
}

void bind_image(py::module_& m);

}  // namespace alinea::python
