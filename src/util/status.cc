#include "util/status.h"

#include <cstdio>
#include <cstdlib>

namespace kaif {

int Status::ExitCode() const {
  switch (code_) {
    case Code::kOk:
      return 0;
    case Code::kInvalidInput:
    case Code::kNotFound:
      return 2;
    case Code::kCorruption:
    case Code::kIoError:
    case Code::kInternal:
    case Code::kResourceExhausted:
      return 1;
  }
  return 1;
}

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidInput:
      return "invalid input: " + message_;
    case Code::kNotFound:
      return "not found: " + message_;
    case Code::kCorruption:
      return "corruption: " + message_;
    case Code::kIoError:
      return "I/O error: " + message_;
    case Code::kInternal:
      return "internal error: " + message_;
    case Code::kResourceExhausted:
      return "resource exhausted: " + message_;
  }
  return message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

namespace internal {
void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "kaif: internal check failed: %s at %s:%d\n", condition, file, line);
  std::abort();
}
}  // namespace internal

}  // namespace kaif
