#include "tokenizer/pre_tokenizer.h"

namespace kaif::tokenizer {
namespace {

// GPT-2's pattern, used by a ByteLevel pre-tokenizer with use_regex = true.
constexpr char kGpt2Pattern[] = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

}  // namespace

Status PreTokenizer::Add(const nlohmann::json& c, std::vector<Step>& steps) {
  if (c.is_null()) return Status::Ok();
  std::string type = c.value("type", "");
  if (type == "Sequence") {
    for (const auto& p : c.value("pretokenizers", nlohmann::json::array())) KAIF_RETURN_IF_ERROR(Add(p, steps));
    return Status::Ok();
  }
  Step step;
  if (type == "ByteLevel") {
    step.byte_level = true;
    step.add_prefix_space = c.value("add_prefix_space", false);
    if (c.value("use_regex", true)) {
      KAIF_ASSIGN_OR_RETURN(Regex r, Regex::Compile(kGpt2Pattern));
      step.regex = std::move(r);
    }
  } else if (type == "Split") {
    const auto& pattern = c.at("pattern");
    if (pattern.contains("Regex")) {
      KAIF_ASSIGN_OR_RETURN(Regex r, Regex::Compile(pattern["Regex"].get<std::string>()));
      step.regex = std::move(r);
    } else {
      step.literal = pattern.at("String").get<std::string>();
      if (step.literal.empty()) return Status::InvalidInput("pre-tokenizer Split has an empty pattern");
    }
    std::string behavior = c.value("behavior", "Isolated");
    if (behavior == "Isolated") {
      step.behavior = Behavior::kIsolated;
    } else if (behavior == "Removed") {
      step.behavior = Behavior::kRemoved;
    } else if (behavior == "MergedWithPrevious") {
      step.behavior = Behavior::kMergedWithPrevious;
    } else if (behavior == "MergedWithNext") {
      step.behavior = Behavior::kMergedWithNext;
    } else {
      return Status::InvalidInput("pre-tokenizer Split behavior \"" + behavior + "\" is not supported");
    }
    step.invert = c.value("invert", false);
  } else {
    return Status::InvalidInput("pre-tokenizer \"" + type + "\" is not supported; kaif reads Split, ByteLevel and Sequence");
  }
  steps.push_back(std::move(step));
  return Status::Ok();
}

Result<PreTokenizer> PreTokenizer::FromJson(const nlohmann::json& config) {
  PreTokenizer p;
  try {
    KAIF_RETURN_IF_ERROR(Add(config, p.steps_));
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(std::string("pre_tokenizer: ") + e.what());
  }
  for (const Step& s : p.steps_) p.byte_level_ = p.byte_level_ || s.byte_level;
  return p;
}

void PreTokenizer::Apply(const Step& step, const std::string& piece, std::vector<std::string>& out) {
  // Matches as (begin, end) byte ranges.
  std::vector<std::pair<size_t, size_t>> matches;
  if (step.regex) {
    step.regex->FindAll(piece, [&](size_t b, size_t e) { matches.push_back({b, e}); });
  } else if (!step.literal.empty()) {
    for (size_t at = piece.find(step.literal); at != std::string::npos; at = piece.find(step.literal, at + step.literal.size())) {
      matches.push_back({at, at + step.literal.size()});
    }
  }
  // Alternate gaps and matches; `invert` swaps which of the two is the delimiter.
  struct Part {
    size_t begin, end;
    bool delimiter;
  };
  std::vector<Part> parts;
  size_t pos = 0;
  for (const auto& [b, e] : matches) {
    if (b > pos) parts.push_back({pos, b, step.invert});
    parts.push_back({b, e, !step.invert});
    pos = e;
  }
  if (pos < piece.size()) parts.push_back({pos, piece.size(), step.invert});
  std::string pending;  // for MergedWithNext
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string text = piece.substr(parts[i].begin, parts[i].end - parts[i].begin);
    if (!parts[i].delimiter) {
      out.push_back(pending + text);
      pending.clear();
      continue;
    }
    switch (step.behavior) {
      case Behavior::kRemoved: break;
      case Behavior::kIsolated: out.push_back(text); break;
      case Behavior::kMergedWithPrevious:
        if (!out.empty() && i > 0 && !parts[i - 1].delimiter) {
          out.back() += text;
        } else {
          out.push_back(text);
        }
        break;
      case Behavior::kMergedWithNext: pending += text; break;
    }
  }
  if (!pending.empty()) out.push_back(pending);
}

std::vector<std::string> PreTokenizer::Split(const std::string& text) const {
  std::vector<std::string> pieces = {text};
  for (const Step& step : steps_) {
    std::vector<std::string> next;
    for (std::string& piece : pieces) {
      if (step.byte_level) {
        if (step.add_prefix_space && !piece.empty() && piece[0] != ' ') piece = " " + piece;
        std::vector<std::string> split;
        if (step.regex) {
          Apply(step, piece, split);
        } else {
          split.push_back(piece);
        }
        for (const std::string& s : split) {
          std::string mapped;
          for (unsigned char b : s) mapped += alphabet_.Encode(b);
          next.push_back(std::move(mapped));
        }
      } else {
        Apply(step, piece, next);
      }
    }
    pieces = std::move(next);
  }
  return pieces;
}

}  // namespace kaif::tokenizer
