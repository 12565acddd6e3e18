// The audit log: every decision kaif makes, appended to a SQLite file as a hash chain
// (each entry's hash covers the previous entry's hash), optionally signed with Ed25519.
// Verify names any entry that was edited, removed or reordered. See AUDIT.md.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "program/decision.h"
#include "program/signing_key.h"
#include "util/status.h"

struct sqlite3;

namespace kaif::program {

// What the caller records; the log adds sequence, time and hashes.
struct AuditRecord {
  std::string action;   // "round", "simulate"
  std::string subject;  // "stage 1: <program name>"
  std::string program_sha256;
  std::vector<InputFile> inputs;
  std::vector<InputFile> outputs;
  std::string recorded_at;  // UTC ISO-8601; empty means now
};

struct AuditEntry {
  long seq = 0;
  AuditRecord record;
  std::string prev_hash;
  std::string entry_hash;
  std::string signature;   // hex; empty when unsigned
  std::string public_key;  // hex; empty when unsigned
};

struct AuditProblem {
  long seq = 0;
  std::string message;  // names the entry and what is wrong with it
};

struct AuditVerification {
  long entries = 0;
  std::string head_hash;  // entry_hash of the last entry
  std::vector<AuditProblem> problems;
  bool ok() const { return problems.empty(); }
};

// The hash of an entry: SHA-256 over a length-prefixed serialization of every field
// but the signature (see AUDIT.md), so no two different entries serialize alike. The
// signer's public key is part of it: stripping a signature is an edit.
std::string AuditEntryHash(long seq, const AuditRecord& record, const std::string& public_key,
                           const std::string& prev_hash);

std::string UtcNow();

class AuditLog {
 public:
  // Opens or creates the log. Corruption if the file is not a kaif audit log.
  static Result<std::unique_ptr<AuditLog>> Open(const std::filesystem::path& path);
  // Opens an existing log only (for verify and show): NotFound if absent.
  static Result<std::unique_ptr<AuditLog>> OpenExisting(const std::filesystem::path& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends in one transaction, safe against concurrent appenders.
  Result<AuditEntry> Append(AuditRecord record, const SigningKey* key);
  Result<std::vector<AuditEntry>> List() const;
  // `expected_head`: the entry hash a decision reported last, to catch a cut tail.
  // `expected_public_key`: every entry must be signed by this key.
  Result<AuditVerification> Verify(const std::optional<std::string>& expected_head,
                                   const std::optional<std::string>& expected_public_key) const;

 private:
  AuditLog(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  static Result<std::unique_ptr<AuditLog>> OpenWithFlags(const std::filesystem::path& path, int flags);
  Status Exec(const char* sql) const;
  // Entries in the order `order` gives ("ORDER BY seq", "ORDER BY seq DESC LIMIT 1").
  Result<std::vector<AuditEntry>> Query(const std::string& order) const;

  sqlite3* db_;  // owned
  std::filesystem::path path_;
};

}  // namespace kaif::program
