// The drawing layer: what a figure says is drawn (texts recorded by the canvas), the
// PNG is the size the layout says, and the overlays mark what they should.
#include "alinea/error.hpp"
#include "alinea/figure.hpp"
#include "alinea/html_report.hpp"
#include "alinea/label_picture.hpp"
#include "alinea/line_plot.hpp"
#include "alinea/slice_panels.hpp"
#include "alinea/slice_view.hpp"

#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace alinea {
namespace {

bool has_text(const Picture& p, const std::string& s) { return std::find(p.texts.begin(), p.texts.end(), s) != p.texts.end(); }

// The PNG's own width and height (IHDR), big-endian after the 8-byte signature and the chunk header.
std::pair<int, int> png_size(const std::string& png) {
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(png[i]); };
    const auto be = [&](std::size_t i) { return (at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3); };
    return {be(16), be(20)};
}

TEST(Figure, DrawsEveryTextItIsGiven) {
    Raster tile(40, 30, 1.0);
    for (Rgb& p : tile.pixels) p = {0.5, 0.5, 0.5};
    Figure f;
    f.title = "A title";
    f.subtitle = "a subtitle";
    f.column_titles = {"left", "right"};
    f.row_titles = {"axial"};
    f.rows = {{{tile, "z = 1.0 mm"}, {tile, "z = 2.0 mm"}}};
    f.colour_bars = {{"intensity (a.u.)", ColourMap::grey, 0, 250}, {"log det J", ColourMap::diverging, -0.5, 0.5}};
    f.legend = {{"edges", {1, 0, 0}}};
    f.note = "a note";
    const Picture p = draw_figure(f);
    for (const char* s : {"A title", "a subtitle", "left", "right", "axial", "z = 1.0 mm", "z = 2.0 mm",
                          "intensity (a.u.)", "log det J", "0", "250", "-0.5", "0.5", "edges", "a note"})
        EXPECT_TRUE(has_text(p, s)) << s;
    ASSERT_GT(p.png.size(), 8u);
    EXPECT_EQ(p.png.substr(1, 3), "PNG");
    EXPECT_EQ(png_size(p.png), std::pair(p.width, p.height));
    EXPECT_GE(p.width, 2 * 120);  // two columns at least as wide as their colour bars
}

TEST(Figure, RefusesRaggedRows) {
    Figure f;
    f.rows = {{{Raster(4, 4, 1), ""}, {Raster(4, 4, 1), ""}}, {{Raster(4, 4, 1), ""}}};
    EXPECT_THROW(draw_figure(f), Error);
    EXPECT_THROW(draw_figure(Figure{}), Error);
}

TEST(Figure, LinePlotsDrawTitlesAxesAndLegends) {
    LinePlot a{"Volume over time", "frame", "volume (mm³)", {{"label 1", {1, 2, 3}, {10, 12, 11}}}};
    LinePlot b{"Displacement", "frame", "displacement (mm)", {{"label 1", {1, 2, 3}, {0, 1, 2}}}};
    const Picture p = draw_line_plots({a, b}, 2);
    for (const char* s : {"Volume over time", "frame", "volume (mm³)", "label 1", "Displacement", "displacement (mm)"})
        EXPECT_TRUE(has_text(p, s)) << s;
    EXPECT_EQ(png_size(p.png), std::pair(p.width, p.height));
}

TEST(Figure, ApplicationPicturesHaveTheirTitlesAndColourBars) {
    const Grid<3> g = Grid<3>::from_spacing({20, 24, 16}, {2, 2, 2}, {-20, -24, -16});
    const ScalarImage<3> image = test::sample_function(g, [](const VecD<3>& p) { return 50 + p[0]; });
    const ScalarImage<3> labels = test::sample_function(g, [](const VecD<3>& p) { return p.norm() < 8 ? 3.0 : 0.0; });
    const ScalarImage<3> signed_map = test::sample_function(g, [](const VecD<3>& p) { return 0.01 * p[1]; });

    const Picture l = draw_label_picture("Segmentation of t.nii.gz", image, labels);
    for (const char* s : {"Segmentation of t.nii.gz", "image", "label contours", "intensity", "label 3", "axial"})
        EXPECT_TRUE(has_text(l, s)) << s;
    const Picture a = draw_slice_panels<3>("Atlas of 2 subjects", {{"template", &image, false, "intensity"},
                                                                   {"mean log det J", &signed_map, true, "log det J"}});
    for (const char* s : {"Atlas of 2 subjects", "template", "mean log det J", "intensity", "log det J", "coronal"})
        EXPECT_TRUE(has_text(a, s)) << s;
    const Picture t = draw_thumbnails<3>("Tracked labels", {{"frame 1", &image, &labels}, {"frame 2", &image, &labels}});
    EXPECT_TRUE(has_text(t, "Tracked labels"));
    EXPECT_TRUE(std::any_of(t.texts.begin(), t.texts.end(), [](const std::string& s) { return s.starts_with("frame 2, z = "); }));
}

TEST(SliceView, ViewsCutThroughThePointAndSayWhereInRas) {
    const Grid<3> g = Grid<3>::from_spacing({50, 60, 40}, {2, 2, 3}, {-50, -60, -60});
    const VecD<3> through(10, -20, 12);  // LPS
    const auto views = orthogonal_views(g, through);
    ASSERT_EQ(views.size(), 3u);
    EXPECT_EQ(views[0].name, "axial");
    EXPECT_EQ(views[0].position, "z = 12.0 mm");
    EXPECT_EQ(views[1].position, "y = 20.0 mm");   // RAS y = -LPS y
    EXPECT_EQ(views[2].position, "x = -10.0 mm");  // RAS x = -LPS x
    EXPECT_NEAR(views[0].point(0, 0)[2], 12, 1e-9);
    EXPECT_NEAR(views[1].point(3, 5)[1], -20, 1e-9);
    EXPECT_NEAR(views[2].point(7, 2)[0], 10, 1e-9);
    // About 240 pixels across the widest view.
    EXPECT_NEAR(std::max(views[0].width(), views[2].width()), 240, 2);
}

TEST(SliceView, PictureCentreIsTheMasksCentre) {
    const Grid<3> g = Grid<3>::from_spacing({20, 20, 20}, {1, 1, 1}, {0, 0, 0});
    ScalarImage<3> image(g), mask(g);
    for (Index i = 0; i < g.voxel_count(); ++i) {
        const VecD<3> p = g.physical(test::voxel_index(g, i));
        image[i] = 100;
        mask[i] = (p - VecD<3>(5, 6, 7)).norm() < 3 ? 1.0f : 0.0f;
    }
    EXPECT_LT((picture_centre(image, &mask) - VecD<3>(5, 6, 7)).norm(), 1e-9);
    EXPECT_LT((picture_centre(image) - VecD<3>(9.5, 9.5, 9.5)).norm(), 1e-9);  // uniform: the grid's centre
}

TEST(SliceView, EdgesLieOnTheBoundaryOfADisc) {
    const Grid<2> g = Grid<2>::from_spacing({80, 80}, {1, 1}, {0, 0});
    const ScalarImage<2> disc = test::sample_function(g, [](const VecD<2>& p) {
        return (p - VecD<2>(40, 40)).norm() < 20 ? 100.0 : 10.0;
    });
    const SliceView<2> view = orthogonal_views(g, g.center(), 80).front();
    const Slice s = sample_slice(disc, view);
    Raster r = colour_slice(s, robust_window(disc), ColourMap::grey, view.pixel_mm);
    const Rgb red{1, 0, 0};
    draw_edges(r, s, robust_window(disc), red);
    int edges = 0;
    for (int row = 0; row < r.height; ++row)
        for (int c = 0; c < r.width; ++c)
            if (r.at(row, c) == red) {
                ++edges;
                const double radius = (view.point(row, c) - VecD<2>(40, 40)).norm();
                EXPECT_NEAR(radius, 20, 1.6) << row << "," << c;
            }
    EXPECT_GT(edges, 2 * 3.14 * 20 * 0.7);  // most of the circumference, about one pixel wide
    EXPECT_LT(edges, 2 * 3.14 * 20 * 2.0);
}

TEST(SliceView, TheDeformedGridMovesWithTheDisplacement) {
    const Grid<2> g = Grid<2>::from_spacing({40, 40}, {1, 1}, {0, 0});
    const SliceView<2> view = orthogonal_views(g, g.center(), 40).front();
    ASSERT_NEAR(view.pixel_mm, 1, 1e-9);
    const auto lines = [&](double shift) {
        VectorField<2> u(g);
        for (Index i = 0; i < g.voxel_count(); ++i) u[i] = Vec<2>(static_cast<float>(shift), 0);
        Raster r(view.width(), view.height(), view.pixel_mm);
        draw_deformed_grid(r, sample_in_plane(u, view), view, 10, {1, 1, 1});
        std::vector<int> columns;  // columns at least half covered by a vertical line in every row
        for (int c = 0; c < r.width; ++c) {
            bool all = true;
            for (int row = 0; row < r.height; ++row) all = all && r.at(row, c).r >= 0.5 - 1e-9;
            if (all) columns.push_back(c);
        }
        return columns;
    };
    // Lines (one pixel wide, anti-aliased) where -half + (c + 0.5) + shift is a multiple of 10 mm.
    const double half = view.half_u;
    for (const double shift : {0.0, 3.0}) {
        const std::vector<int> columns = lines(shift);
        ASSERT_GE(columns.size(), 3u);  // 40 mm across: a line every 10 mm
        for (const int c : columns) {
            const double mm = -half + (c + 0.5) + shift;
            EXPECT_LE(std::abs(std::remainder(mm, 10.0)), 0.5 + 1e-9) << "shift " << shift << " column " << c;
        }
    }
    EXPECT_NE(lines(0.0), lines(3.0));
}

TEST(HtmlReport, EscapesTextAndEmbedsPictures) {
    EXPECT_EQ(base64("Man"), "TWFu");
    EXPECT_EQ(base64("Ma"), "TWE=");
    EXPECT_EQ(base64("M"), "TQ==");
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(html_escape("a < b & \"c\" > d"), "a &lt; b &amp; &quot;c&quot; &gt; d");
    Figure f;
    f.title = "T";
    f.rows = {{{Raster(8, 8, 1), ""}}};
    const Picture p = draw_figure(f);
    HtmlReport report("Report <1>", "alinea register -f a.nii -m b.nii -o out_", 1.5);
    report.section("Warnings").warnings({"x & y"}).picture(p, "caption");
    const std::string html = report.html();
    EXPECT_NE(html.find("<title>Report &lt;1&gt;</title>"), std::string::npos);
    EXPECT_NE(html.find("alinea register -f a.nii -m b.nii -o out_"), std::string::npos);
    EXPECT_NE(html.find("<li>x &amp; y</li>"), std::string::npos);
    EXPECT_NE(html.find("src=\"data:image/png;base64," + base64(p.png) + "\""), std::string::npos);
    EXPECT_EQ(html.find("http"), std::string::npos);  // nothing fetched
    EXPECT_NE(HtmlReport("R", "c", 0).warnings({}).html().find("No warnings."), std::string::npos);
}

TEST(HtmlReport, GeometryCellsSayWhatTheGridIs) {
    const Grid<3> g = Grid<3>::from_spacing({91, 109, 91}, {2, 2, 2}, {90, 126, -72});
    const std::vector<std::string> cells = geometry_cells(g);
    ASSERT_EQ(cells.size(), geometry_header().size());
    EXPECT_EQ(cells[0], "91 × 109 × 91");
    EXPECT_EQ(cells[1], "2.000 × 2.000 × 2.000 mm");
    EXPECT_EQ(cells[2], "(90.00, 126.00, -72.00) mm");
    EXPECT_EQ(cells[3], "LPS");  // identity LPS direction: i to the left, j posterior, k superior
}

}  // namespace
}  // namespace alinea
