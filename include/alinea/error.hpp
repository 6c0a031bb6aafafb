#pragma once
// One error type for everything the user can get wrong: bad files, bad options,
// mismatched images. The CLI prints what() on one line and exits with code 1.
#include <stdexcept>
#include <string>

namespace alinea {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An error about a named file: "FILE: problem".
inline Error file_error(const std::string& path, const std::string& problem) {
    return Error(path + ": " + problem);
}

}  // namespace alinea
