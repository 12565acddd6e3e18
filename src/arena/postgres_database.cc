// SqlDatabase on a PostgreSQL server (libpq), which several arena processes can share.
//
// Threads: a small pool of connections (kConnections), each used by one thread at a time
// (libpq connections are not to be shared between threads at once); a statement or a
// transaction holds one while it runs. Four keep a server's handful of threads busy
// without each process taking many of the server's connection slots.
//
// A connection found broken (the server restarted, a proxy dropped an idle connection) is
// reconnected once, and the statement that found it broken is tried again, but only when
// that statement opened its use of the connection (an autocommit statement or BEGIN): a
// broken connection in the middle of a transaction loses that transaction, which is then
// an error for the caller. The retried autocommit statement may, in principle, have been
// committed before the connection broke; the store's writes are written so that running
// one twice is refused (ON CONFLICT DO NOTHING, "IS NULL" guards) rather than doubled.
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <unordered_map>

#include "arena/sql_database.h"

namespace kaif::arena {
namespace {

constexpr size_t kConnections = 4;

// Type OIDs from PostgreSQL's catalog (pg_type.dat); they never change.
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kTextOid = 25, kOidOid = 26;
constexpr Oid kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

// The URL as messages show it: no password.
std::string Redacted(const std::string& url) {
  std::string out = url;
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = std::min(out.find_first_of("/?#", start), out.size());
    const size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const size_t value = p + 9;
    const size_t end = std::min(out.find('&', value), out.size());
    out.replace(value, end - value, "***");
  }
  return out;
}

// libpq's messages end in a newline and indent their second lines: one line.
std::string OneLine(const char* message) {
  std::string out;
  bool space = false;
  for (const char* p = message ? message : ""; *p; ++p) {
    if (*p == '\n' || *p == '\t' || *p == '\r') {
      space = !out.empty();
    } else {
      if (space && *p != ' ') out += ' ';
      space = false;
      out += *p;
    }
  }
  return out.empty() ? "unknown error" : out;
}

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& url, const std::string& shown) {
    // Ours first, so that the URL's own settings (after them) win.
    const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname", nullptr};
    const char* values[] = {"10", "kaif-arena", "UTF8", url.c_str(), nullptr};
    std::unique_ptr<Connection> c(new Connection(PQconnectdbParams(keywords, values, /*expand_dbname=*/1), shown));
    if (!c->conn_) return Status::ResourceExhausted(shown + ": out of memory connecting to PostgreSQL");
    if (PQstatus(c->conn_) != CONNECTION_OK) {
      return Status::IoError(shown + ": cannot connect to PostgreSQL: " + OneLine(PQerrorMessage(c->conn_)));
    }
    // Notices ("relation already exists, skipping") are for people at psql, not a server log.
    PQsetNoticeProcessor(c->conn_, [](void*, const char*) {}, nullptr);
    return c;
  }
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool broken() const { return PQstatus(conn_) == CONNECTION_BAD; }
  bool in_transaction() const {
    const PGTransactionStatusType t = PQtransactionStatus(conn_);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
  }
  Status Reconnect() {
    prepared_.clear();  // a new session has none
    PQreset(conn_);
    if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
    return Status::IoError(shown_ + ": cannot reconnect to PostgreSQL: " + OneLine(PQerrorMessage(conn_)));
  }

  // One statement; `command` (if given) receives its command tag ("COMMIT", "ROLLBACK", ...).
  Result<SqlResult> Execute(std::string_view sql, const std::vector<SqlValue>& params, std::string* command = nullptr) {
    const std::string text = NumberPlaceholders(sql);
    const size_t n = params.size();
    std::vector<Oid> types(n, 0);
    std::vector<std::string> numbers(n);
    std::vector<const char*> values(n, nullptr);
    // Typed parameters: PostgreSQL would otherwise guess, and guesses text for a
    // parameter in a SELECT list (INSERT ... SELECT ?, ...), which a BIGINT column refuses.
    for (size_t i = 0; i < n; ++i) {
      const SqlValue::Variant& v = params[i].value();
      if (const auto* s = std::get_if<std::string>(&v)) {
        if (s->find('\0') != std::string::npos) {
          return Status::InvalidInput("PostgreSQL text cannot hold a NUL character");
        }
        types[i] = kTextOid, values[i] = s->c_str();
      } else if (const auto* whole = std::get_if<int64_t>(&v)) {
        types[i] = kInt8Oid, numbers[i] = std::to_string(*whole), values[i] = numbers[i].c_str();
      } else if (const auto* real = std::get_if<double>(&v)) {
        char buffer[64];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *real);  // shortest exact form
        numbers[i] = ec == std::errc() ? std::string(buffer, end) : std::to_string(*real);
        types[i] = kFloat8Oid, values[i] = numbers[i].c_str();
      }
    }
    KAIF_ASSIGN_OR_RETURN(const std::string* prepared, Prepare(text, types));
    ResultPtr r(prepared ? PQexecPrepared(conn_, prepared->c_str(), static_cast<int>(n), values.data(), nullptr, nullptr, 0)
                         : PQexecParams(conn_, text.c_str(), static_cast<int>(n), types.data(), values.data(), nullptr, nullptr, 0),
                &PQclear);
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(r.get());
    if (command) *command = PQcmdStatus(r.get());
    SqlResult result;
    const int rows = PQntuples(r.get()), columns = PQnfields(r.get());
    result.rows.reserve(rows);
    for (int row = 0; row < rows; ++row) {
      std::vector<SqlValue::Variant> cells(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(r.get(), row, c)) continue;
        const char* value = PQgetvalue(r.get(), row, c);
        const size_t length = static_cast<size_t>(PQgetlength(r.get(), row, c));
        cells[c] = Cell(PQftype(r.get(), c), std::string_view(value, length));
      }
      result.rows.emplace_back(std::move(cells));
    }
    const char* changed = PQcmdTuples(r.get());
    if (changed && *changed) std::from_chars(changed, changed + std::char_traits<char>::length(changed), result.changes);
    return result;
  }

 private:
  Connection(PGconn* conn, std::string shown) : conn_(conn), shown_(std::move(shown)) {}

  // The name of the statement prepared for this text and these parameter types on this
  // connection (prepared at its first use), so the server parses and plans the store's
  // few statements once per connection, not once per vote; null for statements other than
  // queries and changes (transaction control, schema), which run unprepared.
  Result<const std::string*> Prepare(const std::string& text, const std::vector<Oid>& types) {
    static constexpr std::string_view kPrepared[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"};
    const std::string_view head = std::string_view(text).substr(0, text.find(' '));
    if (std::find(std::begin(kPrepared), std::end(kPrepared), head) == std::end(kPrepared)) return nullptr;
    std::string key = text;
    for (Oid t : types) key += "\n" + std::to_string(t);
    auto it = prepared_.find(key);
    if (it != prepared_.end()) return &it->second;
    std::string name = "kaif_" + std::to_string(prepared_.size());
    ResultPtr r(PQprepare(conn_, name.c_str(), text.c_str(), static_cast<int>(types.size()), types.data()), &PQclear);
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) return Error(r.get());
    return &prepared_.emplace(std::move(key), std::move(name)).first->second;
  }

  // A cell in the type its column has: numbers as numbers, the rest as text.
  static SqlValue::Variant Cell(Oid type, std::string_view text) {
    switch (type) {
      case kBoolOid: return int64_t{text == "t"};
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
      case kOidOid: {
        int64_t number = 0;
        if (std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) return number;
        break;
      }
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid: {
        double number = 0;
        if (std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) return number;
        break;
      }
      default: break;
    }
    return std::string(text);
  }

  // The server's message; its SQLSTATE class says whose fault: 22 (bad data) and 23 (a
  // constraint) are the caller's.
  Status Error(const PGresult* r) const {
    const char* message = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    std::string text = "PostgreSQL: " + OneLine(message ? message : PQerrorMessage(conn_));
    if (detail) text += " (" + OneLine(detail) + ")";
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const std::string_view sqlstate = state ? state : "";
    if (sqlstate.rfind("22", 0) == 0 || sqlstate.rfind("23", 0) == 0) return Status::InvalidInput(text);
    return Status::IoError(text);
  }

  PGconn* conn_;
  std::string shown_;
  std::unordered_map<std::string, std::string> prepared_;  // text and types -> statement name
};

class TransactionExecutor final : public SqlExecutor {
 public:
  explicit TransactionExecutor(Connection& c) : c_(c) {}
  Result<SqlResult> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    return c_.Execute(sql, params);
  }

 private:
  Connection& c_;
};

class PostgresDatabase final : public SqlDatabase {
 public:
  PostgresDatabase(std::string url, std::unique_ptr<Connection> first)
      : url_(std::move(url)), shown_(Redacted(url_)), slots_(kConnections), connections_(kConnections) {
    connections_[0] = std::move(first);
  }

  std::string_view dialect() const override { return "postgresql"; }

  Result<SqlResult> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    SqlConnectionSlots::Lease lease(slots_);
    KAIF_ASSIGN_OR_RETURN(Connection * c, ConnectionAt(lease.index()));
    Result<SqlResult> r = c->Execute(sql, params);
    if (!r.ok() && c->broken()) {
      KAIF_RETURN_IF_ERROR(c->Reconnect());
      r = c->Execute(sql, params);
    }
    return r;
  }

  Status Transaction(Access access, const std::function<Status(SqlExecutor&)>& body) override {
    SqlConnectionSlots::Lease lease(slots_);
    KAIF_ASSIGN_OR_RETURN(Connection * c, ConnectionAt(lease.index()));
    struct Rollback {
      Connection* c;
      ~Rollback() {
        if (c->in_transaction()) (void)c->Execute("ROLLBACK", {});
      }
    } rollback{c};
    // kRead: one snapshot for all its reads (READ COMMITTED would take one per statement).
    const char* begin = access == Access::kWrite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    Result<SqlResult> begun = c->Execute(begin, {});
    if (!begun.ok() && c->broken()) {
      KAIF_RETURN_IF_ERROR(c->Reconnect());
      begun = c->Execute(begin, {});
    }
    KAIF_RETURN_IF_ERROR(begun.status());
    TransactionExecutor executor(*c);
    KAIF_RETURN_IF_ERROR(body(executor));
    std::string command;
    KAIF_RETURN_IF_ERROR(c->Execute("COMMIT", {}, &command).status());
    // COMMIT of a transaction that had failed answers ROLLBACK, not an error.
    if (command != "COMMIT") return Status::IoError("PostgreSQL rolled the transaction back");
    return Status::Ok();
  }

 private:
  // Slot i's connection, connected on its first use and again if it broke; only the
  // slot's holder touches it.
  Result<Connection*> ConnectionAt(size_t i) {
    if (!connections_[i]) {
      KAIF_ASSIGN_OR_RETURN(connections_[i], Connection::Open(url_, shown_));
    } else if (connections_[i]->broken()) {
      KAIF_RETURN_IF_ERROR(connections_[i]->Reconnect());
    }
    return connections_[i].get();
  }

  const std::string url_, shown_;
  SqlConnectionSlots slots_;
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& url) {
  const std::string shown = Redacted(url);
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    const std::string why = error ? OneLine(error) : "out of memory";
    PQfreemem(error);
    return Status::InvalidInput(shown + ": not a PostgreSQL URL: " + why);
  }
  PQconninfoFree(options);
  // Connected now, so that an unreachable server is said at once.
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> first, Connection::Open(url, shown));
  return std::unique_ptr<SqlDatabase>(new PostgresDatabase(url, std::move(first)));
}

}  // namespace kaif::arena
