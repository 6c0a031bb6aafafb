// alinea.Image, alinea.read_image, alinea.write_image.
#include "py_image.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/image_io.hpp"
#include "alinea/ras_affine.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>

namespace alinea::python {

int PyImage::dimension() const {
    return std::visit([](const auto& im) { return std::decay_t<decltype(im)>::dimension; }, image);
}

bool PyImage::is_vector() const { return image.index() >= 2; }

template <int D>
const ScalarImage<D>& scalar_image(const PyImage& image, const char* what) {
    if (const auto* s = std::get_if<ScalarImage<D>>(&image.image)) return *s;
    throw py::value_error(std::string(what) + ": expected a " + std::to_string(D) + "-D scalar image, got a " +
                          std::to_string(image.dimension()) + "-D " + (image.is_vector() ? "vector" : "scalar") +
                          " image");
}

template <int D>
const VectorField<D>& vector_field(const PyImage& image, const char* what) {
    if (const auto* v = std::get_if<VectorField<D>>(&image.image)) return *v;
    throw py::value_error(std::string(what) + ": expected a " + std::to_string(D) + "-D vector image (a warp), got a " +
                          std::to_string(image.dimension()) + "-D " + (image.is_vector() ? "vector" : "scalar") +
                          " image");
}

template const ScalarImage<2>& scalar_image<2>(const PyImage&, const char*);
template const ScalarImage<3>& scalar_image<3>(const PyImage&, const char*);
template const VectorField<2>& vector_field<2>(const PyImage&, const char*);
template const VectorField<3>& vector_field<3>(const PyImage&, const char*);

namespace {

constexpr const char* supported_dtypes = "float32, float64, uint8, int8, uint16, int16, uint32, int32 or bool";

// Voxels in Alinea's order (x fastest; a vector's components first), as float.
// Integers beyond 2^24 and finite float64 values beyond float32's range would change
// when stored as float32: they are refused rather than altered.
template <class T>
std::vector<float> voxels_as_float(const py::array& array) {
    const auto fortran = py::array_t<T, py::array::f_style>::ensure(array);  // copies only if not Fortran-ordered
    if (!fortran) throw py::error_already_set();
    const T* p = fortran.data();
    std::vector<float> out(static_cast<size_t>(fortran.size()));
    for (size_t i = 0; i < out.size(); ++i) {
        const T v = p[i];
        if constexpr (std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::uint32_t>) {
            if (static_cast<double>(v) > 16777216.0 || static_cast<double>(v) < -16777216.0)
                throw py::value_error("Image: the integer " + std::to_string(v) +
                                      " cannot be stored exactly as float32, Alinea's voxel type (|value| <= 2^24)");
        } else if constexpr (std::is_same_v<T, double>) {
            if (std::isfinite(v) && std::abs(v) > std::numeric_limits<float>::max())
                throw py::value_error("Image: the value " + std::to_string(v) + " is beyond float32's range");
        }
        out[i] = static_cast<float>(v);
    }
    return out;
}

std::vector<float> voxels_as_float(const py::array& array, const std::string& what) {
    const py::dtype dt = array.dtype();
    const char kind = dt.kind();
    const auto size = dt.itemsize();
    if (kind == 'f' && size == 4) return voxels_as_float<float>(array);
    if (kind == 'f' && size == 8) return voxels_as_float<double>(array);
    if (kind == 'u' && size == 1) return voxels_as_float<std::uint8_t>(array);
    if (kind == 'i' && size == 1) return voxels_as_float<std::int8_t>(array);
    if (kind == 'u' && size == 2) return voxels_as_float<std::uint16_t>(array);
    if (kind == 'i' && size == 2) return voxels_as_float<std::int16_t>(array);
    if (kind == 'u' && size == 4) return voxels_as_float<std::uint32_t>(array);
    if (kind == 'i' && size == 4) return voxels_as_float<std::int32_t>(array);
    if (kind == 'b') return voxels_as_float<bool>(array);
    throw py::type_error(what + ": arrays of dtype " + dt.attr("name").cast<std::string>() +
                         " are not supported (supported: " + supported_dtypes +
                         "; voxels are stored as float32); convert it first, e.g. array.astype(numpy.float32)");
}

template <int D>
Size<D> spatial_size(const std::vector<py::ssize_t>& shape) {
    Size<D> size;
    for (int a = 0; a < D; ++a) size[a] = shape[a];
    return size;
}

template <int D>
std::vector<Vec<D>> interleaved(const std::vector<float>& components) {
    std::vector<Vec<D>> v(components.size() / D);
    for (size_t i = 0; i < v.size(); ++i)
        for (int c = 0; c < D; ++c) v[i][c] = components[i * D + c];
    return v;
}

Eigen::Matrix4d as_affine(const Eigen::MatrixXd& affine, int dimension) {
    if (affine.rows() == 4 && affine.cols() == 4) return affine;
    if (dimension == 2 && affine.rows() == 3 && affine.cols() == 3) {  // a 2-D homogeneous matrix
        Eigen::Matrix4d a = Eigen::Matrix4d::Identity();
        a.topLeftCorner<2, 2>() = affine.topLeftCorner<2, 2>();
        a.block<2, 1>(0, 3) = affine.block<2, 1>(0, 2);
        a.block<1, 2>(3, 0) = affine.block<1, 2>(2, 0);
        a(3, 3) = affine(2, 2);
        return a;
    }
    throw py::value_error("Image: the affine must be 4x4 (or 3x3 for a 2-D image), got " +
                          std::to_string(affine.rows()) + "x" + std::to_string(affine.cols()));
}

// Image(array, affine): a scalar image of shape (X, Y) or (X, Y, Z), or with vector=True
// (or a 5-D nibabel warp) a field of shape (X, Y, 2), (X, Y, Z, 3) or (X, Y, Z, 1, 3).
ImagePtr make_image(const py::array& array, const Eigen::MatrixXd& affine_in, bool vector) {
    std::vector<py::ssize_t> shape(array.shape(), array.shape() + array.ndim());
    if (array.ndim() == 5) vector = true;
    if (!vector) {
        if (array.ndim() != 2 && array.ndim() != 3)
            throw py::value_error("Image: a scalar image's array must be 2-D or 3-D, got " +
                                  std::to_string(array.ndim()) + "-D (a warp needs vector=True)");
        const int D = static_cast<int>(array.ndim());
        const Eigen::Matrix4d affine = as_affine(affine_in, D);
        std::vector<float> voxels = voxels_as_float(array, "Image");
        try {
            if (D == 2) return share(ScalarImage<2>(grid_from_ras_affine<2>(spatial_size<2>(shape), affine), std::move(voxels)));
            return share(ScalarImage<3>(grid_from_ras_affine<3>(spatial_size<3>(shape), affine), std::move(voxels)));
        } catch (const Error& e) {
            throw py::value_error(std::string("Image: ") + e.what());
        }
    }
    const py::ssize_t components = shape.back();
    shape.pop_back();
    for (size_t a = shape.size(); a-- > static_cast<size_t>(components);)
        if (shape[a] == 1) shape.erase(shape.begin() + static_cast<std::ptrdiff_t>(a));
    if ((components != 2 && components != 3) || static_cast<py::ssize_t>(shape.size()) != components)
        throw py::value_error("Image: a vector image's array must be (X, Y, 2), (X, Y, Z, 3) or nibabel's "
                              "(X, Y, Z, 1, 3); got shape " + py::str(py::tuple(py::cast(std::vector<py::ssize_t>(
                                  array.shape(), array.shape() + array.ndim())))).cast<std::string>());
    // Components first, then x, y, z: Alinea's interleaved order, in Fortran order.
    const py::array moved = py::module_::import("numpy").attr("moveaxis")(
        array.attr("reshape")(py::tuple(py::cast([&] { auto s = shape; s.push_back(components); return s; }()))), -1, 0);
    std::vector<float> voxels = voxels_as_float(moved, "Image");
    const Eigen::Matrix4d affine = as_affine(affine_in, static_cast<int>(components));
    try {
        if (components == 2) {
            const Grid<2> grid = grid_from_ras_affine<2>(spatial_size<2>(shape), affine);
            return share(VectorField<2>(grid, interleaved<2>(voxels)));
        }
        const Grid<3> grid = grid_from_ras_affine<3>(spatial_size<3>(shape), affine);
        return share(VectorField<3>(grid, interleaved<3>(voxels)));
    } catch (const Error& e) {
        throw py::value_error(std::string("Image: ") + e.what());
    }
}

// A numpy view of the voxels (no copy) that keeps the image alive.
py::array array_view(const ImagePtr& self) {
    py::object base = py::cast(self);
    return std::visit(
        [&](auto& im) -> py::array {
            using I = std::decay_t<decltype(im)>;
            constexpr int D = I::dimension;
            constexpr bool is_vector = !std::is_same_v<typename I::value_type, float>;
            constexpr py::ssize_t c = is_vector ? D : 1;
            std::vector<py::ssize_t> shape, strides;
            py::ssize_t stride = c * static_cast<py::ssize_t>(sizeof(float));
            for (int a = 0; a < D; ++a) {
                shape.push_back(im.grid().size(a));
                strides.push_back(stride);
                stride *= im.grid().size(a);
            }
            if (is_vector) {
                shape.push_back(D);
                strides.push_back(sizeof(float));
            }
            return py::array_t<float>(shape, strides, reinterpret_cast<float*>(im.data()), base);
        },
        self->image);
}

template <class F>
auto on_grid(const PyImage& image, F&& f) {
    return std::visit([&](const auto& im) { return f(im.grid()); }, image.image);
}

Eigen::Matrix4d affine_of(const PyImage& image) {
    return on_grid(image, [](const auto& g) { return ras_affine(g); });
}

ImagePtr read_any_image(const std::string& path) {
    const int d = image_dimension(path);
    const bool vector = is_nifti_path(path) && read_nifti_info(path).components > 1;
    if (d == 2) return vector ? share(read_nifti_vector<2>(path), path) : share(read_image<2>(path), path);
    return vector ? share(read_nifti_vector<3>(path), path) : share(read_image<3>(path), path);
}

void write_any_image(const PyImage& image, const std::string& path, const py::object& dtype) {
    std::string type_name = "float32";
    if (!dtype.is_none()) type_name = py::str(py::dtype::from_args(dtype)).cast<std::string>();
    if (type_name == "bool") type_name = "uint8";
    const PixelType type = parse_pixel_type(type_name);
    std::visit(
        [&](const auto& im) {
            using I = std::decay_t<decltype(im)>;
            if constexpr (std::is_same_v<typename I::value_type, float>) {
                write_image(path, im, type);
            } else {
                if (type != PixelType::f32) throw py::value_error("write_image: a vector image is written as float32");
                if (!is_nifti_path(path)) throw Error(path + ": a vector image (a warp) is written as NIfTI only");
                write_nifti(path, im);
            }
        },
        image.image);
}

}  // namespace

void bind_image(py::module_& m) {
    py::class_<PyImage, ImagePtr>(m, "Image", R"doc(
An image in physical space: voxels on a grid, plus the grid's voxel -> world affine.

Image(array, affine, vector=False)
    array   numpy array indexed [i, j] or [i, j, k], as nibabel's get_fdata() gives it
            (for a warp, vector=True: [i, j, k, component], or nibabel's 5-D
            [i, j, k, 0, component]). Supported dtypes: float32, float64, uint8, int8,
            uint16, int16, uint32, int32, bool. Voxels are stored as float32, Alinea's
            voxel type (float64 is rounded to 7 digits, as the commands store it); an
            integer beyond 2^24, which float32 cannot hold exactly, a float64 beyond
            float32's range, int64, complex and other dtypes are errors. The array is
            copied once.
    affine  4x4 voxel -> world matrix in nibabel's RAS convention (img.affine); a 2-D
            image takes a 4x4 whose z row and column are those of the identity, or a
            3x3 homogeneous matrix.

Warps (displacement fields) hold their vectors in ITK/ANTs' convention: LPS
millimetres, as in the NIfTI files that `alinea register` writes.

Attributes
    array      numpy view of the voxels, never a copy (writing to it changes the image):
               float32, shape (X, Y[, Z]) or (X, Y[, Z], components), Fortran order
               (x fastest, as in the file); it keeps the image alive.
    affine     4x4 voxel -> RAS matrix, exactly nibabel's img.affine for the same file.
    spacing, origin, direction
               ITK's description of the same grid (LPS, as SimpleITK and ANTs report it).
)doc")
        .def(py::init([](const py::array& array, const Eigen::MatrixXd& affine, bool vector) {
                 return make_image(array, affine, vector);
             }),
             py::arg("array"), py::arg("affine"), py::arg("vector") = false)
        .def_property_readonly("array", &array_view)
        .def_property_readonly("affine", &affine_of)
        .def_property_readonly("dimension", &PyImage::dimension, "2 or 3: the spatial dimension")
        .def_property_readonly("is_vector", &PyImage::is_vector, "True for a warp (a vector per voxel)")
        .def_property_readonly("shape",
                               [](const PyImage& im) {
                                   return on_grid(im, [](const auto& g) {
                                       return std::vector<Index>(g.size().begin(), g.size().end());
                                   });
                               }, "Voxels along each axis")
        .def_property_readonly("spacing",
                               [](const PyImage& im) {
                                   return on_grid(im, [](const auto& g) { return Eigen::VectorXd(g.spacing()); });
                               }, "Voxel sizes in mm (the lengths of the affine's columns)")
        .def_property_readonly("origin",
                               [](const PyImage& im) {
                                   return on_grid(im, [](const auto& g) { return Eigen::VectorXd(g.origin()); });
                               }, "World position of voxel 0, LPS mm (ITK's origin)")
        .def_property_readonly("direction",
                               [](const PyImage& im) {
                                   return on_grid(im, [](const auto& g) { return Eigen::MatrixXd(g.direction()); });
                               }, "Unit voxel axes as columns, LPS (ITK's direction)")
        .def_property_readonly("source", [](const PyImage& im) { return im.source; },
                               "The file the image was read from ('' for one made in memory)")
        .def("__repr__", [](const PyImage& im) {
            std::string shape;
            on_grid(im, [&](const auto& g) {
                for (int a = 0; a < static_cast<int>(g.size().size()); ++a)
                    shape += (a ? "x" : "") + std::to_string(g.size(a));
                return 0;
            });
            return "<alinea.Image " + std::to_string(im.dimension()) + "-D " + (im.is_vector() ? "vector " : "") +
                   shape + (im.source.empty() ? "" : " from " + im.source) + ">";
        });

    m.def("read_image", &read_any_image, py::arg("path"), R"doc(
Reads an image as every alinea command reads it: NIfTI-1/-2 (.nii, .nii.gz; a 5-D
vector NIfTI as a warp; orientation exactly as nibabel), PNG (2-D), and through ITK
MetaImage (.mha, .mhd), NRRD (.nrrd, .nhdr), VTK, Analyze (.hdr), TIFF and DICOM (a .dcm
file or a folder with one series), with ITK's geometry. A 4-D series is an error. A
PNG's array is indexed [x, y]: x the column, as ITK reads it.)doc");
    m.def("write_image", &write_any_image, py::arg("image"), py::arg("path"), py::arg("dtype") = py::none(), R"doc(
Writes an image as the commands do: .nii/.nii.gz, .mha/.mhd, .nrrd/.nhdr (any dtype
alinea supports, default float32; integers rounded and clamped), .vtk (no orientation)
or .png (uint8 or uint16), to a temporary file renamed at the end. A warp is written as a 5-D NIfTI vector image (float32).)doc");
}

}  // namespace alinea::python
