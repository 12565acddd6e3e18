#include "tokenizer/normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "tokenizer/utf8.h"

namespace kaif::tokenizer {
namespace {

std::string Normalize(const std::string& text, const icu::Normalizer2* (*instance)(UErrorCode&)) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = instance(status);
  if (U_FAILURE(status)) return text;
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(text);
  icu::UnicodeString out = normalizer->normalize(in, status);
  if (U_FAILURE(status)) return text;
  std::string result;
  out.toUTF8String(result);
  return result;
}

}  // namespace

Status Normalizer::Add(const nlohmann::json& c, std::vector<Step>& steps) {
  if (c.is_null()) return Status::Ok();
  std::string type = c.value("type", "");
  if (type == "Sequence") {
    for (const auto& n : c.value("normalizers", nlohmann::json::array())) KAIF_RETURN_IF_ERROR(Add(n, steps));
  } else if (type == "NFC") {
    steps.push_back({Kind::kNfc, "", ""});
  } else if (type == "NFD") {
    steps.push_back({Kind::kNfd, "", ""});
  } else if (type == "NFKC") {
    steps.push_back({Kind::kNfkc, "", ""});
  } else if (type == "NFKD") {
    steps.push_back({Kind::kNfkd, "", ""});
  } else if (type == "Lowercase") {
    steps.push_back({Kind::kLowercase, "", ""});
  } else if (type == "Prepend") {
    steps.push_back({Kind::kPrepend, "", c.value("prepend", "")});
  } else if (type == "Replace") {
    const auto& pattern = c.value("pattern", nlohmann::json::object());
    if (!pattern.contains("String")) {
      return Status::InvalidInput("normalizer Replace with a regex pattern is not supported; only String patterns");
    }
    steps.push_back({Kind::kReplace, pattern["String"].get<std::string>(), c.value("content", "")});
  } else {
    return Status::InvalidInput("normalizer \"" + type +
                                "\" is not supported; kaif reads NFC, NFD, NFKC, NFKD, Replace, Prepend, Lowercase "
                                "and Sequence");
  }
  return Status::Ok();
}

Result<Normalizer> Normalizer::FromJson(const nlohmann::json& config) {
  Normalizer n;
  try {
    KAIF_RETURN_IF_ERROR(Add(config, n.steps_));
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(std::string("normalizer: ") + e.what());
  }
  return n;
}

std::string Normalizer::Apply(std::string text) const {
  for (const Step& s : steps_) {
    switch (s.kind) {
      case Kind::kNfc: text = Normalize(text, &icu::Normalizer2::getNFCInstance); break;
      case Kind::kNfd: text = Normalize(text, &icu::Normalizer2::getNFDInstance); break;
      case Kind::kNfkc: text = Normalize(text, &icu::Normalizer2::getNFKCInstance); break;
      case Kind::kNfkd: text = Normalize(text, &icu::Normalizer2::getNFKDInstance); break;
      case Kind::kReplace: text = ReplaceAll(text, s.from, s.to); break;
      case Kind::kPrepend: if (!text.empty()) text = s.to + text; break;
      case Kind::kLowercase: {
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
        u.toLower();
        text.clear();
        u.toUTF8String(text);
        break;
      }
    }
  }
  return text;
}

}  // namespace kaif::tokenizer
