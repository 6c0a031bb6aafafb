#include "alinea/html_report.hpp"

#include "alinea/nifti.hpp"
#include "alinea/ras_affine.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace alinea {

namespace {

const char* const style = R"(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1400px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
p.when { color: #555; margin-top: 0; }
pre { background: #f4f4f4; padding: 10px; white-space: pre-wrap; word-break: break-all; border-radius: 4px; }
table { border-collapse: collapse; margin: 8px 0; }
td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; font-size: 14px; }
th { background: #f0f0f0; }
ul.warnings li { color: #8a3b00; background: #fff4e5; margin: 4px 0; padding: 4px 8px; list-style: none; border-left: 4px solid #e08a00; }
p.fine { color: #256029; }
figure { margin: 16px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #444; font-size: 14px; margin-top: 4px; max-width: 1000px; }
)";

// The first n values: "181 × 217 × 181", or as a point "(90.00, -126.00, -72.00)".
std::string join(const VecD<3>& v, int n, int digits, bool point) {
    std::string out = point ? "(" : "";
    for (int a = 0; a < n; ++a) {
        char buffer[48];
        std::snprintf(buffer, sizeof buffer, "%.*f", digits, v[a]);
        out += (a ? (point ? ", " : " × ") : "") + std::string(buffer);
    }
    return out + (point ? ")" : "");
}

}  // namespace

std::string report_text::number(const char* pattern, double value) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

std::string html_escape(const std::string& text) {
    std::string out;
    for (const char c : text) switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    return out;
}

std::string base64(const std::string& bytes) {
    static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const auto byte = [&](std::size_t k) { return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0u; };
        const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += digits[(n >> 18) & 63];
        out += digits[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? digits[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? digits[n & 63] : '=';
    }
    return out;
}

std::string utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buffer;
}

HtmlReport::HtmlReport(std::string title, const std::string& command, double seconds) : title_(std::move(title)) {
    char took[64];
    std::snprintf(took, sizeof took, "%.1f s", seconds);
    body_ += "<h1>" + html_escape(title_) + "</h1>\n<p class=\"when\">Alinea " + html_escape(ALINEA_VERSION) + ", " +
             html_escape(utc_now()) + ", took " + took + "</p>\n";
    body_ += "<p>The command that reproduces this run:</p>\n<pre>" + html_escape(command) + "</pre>\n";
}

HtmlReport& HtmlReport::section(const std::string& heading) {
    body_ += "<h2>" + html_escape(heading) + "</h2>\n";
    return *this;
}

HtmlReport& HtmlReport::paragraph(const std::string& text) {
    body_ += "<p>" + html_escape(text) + "</p>\n";
    return *this;
}

HtmlReport& HtmlReport::code(const std::string& text) {
    body_ += "<pre>" + html_escape(text) + "</pre>\n";
    return *this;
}

HtmlReport& HtmlReport::facts(const std::vector<std::pair<std::string, std::string>>& rows) {
    body_ += "<table>\n";
    for (const auto& [name, value] : rows) body_ += "<tr><th>" + html_escape(name) + "</th><td>" + html_escape(value) + "</td></tr>\n";
    body_ += "</table>\n";
    return *this;
}

HtmlReport& HtmlReport::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    body_ += "<table>\n<tr>";
    for (const std::string& h : header) body_ += "<th>" + html_escape(h) + "</th>";
    body_ += "</tr>\n";
    for (const auto& row : rows) {
        body_ += "<tr>";
        for (const std::string& cell : row) body_ += "<td>" + html_escape(cell) + "</td>";
        body_ += "</tr>\n";
    }
    body_ += "</table>\n";
    return *this;
}

HtmlReport& HtmlReport::warnings(const std::vector<std::string>& warnings) {
    if (warnings.empty()) {
        body_ += "<p class=\"fine\">No warnings.</p>\n";
        return *this;
    }
    body_ += "<ul class=\"warnings\">\n";
    for (const std::string& w : warnings) body_ += "<li>" + html_escape(w) + "</li>\n";
    body_ += "</ul>\n";
    return *this;
}

HtmlReport& HtmlReport::picture(const Picture& picture, const std::string& caption) {
    body_ += "<figure><img width=\"" + std::to_string(picture.width) + "\" height=\"" + std::to_string(picture.height) +
             "\" alt=\"" + html_escape(caption) + "\" src=\"data:image/png;base64," + base64(picture.png) +
             "\"><figcaption>" + html_escape(caption) + "</figcaption></figure>\n";
    return *this;
}

std::string HtmlReport::html() const {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(title_) +
           "</title>\n<style>" + style + "</style>\n</head>\n<body>\n" + body_ + "</body>\n</html>\n";
}

std::vector<std::string> geometry_header() { return {"size (voxels)", "spacing", "origin (LPS)", "orientation"}; }

template <int D>
std::vector<std::string> geometry_cells(const Grid<D>& grid) {
    VecD<3> size = VecD<3>::Ones(), spacing = VecD<3>::Ones(), origin = VecD<3>::Zero();
    for (int a = 0; a < D; ++a) size[a] = static_cast<double>(grid.size(a)), spacing[a] = grid.spacing()[a], origin[a] = grid.origin()[a];
    return {join(size, D, 0, false), join(spacing, D, 3, false) + " mm", join(origin, D, 2, true) + " mm",
            orientation_code(ras_affine(grid)).substr(0, D)};
}

std::vector<std::string> geometry_cells(const ImageFileInfo& header) {
    if (header.dimension == 3) return geometry_cells(header.grid);
    const Grid<3>& g = header.grid;
    return geometry_cells(Grid<2>({g.size(0), g.size(1)}, g.linear().topLeftCorner<2, 2>(), g.origin().head<2>()));
}

template std::vector<std::string> geometry_cells<2>(const Grid<2>&);
template std::vector<std::string> geometry_cells<3>(const Grid<3>&);

}  // namespace alinea
