// Appends written decisions to the audit log: the program's hash, every input's hash and
// every output's hash, signed if a key is configured. Opened before any output is
// written, so a bad key or log file stops a job before it leaves files behind.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "job/round_job.h"
#include "program/audit_log.h"
#include "program/decision.h"
#include "util/status.h"

namespace kaif::job {

class DecisionAudit {
 public:
  // Opens the log and loads the key; a job without a log gets an object that records nothing.
  static Result<DecisionAudit> Open(const AuditOptions& options);

  // Returns the new entry's hash, or "" when there is no log.
  Result<std::string> Append(const std::string& action, const program::StageDecision& decision,
                             const std::vector<WrittenFile>& outputs);

 private:
  std::unique_ptr<program::AuditLog> log_;
  std::optional<program::SigningKey> key_;
};

}  // namespace kaif::job
