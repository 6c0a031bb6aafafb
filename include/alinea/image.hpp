#pragma once
// An image is a grid plus one contiguous buffer of voxels (x fastest).
// A vector field is an image of Vec<D> (interleaved components).
#include "alinea/grid.hpp"

#include <span>
#include <type_traits>
#include <vector>

namespace alinea {

template <int D> using Vec = Eigen::Matrix<float, D, 1>;

// Zero of a voxel type (Eigen's default constructor leaves vectors uninitialised).
template <class T>
T zero_voxel() {
    if constexpr (std::is_arithmetic_v<T>) return T(0);
    else return T::Zero();
}

template <class T, int D>
class Image {
public:
    using value_type = T;
    static constexpr int dimension = D;

    Image() = default;
    explicit Image(const Grid<D>& grid, T fill = zero_voxel<T>())
        : grid_(grid), data_(static_cast<size_t>(grid.voxel_count()), fill) {}
    Image(const Grid<D>& grid, std::vector<T> data);

    const Grid<D>& grid() const { return grid_; }
    const Size<D>& size() const { return grid_.size(); }
    Index voxel_count() const { return static_cast<Index>(data_.size()); }
    bool empty() const { return data_.empty(); }

    T* data() { return data_.data(); }
    const T* data() const { return data_.data(); }
    std::span<T> voxels() { return data_; }
    std::span<const T> voxels() const { return data_; }
    T& operator[](Index i) { return data_[static_cast<size_t>(i)]; }
    const T& operator[](Index i) const { return data_[static_cast<size_t>(i)]; }
    T& at(const Size<D>& idx) { return data_[static_cast<size_t>(grid_.offset(idx))]; }
    const T& at(const Size<D>& idx) const { return data_[static_cast<size_t>(grid_.offset(idx))]; }

    // Same voxels on another grid of the same size (e.g. to fix a header).
    void set_grid(const Grid<D>& grid);

private:
    Grid<D> grid_;
    std::vector<T> data_;
};

template <int D> using ScalarImage = Image<float, D>;
template <int D> using VectorField = Image<Vec<D>, D>;

template <class T, int D>
Image<T, D>::Image(const Grid<D>& grid, std::vector<T> data) : grid_(grid), data_(std::move(data)) {
    if (static_cast<Index>(data_.size()) != grid_.voxel_count())
        throw std::invalid_argument("Image: buffer size does not match the grid");
}

template <class T, int D>
void Image<T, D>::set_grid(const Grid<D>& grid) {
    if (grid.size() != grid_.size()) throw std::invalid_argument("Image::set_grid: size differs");
    grid_ = grid;
}

}  // namespace alinea
