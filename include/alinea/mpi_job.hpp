#pragma once
// Taking part in an MPI job (Open MPI): the world's ranks as a Communicator. The
// build finds MPI when it is installed; without it, started_by_mpirun() still tells
// a process that it was launched as one rank of several.
#include "alinea/communicator.hpp"

#include <memory>
#include <optional>

namespace alinea {

bool built_with_mpi();

// The launcher's rank and size for this process (Open MPI, MPICH/Hydra, PMIx
// variables), without initialising MPI; nullopt when not started by mpirun/mpiexec.
struct LaunchedRank {
    int rank = 0, size = 1;
};
std::optional<LaunchedRank> started_by_mpirun();

// Joins the job (MPI_Init_thread; only the thread that joined exchanges) and leaves
// it on destruction (MPI_Finalize). One per process. Throws alinea::Error in a build
// without MPI.
class MpiJob {
public:
    MpiJob();
    ~MpiJob();
    MpiJob(const MpiJob&) = delete;
    MpiJob& operator=(const MpiJob&) = delete;
    const Communicator& world() const { return *world_; }
    // Ends every rank of the job at once (after this rank's message): the way one
    // rank's failure stops the others within seconds instead of leaving them blocked
    // in an exchange.
    [[noreturn]] void abort(int code) const;

private:
    std::unique_ptr<Communicator> world_;
};

}  // namespace alinea
