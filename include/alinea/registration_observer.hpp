#pragma once
// What a registration reports while it runs (the library never prints), and the
// images it works on.
#include "alinea/image.hpp"
#include "alinea/optimizer.hpp"

#include <string>

namespace alinea {

template <int D>
struct RegistrationImages {
    const ScalarImage<D>& fixed;
    const ScalarImage<D>& moving;
    const ScalarImage<D>* fixed_mask = nullptr;   // samples only where > 0.5
    const ScalarImage<D>* moving_mask = nullptr;  // samples only mapping where > 0.5
};

// What a level reports when it finishes (the library never prints).
struct LevelReport {
    int level = 0, levels = 0, shrink = 1;
    std::string model, metric, optimizer;
    Index samples = 0;
    OptimizerResult result;
    double initial_value = 0;
    double seconds = 0;
};

class RegistrationObserver {
public:
    virtual ~RegistrationObserver() = default;
    // Called when a stage starts; stages run in the order they were given.
    virtual void stage_started() {}
    virtual void level_done(const LevelReport&) {}
};

}  // namespace alinea
