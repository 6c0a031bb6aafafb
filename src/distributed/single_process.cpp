#include "alinea/communicator.hpp"

#include <unistd.h>

namespace alinea {

namespace {

class SingleProcess final : public Communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::string host() const override {
        char name[256] = {};
        return gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
    }
    void sum(std::span<std::int64_t>) const override {}
    void sum(std::span<std::uint16_t>) const override {}
    void max(std::span<std::int64_t>) const override {}
    void merge(std::span<std::byte>) const override {}
    void barrier() const override {}
};

}  // namespace

const Communicator& single_process() {
    static const SingleProcess instance;
    return instance;
}

}  // namespace alinea
