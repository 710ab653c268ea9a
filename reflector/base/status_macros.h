// Status propagation macros. Debian 12's abseil (20220623) has no status_macros.h; these
// follow the semantics of today's ABSL_RETURN_IF_ERROR / ABSL_ASSIGN_OR_RETURN so they can
// become aliases once abseil is upgraded.
#ifndef REFLECTOR_BASE_STATUS_MACROS_H_
#define REFLECTOR_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define REFLECTOR_RETURN_IF_ERROR(expr)            \
  do {                                             \
    const ::absl::Status reflector_status_ = (expr); \
    if (!reflector_status_.ok()) return reflector_status_; \
  } while (0)

#define REFLECTOR_STATUS_CONCAT_INNER_(a, b) a##b
#define REFLECTOR_STATUS_CONCAT_(a, b) REFLECTOR_STATUS_CONCAT_INNER_(a, b)

#define REFLECTOR_ASSIGN_OR_RETURN(lhs, expr) \
  REFLECTOR_ASSIGN_OR_RETURN_IMPL_(REFLECTOR_STATUS_CONCAT_(reflector_statusor_, __LINE__), lhs, expr)

#define REFLECTOR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                     \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = *std::move(statusor)

#endif  // REFLECTOR_BASE_STATUS_MACROS_H_
