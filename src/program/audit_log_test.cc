#include "program/audit_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <thread>

#include "support/example_paths.h"

namespace kaif::program {
namespace {

using testing::ScratchDir;

AuditRecord Record(int i) {
  AuditRecord r;
  r.action = "round";
  r.subject = "stage " + std::to_string(i);
  r.program_sha256 = std::string(64, 'a');
  r.inputs = {{"program.toml", std::string(64, 'b')}, {"t.benchmarks.json", std::to_string(i)}};
  r.outputs = {{"decision.json", std::string(64, 'c')}};
  r.recorded_at = "2026-01-0" + std::to_string(i % 9 + 1) + "T00:00:00Z";
  return r;
}

// Five entries, the hash of the last returned.
std::string FillLog(const std::filesystem::path& path, const SigningKey* key = nullptr) {
  auto log = AuditLog::Open(path);
  EXPECT_TRUE(log.ok()) << log.status().message();
  std::string head;
  for (int i = 1; i <= 5; ++i) head = (*log)->Append(Record(i), key)->entry_hash;
  return head;
}

void Sql(const std::filesystem::path& path, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

AuditVerification Verify(const std::filesystem::path& path, std::optional<std::string> head = std::nullopt,
                         std::optional<std::string> key = std::nullopt) {
  auto log = AuditLog::OpenExisting(path);
  EXPECT_TRUE(log.ok()) << log.status().message();
  return (*log)->Verify(head, key).value();
}

std::string AllProblems(const AuditVerification& v) {
  std::string s;
  for (const AuditProblem& p : v.problems) s += p.message + "\n";
  return s;
}

TEST(AuditLogTest, RejectsFilesThatAreNotAuditLogs) {
  ScratchDir dir("audit-bad");
  std::ofstream(dir.path() / "text.sqlite") << "this is not a database, just some text that is long enough";
  Result<std::unique_ptr<AuditLog>> text = AuditLog::Open(dir.path() / "text.sqlite");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), Status::Code::kCorruption);
  EXPECT_NE(text.status().message().find("is not a kaif audit log"), std::string::npos) << text.status().message();
  Sql(dir.path() / "other.sqlite", "CREATE TABLE t (x)");
  Result<std::unique_ptr<AuditLog>> other = AuditLog::Open(dir.path() / "other.sqlite");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(AuditLog::OpenExisting(dir.path() / "absent.sqlite").status().code(), Status::Code::kNotFound);
  // A truncated log: the first page only.
  FillLog(dir.path() / "log.sqlite");
  std::string bytes = ReadFile(dir.path() / "log.sqlite").value();
  std::ofstream(dir.path() / "cut.sqlite", std::ios::binary) << bytes.substr(0, 100);
  EXPECT_FALSE(AuditLog::Open(dir.path() / "cut.sqlite").ok());
  // An empty file is a fresh database.
  std::ofstream(dir.path() / "empty.sqlite").flush();
  EXPECT_TRUE(AuditLog::Open(dir.path() / "empty.sqlite").ok());
}

TEST(AuditLogTest, AppendsAChainThatVerifies) {
  ScratchDir dir("audit-chain");
  std::string head = FillLog(dir.path() / "log.sqlite");
  AuditVerification v = Verify(dir.path() / "log.sqlite", head);
  EXPECT_TRUE(v.ok()) << AllProblems(v);
  EXPECT_EQ(v.entries, 5);
  EXPECT_EQ(v.head_hash, head);
  auto entries = (*AuditLog::OpenExisting(dir.path() / "log.sqlite"))->List().value();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(entries[3].prev_hash, entries[2].entry_hash);
  EXPECT_EQ(entries[4].record.inputs[1].sha256, "5");
  // The hash covers every field: changing any one changes it.
  std::string base = AuditEntryHash(1, Record(1), "", entries[0].prev_hash);
  AuditRecord changed = Record(1);
  changed.outputs[0].name = "decision2.json";
  EXPECT_NE(AuditEntryHash(1, changed, "", entries[0].prev_hash), base);
  EXPECT_NE(AuditEntryHash(2, Record(1), "", entries[0].prev_hash), base);
  // Length prefixes: moving a character between fields changes the hash.
  AuditRecord a = Record(1), b = Record(1);
  a.action = "ro";
  a.subject = "und" + a.subject;
  b.action = "rou";
  b.subject = "nd" + b.subject;
  EXPECT_NE(AuditEntryHash(1, a, "", ""), AuditEntryHash(1, b, "", ""));
  EXPECT_NE(AuditEntryHash(1, Record(1), "ab", ""), AuditEntryHash(1, Record(1), "", ""));
}

TEST(AuditLogTest, NamesAnEditedEntry) {
  ScratchDir dir("audit-edit");
  FillLog(dir.path() / "log.sqlite");
  Sql(dir.path() / "log.sqlite", "UPDATE audit_entries SET outputs = replace(outputs, 'ccc', 'ddd') WHERE seq = 2");
  AuditVerification v = Verify(dir.path() / "log.sqlite");
  ASSERT_EQ(v.problems.size(), 1u) << AllProblems(v);
  EXPECT_EQ(v.problems[0].seq, 2);
  EXPECT_NE(v.problems[0].message.find("entry 2 (round, stage 2"), std::string::npos) << v.problems[0].message;
  EXPECT_NE(v.problems[0].message.find("edited"), std::string::npos);
}

TEST(AuditLogTest, EditingAnEntryAndItsHashBreaksTheNextLink) {
  ScratchDir dir("audit-rehash");
  FillLog(dir.path() / "log.sqlite");
  // A forger who recomputes entry 2's hash still breaks entry 3's link to it.
  auto entries = (*AuditLog::OpenExisting(dir.path() / "log.sqlite"))->List().value();
  AuditRecord forged = entries[1].record;
  forged.subject = "stage 99";
  std::string hash = AuditEntryHash(2, forged, "", entries[1].prev_hash);
  Sql(dir.path() / "log.sqlite",
      "UPDATE audit_entries SET subject = 'stage 99', entry_hash = '" + hash + "' WHERE seq = 2");
  AuditVerification v = Verify(dir.path() / "log.sqlite");
  ASSERT_EQ(v.problems.size(), 1u) << AllProblems(v);
  EXPECT_EQ(v.problems[0].seq, 3);
  EXPECT_NE(v.problems[0].message.find("does not chain onto entry 2"), std::string::npos) << v.problems[0].message;
}

TEST(AuditLogTest, NamesARemovedEntry) {
  ScratchDir dir("audit-remove");
  FillLog(dir.path() / "log.sqlite");
  Sql(dir.path() / "log.sqlite", "DELETE FROM audit_entries WHERE seq = 3");
  AuditVerification v = Verify(dir.path() / "log.sqlite");
  ASSERT_EQ(v.problems.size(), 1u) << AllProblems(v);
  EXPECT_NE(v.problems[0].message.find("entry 3 before it was removed"), std::string::npos) << v.problems[0].message;
  // Removing and renumbering is caught by the hashes, which cover the sequence number.
  Sql(dir.path() / "log.sqlite", "UPDATE audit_entries SET seq = seq - 1 WHERE seq > 3");
  AuditVerification renumbered = Verify(dir.path() / "log.sqlite");
  EXPECT_EQ(renumbered.problems.size(), 3u) << AllProblems(renumbered);
}

TEST(AuditLogTest, NamesReorderedEntries) {
  ScratchDir dir("audit-reorder");
  FillLog(dir.path() / "log.sqlite");
  Sql(dir.path() / "log.sqlite",
      "UPDATE audit_entries SET seq = -seq WHERE seq IN (2, 4);"
      "UPDATE audit_entries SET seq = 6 WHERE seq = -2; UPDATE audit_entries SET seq = 2 WHERE seq = -4;"
      "UPDATE audit_entries SET seq = 4 WHERE seq = 6;");
  AuditVerification v = Verify(dir.path() / "log.sqlite");
  ASSERT_FALSE(v.ok());
  std::string all = AllProblems(v);
  EXPECT_NE(all.find("entry 2 (round, stage 4"), std::string::npos) << all;
  EXPECT_NE(all.find("entry 4 (round, stage 2"), std::string::npos) << all;
}

TEST(AuditLogTest, ExpectedHeadCatchesACutTail) {
  ScratchDir dir("audit-tail");
  std::string head = FillLog(dir.path() / "log.sqlite");
  Sql(dir.path() / "log.sqlite", "DELETE FROM audit_entries WHERE seq = 5");
  EXPECT_TRUE(Verify(dir.path() / "log.sqlite").ok());  // the chain alone cannot see a cut tail
  AuditVerification v = Verify(dir.path() / "log.sqlite", head);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_NE(v.problems[0].message.find("ends at entry 4"), std::string::npos) << v.problems[0].message;
  // A head followed by later entries is fine.
  auto entries = (*AuditLog::OpenExisting(dir.path() / "log.sqlite"))->List().value();
  EXPECT_TRUE(Verify(dir.path() / "log.sqlite", entries[1].entry_hash).ok());
}

TEST(AuditLogTest, SignaturesAreCheckedAndForgeriesCaught) {
  ScratchDir dir("audit-sign");
  Result<SigningKey> key = SigningKey::Generate(dir.path() / "key");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(std::filesystem::status(dir.path() / "key").permissions() & std::filesystem::perms::group_read,
            std::filesystem::perms::none);
  EXPECT_FALSE(SigningKey::Generate(dir.path() / "key").ok());  // never overwritten
  Result<SigningKey> loaded = SigningKey::Load(dir.path() / "key");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->public_key_hex(), key->public_key_hex());
  FillLog(dir.path() / "log.sqlite", &*key);
  EXPECT_TRUE(Verify(dir.path() / "log.sqlite", std::nullopt, key->public_key_hex()).ok());

  // Someone with another key re-signs entry 3: the key is part of the hash, so the entry
  // no longer matches it, and with --public-key the foreign signer is named too.
  Result<SigningKey> other = SigningKey::FromSeedHex(std::string(64, '7'));
  ASSERT_TRUE(other.ok());
  auto entries = (*AuditLog::OpenExisting(dir.path() / "log.sqlite"))->List().value();
  Sql(dir.path() / "log.sqlite", "UPDATE audit_entries SET signature = '" + other->SignHex(entries[2].entry_hash) +
                                     "', public_key = '" + other->public_key_hex() + "' WHERE seq = 3");
  EXPECT_NE(AllProblems(Verify(dir.path() / "log.sqlite")).find("entry 3 (round, stage 3, 2026-01-04T00:00:00Z): content was edited"),
            std::string::npos);
  std::string with_key = AllProblems(Verify(dir.path() / "log.sqlite", std::nullopt, key->public_key_hex()));
  EXPECT_NE(with_key.find("is signed by another key"), std::string::npos) << with_key;
  // A damaged signature.
  Sql(dir.path() / "log.sqlite", "UPDATE audit_entries SET signature = '00' || substr(signature, 3) WHERE seq = 4");
  EXPECT_NE(AllProblems(Verify(dir.path() / "log.sqlite")).find("entry 4 (round, stage 4, 2026-01-05T00:00:00Z): signature is not valid"),
            std::string::npos);
}

TEST(AuditLogTest, StrippingASignatureIsAnEdit) {
  ScratchDir dir("audit-strip");
  Result<SigningKey> key = SigningKey::FromSeedHex(std::string(64, '3'));
  ASSERT_TRUE(key.ok());
  FillLog(dir.path() / "log.sqlite", &*key);
  Sql(dir.path() / "log.sqlite", "UPDATE audit_entries SET signature = '', public_key = '' WHERE seq = 2");
  AuditVerification v = Verify(dir.path() / "log.sqlite");
  ASSERT_EQ(v.problems.size(), 1u) << AllProblems(v);
  EXPECT_NE(v.problems[0].message.find("entry 2"), std::string::npos);
  EXPECT_NE(v.problems[0].message.find("edited"), std::string::npos);
}

TEST(AuditLogTest, RefusesToChainOntoADamagedLastEntry) {
  ScratchDir dir("audit-damaged-head");
  FillLog(dir.path() / "log.sqlite");
  Sql(dir.path() / "log.sqlite", "UPDATE audit_entries SET subject = 'stage 9' WHERE seq = 5");
  auto log = AuditLog::Open(dir.path() / "log.sqlite");
  ASSERT_TRUE(log.ok());
  Result<AuditEntry> appended = (*log)->Append(Record(6), nullptr);
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.status().code(), Status::Code::kCorruption);
  EXPECT_NE(appended.status().message().find("the last entry (5) fails its hash check"), std::string::npos);
  EXPECT_EQ(Verify(dir.path() / "log.sqlite").entries, 5);
}

TEST(AuditLogTest, MalformedKeyFilesAreClearErrors) {
  ScratchDir dir("audit-keys");
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
    return SigningKey::Load(dir.path() / name).status();
  };
  EXPECT_NE(write("empty", "").message().find("not a kaif signing key"), std::string::npos);
  EXPECT_NE(write("short", "kaif-ed25519-secret-key abcd\n").message().find("64 hex digits"), std::string::npos);
  EXPECT_NE(write("nothex", "kaif-ed25519-secret-key " + std::string(64, 'z')).message().find("64 hex digits"),
            std::string::npos);
  EXPECT_EQ(SigningKey::Load(dir.path() / "absent").status().code(), Status::Code::kNotFound);
}

TEST(AuditLogTest, ConcurrentAppendersKeepOneChain) {
  ScratchDir dir("audit-concurrent");
  ASSERT_TRUE(AuditLog::Open(dir.path() / "log.sqlite").ok());
  auto append = [&](int base) {
    auto log = AuditLog::Open(dir.path() / "log.sqlite");
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 25; ++i) ASSERT_TRUE((*log)->Append(Record(base + i), nullptr).ok());
  };
  std::thread a(append, 0), b(append, 100);
  a.join();
  b.join();
  AuditVerification v = Verify(dir.path() / "log.sqlite");
  EXPECT_TRUE(v.ok()) << AllProblems(v);
  EXPECT_EQ(v.entries, 50);
}

}  // namespace
}  // namespace kaif::program
