// MpiJob in a build without MPI (compiled instead of mpi_job.cpp).
#include "alinea/mpi_job.hpp"

#include "alinea/error.hpp"

#include <cstdlib>

namespace alinea {

bool built_with_mpi() { return false; }

MpiJob::MpiJob() { throw Error("this alinea was built without MPI (install libopenmpi-dev and rebuild)"); }

MpiJob::~MpiJob() = default;

void MpiJob::abort(int code) const { std::_Exit(code); }

}  // namespace alinea
