// What every verb shares: error printing and the audit flags.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "job/round_job.h"
#include "util/status.h"

namespace kaif::cli {

// Prints "kaif: <message>" to stderr and returns the status's exit code.
int Fail(const Status& status);

struct AuditFlags {
  std::string log = "kaif-audit.sqlite";
  bool disabled = false;
  std::string sign_key;
  void Register(CLI::App& command);
  job::AuditOptions ToOptions() const;
};

}  // namespace kaif::cli
