#pragma once
// The temporary files of this process that a signal must not leave behind: a fixed
// table that a signal handler can walk (async-signal-safe: atomics, unlink, _exit).
#include <string>

namespace alinea::io {

// A slot for the path (-1 when the table is full: the file is then not removed on a signal).
int register_temporary(const std::string& path);
void unregister_temporary(int slot);

// Renames in progress: a signal that arrives meanwhile waits for end_renames().
void begin_renames();
void end_renames();

}  // namespace alinea::io
