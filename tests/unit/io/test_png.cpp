// PNG: 8- and 16-bit grey round trips, clamping, colour read as grey, bad files.
#include "alinea/png.hpp"
#include "io_test_util.hpp"

using namespace alinea;
using namespace alinea::test;

namespace {

class Png : public TempDir {};

ScalarImage<2> ramp(Index w, Index h, float scale) {
    ScalarImage<2> image(Grid<2>::from_spacing({w, h}, VecD<2>::Ones()));
    for (Index i = 0; i < image.voxel_count(); ++i) image[i] = static_cast<float>((i * 7) % 256) * scale;
    return image;
}

TEST_F(Png, EightBitRoundTrip) {
    const ScalarImage<2> image = ramp(13, 7, 1.f);
    write_png(path("a.png"), image);
    const ScalarImage<2> back = read_png(path("a.png"));
    ASSERT_EQ(back.size(), image.size());
    for (Index i = 0; i < image.voxel_count(); ++i) ASSERT_EQ(back[i], image[i]) << i;
    const PngInfo info = read_png_info(path("a.png"));
    EXPECT_EQ(info.bit_depth, 8);
    EXPECT_EQ(info.width, 13);
    EXPECT_EQ(info.height, 7);
}

TEST_F(Png, SixteenBitRoundTrip) {
    const ScalarImage<2> image = ramp(5, 9, 257.f);  // up to 65535
    write_png(path("b.png"), image, 16);
    const ScalarImage<2> back = read_png(path("b.png"));
    for (Index i = 0; i < image.voxel_count(); ++i) ASSERT_EQ(back[i], image[i]) << i;
    EXPECT_EQ(read_png_info(path("b.png")).bit_depth, 16);
}

TEST_F(Png, ValuesAreRoundedAndClamped) {
    ScalarImage<2> image(Grid<2>::from_spacing({4, 1}, VecD<2>::Ones()));
    image[0] = -3, image[1] = 12.6f, image[2] = 999, image[3] = std::nanf("");
    write_png(path("c.png"), image);
    const ScalarImage<2> back = read_png(path("c.png"));
    EXPECT_EQ(back[0], 0);
    EXPECT_EQ(back[1], 13);
    EXPECT_EQ(back[2], 255);
    EXPECT_EQ(back[3], 0);
}

TEST_F(Png, RgbIsReadAsGrey) {
    std::vector<unsigned char> rgb = {0, 0, 0, 128, 128, 128, 255, 255, 255, 40, 40, 40};
    write_png_rgb(path("rgb.png"), 2, 2, rgb);
    EXPECT_EQ(read_png_info(path("rgb.png")).channels, 3);
    const ScalarImage<2> grey = read_png(path("rgb.png"));
    // Grey colours stay (up to libpng's rounding in linear light).
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(grey[i], rgb[3 * i], 1.0) << i;
    // Grey saved as RGB loses nothing as grey; one coloured pixel makes it a colour image.
    EXPECT_FALSE(read_png_info(path("rgb.png")).colour);
    rgb[10] = 41;
    write_png_rgb(path("colour.png"), 2, 2, rgb);
    EXPECT_TRUE(read_png_info(path("colour.png")).colour);
}

// A 16-bit grey PNG as other programs write it: no gAMA chunk. Its values must come
// back unchanged (libpng takes 16-bit data without gamma information as linear).
TEST_F(Png, SixteenBitFileWithoutGamma) {
    const std::uint16_t values[8] = {0, 1, 1000, 65535, 300, 40000, 7, 12345};
    std::vector<std::uint8_t> rows;
    for (int r = 0; r < 2; ++r) {
        rows.push_back(0);  // filter: none
        for (int c = 0; c < 4; ++c) rows.insert(rows.end(), {std::uint8_t(values[r * 4 + c] >> 8), std::uint8_t(values[r * 4 + c] & 255)});
    }
    std::vector<std::uint8_t> idat(compressBound(rows.size()));
    uLongf idat_size = idat.size();
    ASSERT_EQ(compress(idat.data(), &idat_size, rows.data(), rows.size()), Z_OK);
    idat.resize(idat_size);
    std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const auto chunk = [&](const char* type, const std::vector<std::uint8_t>& body) {
        const auto be32 = [&](std::uint32_t v) { for (int s = 24; s >= 0; s -= 8) png.push_back(std::uint8_t(v >> s)); };
        be32(static_cast<std::uint32_t>(body.size()));
        std::vector<std::uint8_t> typed(type, type + 4);
        typed.insert(typed.end(), body.begin(), body.end());
        png.insert(png.end(), typed.begin(), typed.end());
        be32(static_cast<std::uint32_t>(crc32(0, typed.data(), static_cast<uInt>(typed.size()))));
    };
    chunk("IHDR", {0, 0, 0, 4, 0, 0, 0, 2, 16, 0, 0, 0, 0});
    chunk("IDAT", idat);
    chunk("IEND", {});
    write_bytes(path("g16.png"), png);
    const ScalarImage<2> image = read_png(path("g16.png"));
    for (int i = 0; i < 8; ++i) EXPECT_EQ(image[i], values[i]) << i;
}

TEST_F(Png, GeometryIsUnit) {
    write_png(path("g.png"), ramp(3, 4, 1.f));
    const Grid<2> grid = read_png(path("g.png")).grid();
    EXPECT_TRUE(grid.linear().isIdentity());
    EXPECT_TRUE(grid.origin().isZero());
}

TEST_F(Png, BadFiles) {
    write_bytes(path("junk.png"), std::vector<std::uint8_t>(100, 0x42));
    expect_file_error([&] { read_png(path("junk.png")); }, path("junk.png"), "not a valid PNG");
    write_png(path("full.png"), ramp(64, 64, 1.f));
    const auto bytes = read_bytes(path("full.png"));
    write_bytes(path("cut.png"), {bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)});
    expect_file_error([&] { read_png(path("cut.png")); }, path("cut.png"), "PNG");
    expect_file_error([&] { read_png(path("missing.png")); }, path("missing.png"), "cannot open");
    expect_file_error([&] { write_png(path("x.png"), ramp(2, 2, 1.f), 12); }, path("x.png"), "bit depth");
    expect_file_error([&] { write_png_rgb(path("y.png"), 2, 2, {1, 2, 3}); }, path("y.png"), "RGB buffer");
}

TEST_F(Png, ItkExampleSlice) {
    const std::string file = "/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainT1Slice.png";
    if (!fs::exists(file)) GTEST_SKIP() << "insighttoolkit5-examples not installed";
    const ScalarImage<2> image = read_png(file);
    EXPECT_EQ(image.size()[0], 181);
    EXPECT_EQ(image.size()[1], 217);
}

}  // namespace
