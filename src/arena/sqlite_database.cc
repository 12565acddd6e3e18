// SqlDatabase on a SQLite file: WAL, synchronous=NORMAL, foreign keys on, a 10 s busy
// timeout for the other processes that may share the file.
//
// Threads: a few connections (kConnections), each used by one thread at a time (so
// SQLITE_OPEN_NOMUTEX: SQLite's own per-connection mutex would guard nothing more). In
// WAL, readers on their own connections never wait for a writer, so a long read (the
// leaderboard's scan of every vote) does not hold up votes. Writers are serialized
// within the process by `write_mu_` rather than left to SQLite's busy handler, which
// sleeps in steps of milliseconds when two connections of one process want the write
// lock; between processes the busy timeout still does that job.
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <unordered_map>

#include "arena/sql_database.h"

namespace kaif::arena {
namespace {

constexpr size_t kConnections = 4;
constexpr int kBusyTimeoutMs = 10000;

Status SqliteError(sqlite3* db, int rc, const std::string& what) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return Status::InvalidInput(std::move(message));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Corruption(std::move(message));
    default:
      return Status::IoError(std::move(message));
  }
}

// One connection and the statements it prepared: each SQL text is prepared once per
// connection and reused (the seeding of 200k battles and the vote path run the same few
// statements over and over).
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    std::unique_ptr<Connection> c(new Connection(path, db));
    if (rc != SQLITE_OK) return SqliteError(db, rc, path + ": cannot open the database");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    // WAL with synchronous=NORMAL: a commit is in the log (written, not yet fsynced) before
    // it returns, so a killed process loses nothing it acknowledged; a power cut may lose
    // the last commits, which synchronous=FULL would trade throughput for.
    // Switching a new file to WAL needs the file to itself, and SQLite answers "database
    // is locked" at once, without its busy handler, when another connection (several
    // servers starting together) holds it: that wait is done here.
    Result<SqlResult> wal = c->Execute("PRAGMA journal_mode=WAL", {}, nullptr);
    for (int waited_ms = 0; !wal.ok() && (sqlite3_errcode(db) & 0xff) == SQLITE_BUSY && waited_ms < kBusyTimeoutMs;
         waited_ms += 5) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      wal = c->Execute("PRAGMA journal_mode=WAL", {}, nullptr);
    }
    if (!wal.ok()) return wal.status();
    for (const char* pragma : {"PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
      Result<SqlResult> r = c->Execute(pragma, {}, nullptr);
      if (!r.ok()) return r.status();
    }
    return c;
  }

  ~Connection() {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  // Runs one statement; holds `write_mu` (when given) while a statement that writes runs.
  Result<SqlResult> Execute(std::string_view sql, const std::vector<SqlValue>& params, std::mutex* write_mu) {
    KAIF_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(sql));
    // Reset and unbound whatever happens, so the cached statement holds no lock or value.
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() { sqlite3_reset(s), sqlite3_clear_bindings(s); }
    } reset{statement};
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(statement)) {
      return Status::Internal(path_ + ": " + std::to_string(params.size()) + " parameters for " +
                              std::to_string(sqlite3_bind_parameter_count(statement)) + " in " + std::string(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const SqlValue::Variant& v = params[i].value();
      int rc = SQLITE_OK;
      if (const auto* text = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(statement, index, text->data(), text->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else if (const auto* number = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(statement, index, *number);
      } else if (const auto* real = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(statement, index, *real);
      } else {
        rc = sqlite3_bind_null(statement, index);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, path_);
    }
    const bool writes = !sqlite3_stmt_readonly(statement);
    std::unique_lock<std::mutex> write_lock;
    if (write_mu && writes) write_lock = std::unique_lock<std::mutex>(*write_mu);
    SqlResult result;
    const int columns = sqlite3_column_count(statement);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      std::vector<SqlValue::Variant> cells(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(statement, c)) {
          case SQLITE_INTEGER: cells[c] = static_cast<int64_t>(sqlite3_column_int64(statement, c)); break;
          case SQLITE_FLOAT: cells[c] = sqlite3_column_double(statement, c); break;
          case SQLITE_NULL: break;
          default: {  // text or blob: the bytes as they are
            const void* bytes = sqlite3_column_blob(statement, c);
            const int size = sqlite3_column_bytes(statement, c);
            cells[c] = bytes ? std::string(static_cast<const char*>(bytes), size) : std::string();
          }
        }
      }
      result.rows.emplace_back(std::move(cells));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, path_);
    if (writes) result.changes = sqlite3_changes64(db_);
    return result;
  }

 private:
  Connection(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &statement, &tail);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, path_);
    if (!statement) return Status::Internal(path_ + ": an empty statement");
    if (tail && std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(statement);
      return Status::Internal(path_ + ": one statement at a time: " + std::string(sql));
    }
    statements_.emplace(std::string(sql), statement);
    return statement;
  }

  std::string path_;
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// A transaction's statements, all on its connection.
class TransactionExecutor final : public SqlExecutor {
 public:
  explicit TransactionExecutor(Connection& c) : c_(c) {}
  Result<SqlResult> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    return c_.Execute(sql, params, nullptr);  // the transaction holds the write lock if it writes
  }

 private:
  Connection& c_;
};

class SqliteDatabase final : public SqlDatabase {
 public:
  SqliteDatabase(std::string path, size_t connections, std::unique_ptr<Connection> first)
      : path_(std::move(path)), slots_(connections), connections_(connections) {
    connections_[0] = std::move(first);
  }

  std::string_view dialect() const override { return "sqlite"; }

  Result<SqlResult> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    SqlConnectionSlots::Lease lease(slots_);
    KAIF_ASSIGN_OR_RETURN(Connection * c, ConnectionAt(lease.index()));
    return c->Execute(sql, params, &write_mu_);
  }

  Status Transaction(Access access, const std::function<Status(SqlExecutor&)>& body) override {
    SqlConnectionSlots::Lease lease(slots_);
    KAIF_ASSIGN_OR_RETURN(Connection * c, ConnectionAt(lease.index()));
    std::unique_lock<std::mutex> write_lock(write_mu_, std::defer_lock);
    if (access == Access::kWrite) write_lock.lock();
    // Rolled back on every way out that did not commit (an error, an exception).
    struct Rollback {
      Connection* c;
      ~Rollback() {
        if (c->in_transaction()) (void)c->Execute("ROLLBACK", {}, nullptr);
      }
    } rollback{c};
    // IMMEDIATE: the write lock now, not at the first write, so a transaction that read
    // first never fails to upgrade its lock (which the busy timeout cannot wait out).
    KAIF_RETURN_IF_ERROR(c->Execute(access == Access::kWrite ? "BEGIN IMMEDIATE" : "BEGIN", {}, nullptr).status());
    TransactionExecutor executor(*c);
    KAIF_RETURN_IF_ERROR(body(executor));
    return c->Execute("COMMIT", {}, nullptr).status();
  }

 private:
  // Slot i's connection, opened on its first use; only the slot's holder touches it.
  Result<Connection*> ConnectionAt(size_t i) {
    if (!connections_[i]) {
      KAIF_ASSIGN_OR_RETURN(connections_[i], Connection::Open(path_));
    }
    return connections_[i].get();
  }

  const std::string path_;
  SqlConnectionSlots slots_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::mutex write_mu_;  // held by whoever writes, for the statement or the transaction
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& path) {
  // Opened now, so that a bad path or a file that is not a database is said at once.
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> first, Connection::Open(path));
  // Every connection to ":memory:" would be a database of its own: one connection there.
  const size_t connections = path == ":memory:" || path.empty() ? 1 : kConnections;
  return std::unique_ptr<SqlDatabase>(new SqliteDatabase(path, connections, std::move(first)));
}

}  // namespace kaif::arena
