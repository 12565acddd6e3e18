#include "arena/store.h"

#include <sqlite3.h>

#include <chrono>

#include "util/sqlite_statement.h"

namespace kaif::arena {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kModelA: return "model_a";
    case Outcome::kModelB: return "model_b";
    case Outcome::kTie: return "tie";
    case Outcome::kBothBad: return "tie (bothbad)";
  }
  return "tie";
}

std::string Text(sqlite3_stmt* s, int column) {
  const unsigned char* t = sqlite3_column_text(s, column);
  return t ? reinterpret_cast<const char*>(t) : "";
}

Status StepError(sqlite3* db, const std::string& what) { return Status::IoError(what + ": " + sqlite3_errmsg(db)); }

}  // namespace

Result<std::unique_ptr<ArenaStore>> ArenaStore::Open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<ArenaStore> store(new ArenaStore(db));
  if (rc != SQLITE_OK) return Status::IoError(path.string() + ": cannot open the arena database: " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(db, 10000);
  // WAL with synchronous=NORMAL: a committed transaction is in the log before the commit
  // returns, so a killed process loses nothing it acknowledged (power loss may lose the
  // last few; synchronous=FULL would trade speed for that).
  const char* schema =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
      "CREATE TABLE IF NOT EXISTS models (name TEXT PRIMARY KEY, identity TEXT NOT NULL,"
      " registered_at INTEGER NOT NULL, withdrawn_at INTEGER);"
      "CREATE TABLE IF NOT EXISTS battles (id INTEGER PRIMARY KEY, model_a TEXT NOT NULL REFERENCES models(name),"
      " model_b TEXT NOT NULL REFERENCES models(name), mode TEXT NOT NULL CHECK (mode IN ('public', 'expert')),"
      " created_at INTEGER NOT NULL, answered_a INTEGER, answered_b INTEGER,"
      " tokens_a REAL, headers_a REAL, lists_a REAL, bold_a REAL, tokens_b REAL, headers_b REAL, lists_b REAL, bold_b REAL);"
      "CREATE TABLE IF NOT EXISTS votes (battle_id INTEGER PRIMARY KEY REFERENCES battles(id),"
      " winner TEXT NOT NULL CHECK (winner IN ('model_a', 'model_b', 'tie', 'tie (bothbad)')),"
      " voter TEXT NOT NULL, cast_at INTEGER NOT NULL)";
  Status s = store->Execute(schema, path.string());
  if (!s.ok()) return Status::Corruption(path.string() + ": not a usable arena database: " + s.message());
  return store;
}

ArenaStore::~ArenaStore() { sqlite3_close_v2(db_); }

Status ArenaStore::Execute(const char* sql, const std::string& what) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return Status::IoError(what + ": " + message);
  }
  return Status::Ok();
}

Status ArenaStore::RegisterModel(const std::string& name, const std::string& identity) {
  if (name.empty() || identity.empty()) return Status::InvalidInput("a model needs a name and an identity");
  SqliteStatement insert(db_, "INSERT INTO models (name, identity, registered_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING");
  insert.Bind(1, name), insert.Bind(2, identity), insert.Bind(3, static_cast<long>(NowMs()));
  if (!insert.ok() || sqlite3_step(insert.get()) != SQLITE_DONE) return StepError(db_, "registering " + name);
  SqliteStatement check(db_, "SELECT identity FROM models WHERE name = ?");
  check.Bind(1, name);
  if (!check.ok() || sqlite3_step(check.get()) != SQLITE_ROW) return StepError(db_, "registering " + name);
  if (Text(check.get(), 0) != identity) {
    return Status::InvalidInput(name + " is registered with another identity (" + Text(check.get(), 0) +
                                "): a model cannot be replaced under its name; register the new one under a new name");
  }
  return Status::Ok();
}

Status ArenaStore::WithdrawModel(const std::string& name) {
  SqliteStatement s(db_, "UPDATE models SET withdrawn_at = COALESCE(withdrawn_at, ?) WHERE name = ?");
  s.Bind(1, static_cast<long>(NowMs())), s.Bind(2, name);
  if (!s.ok() || sqlite3_step(s.get()) != SQLITE_DONE) return StepError(db_, "withdrawing " + name);
  if (sqlite3_changes(db_) == 0) return Status::InvalidInput("no registered model " + name);
  return Status::Ok();
}

Result<std::vector<RegisteredModel>> ArenaStore::Models() {
  SqliteStatement s(db_, "SELECT name, identity, registered_at, withdrawn_at FROM models ORDER BY registered_at, name");
  if (!s.ok()) return StepError(db_, "listing models");
  std::vector<RegisteredModel> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    RegisteredModel m{Text(s.get(), 0), Text(s.get(), 1), sqlite3_column_int64(s.get(), 2), std::nullopt};
    if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) m.withdrawn_at = sqlite3_column_int64(s.get(), 3);
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return StepError(db_, "listing models");
  return out;
}

Result<int64_t> ArenaStore::CreateBattle(const std::string& model_a, const std::string& model_b, const std::string& mode) {
  if (model_a == model_b) return Status::InvalidInput("a model cannot battle itself");
  if (mode != "public" && mode != "expert") return Status::InvalidInput("a battle is public or expert, not " + mode);
  for (const std::string& m : {model_a, model_b}) {
    SqliteStatement s(db_, "SELECT withdrawn_at FROM models WHERE name = ?");
    s.Bind(1, m);
    if (!s.ok()) return StepError(db_, "creating a battle");
    if (sqlite3_step(s.get()) != SQLITE_ROW) return Status::InvalidInput("no registered model " + m);
    if (sqlite3_column_type(s.get(), 0) != SQLITE_NULL) return Status::InvalidInput(m + " was withdrawn");
  }
  SqliteStatement insert(db_, "INSERT INTO battles (model_a, model_b, mode, created_at) VALUES (?, ?, ?, ?)");
  insert.Bind(1, model_a), insert.Bind(2, model_b), insert.Bind(3, mode), insert.Bind(4, static_cast<long>(NowMs()));
  if (!insert.ok() || sqlite3_step(insert.get()) != SQLITE_DONE) return StepError(db_, "creating a battle");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status ArenaStore::FinishAnswer(int64_t battle, int side, const AnswerStyle& style) {
  if (side != 0 && side != 1) return Status::InvalidInput("a battle has sides 0 and 1");
  const char* sql = side == 0
                        ? "UPDATE battles SET answered_a = ?, tokens_a = ?, headers_a = ?, lists_a = ?, bold_a = ? WHERE id = ?"
                        : "UPDATE battles SET answered_b = ?, tokens_b = ?, headers_b = ?, lists_b = ?, bold_b = ? WHERE id = ?";
  SqliteStatement s(db_, sql);
  s.Bind(1, static_cast<long>(NowMs())), s.Bind(2, style.tokens), s.Bind(3, style.headers), s.Bind(4, style.lists);
  s.Bind(5, style.bold), s.Bind(6, static_cast<long>(battle));
  if (!s.ok() || sqlite3_step(s.get()) != SQLITE_DONE) return StepError(db_, "recording an answer");
  if (sqlite3_changes(db_) == 0) return Status::InvalidInput("no battle " + std::to_string(battle));
  return Status::Ok();
}

Status ArenaStore::RecordVote(int64_t battle, Outcome outcome, const std::string& voter) {
  // One statement: the vote goes in only if the battle exists, both answers finished and
  // no vote is there yet, so concurrent voters cannot both win.
  SqliteStatement s(db_,
                    "INSERT INTO votes (battle_id, winner, voter, cast_at) SELECT id, ?, ?, ? FROM battles"
                    " WHERE id = ? AND answered_a IS NOT NULL AND answered_b IS NOT NULL ON CONFLICT (battle_id) DO NOTHING");
  s.Bind(1, OutcomeName(outcome)), s.Bind(2, voter), s.Bind(3, static_cast<long>(NowMs()));
  s.Bind(4, static_cast<long>(battle));
  if (!s.ok() || sqlite3_step(s.get()) != SQLITE_DONE) return StepError(db_, "recording a vote");
  if (sqlite3_changes(db_) == 1) return Status::Ok();
  SqliteStatement why(db_,
                      "SELECT answered_a IS NOT NULL AND answered_b IS NOT NULL, "
                      "(SELECT COUNT(*) FROM votes WHERE battle_id = battles.id) FROM battles WHERE id = ?");
  why.Bind(1, static_cast<long>(battle));
  if (!why.ok() || sqlite3_step(why.get()) != SQLITE_ROW) return Status::InvalidInput("no battle " + std::to_string(battle));
  if (sqlite3_column_int(why.get(), 1) > 0) return Status::InvalidInput("battle " + std::to_string(battle) + " already has its vote");
  return Status::InvalidInput("battle " + std::to_string(battle) + ": a vote before both answers finished is not counted");
}

Result<std::vector<Battle>> ArenaStore::VotedBattles(const std::string& mode) {
  SqliteStatement s(db_,
                    "SELECT b.model_a, b.model_b, v.winner, b.tokens_a, b.headers_a, b.lists_a, b.bold_a,"
                    " b.tokens_b, b.headers_b, b.lists_b, b.bold_b FROM votes v JOIN battles b ON b.id = v.battle_id"
                    " WHERE b.mode = ? ORDER BY v.cast_at, v.battle_id");
  s.Bind(1, mode);
  if (!s.ok()) return StepError(db_, "reading votes");
  std::vector<Battle> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    Battle b;
    b.model_a = Text(s.get(), 0), b.model_b = Text(s.get(), 1);
    b.outcome = ParseOutcome(Text(s.get(), 2)).value_or(Outcome::kTie);
    std::array<AnswerStyle, 2> style;
    for (int side = 0; side < 2; ++side) {
      const int c = 3 + 4 * side;
      style[side] = {sqlite3_column_double(s.get(), c), sqlite3_column_double(s.get(), c + 1),
                     sqlite3_column_double(s.get(), c + 2), sqlite3_column_double(s.get(), c + 3)};
    }
    b.style = style;
    out.push_back(std::move(b));
  }
  if (rc != SQLITE_DONE) return StepError(db_, "reading votes");
  return out;
}

}  // namespace kaif::arena
