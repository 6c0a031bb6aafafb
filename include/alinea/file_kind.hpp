#pragma once
// What kind of file a path names, by its extension.
#include <string>

namespace alinea {

inline bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}
inline bool is_nifti_path(const std::string& path) { return ends_with(path, ".nii") || ends_with(path, ".nii.gz"); }
inline bool is_png_path(const std::string& path) { return ends_with(path, ".png") || ends_with(path, ".PNG"); }

}  // namespace alinea
