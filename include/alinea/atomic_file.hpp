#pragma once
// Writing outputs safely: bytes go to a temporary file in the destination folder,
// which is renamed over the destination only when complete. A crash or an error
// never leaves a half-written output behind.
#include <functional>
#include <string>

namespace alinea {

// Calls write(temp_path) and renames temp_path to path; removes temp_path on error.
void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write);

}  // namespace alinea
