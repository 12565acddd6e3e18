#include "tokenizer/hf_tokenizer.h"

#include <nlohmann/json.hpp>

#include "tokenizer/utf8.h"

namespace kaif::tokenizer {
namespace {

using nlohmann::json;

// TemplateProcessing "single": special tokens before and after sequence A.
Status ReadPostProcessor(const json& p, std::vector<int>& prefix, std::vector<int>& suffix) {
  if (p.is_null()) return Status::Ok();
  std::string type = p.value("type", "");
  if (type == "Sequence") {
    for (const json& step : p.value("processors", json::array())) KAIF_RETURN_IF_ERROR(ReadPostProcessor(step, prefix, suffix));
    return Status::Ok();
  }
  if (type == "ByteLevel") return Status::Ok();  // offsets only
  if (type != "TemplateProcessing") {
    return Status::InvalidInput("post_processor \"" + type + "\" is not supported; kaif reads TemplateProcessing and ByteLevel");
  }
  bool after = false;
  for (const json& piece : p.at("single")) {
    if (piece.contains("Sequence")) {
      after = true;
      continue;
    }
    const std::string& name = piece.at("SpecialToken").at("id").get_ref<const std::string&>();
    const json& ids = p.at("special_tokens").at(name).at("ids");
    for (const json& id : ids) (after ? suffix : prefix).push_back(id.get<int>());
  }
  return Status::Ok();
}

}  // namespace

HfTokenizer::HfTokenizer(BpeModel model, Normalizer normalizer, PreTokenizer pre_tokenizer, std::vector<AddedToken> added)
    : model_(std::move(model)),
      normalizer_(std::move(normalizer)),
      pre_tokenizer_(std::move(pre_tokenizer)),
      added_(std::move(added)),
      raw_tokens_(added_, false),
      normalized_tokens_(added_, true) {
  for (size_t i = 0; i < added_.size(); ++i) added_by_id_[added_[i].id] = i;
}

Result<std::unique_ptr<HfTokenizer>> HfTokenizer::Parse(std::string_view json_text, const std::string& source) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& e) {
    return Status::InvalidInput(source + ": not JSON: " + e.what());
  }
  if (!root.is_object() || !root.contains("model")) return Status::InvalidInput(source + ": has no \"model\"");
  auto in_source = [&](const Status& s) { return s.WithContext(source); };
  Result<BpeModel> model = BpeModel::FromJson(root["model"]);
  if (!model.ok()) return in_source(model.status());
  Result<Normalizer> normalizer = Normalizer::FromJson(root.value("normalizer", json()));
  if (!normalizer.ok()) return in_source(normalizer.status());
  Result<PreTokenizer> pre = PreTokenizer::FromJson(root.value("pre_tokenizer", json()));
  if (!pre.ok()) return in_source(pre.status());
  Result<std::vector<AddedToken>> added = ParseAddedTokens(root.value("added_tokens", json()));
  if (!added.ok()) return in_source(added.status());
  for (const AddedToken& t : *added) {
    if (!model->Find(t.content)) model->AddToken(t.content, t.id);
  }
  auto tokenizer = std::unique_ptr<HfTokenizer>(
      new HfTokenizer(std::move(*model), std::move(*normalizer), std::move(*pre), std::move(*added)));
  try {
    KAIF_RETURN_IF_ERROR(in_source(
        ReadPostProcessor(root.value("post_processor", json()), tokenizer->prefix_ids_, tokenizer->suffix_ids_)));
    const json& decoder = root.value("decoder", json());
    std::vector<json> steps;
    if (decoder.is_object() && decoder.value("type", "") == "Sequence") {
      for (const json& d : decoder.at("decoders")) steps.push_back(d);
    } else if (!decoder.is_null()) {
      steps.push_back(decoder);
    }
    for (const json& d : steps) {
      std::string type = d.value("type", "");
      if (type == "ByteLevel") {
        tokenizer->decode_byte_level_ = true;
      } else if (type == "Replace") {
        tokenizer->decode_replace_from_ = d.at("pattern").at("String").get<std::string>();
        tokenizer->decode_replace_to_ = d.value("content", "");
      } else if (type == "Strip") {
        tokenizer->decode_strip_leading_ = d.value("start", 0);
      } else if (type != "ByteFallback" && type != "Fuse") {
        return Status::InvalidInput(source + ": decoder \"" + type + "\" is not supported");
      }
    }
  } catch (const json::exception& e) {
    return Status::InvalidInput(source + ": " + e.what());
  }
  return tokenizer;
}

void HfTokenizer::EncodeText(const std::string& text, std::vector<int>& out) const {
  std::string normalized = normalizer_.empty() ? text : normalizer_.Apply(text);
  std::vector<Segment> segments;
  if (normalized_tokens_.empty()) {
    segments.push_back({false, 0, std::move(normalized)});
  } else {
    segments = normalized_tokens_.Split(normalized);
  }
  for (const Segment& s : segments) {
    if (s.is_token) {
      out.push_back(s.id);
      continue;
    }
    for (const std::string& piece : pre_tokenizer_.Split(s.text)) model_.Encode(piece, out);
  }
}

Result<std::vector<int>> HfTokenizer::Encode(std::string_view text, bool add_special_tokens) const {
  if (!IsValidUtf8(text)) return Status::InvalidInput("the text to tokenize is not valid UTF-8");
  std::vector<int> ids;
  if (add_special_tokens) ids = prefix_ids_;
  for (const Segment& s : raw_tokens_.Split(text)) {
    if (s.is_token) {
      ids.push_back(s.id);
    } else {
      EncodeText(s.text, ids);
    }
  }
  if (add_special_tokens) ids.insert(ids.end(), suffix_ids_.begin(), suffix_ids_.end());
  return ids;
}

std::string HfTokenizer::Decode(const std::vector<int>& ids, bool skip_special_tokens) const {
  std::string out;
  for (int id : ids) {
    const std::string& token = model_.TokenText(id);
    auto found = added_by_id_.find(id);
    const AddedToken* added = found == added_by_id_.end() ? nullptr : &added_[found->second];
    if (added) {
      if (!(skip_special_tokens && added->special)) out += added->content;
      continue;
    }
    if (decode_byte_level_) {
      for (size_t i = 0; i < token.size();) {
        // Decode one character of the alphabet back to its byte.
        unsigned char lead = static_cast<unsigned char>(token[i]);
        int n = Utf8Length(lead);
        uint32_t cp = n == 1 ? lead : lead & (0xFF >> (n + 1));
        for (int k = 1; k < n && i + k < token.size(); ++k) cp = (cp << 6) | (token[i + k] & 0x3F);
        int byte = alphabet_.Decode(cp);
        if (byte >= 0) out += static_cast<char>(byte);
        i += n;
      }
      continue;
    }
    if (token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>') {
      out += static_cast<char>(std::stoi(token.substr(3, 2), nullptr, 16));
      continue;
    }
    out += token;
  }
  if (decode_byte_level_) out = ToValidUtf8(out);
  if (!decode_replace_from_.empty()) out = ReplaceAll(out, decode_replace_from_, decode_replace_to_);
  for (int i = 0; i < decode_strip_leading_ && !out.empty() && out[0] == ' '; ++i) out.erase(0, 1);
  return out;
}

}  // namespace kaif::tokenizer
