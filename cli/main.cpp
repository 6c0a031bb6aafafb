// alinea: image registration and what people register images for.
#include "commands.hpp"

#include "alinea/error.hpp"
#include "alinea/mpi_job.hpp"
#include "alinea/output_set.hpp"
#include "alinea/registration_observer.hpp"

#include <iostream>

int main(int argc, char** argv) {
    // Ctrl-C and SIGTERM: remove every temporary output and exit with 130 / 143.
    alinea::remove_temporaries_on_signals();
    CLI::App app{"Alinea: image registration (2-D and 3-D, NIfTI and PNG)", "alinea"};
    app.set_version_flag("--version", std::string("alinea ") + ALINEA_VERSION +
                                          (alinea::built_with_mpi() ? " (with MPI)" : " (without MPI)"));
    app.require_subcommand(1);
    app.fallthrough(false);
    alinea::cli::add_info_command(app);
    alinea::cli::add_apply_command(app);
    alinea::cli::add_register_command(app);
    alinea::cli::add_evaluate_command(app);
    alinea::cli::add_simulate_command(app);
    alinea::cli::add_jacobian_command(app);
    alinea::cli::add_invert_command(app);
    alinea::cli::add_compose_command(app);
    alinea::cli::add_segment_command(app);
    alinea::cli::add_overlap_command(app);
    alinea::cli::add_track_command(app);
    alinea::cli::add_atlas_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Usage errors: one line, exit code 2.
        std::cerr << "alinea: error: " << e.what() << " (see --help)\n";
        return 2;
    } catch (const alinea::Cancelled& e) {
        std::cerr << "alinea: " << e.what() << " (interrupted)\n";
        return 130;
    } catch (const alinea::Error& e) {
        std::cerr << "alinea: error: " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "alinea: error: out of memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "alinea: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
