// Reading NIfTI voxels into float images: one pass per type, byte-swapped and scaled.
#include "alinea/error.hpp"
#include "alinea/nifti.hpp"
#include "bytes.hpp"
#include "nifti_file.hpp"
#include "nifti_orientation.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <future>

namespace alinea {

using io::NiftiFile;

namespace {

template <class T>
T load(const std::uint8_t* p, bool swapped) {
    if constexpr (sizeof(T) == 1) {
        return static_cast<T>(*p);
    } else {
        using U = std::conditional_t<sizeof(T) == 2, std::uint16_t, std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>;
        U u;
        std::memcpy(&u, p, sizeof u);
        if (swapped) {
            if constexpr (sizeof(T) == 2) u = __builtin_bswap16(u);
            else if constexpr (sizeof(T) == 4) u = __builtin_bswap32(u);
            else u = __builtin_bswap64(u);
        }
        return std::bit_cast<T>(u);
    }
}

// Applies f(index, value) to n voxels of the file's type. The type switch is outside
// the loop so each loop is a straight, vectorisable conversion.
template <class F>
void for_each_value(PixelType type, const std::uint8_t* src, Index n, bool swapped, F&& f) {
    visit_pixel_type(type, [&]<class T>(T) {
        constexpr Index step = sizeof(T);
        if (!swapped) {
            for (Index i = 0; i < n; ++i) f(i, load<T>(src + i * step, false));
        } else {
            for (Index i = 0; i < n; ++i) f(i, load<T>(src + i * step, true));
        }
    });
}

// n voxels to dst[i * stride], scaled as the header says.
void convert_serial(const NiftiInfo& info, bool swapped, const std::uint8_t* src, Index n, float* dst, Index stride) {
    const bool scaled = info.scl_slope != 1.0 || info.scl_inter != 0.0;
    if (!scaled) {
        for_each_value(info.pixel_type, src, n, swapped, [&](Index i, auto v) { dst[i * stride] = static_cast<float>(v); });
    } else {
        const double slope = info.scl_slope, inter = info.scl_inter;
        for_each_value(info.pixel_type, src, n, swapped, [&](Index i, auto v) {
            dst[i * stride] = static_cast<float>(static_cast<double>(v) * slope + inter);
        });
    }
}

// A buffer of n values backed by huge pages where possible (see advise_huge_pages).
template <class T>
std::vector<T> voxel_buffer(Index n) {
    std::vector<T> v;
    v.reserve(static_cast<std::size_t>(n));
    io::advise_huge_pages(v.data(), v.capacity() * sizeof(T));
    v.resize(static_cast<std::size_t>(n));
    return v;
}

// Large images are converted by all threads in fixed chunks (memory bound, so two
// cores nearly halve the time).
void convert(const NiftiInfo& info, bool swapped, const std::uint8_t* src, Index n, float* dst, Index stride) {
    constexpr Index kChunk = Index{1} << 20;
    const Index chunks = (n + kChunk - 1) / kChunk;
    const Index bpv = io::bytes_per_voxel(info.pixel_type);
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (Index c = 0; c < chunks; ++c) {
        const Index begin = c * kChunk, count = std::min(kChunk, n - begin);
        convert_serial(info, swapped, src + begin * bpv, count, dst + begin * stride, stride);
    }
}

// The output buffer, allocated on another thread while the main thread decompresses
// (both take tens of milliseconds on a large image), unless the file may be truncated.
template <class T>
class BufferInAdvance {
public:
    BufferInAdvance(const NiftiFile& file, Index n) : n_(n) {
        if (n >= (Index{1} << 20) && file.likely_complete()) future_ = std::async(std::launch::async, voxel_buffer<T>, n);
    }
    std::vector<T> get() { return future_.valid() ? future_.get() : voxel_buffer<T>(n_); }

private:
    Index n_;
    std::future<std::vector<T>> future_;
};

Index spatial_voxels(const NiftiInfo& info) { return info.size[0] * info.size[1] * info.size[2]; }

template <int D>
Grid<D> grid_of(const NiftiInfo& info, const std::string& path) {
    if constexpr (D == 3) {
        return info.grid;
    } else {
        if (info.size[2] != 1)
            throw file_error(path, "is a 3-D image (" + std::to_string(info.size[0]) + "x" + std::to_string(info.size[1]) +
                                       "x" + std::to_string(info.size[2]) + "); a 2-D image was expected");
        // ITK's reading of a 2-D NIfTI: the top-left 2x2 block of the LPS matrix.
        const MatD<2> linear = info.grid.linear().topLeftCorner<2, 2>();
        const Eigen::JacobiSVD<MatD<2>> svd(linear);
        if (!(svd.singularValues()(1) > 1e-8 * svd.singularValues()(0)))
            throw file_error(path, "the image plane is not spanned by the x-y axes of the orientation matrix");
        return io::file_grid<2>({info.size[0], info.size[1]}, linear, info.grid.origin().head<2>(), path);
    }
}

}  // namespace

NiftiInfo read_nifti_info(const std::string& path) {
    NiftiFile file(path);
    NiftiInfo info = file.info();
    info.compressed = file.compressed();
    return info;
}

NiftiCodes read_nifti_codes(const std::string& path) {
    const NiftiInfo info = NiftiFile(path).info();
    return {info.sform_code, info.qform_code};
}

template <int D>
ScalarImage<D> read_nifti_scalar(const std::string& path, Index frame) {
    NiftiFile file(path);
    const NiftiInfo& info = file.info();
    if (info.components != 1)
        throw file_error(path, "is a vector image (" + std::to_string(info.components) +
                                   " components); a scalar image was expected");
    const Grid<D> grid = grid_of<D>(info, path);
    if (frame < 0 || frame >= info.time_points)
        throw file_error(path, "has no frame " + std::to_string(frame) + " (it has " +
                                   std::to_string(info.time_points) + " time points)");
    const Index n = spatial_voxels(info);
    const std::uint64_t bytes = static_cast<std::uint64_t>(n) * io::bytes_per_voxel(info.pixel_type);
    BufferInAdvance<float> buffer(file, n);
    const auto src = file.data(static_cast<std::uint64_t>(frame) * bytes, bytes);
    ScalarImage<D> image(grid, buffer.get());
    convert(info, file.header().swapped, src.data(), n, image.data(), 1);
    return image;
}

template <int D>
void read_nifti_frames(const std::string& path, const std::function<void(Index, const ScalarImage<D>&)>& frame) {
    NiftiFile file(path);
    const NiftiInfo& info = file.info();
    if (info.components != 1)
        throw file_error(path, "is a vector image (" + std::to_string(info.components) +
                                   " components); a scalar series was expected");
    const Grid<D> grid = grid_of<D>(info, path);
    const Index n = spatial_voxels(info);
    const std::uint64_t bytes = static_cast<std::uint64_t>(n) * io::bytes_per_voxel(info.pixel_type);
    file.data(0, bytes * static_cast<std::uint64_t>(info.time_points));  // decompress once, check the length
    ScalarImage<D> image(grid);
    for (Index t = 0; t < info.time_points; ++t) {
        const auto src = file.data(static_cast<std::uint64_t>(t) * bytes, bytes);
        convert(info, file.header().swapped, src.data(), n, image.data(), 1);
        frame(t, image);
    }
}

template <int D>
VectorField<D> read_nifti_vector(const std::string& path) {
    static_assert(sizeof(Vec<D>) == D * sizeof(float), "vector fields are interleaved floats");
    NiftiFile file(path);
    const NiftiInfo& info = file.info();
    if (info.components == 1)
        throw file_error(path, "is a scalar image; a vector image with " + std::to_string(D) +
                                   " components (5-D, intent vector) was expected");
    if (info.components != D)
        throw file_error(path, "has " + std::to_string(info.components) + " components per voxel; " +
                                   std::to_string(D) + " were expected for a " + std::to_string(D) + "-D vector image");
    if (info.time_points != 1)
        throw file_error(path, "is a vector time series (" + std::to_string(info.time_points) +
                                   " time points); one vector image was expected");
    const Grid<D> grid = grid_of<D>(info, path);
    const Index n = spatial_voxels(info);
    const int bpv = io::bytes_per_voxel(info.pixel_type);
    // Components are stored one volume after another; in memory they are interleaved.
    BufferInAdvance<Vec<D>> buffer(file, n);
    const auto src = file.data(0, static_cast<std::uint64_t>(n) * bpv * D);
    VectorField<D> field(grid, buffer.get());
    float* dst = reinterpret_cast<float*>(field.data());
    for (int c = 0; c < D; ++c) convert(info, file.header().swapped, src.data() + c * n * bpv, n, dst + c, D);
    // A displacement field is used as one: NaN, inf or a kilometre anywhere is a broken file.
    constexpr float largest_mm = 1e6f;
    Index broken = 0;
    for (Index i = 0; i < n * D; ++i) broken += !(std::abs(dst[i]) <= largest_mm);
    if (broken > 0)
        throw file_error(path, std::to_string(broken) + (broken == 1 ? " vector component is" : " vector components are") +
                                   " NaN, infinite or beyond 1e6 mm: not a displacement field");
    return field;
}

ValueStats read_nifti_value_stats(const std::string& path) {
    NiftiFile file(path);
    const NiftiInfo& info = file.info();
    const auto src = file.data(0, io::nifti_data_bytes(info));
    const Index n = spatial_voxels(info) * info.time_points * info.components;
    // Statistics of the stored values, scaled at the end (scaling is affine): the loops
    // stay in the file's type, and integer types need no NaN test.
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
    Index count = 0;
    const auto run = [&]<class T>(T) {
        constexpr Index kChunk = Index{1} << 16;
        for (Index begin = 0; begin < n; begin += kChunk) {
            const Index end = std::min(n, begin + kChunk);
            T chunk_lo = std::numeric_limits<T>::max(), chunk_hi = std::numeric_limits<T>::lowest();
            double chunk_sum = 0;
            Index finite = 0;
            for (Index i = begin; i < end; ++i) {
                const T v = load<T>(src.data() + i * static_cast<Index>(sizeof(T)), file.header().swapped);
                if constexpr (std::is_floating_point_v<T>) {
                    if (!std::isfinite(v)) continue;
                }
                chunk_lo = std::min(chunk_lo, v);
                chunk_hi = std::max(chunk_hi, v);
                chunk_sum += static_cast<double>(v);
                ++finite;
            }
            if (finite == 0) continue;
            lo = std::min(lo, static_cast<double>(chunk_lo));
            hi = std::max(hi, static_cast<double>(chunk_hi));
            sum += chunk_sum;
            count += finite;
        }
    };
    switch (info.pixel_type) {
        case PixelType::u8: run(std::uint8_t{}); break;
        case PixelType::i8: run(std::int8_t{}); break;
        case PixelType::u16: run(std::uint16_t{}); break;
        case PixelType::i16: run(std::int16_t{}); break;
        case PixelType::u32: run(std::uint32_t{}); break;
        case PixelType::i32: run(std::int32_t{}); break;
        case PixelType::f32: run(float{}); break;
        case PixelType::f64: run(double{}); break;
    }
    ValueStats stats;
    stats.count = count;
    stats.non_finite = n - count;
    if (count > 0) {
        const double a = info.scl_slope * lo + info.scl_inter, b = info.scl_slope * hi + info.scl_inter;
        stats.min = std::min(a, b);
        stats.max = std::max(a, b);
        stats.mean = info.scl_slope * (sum / static_cast<double>(count)) + info.scl_inter;
    }
    return stats;
}

template ScalarImage<2> read_nifti_scalar<2>(const std::string&, Index);
template ScalarImage<3> read_nifti_scalar<3>(const std::string&, Index);
template void read_nifti_frames<2>(const std::string&, const std::function<void(Index, const ScalarImage<2>&)>&);
template void read_nifti_frames<3>(const std::string&, const std::function<void(Index, const ScalarImage<3>&)>&);
template VectorField<2> read_nifti_vector<2>(const std::string&);
template VectorField<3> read_nifti_vector<3>(const std::string&);

}  // namespace alinea
