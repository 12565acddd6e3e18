#include "cli/cli_support.h"

#include <cstdio>

namespace kaif::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "kaif: %s\n", status.message().c_str());
  return status.ExitCode();
}

void AuditFlags::Register(CLI::App& command) {
  command.add_option("--audit", log, "SQLite audit log the decision is appended to")->capture_default_str();
  command.add_flag("--no-audit", disabled, "Do not append to an audit log");
  command.add_option("--sign-key", sign_key, "Ed25519 key file (kaif audit keygen) to sign the audit entry");
}

job::AuditOptions AuditFlags::ToOptions() const {
  job::AuditOptions options;
  if (!disabled) options.log = log;
  if (!sign_key.empty()) options.signing_key = sign_key;
  return options;
}

}  // namespace kaif::cli
