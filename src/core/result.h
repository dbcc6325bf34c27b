// Result<T>: the error-as-value type every layer returns.
//
// An Error carries a Code chosen by what the caller should do next (see
// Code below), a message for people (Japanese first, English beside it where
// a clerk will read it) and free-form context (a file, a line, a field).
// Exceptions from libraries are caught at the adapter and converted to an
// Error; none cross a layer. Thread-safety: plain values, no shared state.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace ichigen::core {

// Chosen by what the caller should do next, after absl::StatusCode.
enum class Code {
  kOk = 0,
  kInvalidArgument,     // the input is wrong; fix it and send again
  kNotFound,            // the thing named does not exist
  kAlreadyExists,       // it exists already; nothing to do
  kFailedPrecondition,  // state must be fixed first; do not retry as is
  kAborted,             // a conflict; retry the whole transaction
  kUnavailable,         // transient; retry the call
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // who are you?
  kResourceExhausted,   // too big or too many
  kDataLoss,            // stored data is damaged
  kInternal,            // a bug
};

std::string_view CodeName(Code code);

struct Error {
  Code code = Code::kInternal;
  std::string message;     // for people; Japanese where a clerk reads it
  std::string message_en;  // English counterpart (may be empty)
  std::string context;     // where: file, line, field

  std::string ToString() const;
  Error WithContext(std::string more) &&;
};

template <typename T>
using Result = std::expected<T, Error>;

// Result of an operation with no value.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(Code code, std::string message,
                                   std::string message_en = {},
                                   std::string context = {}) {
  return std::unexpected<Error>(Error{code, std::move(message),
                                      std::move(message_en),
                                      std::move(context)});
}

inline Status Ok() { return {}; }

// HTTP status and CLI exit code for an error code: the one mapping table.
int HttpStatusFor(Code code);
int ExitCodeFor(Code code);

}  // namespace ichigen::core

#define ICHIGEN_CONCAT_INNER(a, b) a##b
#define ICHIGEN_CONCAT(a, b) ICHIGEN_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    auto ichigen_status_ = (expr);                              \
    if (!ichigen_status_.has_value())                           \
      return std::unexpected(std::move(ichigen_status_).error()); \
  } while (false)

// Declares `lhs` from the value of Result `expr`, or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr)                                        \
  auto ICHIGEN_CONCAT(ichigen_result_, __LINE__) = (expr);                 \
  if (!ICHIGEN_CONCAT(ichigen_result_, __LINE__).has_value())              \
    return std::unexpected(                                                \
        std::move(ICHIGEN_CONCAT(ichigen_result_, __LINE__)).error());     \
  lhs = std::move(*ICHIGEN_CONCAT(ichigen_result_, __LINE__))
