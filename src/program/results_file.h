// Reads results documents (JSON, schema "kaif.results/1") from files, a directory or the
// embedded example. Checks the document's own structure; checks against the program
// (known team, known benchmark, score in range) happen in the decision engine.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "program/results.h"
#include "util/status.h"

namespace kaif::program {

// Parses one document; `source` names it in messages and in the decision's input list.
Result<ResultsDocument> ParseResultsDocument(std::string_view text, const std::string& source);

// One what-if change to a results document: "<file name>:<JSON pointer>=<JSON value>",
// e.g. "hanbit.arena.json:/arena/rating=1100".
struct ResultsOverride {
  std::string file;
  std::string pointer;
  std::string value;
};

// Reads every *.json file directly in `dir` (sorted by name, so the order never depends
// on the file system), applying what-if overrides to the raw documents before parsing so
// a what-if goes through the same checks as a real round. Fails on the first bad file.
Result<ResultsSet> LoadResultsDirectory(const std::filesystem::path& dir,
                                        const std::vector<ResultsOverride>& overrides = {});

}  // namespace kaif::program
