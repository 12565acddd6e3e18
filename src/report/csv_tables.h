// The decision as CSV tables (RFC 4180, UTF-8), for spreadsheets: scores.csv,
// frontier.csv, allocation.csv, gates.csv, certification.csv.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "program/decision.h"

namespace kaif::report {

// (file name, content) pairs, in a fixed order.
std::vector<std::pair<std::string, std::string>> RenderCsvTables(const program::StageDecision& decision);

// One CSV field: quoted when it holds a comma, quote, or line break.
std::string CsvField(const std::string& text);

}  // namespace kaif::report
