// Finished log-likelihood and generation requests on disk (SQLite, WAL), keyed by the backend's identity
// and the request's token ids, so that a killed run resumes where it stopped: nothing
// committed is computed twice, nothing computed and committed is lost. Results are stored
// as the exact doubles the engine produced.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/status.h"

struct sqlite3;

namespace kaif {
class SqliteStatement;
}

namespace kaif::eval {

class ResultCache {
 public:
  // `backend` names what computes the results (model weights and tokenizer hashes, engine
  // kind); entries of other backends in the same file are never returned.
  static Result<std::unique_ptr<ResultCache>> Open(const std::filesystem::path& path, std::string backend);
  ~ResultCache();

  std::optional<engine::ScoreResult> Find(const engine::ScoreRequest& request) const;
  // Stores a batch in one transaction.
  Status Store(const std::vector<const engine::ScoreRequest*>& requests, const std::vector<engine::ScoreResult>& results);

  // Generations, keyed by the prompt ids and every setting that changes the output.
  std::optional<engine::GenerateResult> Find(const engine::GenerateRequest& request) const;
  Status Store(const std::vector<const engine::GenerateRequest*>& requests,
               const std::vector<engine::GenerateResult>& results);

 private:
  ResultCache() = default;
  std::string Key(const engine::ScoreRequest& request) const;
  std::string Key(const engine::GenerateRequest& request) const;
  // Runs `sql` once per row in one transaction, `bind` filling row i's values.
  Status InsertAll(const char* sql, size_t rows, const std::function<void(SqliteStatement&, size_t)>& bind);

  sqlite3* db_ = nullptr;
  std::string backend_;
  std::filesystem::path path_;
};

}  // namespace kaif::eval
