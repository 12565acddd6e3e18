#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "program/audit_log.h"

namespace kaif::cli {
namespace {

using program::AuditLog;

int Verify(const std::string& path, const std::string& head, const std::string& public_key) {
  Result<std::unique_ptr<AuditLog>> log = AuditLog::OpenExisting(path);
  if (!log.ok()) return Fail(log.status());
  std::optional<std::string> expected_head, expected_key;
  if (!head.empty()) expected_head = head;
  if (!public_key.empty()) expected_key = public_key;
  Result<program::AuditVerification> v = (*log)->Verify(expected_head, expected_key);
  if (!v.ok()) return Fail(v.status());
  if (!v->ok()) {
    for (const program::AuditProblem& p : v->problems) std::fprintf(stderr, "kaif: %s\n", p.message.c_str());
    std::fprintf(stderr, "kaif: %s: audit chain BROKEN (%zu problems in %ld entries)\n", path.c_str(),
                 v->problems.size(), v->entries);
    return 1;
  }
  std::printf("%s: audit chain intact, %ld entries, head %s\n", path.c_str(), v->entries,
              v->head_hash.empty() ? "(empty)" : v->head_hash.c_str());
  return 0;
}

int Show(const std::string& path) {
  Result<std::unique_ptr<AuditLog>> log = AuditLog::OpenExisting(path);
  if (!log.ok()) return Fail(log.status());
  Result<std::vector<program::AuditEntry>> entries = (*log)->List();
  if (!entries.ok()) return Fail(entries.status());
  for (const program::AuditEntry& e : *entries) {
    std::printf("%ld  %s  %-9s %s\n     program %s, %zu inputs, %zu outputs\n     hash %s%s\n", e.seq,
                e.record.recorded_at.c_str(), e.record.action.c_str(), e.record.subject.c_str(),
                e.record.program_sha256.c_str(), e.record.inputs.size(), e.record.outputs.size(), e.entry_hash.c_str(),
                e.signature.empty() ? "" : ("\n     signed by " + e.public_key).c_str());
  }
  return 0;
}

}  // namespace

void AddAuditCommand(CLI::App& app, Runner& run) {
  CLI::App* audit = app.add_subcommand("audit", "Check, list or sign the audit log of decisions");
  audit->require_subcommand(1);

  struct Flags {
    std::string log = "kaif-audit.sqlite";
    std::string head, public_key, key_out;
  };
  auto flags = std::make_shared<Flags>();

  CLI::App* verify = audit->add_subcommand("verify", "Check the hash chain and signatures; name any edited, removed or "
                                                     "reordered entry (exit 1 if broken)");
  verify->add_option("--log", flags->log, "Audit log (SQLite)")->capture_default_str();
  verify->add_option("--expect-head", flags->head, "Entry hash a decision reported; catches a cut-off tail");
  verify->add_option("--public-key", flags->public_key, "Require every entry to be signed by this Ed25519 key (hex)");
  verify->callback([flags, &run] { run = [flags] { return Verify(flags->log, flags->head, flags->public_key); }; });

  CLI::App* show = audit->add_subcommand("show", "List every entry");
  show->add_option("--log", flags->log, "Audit log (SQLite)")->capture_default_str();
  show->callback([flags, &run] { run = [flags] { return Show(flags->log); }; });

  CLI::App* keygen = audit->add_subcommand("keygen", "Write a new Ed25519 signing key (for --sign-key)");
  keygen->add_option("--out", flags->key_out, "Key file to create (never overwritten)")->required();
  keygen->callback([flags, &run] {
    run = [flags]() -> int {
      Result<program::SigningKey> key = program::SigningKey::Generate(flags->key_out);
      if (!key.ok()) return Fail(key.status());
      std::printf("wrote %s\npublic key %s\n", flags->key_out.c_str(), key->public_key_hex().c_str());
      return 0;
    };
  });
}

}  // namespace kaif::cli
