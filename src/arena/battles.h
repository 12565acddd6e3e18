// Arena battles as the ratings read them: two models, the outcome, and optionally the
// style of the two answers (length and markdown counts) for style-controlled ratings.
// Read from JSON lines or a JSON array in FastChat's battle export format, so that
// published arena data and kaif's own exports rate the same way:
//   {"model_a": "...", "model_b": "...", "winner": "model_a" | "model_b" | "tie" | "tie (bothbad)",
//    "conv_metadata": {"sum_assistant_a_tokens": 310, "header_count_a": {"h1": 0, "h2": 2}, ...}}
// A kaif arena export (an object with "format": "kaif.arena-export/1") reads as the
// battles its public leaderboard counted ("battles"), or its expert leaderboard's
// ("expert_battles"), so a leaderboard can be recomputed from the file alone.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace kaif::arena {

enum class Outcome { kModelA, kModelB, kTie, kBothBad };

// One answer's style: the covariates of style control.
struct AnswerStyle {
  double tokens = 0, headers = 0, lists = 0, bold = 0;
};

struct Battle {
  std::string model_a, model_b;
  Outcome outcome = Outcome::kTie;
  std::optional<std::array<AnswerStyle, 2>> style;  // answers of model_a, model_b
};

inline constexpr const char* kArenaExportFormat = "kaif.arena-export/1";

// "model_a", "model_b", "tie", "tie (bothbad)": the winner as FastChat writes it.
const char* OutcomeName(Outcome outcome);

// "model_a", "model_b", "tie", "tie (bothbad)" (also "both_bad"); nullopt otherwise.
std::optional<Outcome> ParseOutcome(const std::string& winner);

// InvalidInput naming the line (or element) of the first malformed battle.
// `pool`: which of an export's leaderboards, "public" or "expert" (other files have one).
Result<std::vector<Battle>> ParseBattles(const std::string& text, const std::string& source,
                                         const std::string& pool = "public");
Result<std::vector<Battle>> ReadBattles(const std::filesystem::path& path, const std::string& pool = "public");

// The teams of the models an export lists (model -> team; models without one left out);
// empty for any other file.
std::map<std::string, std::string> ExportTeams(const std::string& text);

}  // namespace kaif::arena
