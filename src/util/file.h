// Whole-file reads and atomic writes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kaif {

// Reads a whole file. NotFound if it does not exist, IoError if it cannot be read.
Result<std::string> ReadFile(const std::filesystem::path& path);

// Writes `data` to `path` through a temporary file and a rename, so a reader never sees a
// half-written file and a crash leaves the old content in place.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data);

}  // namespace kaif
