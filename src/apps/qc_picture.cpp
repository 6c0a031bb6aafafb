#include "alinea/qc_picture.hpp"

#include "alinea/interpolate.hpp"
#include "alinea/png.hpp"

#include "slices.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace alinea {

namespace {

using namespace slices;

// One row of the picture: fixed | warped | checkerboard.
void append_row(std::vector<unsigned char>& rgb, int width, const Slice& f, const Slice& w) {
    const int tile = std::max(8, std::min(f.width, f.height) / 8);
    for (int r = 0; r < f.height; ++r) {
        std::vector<unsigned char> line(static_cast<size_t>(width) * 3, 0);
        for (int c = 0; c < f.width; ++c) {
            const size_t i = static_cast<size_t>(r) * f.width + c;
            const auto grey = [](float x) { return static_cast<unsigned char>(std::lround(255 * x)); };
            const bool odd = ((r / tile) + (c / tile)) % 2;
            const unsigned char a = grey(f.pixels[i]), b = grey(w.pixels[i]), k = odd ? b : a;
            for (int ch = 0; ch < 3; ++ch) {
                line[3 * c + ch] = a;
                line[3 * (f.width + 2 + c) + ch] = b;
                line[3 * (2 * f.width + 4 + c) + ch] = k;
            }
        }
        rgb.insert(rgb.end(), line.begin(), line.end());
    }
    rgb.insert(rgb.end(), static_cast<size_t>(width) * 3 * 2, 0);  // a gap between rows
}

}  // namespace

template <int D>
void write_qc_picture(const std::string& path, const ScalarImage<D>& fixed, const ScalarImage<D>& warped) {
    const Window fw = robust_window(fixed), ww = robust_window(warped);
    std::vector<std::pair<Slice, Slice>> rows;
    if constexpr (D == 2) {
        rows.emplace_back(index_slice(fixed, fw), index_slice(warped, ww));
    } else {
        // Physical box of the fixed image, sampled at its finest spacing (at most 320 px).
        const Grid<3>& g = fixed.grid();
        const auto box = physical_box(g);  // (no structured binding: lambdas capture it)
        const VecD<3>& centre = box.first;
        const VecD<3>& half = box.second;
        const double pixel = std::max(g.spacing().minCoeff(), 2 * half.maxCoeff() / 320);
        const VecD<3> x = VecD<3>::UnitX(), y = VecD<3>::UnitY(), z = VecD<3>::UnitZ();
        // LPS: x grows to the patient's left (shown on the right: radiological),
        // y to posterior (shown downwards), z to superior (shown upwards).
        auto slices = [&](const VecD<3>& u, const VecD<3>& v, double hu, double hv) {
            return std::pair{physical_slice(fixed, fw, centre, u, v, hu, hv, pixel),
                             physical_slice(warped, ww, centre, u, v, hu, hv, pixel)};
        };
        rows.push_back(slices(x, y, half[0], half[1]));   // axial
        rows.push_back(slices(x, -z, half[0], half[2]));  // coronal
        rows.push_back(slices(y, -z, half[1], half[2]));  // sagittal
    }
    int width = 0, height = 0;
    for (const auto& [f, w] : rows) {
        width = std::max(width, 3 * f.width + 4);
        height += f.height + 2;
    }
    std::vector<unsigned char> rgb;
    for (const auto& [f, w] : rows) append_row(rgb, width, f, w);
    write_png_rgb(path, width, height, rgb);
}

namespace {

using namespace slices;

// A colour per label, far apart for neighbouring label values (golden-angle hues).
std::array<unsigned char, 3> label_colour(int label) {
    const double h = std::fmod(label * 0.618033988749895, 1.0) * 6, f = h - std::floor(h);
    const double q = 1 - f;
    std::array<double, 3> rgb;
    switch (static_cast<int>(h)) {
        case 0: rgb = {1, f, 0}; break;
        case 1: rgb = {q, 1, 0}; break;
        case 2: rgb = {0, 1, f}; break;
        case 3: rgb = {0, q, 1}; break;
        case 4: rgb = {f, 0, 1}; break;
        default: rgb = {1, 0, q}; break;
    }
    return {static_cast<unsigned char>(55 + 200 * rgb[0]), static_cast<unsigned char>(55 + 200 * rgb[1]),
            static_cast<unsigned char>(55 + 200 * rgb[2])};
}

// The grey slice with each label's boundary (pixels with a differently labelled
// 4-neighbour) in the label's colour, drawn into the picture at column x0.
void draw_contours(std::vector<unsigned char>& rgb, int width, int x0, int y0, const Slice& grey, const Slice& labels) {
    const auto at = [&](int r, int c) { return static_cast<int>(std::lround(labels.pixels[static_cast<size_t>(r) * labels.width + c])); };
    for (int r = 0; r < grey.height; ++r)
        for (int c = 0; c < grey.width; ++c) {
            unsigned char* px = &rgb[(static_cast<size_t>(y0 + r) * width + x0 + c) * 3];
            const auto g = static_cast<unsigned char>(std::lround(255 * grey.pixels[static_cast<size_t>(r) * grey.width + c]));
            px[0] = px[1] = px[2] = g;
            const int l = at(r, c);
            if (l == 0) continue;
            const bool edge = (r > 0 && at(r - 1, c) != l) || (r + 1 < grey.height && at(r + 1, c) != l) ||
                              (c > 0 && at(r, c - 1) != l) || (c + 1 < grey.width && at(r, c + 1) != l);
            if (edge) {
                const auto colour = label_colour(l);
                std::copy(colour.begin(), colour.end(), px);
            }
        }
}

}  // namespace

template <int D>
void write_label_picture(const std::string& path, const ScalarImage<D>& image, const ScalarImage<D>& labels) {
    const Window window = robust_window(image);
    std::vector<std::pair<Slice, Slice>> panels;
    if constexpr (D == 2) {
        Slice l{static_cast<int>(labels.size()[0]), static_cast<int>(labels.size()[1]),
                {labels.voxels().begin(), labels.voxels().end()}};
        panels.emplace_back(index_slice(image, window), std::move(l));
    } else {
        const Grid<3>& g = image.grid();
        const auto box = physical_box(g);
        const VecD<3>& centre = box.first;
        const VecD<3>& half = box.second;
        // Through the centre of the labelled voxels, where there are any.
        VecD<3> sum = VecD<3>::Zero();
        Index count = 0;
        for (Index v = 0; v < labels.voxel_count(); ++v)
            if (labels[v] != 0) {
                const Size<3> idx = g.index_of(v);
                sum += g.physical(VecD<3>(double(idx[0]), double(idx[1]), double(idx[2])));
                ++count;
            }
        const VecD<3> through = count > 0 ? VecD<3>(sum / double(count)) : centre;
        // About 300 pixels across the widest view whatever the voxel size: contours need
        // room, so coarse images are shown enlarged (nearest labels, linear grey).
        const double pixel = 2 * half.maxCoeff() / 300;
        const VecD<3> x = VecD<3>::UnitX(), y = VecD<3>::UnitY(), z = VecD<3>::UnitZ();
        // Each view centred on the box, cutting through the labels' centre.
        auto view = [&](const VecD<3>& u, const VecD<3>& v, double hu, double hv, const VecD<3>& normal) {
            const VecD<3> c = centre + normal * normal.dot(through - centre);
            return std::pair{physical_slice(image, window, c, u, v, hu, hv, pixel), label_slice(labels, c, u, v, hu, hv, pixel)};
        };
        panels.push_back(view(x, y, half[0], half[1], z));   // axial
        panels.push_back(view(x, -z, half[0], half[2], y));  // coronal
        panels.push_back(view(y, -z, half[1], half[2], x));  // sagittal
    }
    int width = 0, height = 0;
    for (const auto& [grey, l] : panels) {
        width += grey.width + 2;
        height = std::max(height, grey.height);
    }
    std::vector<unsigned char> rgb(static_cast<size_t>(width) * height * 3, 0);
    int x0 = 0;
    for (const auto& [grey, l] : panels) {
        draw_contours(rgb, width, x0, 0, grey, l);
        x0 += grey.width + 2;
    }
    write_png_rgb(path, width, height, rgb);
}

template void write_label_picture<2>(const std::string&, const ScalarImage<2>&, const ScalarImage<2>&);
template void write_label_picture<3>(const std::string&, const ScalarImage<3>&, const ScalarImage<3>&);
template void write_qc_picture<2>(const std::string&, const ScalarImage<2>&, const ScalarImage<2>&);
template void write_qc_picture<3>(const std::string&, const ScalarImage<3>&, const ScalarImage<3>&);

}  // namespace alinea
