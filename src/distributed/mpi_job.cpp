// The only translation unit that includes MPI (compiled when the build finds it).
#include "alinea/mpi_job.hpp"

#include "alinea/error.hpp"

// The C interface only (Open MPI and MPICH otherwise pull in their deprecated C++ bindings).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <cstdlib>

namespace alinea {

bool built_with_mpi() { return true; }

namespace {

// MPI counts are ints: large arrays are exchanged in pieces.
template <class T, class Exchange>
void in_pieces(std::span<T> values, Exchange&& exchange) {
    constexpr std::size_t piece = std::size_t{1} << 28;
    for (std::size_t at = 0; at < values.size(); at += piece)
        exchange(values.data() + at, static_cast<int>(std::min(piece, values.size() - at)));
}

class MpiWorld final : public Communicator {
public:
    int rank() const override {
        int r = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
        return r;
    }
    int size() const override {
        int n = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &n);
        return n;
    }
    std::string host() const override {
        char name[MPI_MAX_PROCESSOR_NAME] = {};
        int length = 0;
        MPI_Get_processor_name(name, &length);
        return std::string(name, static_cast<std::size_t>(std::max(0, length)));
    }
    void sum(std::span<std::int64_t> values) const override { reduce(values, MPI_INT64_T, MPI_SUM); }
    void sum(std::span<std::uint16_t> values) const override { reduce(values, MPI_UINT16_T, MPI_SUM); }
    void max(std::span<std::int64_t> values) const override { reduce(values, MPI_INT64_T, MPI_MAX); }
    void merge(std::span<std::byte> bytes) const override { reduce(bytes, MPI_BYTE, MPI_BOR); }
    void barrier() const override { MPI_Barrier(MPI_COMM_WORLD); }

private:
    template <class T>
    static void reduce(std::span<T> values, MPI_Datatype type, MPI_Op op) {
        in_pieces(values, [&](T* data, int count) { MPI_Allreduce(MPI_IN_PLACE, data, count, type, op, MPI_COMM_WORLD); });
    }
};

}  // namespace

MpiJob::MpiJob() {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        throw Error("MPI: cannot join the job (MPI_Init_thread failed)");
    world_ = std::make_unique<MpiWorld>();
}

MpiJob::~MpiJob() { MPI_Finalize(); }

void MpiJob::abort(int code) const {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // not reached
}

}  // namespace alinea
