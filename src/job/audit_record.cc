#include "job/audit_record.h"

#include <fmt/format.h>

namespace kaif::job {

Result<DecisionAudit> DecisionAudit::Open(const AuditOptions& options) {
  DecisionAudit audit;
  if (!options.log) return audit;
  if (options.signing_key) {
    KAIF_ASSIGN_OR_RETURN(audit.key_, program::SigningKey::Load(*options.signing_key));
  }
  KAIF_ASSIGN_OR_RETURN(audit.log_, program::AuditLog::Open(*options.log));
  return audit;
}

Result<std::string> DecisionAudit::Append(const std::string& action, const program::StageDecision& decision,
                                          const std::vector<WrittenFile>& outputs) {
  if (!log_) return std::string();
  program::AuditRecord record;
  record.action = action;
  record.subject = fmt::format("stage {}: {}", decision.stage, decision.program_name);
  record.program_sha256 = decision.program_sha256;
  record.inputs = decision.inputs;
  for (const WrittenFile& f : outputs) record.outputs.push_back({f.name, f.sha256});
  KAIF_ASSIGN_OR_RETURN(program::AuditEntry entry, log_->Append(std::move(record), key_ ? &*key_ : nullptr));
  return entry.entry_hash;
}

}  // namespace kaif::job
