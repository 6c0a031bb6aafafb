#include "alinea/mpi_job.hpp"

#include <cstdlib>
#include <string>

namespace alinea {

std::optional<LaunchedRank> started_by_mpirun() {
    const auto number = [](const char* name) -> std::optional<int> {
        const char* v = std::getenv(name);
        if (!v || !*v) return std::nullopt;
        try {
            return std::stoi(v);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    };
    for (const auto& [rank, size] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                     std::pair{"PMI_RANK", "PMI_SIZE"}, std::pair{"PMIX_RANK", "PMIX_SIZE"}}) {
        const auto r = number(rank), s = number(size);
        if (r && s) return LaunchedRank{*r, *s};
        if (r) return LaunchedRank{*r, 0};  // size unknown to the environment
    }
    return std::nullopt;
}

}  // namespace alinea
