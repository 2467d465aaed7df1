#ifndef NIGHTJAR_UTIL_STATUS_MACROS_H_
#define NIGHTJAR_UTIL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function when `expr` yields a non-OK absl::Status.
#define NJ_RETURN_IF_ERROR(expr)                                   \
  do {                                                             \
    if (absl::Status nj_st_ = (expr); !nj_st_.ok()) return nj_st_; \
  } while (0)

#define NJ_CONCAT_INNER_(a, b) a##b
#define NJ_CONCAT_(a, b) NJ_CONCAT_INNER_(a, b)

// `NJ_ASSIGN_OR_RETURN(auto x, Foo());` declares x from an OK StatusOr or returns its status.
#define NJ_ASSIGN_OR_RETURN(lhs, expr) \
  NJ_ASSIGN_OR_RETURN_IMPL_(NJ_CONCAT_(nj_sor_, __LINE__), lhs, expr)
// `tmp` is a name being declared and `lhs` a declaration: neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define NJ_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // NIGHTJAR_UTIL_STATUS_MACROS_H_
