// Benchmark documents from local files. Benchmark data cannot be downloaded by kaif; a
// data directory (--data-dir, or KAIF_DATA) holds each dataset laid out by its Hugging
// Face path and name:
//   DATA/<dataset_path>/<dataset_name>/<split>.jsonl   (or .json: an array; or .csv)
//   DATA/<dataset_path>/<split>.jsonl                   (datasets without a name)
// Parquet is not read (Debian has no Parquet library); export a split with
//   python3 -c "import pandas as p; p.read_parquet('test.parquet').to_json('test.jsonl',
//               orient='records', lines=True, force_ascii=False)"
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kaif::eval {

// The documents of one split, in file order. NotFound names the paths tried; a malformed
// line or row is InvalidInput naming the file and line.
Result<std::vector<nlohmann::json>> LoadSplit(const std::filesystem::path& data_dir, const std::string& dataset_path,
                                              const std::string& dataset_name, const std::string& split);

// Documents from one file (.jsonl, .json or .csv). CSV cells that are whole numbers or
// decimals become numbers, as datasets' CSV loader infers them; the rest are strings.
Result<std::vector<nlohmann::json>> LoadDocuments(const std::filesystem::path& file);

}  // namespace kaif::eval
