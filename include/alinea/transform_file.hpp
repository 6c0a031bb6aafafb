#pragma once
// Linear transforms on disk.
//  - ITK text transform files (#Insight Transform File V1.0): read Affine, Euler, Rigid,
//    Versor, Similarity, Translation, MatrixOffset, Scale, QuaternionRigid (2-D and 3-D,
//    double or float, with FixedParameters as the centre), and a CompositeTransform of
//    those (T0(T1(...x)), as ITK); written as AffineTransform_double_D_D with centre 0
//    and 17 significant digits. LPS, fixed -> moving.
//  - greedy / ITK-SNAP / c3d matrices: a (D+1)x(D+1) RAS homogeneous matrix in a plain
//    text file (.mat), mapping fixed RAS points to moving RAS points.
#include "alinea/affine.hpp"

#include <string>

namespace alinea {

// True if the file starts with the ITK transform file magic line.
bool is_itk_transform_file(const std::string& path);
// Dimension of the transform in the file (2 or 3), ITK text or RAS matrix.
int transform_file_dimension(const std::string& path);

template <int D> Affine<D> read_itk_transform(const std::string& path);
template <int D> void write_itk_transform(const std::string& path, const Affine<D>& transform);

template <int D> Affine<D> read_ras_matrix(const std::string& path);
template <int D> void write_ras_matrix(const std::string& path, const Affine<D>& transform);

// Either format, chosen by content.
template <int D> Affine<D> read_linear_transform(const std::string& path);

}  // namespace alinea
