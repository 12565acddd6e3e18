// Reads a program file (TOML, schema "kaif.program/1") into a checked Program. Every
// error names the file, line and key and says what to change. See README.md for the format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "program/program.h"
#include "util/status.h"

namespace kaif::program {

// One what-if change to the program file: `path` is a dotted TOML path
// ("axes.expert_review.weight", "stages[1].survivors"), `value` a TOML value ("30", "\"closed\"").
struct ProgramOverride {
  std::string path;
  std::string value;
};

// Parses and validates `text`; `file` names it in messages. Overrides are applied to the
// parsed document before validation, so a what-if is checked like any program.
Result<Program> ParseProgram(std::string_view text, const std::string& file,
                             const std::vector<ProgramOverride>& overrides = {});

}  // namespace kaif::program
