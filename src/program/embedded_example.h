// The example program (examples/k-ai-2025), compiled into the binary so that `kaif demo`
// runs from any directory without the source tree.
#pragma once

#include <string_view>
#include <vector>

namespace kaif::program {

struct EmbeddedFile {
  std::string_view path;  // relative to examples/k-ai-2025, e.g. "program.toml"
  std::string_view content;
};

const std::vector<EmbeddedFile>& EmbeddedExampleFiles();

}  // namespace kaif::program
