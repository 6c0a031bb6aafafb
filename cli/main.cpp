// alinea: image registration and what people register images for.
#include "commands.hpp"

#include "alinea/error.hpp"
#include "alinea/itk_image_io.hpp"
#include "alinea/mpi_job.hpp"
#include "alinea/output_set.hpp"
#include "alinea/registration_observer.hpp"

#include <algorithm>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// neighbours ("regsiter" is one swap from "register").
std::size_t typing_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// "unknown command 'regsiter'; did you mean 'register'? (commands: ...)", or "" for a known one.
std::string unknown_command(const CLI::App& app, const std::string& word) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), word) != names.end()) return "";
    std::string message = "unknown command '" + word + "'";
    const auto closest = std::min_element(names.begin(), names.end(), [&](const std::string& x, const std::string& y) {
        return typing_distance(word, x) < typing_distance(word, y);
    });
    if (closest != names.end() && typing_distance(word, *closest) <= std::max<std::size_t>(2, word.size() / 3))
        message += "; did you mean '" + *closest + "'?";
    return message + " (commands: " +
           std::accumulate(std::next(names.begin()), names.end(), names.front(),
                           [](const std::string& all, const std::string& n) { return all + ", " + n; }) +
           ")";
}

}  // namespace

int main(int argc, char** argv) {
    // Ctrl-C and SIGTERM: remove every temporary output and exit with 130 / 143.
    alinea::remove_temporaries_on_signals();
    CLI::App app{"Alinea: image registration (2-D and 3-D; NIfTI, PNG, and through ITK MetaImage, NRRD and DICOM)",
                 "alinea"};
    app.set_version_flag("--version", std::string("alinea ") + ALINEA_VERSION +
                                          (alinea::built_with_mpi() ? " (with MPI, " : " (without MPI, ") +
                                          (alinea::itk_image_io_available() ? "with ITK)" : "without ITK)"));
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
    alinea::cli::add_points_command(app);
    alinea::cli::add_resample_command(app);
    alinea::cli::add_convert_command(app);
    if (argc > 1 && argv[1][0] != '-')
        if (const std::string problem = unknown_command(app, argv[1]); !problem.empty()) {
            std::cerr << "alinea: error: " << problem << "\n";
            return 2;
        }
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
