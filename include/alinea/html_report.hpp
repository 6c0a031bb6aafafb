#pragma once
// One self-contained HTML page per run (PREFIXreport.html): headings, text, the
// command that reproduces the run, tables, warnings and pictures embedded as data
// URIs, with inline CSS: no script, nothing fetched, works offline and when mailed.
#include "alinea/figure.hpp"
#include "alinea/grid.hpp"
#include "alinea/image_file_info.hpp"

#include <string>
#include <utility>
#include <vector>

namespace alinea {

class HtmlReport {
public:
    // A report of `what` ("alinea register"), run by `command`, taking `seconds`.
    HtmlReport(std::string title, const std::string& command, double seconds);

    HtmlReport& section(const std::string& heading);
    HtmlReport& paragraph(const std::string& text);
    HtmlReport& code(const std::string& text);  // preformatted, e.g. a matrix
    HtmlReport& facts(const std::vector<std::pair<std::string, std::string>>& rows);  // name: value
    HtmlReport& table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
    HtmlReport& warnings(const std::vector<std::string>& warnings);  // or "No warnings."
    HtmlReport& picture(const Picture& picture, const std::string& caption);

    std::string html() const;

private:
    std::string title_, body_;
};

std::string html_escape(const std::string& text);

namespace report_text {
// One value printed with a printf pattern: number("%.3f mm", 1.5) is "1.500 mm".
std::string number(const char* pattern, double value);
}  // namespace report_text
std::string base64(const std::string& bytes);
// The time now, "2026-12-02 19:03:12 UTC".
std::string utc_now();

// A grid as a report's table shows it: size, spacing, origin (LPS) and orientation code.
std::vector<std::string> geometry_header();
template <int D>
std::vector<std::string> geometry_cells(const Grid<D>& grid);
std::vector<std::string> geometry_cells(const ImageFileInfo& header);  // from a file's header

}  // namespace alinea
