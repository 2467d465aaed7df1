#ifndef NIGHTJAR_UTIL_URI_H_
#define NIGHTJAR_UTIL_URI_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace nightjar {

// `uri` with the password of its user-info replaced by "***":
// "redis://user:secret@host:6379/0" -> "redis://user:***@host:6379/0", "redis://:pw@h" ->
// "redis://:***@h"; a password in a "password=" query parameter is replaced too. A URI with no
// credentials comes back unchanged. Every URI that is printed or logged goes through this.
std::string RedactUri(std::string_view uri);

// Splits "host:port" (port 0..65535; 0 = any free one). InvalidArgument naming `setting`.
[[nodiscard]] absl::StatusOr<std::pair<std::string, int>> ParseHostPort(const std::string& text,
                                                                        std::string_view setting);

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_URI_H_
