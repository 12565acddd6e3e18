#include "program/audit_log.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/sha256.h"
#include "util/sqlite_statement.h"

namespace kaif::program {
namespace {

constexpr int kSchemaVersion = 1;
constexpr char kGenesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

std::string Field(const std::string& value) { return std::to_string(value.size()) + ":" + value + "\n"; }

std::string FilesJson(const std::vector<InputFile>& files) {
  nlohmann::json array = nlohmann::json::array();
  for (const InputFile& f : files) array.push_back({{"name", f.name}, {"sha256", f.sha256}});
  return array.dump();
}

bool FilesFromJson(const std::string& text, std::vector<InputFile>& files) {
  try {
    nlohmann::json array = nlohmann::json::parse(text);
    files.clear();
    for (const auto& f : array) files.push_back({f.at("name").get<std::string>(), f.at("sha256").get<std::string>()});
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

std::string Column(sqlite3_stmt* stmt, int i) {
  const unsigned char* text = sqlite3_column_text(stmt, i);
  return text ? reinterpret_cast<const char*>(text) : "";
}

std::string Describe(const AuditEntry& e) {
  return fmt::format("entry {} ({}, {}, {})", e.seq, e.record.action, e.record.subject, e.record.recorded_at);
}

}  // namespace

std::string AuditEntryHash(long seq, const AuditRecord& r, const std::string& public_key,
                           const std::string& prev_hash) {
  std::string text = "kaif-audit-entry/1\n" + Field(std::to_string(seq)) + Field(r.recorded_at) + Field(r.action) +
                     Field(r.subject) + Field(r.program_sha256) + Field(std::to_string(r.inputs.size()));
  for (const InputFile& f : r.inputs) text += Field(f.name) + Field(f.sha256);
  text += Field(std::to_string(r.outputs.size()));
  for (const InputFile& f : r.outputs) text += Field(f.name) + Field(f.sha256);
  text += Field(public_key) + Field(prev_hash);
  return Sha256Hex(text);
}

std::string UtcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::filesystem::path& path) {
  return OpenWithFlags(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

Result<std::unique_ptr<AuditLog>> AuditLog::OpenExisting(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound(path.string() + ": no such audit log; pass the file given to --audit");
  }
  return OpenWithFlags(path, SQLITE_OPEN_READWRITE);
}

Result<std::unique_ptr<AuditLog>> AuditLog::OpenWithFlags(const std::filesystem::path& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  std::unique_ptr<AuditLog> log(new AuditLog(db, path));
  if (rc != SQLITE_OK) {
    return Status::IoError(path.string() + ": cannot open the audit log: " + sqlite3_errstr(rc));
  }
  sqlite3_busy_timeout(db, 10000);
  // Reading the schema is the first access: a file that is not SQLite fails here.
  SqliteStatement version(db, "PRAGMA user_version");
  if (!version.ok() || sqlite3_step(version.get()) != SQLITE_ROW) {
    return Status::Corruption(path.string() + ": is not a kaif audit log (not an SQLite database: " +
                              sqlite3_errmsg(db) + ")");
  }
  int user_version = sqlite3_column_int(version.get(), 0);
  SqliteStatement tables(db, "SELECT count(*) FROM sqlite_master");
  if (!tables.ok() || sqlite3_step(tables.get()) != SQLITE_ROW) {
    return Status::Corruption(path.string() + ": is not a kaif audit log: " + sqlite3_errmsg(db));
  }
  int table_count = sqlite3_column_int(tables.get(), 0);
  if (user_version == 0 && table_count == 0) {
    KAIF_RETURN_IF_ERROR(log->Exec(
        "BEGIN IMMEDIATE;"
        "CREATE TABLE IF NOT EXISTS audit_entries ("
        "  seq INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,"
        "  program_sha256 TEXT NOT NULL, inputs TEXT NOT NULL, outputs TEXT NOT NULL, prev_hash TEXT NOT NULL,"
        "  entry_hash TEXT NOT NULL, signature TEXT NOT NULL, public_key TEXT NOT NULL);"
        "PRAGMA user_version = 1;"
        "COMMIT;"));
  } else if (user_version != kSchemaVersion) {
    return Status::Corruption(fmt::format("{}: is not a kaif audit log (schema version {}, expected {})", path.string(),
                                          user_version, kSchemaVersion));
  }
  return log;
}

AuditLog::~AuditLog() { sqlite3_close_v2(db_); }

Status AuditLog::Exec(const char* sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return Status::IoError(path_.string() + ": audit log: " + message);
  }
  return Status::Ok();
}

Result<AuditEntry> AuditLog::Append(AuditRecord record, const SigningKey* key) {
  if (record.recorded_at.empty()) record.recorded_at = UtcNow();
  // IMMEDIATE takes the write lock before reading the head, so two appenders never
  // both chain onto the same previous entry.
  KAIF_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  AuditEntry entry;
  entry.record = std::move(record);
  entry.prev_hash = kGenesis;
  entry.seq = 1;
  {
    SqliteStatement head(db_, "SELECT seq FROM audit_entries ORDER BY seq DESC LIMIT 1");
    int rc = head.ok() ? sqlite3_step(head.get()) : SQLITE_ERROR;
    if (rc == SQLITE_ROW) {
      // Chaining onto a damaged entry would bless it: check the head first.
      long last_seq = sqlite3_column_int64(head.get(), 0);
      Result<std::vector<AuditEntry>> all = Query("ORDER BY seq DESC LIMIT 1");
      if (!all.ok() || all->empty() || all->back().seq != last_seq ||
          AuditEntryHash(last_seq, all->back().record, all->back().public_key, all->back().prev_hash) !=
              all->back().entry_hash) {
        Exec("ROLLBACK").ok();
        return Status::Corruption(fmt::format("{}: the last entry ({}) fails its hash check; run kaif audit verify "
                                              "before appending",
                                              path_.string(), last_seq));
      }
      entry.seq = last_seq + 1;
      entry.prev_hash = all->back().entry_hash;
    } else if (rc != SQLITE_DONE) {
      std::string message = sqlite3_errmsg(db_);
      Exec("ROLLBACK").ok();
      return Status::IoError(path_.string() + ": cannot read the audit log's head: " + message);
    }
  }
  if (key) entry.public_key = key->public_key_hex();
  entry.entry_hash = AuditEntryHash(entry.seq, entry.record, entry.public_key, entry.prev_hash);
  if (key) entry.signature = key->SignHex(entry.entry_hash);
  {
    SqliteStatement insert(db_,
                     "INSERT INTO audit_entries (seq, recorded_at, action, subject, program_sha256, inputs, outputs, "
                     "prev_hash, entry_hash, signature, public_key) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    if (!insert.ok()) {
      std::string message = sqlite3_errmsg(db_);
      Exec("ROLLBACK").ok();
      return Status::IoError(path_.string() + ": audit log: " + message);
    }
    insert.Bind(1, entry.seq);
    insert.Bind(2, entry.record.recorded_at);
    insert.Bind(3, entry.record.action);
    insert.Bind(4, entry.record.subject);
    insert.Bind(5, entry.record.program_sha256);
    insert.Bind(6, FilesJson(entry.record.inputs));
    insert.Bind(7, FilesJson(entry.record.outputs));
    insert.Bind(8, entry.prev_hash);
    insert.Bind(9, entry.entry_hash);
    insert.Bind(10, entry.signature);
    insert.Bind(11, entry.public_key);
    if (sqlite3_step(insert.get()) != SQLITE_DONE) {
      std::string message = sqlite3_errmsg(db_);
      Exec("ROLLBACK").ok();
      return Status::IoError(path_.string() + ": cannot append to the audit log: " + message);
    }
  }
  KAIF_RETURN_IF_ERROR(Exec("COMMIT"));
  return entry;
}

Result<std::vector<AuditEntry>> AuditLog::List() const { return Query("ORDER BY seq"); }

Result<std::vector<AuditEntry>> AuditLog::Query(const std::string& order) const {
  std::string sql =
      "SELECT seq, recorded_at, action, subject, program_sha256, inputs, outputs, prev_hash, entry_hash, signature, "
      "public_key FROM audit_entries " + order;
  SqliteStatement select(db_, sql.c_str());
  if (!select.ok()) return Status::Corruption(path_.string() + ": is not a kaif audit log: " + sqlite3_errmsg(db_));
  std::vector<AuditEntry> entries;
  int rc;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    AuditEntry e;
    e.seq = sqlite3_column_int64(select.get(), 0);
    e.record.recorded_at = Column(select.get(), 1);
    e.record.action = Column(select.get(), 2);
    e.record.subject = Column(select.get(), 3);
    e.record.program_sha256 = Column(select.get(), 4);
    if (!FilesFromJson(Column(select.get(), 5), e.record.inputs) ||
        !FilesFromJson(Column(select.get(), 6), e.record.outputs)) {
      // Keep going: the hash check reports this entry as edited, by number.
      e.record.inputs = {{"<unreadable>", ""}};
    }
    e.prev_hash = Column(select.get(), 7);
    e.entry_hash = Column(select.get(), 8);
    e.signature = Column(select.get(), 9);
    e.public_key = Column(select.get(), 10);
    entries.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return Status::Corruption(path_.string() + ": cannot read the audit log: " + sqlite3_errmsg(db_));
  return entries;
}

Result<AuditVerification> AuditLog::Verify(const std::optional<std::string>& expected_head,
                                           const std::optional<std::string>& expected_public_key) const {
  KAIF_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, List());
  AuditVerification v;
  v.entries = static_cast<long>(entries.size());
  std::string prev_hash = kGenesis;
  long prev_seq = 0;
  for (const AuditEntry& e : entries) {
    auto problem = [&](const std::string& what) { v.problems.push_back({e.seq, Describe(e) + ": " + what}); };
    if (AuditEntryHash(e.seq, e.record, e.public_key, e.prev_hash) != e.entry_hash) {
      problem("content was edited or moved (it no longer matches its hash)");
    }
    if (e.seq != prev_seq + 1) {
      problem(e.seq - prev_seq - 1 == 1 ? fmt::format("entry {} before it was removed", prev_seq + 1)
                                        : fmt::format("entries {}..{} before it were removed", prev_seq + 1, e.seq - 1));
    } else if (e.prev_hash != prev_hash) {
      problem(fmt::format("does not chain onto entry {} (entries reordered, or one replaced)", prev_seq));
    }
    if (!e.signature.empty() || !e.public_key.empty()) {
      if (!VerifySignature(e.entry_hash, e.signature, e.public_key)) problem("signature is not valid");
    }
    if (expected_public_key) {
      if (e.signature.empty()) {
        problem("is not signed");
      } else if (e.public_key != *expected_public_key) {
        problem("is signed by another key (" + e.public_key + ")");
      }
    }
    prev_hash = e.entry_hash;
    prev_seq = e.seq;
  }
  v.head_hash = entries.empty() ? "" : entries.back().entry_hash;
  if (expected_head && *expected_head != v.head_hash) {
    // The expected head may be followed by later decisions; it must be in the chain.
    bool found = false;
    for (const AuditEntry& e : entries) found = found || e.entry_hash == *expected_head;
    if (!found) {
      v.problems.push_back({prev_seq, fmt::format("the expected head {} is not in the log, which ends at entry {} ({}): "
                                                  "entries were removed or the log was replaced",
                                                  *expected_head, prev_seq, v.head_hash.empty() ? "empty" : v.head_hash)});
    }
  }
  return v;
}

}  // namespace kaif::program
