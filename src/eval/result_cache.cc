#include "eval/result_cache.h"

#include <sqlite3.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "util/sha256.h"
#include "util/sqlite_statement.h"

namespace kaif::eval {
namespace {

std::string Blob(const std::vector<double>& values) {
  std::string out(values.size() * sizeof(double), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

}  // namespace

Result<std::unique_ptr<ResultCache>> ResultCache::Open(const std::filesystem::path& path, std::string backend) {
  std::unique_ptr<ResultCache> cache(new ResultCache());
  cache->backend_ = std::move(backend);
  cache->path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &cache->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) return Status::IoError(path.string() + ": cannot open the result cache: " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(cache->db_, 10000);
  char* error = nullptr;
  const char* schema =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS loglikelihood (key TEXT PRIMARY KEY, logprob REAL NOT NULL, greedy INTEGER NOT NULL,"
      " truncated INTEGER NOT NULL, token_logprobs BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS generation (key TEXT PRIMARY KEY, result TEXT NOT NULL)";
  if (sqlite3_exec(cache->db_, schema, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return Status::Corruption(path.string() + ": is not a usable result cache: " + message);
  }
  return cache;
}

ResultCache::~ResultCache() { sqlite3_close_v2(db_); }

std::string ResultCache::Key(const engine::ScoreRequest& request) const {
  // The backend, then both id lists with their lengths, so no two requests share a key.
  Sha256 hash;
  hash.Update(backend_);
  auto add = [&](const std::vector<int>& ids) {
    uint64_t n = ids.size();
    hash.Update(std::string_view(reinterpret_cast<const char*>(&n), sizeof(n)));
    hash.Update(std::string_view(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(int)));
  };
  add(request.context);
  add(request.continuation);
  return hash.FinishHex();
}

std::optional<engine::ScoreResult> ResultCache::Find(const engine::ScoreRequest& request) const {
  SqliteStatement find(db_, "SELECT logprob, greedy, truncated, token_logprobs FROM loglikelihood WHERE key = ?");
  if (!find.ok()) return std::nullopt;
  std::string key = Key(request);
  find.Bind(1, key);
  if (sqlite3_step(find.get()) != SQLITE_ROW) return std::nullopt;
  engine::ScoreResult r;
  r.logprob = sqlite3_column_double(find.get(), 0);
  r.greedy = sqlite3_column_int(find.get(), 1) != 0;
  r.truncated_tokens = static_cast<size_t>(sqlite3_column_int64(find.get(), 2));
  const void* blob = sqlite3_column_blob(find.get(), 3);
  int bytes = sqlite3_column_bytes(find.get(), 3);
  r.token_logprobs.resize(static_cast<size_t>(bytes) / sizeof(double));
  if (bytes > 0) std::memcpy(r.token_logprobs.data(), blob, r.token_logprobs.size() * sizeof(double));
  return r;
}

Status ResultCache::InsertAll(const char* sql, size_t rows, const std::function<void(SqliteStatement&, size_t)>& bind) {
  auto fail = [&](const char* what) {
    std::string message = path_.string() + ": " + what + ": " + sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return Status::IoError(message);
  };
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("cannot write");
  {
    SqliteStatement insert(db_, sql);
    if (!insert.ok()) return fail("cannot write");
    for (size_t i = 0; i < rows; ++i) {
      sqlite3_reset(insert.get());
      bind(insert, i);
      if (sqlite3_step(insert.get()) != SQLITE_DONE) return fail("cannot write");
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("cannot commit");
  return Status::Ok();
}

Status ResultCache::Store(const std::vector<const engine::ScoreRequest*>& requests,
                          const std::vector<engine::ScoreResult>& results) {
  return InsertAll(
      "INSERT OR REPLACE INTO loglikelihood (key, logprob, greedy, truncated, token_logprobs) VALUES (?, ?, ?, ?, ?)",
      requests.size(), [&](SqliteStatement& insert, size_t i) {
        insert.Bind(1, Key(*requests[i]));
        insert.Bind(2, results[i].logprob);
        insert.Bind(3, results[i].greedy ? 1L : 0L);
        insert.Bind(4, static_cast<long>(results[i].truncated_tokens));
        insert.BindBlob(5, Blob(results[i].token_logprobs));
      });
}

std::string ResultCache::Key(const engine::GenerateRequest& r) const {
  const engine::SamplingOptions& s = r.sampling;
  nlohmann::json request = {{"prompt", r.prompt},         {"max_tokens", r.max_tokens},  {"stop_tokens", r.stop_tokens},
                            {"stop", r.stop_strings},      {"stop_at_eos", r.stop_at_eos}, {"temperature", s.temperature},
                            {"top_k", s.top_k},            {"top_p", s.top_p},             {"min_p", s.min_p},
                            {"repetition_penalty", s.repetition_penalty}, {"seed", s.seed}};
  return Sha256Hex(backend_ + "\ngenerate\n" + request.dump());
}

std::optional<engine::GenerateResult> ResultCache::Find(const engine::GenerateRequest& request) const {
  SqliteStatement find(db_, "SELECT result FROM generation WHERE key = ?");
  if (!find.ok()) return std::nullopt;
  std::string key = Key(request);
  find.Bind(1, key);
  if (sqlite3_step(find.get()) != SQLITE_ROW) return std::nullopt;
  const unsigned char* text = sqlite3_column_text(find.get(), 0);
  nlohmann::json j = nlohmann::json::parse(text ? reinterpret_cast<const char*>(text) : "", nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;  // an unreadable entry is computed again
  engine::GenerateResult r;
  r.tokens = j.value("tokens", std::vector<int>());
  r.text = j.value("text", "");
  r.finish_reason = j.value("finish_reason", "");
  r.truncated_tokens = j.value("truncated_tokens", size_t{0});
  return r;
}

Status ResultCache::Store(const std::vector<const engine::GenerateRequest*>& requests,
                          const std::vector<engine::GenerateResult>& results) {
  return InsertAll("INSERT OR REPLACE INTO generation (key, result) VALUES (?, ?)", requests.size(),
                   [&](SqliteStatement& insert, size_t i) {
                     const engine::GenerateResult& g = results[i];
                     insert.Bind(1, Key(*requests[i]));
                     insert.Bind(2, nlohmann::json{{"tokens", g.tokens}, {"text", g.text},
                                                   {"finish_reason", g.finish_reason},
                                                   {"truncated_tokens", g.truncated_tokens}}
                                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
                   });
}

}  // namespace kaif::eval
