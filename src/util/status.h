// Status and Result<T>: the one error type of kaif. Every fallible call returns one;
// exceptions never cross a module boundary. A success costs one enum compare.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kaif {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidInput,  // the user's file, flag or request is wrong: exit code 2
    kNotFound,      // a named file, team or key does not exist: exit code 2
    kCorruption,    // stored data fails its own checks (audit chain, hashes): exit code 1
    kIoError,       // the OS refused a read or write: exit code 1
    kInternal,      // a bug in kaif: exit code 1
    kResourceExhausted,  // a memory budget cannot hold the work: exit code 1
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string message) { return Status(Code::kInvalidInput, std::move(message)); }
  static Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
  static Status Corruption(std::string message) { return Status(Code::kCorruption, std::move(message)); }
  static Status IoError(std::string message) { return Status(Code::kIoError, std::move(message)); }
  static Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }
  static Status ResourceExhausted(std::string message) {
    return Status(Code::kResourceExhausted, std::move(message));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // The process exit code the CLI uses for this status: 2 for bad input, 1 otherwise.
  int ExitCode() const;
  // "invalid input: <message>" and the like; "ok" for success.
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>", to say where an error arose.
  Status WithContext(const std::string& context) const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}        // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace kaif

#define KAIF_CONCAT_INNER(a, b) a##b
#define KAIF_CONCAT(a, b) KAIF_CONCAT_INNER(a, b)

#define KAIF_RETURN_IF_ERROR(expr)           \
  do {                                       \
    ::kaif::Status kaif_status_ = (expr);    \
    if (!kaif_status_.ok()) return kaif_status_; \
  } while (0)

#define KAIF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define KAIF_ASSIGN_OR_RETURN(lhs, expr) \
  KAIF_ASSIGN_OR_RETURN_IMPL(KAIF_CONCAT(kaif_result_, __LINE__), lhs, expr)

// KAIF_CHECK is for bugs only, never for user input.
#define KAIF_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) ::kaif::internal::CheckFailed(#cond, __FILE__, __LINE__);      \
  } while (0)

namespace kaif::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}
