// The HTML report of `kaif verify`: the verdict and why, then for each reference the
// evidence table (every test, its statistic and log10 p) and a heatmap of the MLP test's
// log10 p-values, candidate layer against reference layer (a dark diagonal: derived layer
// by layer; a dark off-diagonal band: shifted, duplicated or dropped layers). Self-contained,
// no script.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kaif::report {

// `report` is verify.json's content.
std::string RenderVerifyHtml(const nlohmann::json& report);

}  // namespace kaif::report
