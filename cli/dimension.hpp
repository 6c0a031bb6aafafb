#pragma once
// Runs a templated body for the image dimension found in a file (2 or 3), and other
// small helpers shared by subcommands.
#include "alinea/error.hpp"

#include <string>

namespace alinea::cli {

template <class F>
void dispatch_dimension(int dimension, F&& body) {
    if (dimension == 2) body.template operator()<2>();
    else if (dimension == 3) body.template operator()<3>();
    else throw Error("only 2-D and 3-D images are supported (got " + std::to_string(dimension) + "-D)");
}

}  // namespace alinea::cli
