// The arena's records: registered models pinned to an identity, battles, and votes, in
// SQLite (WAL). What the vote-integrity rules need is enforced here, below any server:
// - a model name is bound to one identity (a weights hash, or endpoint + model + a
//   fingerprint of its answers) for good: registering the same name with another identity
//   is refused, so a model cannot be swapped under its name;
// - a withdrawn model takes no new battles, and its battles and votes stay in the data;
// - a battle takes one vote, and only after both answers finished streaming;
// - a vote that was acknowledged is committed: a killed process loses none (tested with
//   SIGKILL).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arena/battles.h"
#include "util/status.h"

struct sqlite3;

namespace kaif::arena {

struct RegisteredModel {
  std::string name, identity;
  int64_t registered_at = 0;                // milliseconds since the epoch
  std::optional<int64_t> withdrawn_at;
};

class ArenaStore {
 public:
  // Creates the schema if needed. IoError if the file cannot be opened; Corruption if it
  // is not an arena database.
  static Result<std::unique_ptr<ArenaStore>> Open(const std::filesystem::path& path);
  ~ArenaStore();
  ArenaStore(const ArenaStore&) = delete;
  ArenaStore& operator=(const ArenaStore&) = delete;

  // Idempotent for the same identity; InvalidInput for another.
  Status RegisterModel(const std::string& name, const std::string& identity);
  Status WithdrawModel(const std::string& name);
  // Every model ever registered, withdrawn ones included (the public list).
  Result<std::vector<RegisteredModel>> Models();

  // A new battle between two registered, active models; its id. `mode`: "public" or "expert".
  Result<int64_t> CreateBattle(const std::string& model_a, const std::string& model_b, const std::string& mode);
  // One answer (side 0: model_a) finished streaming, with its style.
  Status FinishAnswer(int64_t battle, int side, const AnswerStyle& style);
  // InvalidInput: no such battle, an answer still streaming, or a vote already cast.
  Status RecordVote(int64_t battle, Outcome outcome, const std::string& voter);

  // The voted battles of one mode, oldest first, in the ratings' form (with style).
  Result<std::vector<Battle>> VotedBattles(const std::string& mode);

 private:
  explicit ArenaStore(sqlite3* db) : db_(db) {}
  Status Execute(const char* sql, const std::string& what);
  sqlite3* db_;
};

}  // namespace kaif::arena
