#include "eval/dataset.h"

#include <fmt/format.h>

#include "util/file.h"

namespace kaif::eval {
namespace {

using nlohmann::json;

Result<std::vector<json>> ParseJsonLines(const std::string& text, const std::filesystem::path& file) {
  std::vector<json> docs;
  size_t line_no = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return Status::InvalidInput(fmt::format("{}: line {}: not a JSON object", file.string(), line_no));
    }
    docs.push_back(std::move(doc));
  }
  return docs;
}

json CsvCell(const std::string& cell) {
  if (!cell.empty() && cell.find_first_not_of("+-0123456789.eE") == std::string::npos) {
    try {
      size_t used = 0;
      long long i = std::stoll(cell, &used);
      if (used == cell.size()) return i;
      double d = std::stod(cell, &used);
      if (used == cell.size()) return d;
    } catch (const std::exception&) {
    }
  }
  return cell;
}

// RFC 4180: comma-separated, double quotes around cells holding commas, quotes (doubled)
// or line breaks.
Result<std::vector<json>> ParseCsv(const std::string& text, const std::filesystem::path& file) {
  std::vector<std::vector<std::string>> rows(1);
  std::vector<size_t> row_lines = {1};
  std::string cell;
  bool quoted = false, cell_started = false;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && !cell_started) {
      quoted = cell_started = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(cell));
      cell.clear();
      cell_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      rows.back().push_back(std::move(cell));
      cell.clear();
      cell_started = false;
      rows.emplace_back();
      row_lines.push_back(line);
    } else {
      cell += c;
      cell_started = true;
    }
  }
  if (quoted) return Status::InvalidInput(file.string() + ": a quoted cell is not closed");
  if (cell_started || !rows.back().empty()) rows.back().push_back(std::move(cell));
  while (!rows.empty() && (rows.back().empty() || (rows.back().size() == 1 && rows.back()[0].empty()))) {
    rows.pop_back();
  }
  if (rows.empty()) return std::vector<json>();
  const std::vector<std::string>& header = rows[0];
  std::vector<json> docs;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != header.size()) {
      return Status::InvalidInput(fmt::format("{}: line {}: {} cells; the header has {}", file.string(), row_lines[r],
                                              rows[r].size(), header.size()));
    }
    json doc = json::object();
    for (size_t c = 0; c < header.size(); ++c) doc[header[c]] = CsvCell(rows[r][c]);
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace

Result<std::vector<json>> LoadDocuments(const std::filesystem::path& file) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  const std::string ext = file.extension().string();
  if (ext == ".jsonl") return ParseJsonLines(text, file);
  if (ext == ".csv") return ParseCsv(text, file);
  if (ext == ".json") {
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Status::InvalidInput(file.string() + ": not valid JSON");
    if (!doc.is_array()) return Status::InvalidInput(file.string() + ": a .json split is an array of documents");
    std::vector<json> docs;
    for (size_t i = 0; i < doc.size(); ++i) {
      if (!doc[i].is_object()) return Status::InvalidInput(fmt::format("{}: item {} is not an object", file.string(), i));
      docs.push_back(std::move(doc[i]));
    }
    return docs;
  }
  return Status::InvalidInput(file.string() + ": kaif reads .jsonl, .json and .csv documents");
}

Result<std::vector<json>> LoadSplit(const std::filesystem::path& data_dir, const std::string& dataset_path,
                                    const std::string& dataset_name, const std::string& split) {
  std::vector<std::filesystem::path> tried;
  std::filesystem::path base = data_dir / dataset_path;
  for (const std::filesystem::path& dir : {dataset_name.empty() ? base : base / dataset_name, base / "default"}) {
    for (const char* ext : {".jsonl", ".json", ".csv"}) {
      std::filesystem::path file = dir / (split + ext);
      if (std::filesystem::exists(file)) return LoadDocuments(file);
      tried.push_back(file);
    }
    if (dataset_name.empty()) break;
  }
  std::string list;
  for (const auto& t : tried) list += "\n  " + t.string();
  return Status::NotFound(fmt::format("no documents for {}{} split {}; looked for:{}", dataset_path,
                                      dataset_name.empty() ? "" : "/" + dataset_name, split, list));
}

}  // namespace kaif::eval
