#include "alinea/point_table.hpp"

#include "alinea/error.hpp"
#include "alinea/output_set.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace alinea {

namespace {

std::vector<std::string> cells_of(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ',')) {
        const auto first = cell.find_first_not_of(" \t\r");
        const auto last = cell.find_last_not_of(" \t\r");
        cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string shortest(double v) {
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, v).ptr;
    return std::string(text, end);
}

}  // namespace

PointTable read_point_table(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw file_error(path, "cannot open the point table");
    PointTable table;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find('\0') != std::string::npos) throw file_error(path, "line " + std::to_string(number) + " holds a NUL byte");
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::vector<std::string> cells = cells_of(line);
        if (table.header.empty()) {
            table.header = cells;
            for (std::size_t c = 0; c < cells.size(); ++c)
                for (int a = 0; a < 3; ++a)
                    if (lower(cells[c]) == std::string(1, "xyz"[a]) && table.coordinate_column[a] < 0)
                        table.coordinate_column[a] = static_cast<int>(c);
            if (table.coordinate_column[0] < 0 || table.coordinate_column[1] < 0)
                throw file_error(path, "the header (first line) has no x and y columns (expected e.g. x,y,z,t)");
            continue;
        }
        if (cells.size() != table.header.size())
            throw file_error(path, "line " + std::to_string(number) + " has " + std::to_string(cells.size()) +
                                       " cells, the header " + std::to_string(table.header.size()));
        table.rows.push_back(std::move(cells));
    }
    if (table.header.empty()) throw file_error(path, "the point table is empty (no header)");
    return table;
}

template <int D>
std::vector<VecD<D>> table_points(const PointTable& table, const std::string& path) {
    if (D == 3 && table.coordinate_column[2] < 0) throw file_error(path, "3-D points need a z column");
    std::vector<VecD<D>> points;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        VecD<D> p;
        for (int a = 0; a < D; ++a) {
            const std::string& cell = table.rows[r][static_cast<std::size_t>(table.coordinate_column[a])];
            double v = 0;
            const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
            if (error != std::errc() || end != cell.data() + cell.size() || !std::isfinite(v))
                throw file_error(path, "point " + std::to_string(r + 1) + ": '" + cell.substr(0, 40) + "' is not a finite " +
                                           std::string(1, "xyz"[a]) + " coordinate");
            p[a] = v;
        }
        points.push_back(p);
    }
    return points;
}

template <int D>
void set_table_points(PointTable& table, std::span<const VecD<D>> points) {
    for (std::size_t r = 0; r < table.rows.size(); ++r)
        for (int a = 0; a < D; ++a) table.rows[r][static_cast<std::size_t>(table.coordinate_column[a])] = shortest(points[r][a]);
}

void write_point_table(const std::string& path, const PointTable& table) {
    std::ostringstream out;
    const auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? "," : "") << cells[c];
        out << "\n";
    };
    line(table.header);
    for (const auto& row : table.rows) line(row);
    write_text_file(path, out.str());
}

template std::vector<VecD<2>> table_points<2>(const PointTable&, const std::string&);
template std::vector<VecD<3>> table_points<3>(const PointTable&, const std::string&);
template void set_table_points<2>(PointTable&, std::span<const VecD<2>>);
template void set_table_points<3>(PointTable&, std::span<const VecD<3>>);

}  // namespace alinea
