// What the arena store needs of a SQL database, so that its SQL is written once
// (store.cc) and runs on SQLite (a file) or PostgreSQL (a server several processes
// share). Statements take positional `?` parameters; rows come back as typed cells.
// Errors are kaif::Status: InvalidInput for a constraint or bad data the database
// refused, Corruption for a file that is not a database, IoError for everything else
// (an unreachable server, a locked or unwritable file), each with the database's message.
//
// A SqlDatabase is safe to use from many threads at once: each driver keeps a few
// connections and hands one to each statement or transaction.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/status.h"

namespace kaif::arena {

// A statement's parameter: NULL, text, a whole number or a real. The constructors name
// each C++ type, so an `int` is a whole number and never ambiguous.
class SqlValue {
 public:
  using Variant = std::variant<std::monostate, std::string, int64_t, double>;
  SqlValue() = default;  // NULL
  SqlValue(std::nullopt_t) {}                                       // NOLINT: implicit by design
  SqlValue(std::string text) : value_(std::move(text)) {}           // NOLINT
  SqlValue(std::string_view text) : value_(std::string(text)) {}    // NOLINT
  SqlValue(const char* text) : value_(std::string(text)) {}         // NOLINT
  SqlValue(int number) : value_(int64_t{number}) {}                 // NOLINT
  SqlValue(long number) : value_(int64_t{number}) {}                // NOLINT
  SqlValue(long long number) : value_(int64_t{number}) {}           // NOLINT
  SqlValue(double number) : value_(number) {}                       // NOLINT
  SqlValue(std::optional<int64_t> number) {                         // NOLINT
    if (number) value_ = *number;
  }
  const Variant& value() const { return value_; }
  bool null() const { return std::holds_alternative<std::monostate>(value_); }

 private:
  Variant value_;
};

// One row of a result. A cell reads as the type asked for: numbers convert between
// whole and real, and to text; text that is not a number reads as nullopt for a number,
// as does NULL.
class SqlRow {
 public:
  explicit SqlRow(std::vector<SqlValue::Variant> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool Null(size_t column) const;
  std::optional<std::string> Text(size_t column) const;
  std::optional<int64_t> Int(size_t column) const;
  std::optional<double> Real(size_t column) const;

 private:
  std::vector<SqlValue::Variant> cells_;
};

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t changes = 0;  // rows an INSERT, UPDATE or DELETE wrote
};

// Where statements run: the database (each statement a transaction of its own) or the
// connection of one transaction.
class SqlExecutor {
 public:
  virtual ~SqlExecutor() = default;
  // One statement (no trailing `;` needed), its `?` bound in order to `params`.
  virtual Result<SqlResult> Execute(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
};

class SqlDatabase : public SqlExecutor {
 public:
  enum class Access { kRead, kWrite };
  // "sqlite" or "postgresql": what the few dialect-specific statements (DDL) look at.
  virtual std::string_view dialect() const = 0;
  // Runs `body` on one connection between BEGIN and COMMIT; rolls back when `body`
  // returns an error (which is returned) or the commit fails. kRead: one consistent
  // snapshot for several reads; kWrite: may write (SQLite takes the write lock up front,
  // so two writers never deadlock upgrading their locks). `body` must run its statements
  // on the executor it is given, never on this database (that would take another
  // connection, outside the transaction), and must not start another transaction.
  virtual Status Transaction(Access access, const std::function<Status(SqlExecutor&)>& body) = 0;
};

// "postgresql://..." or "postgres://..." connects to PostgreSQL; anything else is a
// SQLite file path (created if missing).
Result<std::unique_ptr<SqlDatabase>> OpenSqlDatabase(const std::string& location);

// The drivers, for OpenSqlDatabase (sqlite_database.cc, postgres_database.cc).
Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& path);
Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& url);

// `?` placeholders numbered as PostgreSQL writes them ($1, $2, ...); a `?` inside a
// quoted string, a quoted identifier or a comment stays as it is. (Backslash-escaped
// E'...' strings, dollar quoting and `?` operators are not recognized: the store's SQL
// has none, and values always travel as parameters.)
std::string NumberPlaceholders(std::string_view sql);

// For the drivers: which of `size` connections is free. A statement or transaction
// holds one (a Lease) while it runs; more callers than connections wait their turn.
class SqlConnectionSlots {
 public:
  explicit SqlConnectionSlots(size_t size);
  size_t size() const { return size_; }

  class Lease {
   public:
    explicit Lease(SqlConnectionSlots& slots) : slots_(slots), index_(slots.Acquire()) {}
    ~Lease() { slots_.Release(index_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    size_t index() const { return index_; }

   private:
    SqlConnectionSlots& slots_;
    size_t index_;
  };

 private:
  size_t Acquire();
  void Release(size_t index);

  const size_t size_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<size_t> free_;  // GUARDED_BY(mu_); the most recently used last, so warm ones go first
};

}  // namespace kaif::arena
