#include "core/result.h"

namespace ichigen::core {

namespace {

struct CodeRow {
  Code code;
  std::string_view name;
  int http;
  int exit;
};

// The one table that maps error codes to HTTP statuses and CLI exit codes.
constexpr CodeRow kCodeTable[] = {
    {Code::kOk, "ok", 200, 0},
    {Code::kInvalidArgument, "invalid_argument", 400, 2},
    {Code::kNotFound, "not_found", 404, 3},
    {Code::kAlreadyExists, "already_exists", 409, 4},
    {Code::kFailedPrecondition, "failed_precondition", 409, 5},
    {Code::kAborted, "aborted", 409, 6},
    {Code::kUnavailable, "unavailable", 503, 7},
    {Code::kPermissionDenied, "permission_denied", 403, 8},
    {Code::kUnauthenticated, "unauthenticated", 401, 9},
    {Code::kResourceExhausted, "resource_exhausted", 413, 10},
    {Code::kDataLoss, "data_loss", 500, 11},
    {Code::kInternal, "internal", 500, 12},
};

const CodeRow& RowFor(Code code) {
  for (const CodeRow& row : kCodeTable) {
    if (row.code == code) return row;
  }
  return kCodeTable[std::size(kCodeTable) - 1];
}

}  // namespace

std::string_view CodeName(Code code) { return RowFor(code).name; }
int HttpStatusFor(Code code) { return RowFor(code).http; }
int ExitCodeFor(Code code) { return RowFor(code).exit; }

std::string Error::ToString() const {
  std::string out(CodeName(code));
  out += ": ";
  out += message;
  if (!message_en.empty() && message_en != message) {
    out += " / ";
    out += message_en;
  }
  if (!context.empty()) {
    out += " [";
    out += context;
    out += "]";
  }
  return out;
}

Error Error::WithContext(std::string more) && {
  if (context.empty()) {
    context = std::move(more);
  } else {
    context = std::move(more) + ": " + context;
  }
  return std::move(*this);
}

}  // namespace ichigen::core
