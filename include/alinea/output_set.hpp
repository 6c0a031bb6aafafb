#pragma once
// The outputs of one run, all or nothing. Each output is written under a temporary
// name in its own folder (with its extension, so that the writers know the format)
// and commit() renames them all onto their names at the end. A run that ends without
// commit() (an error) removes them; so does SIGINT or SIGTERM at any moment, once
// remove_temporaries_on_signals() is installed: the process then exits with 130 or 143
// and leaves none of the run's outputs and no temporary file (write_atomically's
// temporary files included).
#include <string>
#include <utility>
#include <vector>

namespace alinea {

class OutputSet {
public:
    OutputSet() = default;
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;
    ~OutputSet();  // removes what was not committed

    // The name to write `path` to now; it becomes `path` at commit(). Throws
    // alinea::Error when the folder does not exist or `path` was staged already.
    std::string operator()(const std::string& path);
    // Renames every staged output onto its name (a signal waits until all are done).
    // Throws alinea::Error naming the output that could not be renamed.
    void commit();

private:
    struct Staged {
        std::string temporary, path;
        int slot;
    };
    std::vector<Staged> staged_;
};

// Installs the SIGINT and SIGTERM handlers (once; later calls do nothing).
void remove_temporaries_on_signals();

// Throws alinea::Error when an output resolves (after symlinks) to an input ("" inputs
// are skipped): no run may overwrite what it reads.
void check_outputs_spare_inputs(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs);

// Throws alinea::Error when the folder of an output prefix ("out/s1_" -> "out") does
// not exist: runs never create folders, so a mistyped path fails before any work.
void check_output_prefix(const std::string& prefix);

// Writes text to path atomically; a write error throws alinea::Error naming path.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace alinea
