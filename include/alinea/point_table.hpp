#pragma once
// Points in CSV files as ANTs' antsApplyTransformsToPoints reads and writes them: a
// header naming the columns (x, y, z, t, and any others, e.g. label or comment), one
// point per row, coordinates in LPS millimetres (ITK's physical space). Columns other
// than the point's coordinates are carried through unchanged, so a table keeps its
// labels and comments through a transform.
#include "alinea/grid.hpp"

#include <array>
#include <span>
#include <string>
#include <vector>

namespace alinea {

struct PointTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // cells as text, header.size() each
    std::array<int, 3> coordinate_column{-1, -1, -1};  // of x, y, z in header (-1: absent)
};

// Throws alinea::Error naming the file (and the line) for a missing x or y column, a
// row with another number of cells, or a coordinate that is not a finite number.
PointTable read_point_table(const std::string& path);

// The rows' points; D == 3 needs a z column, D == 2 ignores it.
template <int D>
std::vector<VecD<D>> table_points(const PointTable& table, const std::string& path);
// Replaces the rows' coordinates (shortest text that reads back to the same double).
template <int D>
void set_table_points(PointTable& table, std::span<const VecD<D>> points);

// Written atomically.
void write_point_table(const std::string& path, const PointTable& table);

// Nibabel's and 3D Slicer's RAS from ITK's LPS, and back (the same flip of x and y).
template <int D>
VecD<D> flip_lps_ras(VecD<D> p) {
    p[0] = -p[0];
    p[1] = -p[1];
    return p;
}

}  // namespace alinea
