// The ITK backend, the one translation unit that includes ITK (its headers are slow to
// compile). The IO object is chosen by extension, not through ITK's factory: no
// registration at start-up, and no other reader steps in for a file it half-knows.
// Geometry comes from ITK's own readers (ImageFileReader, and ImageSeriesReader for a
// DICOM series, which orders the slices and measures their spacing), so it is exactly
// what ITK reports. Voxels are written through ImageIOBase from a buffer of the chosen
// type, converted by the same code as NIfTI's.
#include "alinea/itk_image_io.hpp"

#include "alinea/error.hpp"
#include "nifti_header.hpp"
#include "stored_values.hpp"
#include "temporaries.hpp"

#include <gdcmTrace.h>
#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImageFileReader.h>
#include <itkImageSeriesReader.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>
#include <itkTIFFImageIO.h>
#include <itkVTKImageIO.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace alinea {

namespace {

namespace fs = std::filesystem;
using Volume = itk::Image<float, 3>;

enum class Reader { meta, nrrd, analyze, vtk, tiff, dicom };

struct Kind {
    const char* extension;
    const char* format;
    Reader reader;
    bool writable;
};

constexpr Kind kinds[] = {
    {".mha", "MetaImage", Reader::meta, true},        {".mhd", "MetaImage", Reader::meta, true},
    {".nrrd", "NRRD", Reader::nrrd, true},            {".nhdr", "NRRD", Reader::nrrd, true},
    {".hdr", "Analyze/NIfTI pair", Reader::analyze, true},
    {".img", "Analyze/NIfTI pair", Reader::analyze, false},
    {".vtk", "VTK", Reader::vtk, true},               {".tif", "TIFF", Reader::tiff, false},
    {".tiff", "TIFF", Reader::tiff, false},           {".dcm", "DICOM", Reader::dicom, false},
};

// Images larger than this are refused before anything is allocated (8 GiB as floats).
constexpr Index max_voxels = Index{1} << 31;

const Kind* kind_of(const std::string& path) {
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const Kind& k : kinds) {
        const std::string e = k.extension;
        if (lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0) return &k;
    }
    return nullptr;
}

bool is_folder(const std::string& path) {
    std::error_code ec;
    return fs::is_directory(path, ec);
}

itk::ImageIOBase::Pointer make_io(Reader reader) {
    switch (reader) {
        case Reader::meta: return itk::MetaImageIO::New().GetPointer();
        case Reader::nrrd: return itk::NrrdImageIO::New().GetPointer();
        case Reader::analyze: return itk::NiftiImageIO::New().GetPointer();
        case Reader::vtk: return itk::VTKImageIO::New().GetPointer();
        case Reader::tiff: return itk::TIFFImageIO::New().GetPointer();
        case Reader::dicom: return itk::GDCMImageIO::New().GetPointer();
    }
    return nullptr;
}

// The library never prints: ITK's and GDCM's warnings would go to stderr.
void silence_itk() {
    static std::once_flag once;
    std::call_once(once, [] {
        itk::Object::GlobalWarningDisplayOff();
        gdcm::Trace::WarningOff();
        gdcm::Trace::ErrorOff();
        gdcm::Trace::DebugOff();
    });
}

// MetaIO reports some problems (a missing data file) on std::cerr rather than in its
// exception: while ITK runs, what it writes there is kept for the error message. One
// ITK call at a time, so that two captures never interleave.
class CerrCapture {
public:
    CerrCapture() : old_(std::cerr.rdbuf(text_.rdbuf())) {}
    ~CerrCapture() { std::cerr.rdbuf(old_); }
    CerrCapture(const CerrCapture&) = delete;
    CerrCapture& operator=(const CerrCapture&) = delete;
    std::string text() const { return text_.str(); }

private:
    std::ostringstream text_;
    std::streambuf* old_;
};

// ITK's descriptions span lines, name the class and its address, and repeat the file
// name: one line of what was wrong is kept.
std::string itk_reason(const std::string& description, const std::string& path) {
    static const std::regex prefix(R"(^(itk::ERROR|ITK ERROR|itk::ExceptionObject)[^:]*: (\w+\(0x[0-9a-fA-F]+\): )?)");
    std::vector<std::string> parts;
    std::istringstream lines(description);
    for (std::string line; std::getline(lines, line);) {
        line = std::regex_replace(line, prefix, "");
        for (auto at = line.find(path); at != std::string::npos; at = line.find(path)) line.erase(at, path.size());
        const auto first = line.find_first_not_of(" \t:[]"), last = line.find_last_not_of(" \t:\r");
        if (first == std::string::npos) continue;
        line = line.substr(first, last - first + 1);
        if (std::find(parts.begin(), parts.end(), line) == parts.end()) parts.push_back(line);
    }
    std::string reason;
    for (const std::string& part : parts) reason += (reason.empty() ? "" : "; ") + part;
    if (reason.size() > 300) reason = reason.substr(0, 297) + "...";
    return reason.empty() ? "unreadable" : reason;
}

template <class F>
auto guarded(const std::string& path, const std::string& what, F&& body) {
    static std::mutex one_at_a_time;
    const std::lock_guard lock(one_at_a_time);
    const CerrCapture cerr;
    try {
        return body();
    } catch (const itk::ExceptionObject& e) {
        throw file_error(path, what + ": " + itk_reason(cerr.text() + "\n" + e.GetDescription(), path));
    } catch (const std::bad_alloc&) {
        throw file_error(path, what + ": out of memory");
    }
}

// A file, or a DICOM series (the files of one series in a folder, in ITK's order).
struct Source {
    std::string format;
    Reader reader;
    std::vector<std::string> files;
    itk::ImageIOBase::Pointer io;  // has read the first file's information
    std::string description;
};

std::string dicom_tag(itk::GDCMImageIO& io, const char* tag) {
    std::string value;
    if (!io.GetValueFromTag(tag, value)) return "";
    while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
    return value;
}

Source open_dicom_folder(const std::string& path) {
    auto names = itk::GDCMSeriesFileNames::New();
    names->SetUseSeriesDetails(true);
    guarded(path, "cannot scan the DICOM folder", [&] { names->SetDirectory(path); });
    const std::vector<std::string> series = names->GetSeriesUIDs();
    if (series.empty()) throw file_error(path, "a folder without a DICOM image series in it");
    const auto first_file_io = [&](const std::string& file) {
        auto io = itk::GDCMImageIO::New();
        io->SetFileName(file);
        guarded(file, "not a readable DICOM image", [&] { io->ReadImageInformation(); });
        return io;
    };
    if (series.size() > 1) {
        std::string list;
        for (std::size_t s = 0; s < series.size(); ++s) {
            const std::vector<std::string> files = names->GetFileNames(series[s]);
            const std::string description = files.empty() ? "" : dicom_tag(*first_file_io(files[0]), "0008|103e");
            list += (s ? "; " : "") + std::to_string(s + 1) + ": \"" + (description.empty() ? "no description" : description) +
                    "\" (" + std::to_string(files.size()) + " files, " + fs::path(files.empty() ? "" : files[0]).filename().string() +
                    " ...)";
        }
        throw file_error(path, "holds " + std::to_string(series.size()) +
                                   " DICOM series; give a folder with one of them: " + list);
    }
    Source s{"DICOM", Reader::dicom, names->GetFileNames(series[0]), nullptr, ""};
    auto io = first_file_io(s.files[0]);
    s.description = dicom_tag(*io, "0008|103e");
    s.io = io;
    return s;
}

Source open_source(const std::string& path) {
    silence_itk();
    if (is_folder(path)) return open_dicom_folder(path);
    const Kind* kind = kind_of(path);
    if (!kind) throw file_error(path, "not a format the ITK backend reads");
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw file_error(path, "cannot open: no such file");
    Source s{kind->format, kind->reader, {path}, make_io(kind->reader), ""};
    s.io->SetFileName(path);
    const std::string unreadable = std::string("not a readable ") + kind->format + " file";
    if (!guarded(path, unreadable, [&] { return s.io->CanReadFile(path.c_str()); })) throw file_error(path, unreadable);
    guarded(path, unreadable, [&] { s.io->ReadImageInformation(); });
    if (kind->reader == Reader::dicom) s.description = dicom_tag(static_cast<itk::GDCMImageIO&>(*s.io), "0008|103e");
    return s;
}

PixelType pixel_type_of(itk::IOComponentEnum component) {
    using C = itk::IOComponentEnum;
    switch (component) {
        case C::UCHAR: return PixelType::u8;
        case C::CHAR: return PixelType::i8;
        case C::USHORT: return PixelType::u16;
        case C::SHORT: return PixelType::i16;
        case C::UINT: return PixelType::u32;
        case C::INT: return PixelType::i32;
        case C::FLOAT: return PixelType::f32;
        default: return PixelType::f64;  // 64-bit integers and long double: read as float anyway
    }
}

itk::IOComponentEnum component_of(PixelType type) {
    using C = itk::IOComponentEnum;
    switch (type) {
        case PixelType::u8: return C::UCHAR;
        case PixelType::i8: return C::CHAR;
        case PixelType::u16: return C::USHORT;
        case PixelType::i16: return C::SHORT;
        case PixelType::u32: return C::UINT;
        case PixelType::i32: return C::INT;
        case PixelType::f32: return C::FLOAT;
        case PixelType::f64: return C::DOUBLE;
    }
    return C::FLOAT;
}

// The reader that gives the volume (and, before Update, its geometry).
itk::ImageSource<Volume>::Pointer make_reader(const Source& s) {
    if (s.reader == Reader::dicom && s.files.size() > 1) {
        auto reader = itk::ImageSeriesReader<Volume>::New();
        reader->SetImageIO(itk::GDCMImageIO::New());
        reader->SetFileNames(s.files);
        return reader.GetPointer();
    }
    auto reader = itk::ImageFileReader<Volume>::New();
    reader->SetImageIO(make_io(s.reader));
    reader->SetFileName(s.files[0]);
    return reader.GetPointer();
}

Grid<3> grid_of(const Volume& volume) {
    Size<3> size;
    MatD<3> direction;
    VecD<3> spacing, origin;
    for (int a = 0; a < 3; ++a) {
        size[a] = static_cast<Index>(volume.GetLargestPossibleRegion().GetSize()[a]);
        spacing[a] = volume.GetSpacing()[a];
        origin[a] = volume.GetOrigin()[a];
        for (int b = 0; b < 3; ++b) direction(a, b) = volume.GetDirection()(a, b);
    }
    return Grid<3>(size, direction * spacing.asDiagonal(), origin);
}

// Whether the voxels are in the file named (not in a data file it names): a .mha or a
// .nrrd may name one too, and then the header's own length says nothing.
bool data_in_header_file(const Source& s) {
    if (s.files.size() != 1) return false;
    switch (s.reader) {
        case Reader::meta: {
            const std::string data = static_cast<itk::MetaImageIO&>(*s.io).GetMetaImagePointer()->ElementDataFileName();
            return data == "LOCAL" || data == "Local" || data == "local";
        }
        case Reader::nrrd: {  // the header ends at the first empty line
            std::ifstream file(s.files[0], std::ios::binary);
            std::string line;
            for (int n = 0; n < 4096 && std::getline(file, line) && !line.empty() && line != "\r"; ++n)
                if (line.starts_with("data file:") || line.starts_with("datafile:")) return false;
            return true;
        }
        case Reader::analyze: return false;
        default: return true;
    }
}

// Refuses sizes that no file of this length could hold before anything is allocated
// (gzip, the strongest compression these formats use, stays under 1:1100).
void check_size(const std::string& path, const ImageFileInfo& info, const Source& s) {
    const Size<3>& n = info.grid.size();
    const Index values = n[0] * n[1] * n[2] * info.time_points * info.components;
    if (n[0] < 1 || n[1] < 1 || n[2] < 1 || values < 1 || values > max_voxels)
        throw file_error(path, "absurd image size " + std::to_string(n[0]) + " x " + std::to_string(n[1]) + " x " +
                                   std::to_string(n[2]) + " (x " + std::to_string(info.time_points * info.components) + ")");
    if (!data_in_header_file(s)) return;
    std::error_code ec;
    const auto bytes = fs::file_size(s.files[0], ec);
    const double needed = static_cast<double>(values) * io::bytes_per_voxel(info.pixel_type);
    if (!ec && needed > 1100.0 * static_cast<double>(bytes) + (1 << 20))
        throw file_error(path, "the header describes " + std::to_string(values) + " values but the file holds only " +
                                   std::to_string(bytes) + " bytes");
}

ImageFileInfo describe(const Source& s, const std::string& path) {
    const itk::ImageIOBase& io = *s.io;
    ImageFileInfo info;
    info.format = s.format;
    info.description = s.description;
    const unsigned dims = io.GetNumberOfDimensions();
    if (dims < 2) throw file_error(path, "holds a " + std::to_string(dims) + "-D array, not an image");
    for (unsigned a = 4; a < dims; ++a)
        if (io.GetDimensions(a) > 1) throw file_error(path, "has " + std::to_string(dims) + " dimensions; at most 4 are read");
    info.time_points = dims >= 4 ? static_cast<Index>(io.GetDimensions(3)) : 1;
    info.components = static_cast<Index>(io.GetNumberOfComponents());
    info.colour = io.GetPixelType() == itk::IOPixelEnum::RGB || io.GetPixelType() == itk::IOPixelEnum::RGBA;
    info.pixel_type = pixel_type_of(io.GetComponentType());
    if (io.GetComponentType() == itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE)
        throw file_error(path, "has a voxel type ITK does not know");
    const auto reader = make_reader(s);
    guarded(path, "cannot read the geometry", [&] { reader->UpdateOutputInformation(); });
    try {
        info.grid = grid_of(*reader->GetOutput());
    } catch (const Error& e) {
        throw file_error(path, std::string("has an unusable geometry: ") + e.what());
    }
    info.dimension = info.grid.size(2) == 1 ? 2 : 3;
    check_size(path, info, s);
    return info;
}

template <int D>
ScalarImage<D> to_alinea(const Volume& volume, const Grid<3>& grid) {
    Size<D> size;
    for (int a = 0; a < D; ++a) size[a] = grid.size(a);
    const Grid<D> g(size, grid.linear().topLeftCorner<D, D>(), grid.origin().head<D>());
    const float* begin = volume.GetBufferPointer();
    return ScalarImage<D>(g, std::vector<float>(begin, begin + g.voxel_count()));
}

// The files an interrupted write must not leave behind, removed on a signal too.
class StagingFolder {
public:
    // No extension in the folder's name: NIfTI's library looks for one anywhere in a path.
    explicit StagingFolder(const fs::path& folder) {
        static std::atomic<unsigned> counter{0};
        path_ = folder / (".alinea-write-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directory(path_);
    }
    ~StagingFolder() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

}  // namespace

bool is_itk_image_path(const std::string& path) { return kind_of(path) != nullptr || is_folder(path); }

bool itk_image_io_available() { return true; }

ImageFileInfo read_itk_image_info(const std::string& path) { return describe(open_source(path), path); }

template <int D>
ScalarImage<D> read_itk_image(const std::string& path) {
    const Source s = open_source(path);
    const ImageFileInfo info = describe(s, path);
    if (info.time_points > 1)
        throw file_error(path, "is a 4-D series (" + std::to_string(info.time_points) + " frames) where one image is expected");
    if (info.components > 1 && !info.colour)
        throw file_error(path, "holds " + std::to_string(info.components) +
                                   " values per voxel (a vector image); vector images (warps) are read from NIfTI");
    if (D == 2 && info.dimension != 2)
        throw file_error(path, "is a 3-D image (" + std::to_string(info.grid.size(2)) + " slices); a 2-D image was expected");
    const auto reader = make_reader(s);
    guarded(path, "cannot read the voxels", [&] { reader->Update(); });
    return to_alinea<D>(*reader->GetOutput(), info.grid);
}

template <int D>
void write_itk_image(const std::string& path, const ScalarImage<D>& image, PixelType type) {
    silence_itk();
    const Kind* kind = kind_of(path);
    if (!kind) throw file_error(path, "not a format the ITK backend writes");
    if (!kind->writable)
        throw file_error(path, std::string(kind->format) + " is read only here; write .nii.gz, .mha or .nrrd");
    const fs::path target(path);
    std::error_code ec;
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(folder, ec))
        throw file_error(path, "cannot write: folder " + folder.string() + " does not exist");
    if (fs::is_directory(target, ec)) throw file_error(path, "cannot write: it is a folder");

    // Legacy VTK structured points have a spacing and an origin but no orientation.
    if (kind->reader == Reader::vtk && !image.grid().direction().isIdentity(1e-9))
        throw file_error(path, "VTK cannot hold this image's orientation (its direction is not the identity); "
                               "write .mha, .nrrd or .nii.gz");
    const Index n = image.voxel_count();
    const std::size_t bpv = static_cast<std::size_t>(io::bytes_per_voxel(type));
    std::vector<std::uint8_t> stored(static_cast<std::size_t>(n) * bpv);
    io::store(type, image.data(), n, 1, stored.data());

    const StagingFolder staging(folder);
    const fs::path staged = staging.path() / target.filename();
    const int slot = io::register_temporary(staged.string());
    itk::ImageIOBase::Pointer io = make_io(kind->reader);
    guarded(path, std::string("cannot write ") + kind->format, [&] {
        io->SetNumberOfDimensions(D);
        itk::ImageIORegion region(D);
        const MatD<D> direction = image.grid().direction();
        const VecD<D> spacing = image.grid().spacing();
        for (int a = 0; a < D; ++a) {
            io->SetDimensions(a, static_cast<unsigned>(image.size()[a]));
            io->SetSpacing(a, spacing[a]);
            io->SetOrigin(a, image.grid().origin()[a]);
            io->SetDirection(a, std::vector<double>(direction.col(a).data(), direction.col(a).data() + D));
            region.SetIndex(a, 0);
            region.SetSize(a, static_cast<itk::SizeValueType>(image.size()[a]));
        }
        io->SetPixelType(itk::IOPixelEnum::SCALAR);
        io->SetComponentType(component_of(type));
        io->SetNumberOfComponents(1);
        io->SetFileName(staged.string());
        io->SetIORegion(region);
        io->Write(stored.data());
    });
    // Data files first, the header last: a reader never finds a header without its data.
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(staging.path())) files.push_back(entry.path());
    std::stable_partition(files.begin(), files.end(), [&](const fs::path& f) { return f != staged; });
    // out.mhd and out.nhdr both keep their voxels in out.raw: a data file is replaced
    // only with its own header, never from under another image.
    for (const fs::path& f : files)
        if (f != staged && fs::exists(folder / f.filename(), ec) && !fs::exists(target, ec))
            throw file_error(path, "cannot write: its data file " + (folder / f.filename()).string() +
                                       " exists and may be another image's; choose another name");
    io::begin_renames();
    for (const fs::path& f : files) {
        fs::rename(f, folder / f.filename(), ec);
        if (ec) break;
    }
    io::unregister_temporary(slot);
    io::end_renames();
    if (ec) throw file_error(path, "cannot write: " + ec.message());
}

template ScalarImage<2> read_itk_image<2>(const std::string&);
template ScalarImage<3> read_itk_image<3>(const std::string&);
template void write_itk_image<2>(const std::string&, const ScalarImage<2>&, PixelType);
template void write_itk_image<3>(const std::string&, const ScalarImage<3>&, PixelType);

}  // namespace alinea
