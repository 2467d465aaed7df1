#ifndef NIGHTJAR_UTIL_URI_H_
#define NIGHTJAR_UTIL_URI_H_

#include <string>
#include <string_view>

namespace nightjar {

// `uri` with the password of its user-info replaced by "***":
// "redis://user:secret@host:6379/0" -> "redis://user:***@host:6379/0", "redis://:pw@h" ->
// "redis://:***@h"; a password in a "password=" query parameter is replaced too. A URI with no
// credentials comes back unchanged. Every URI that is printed or logged goes through this.
std::string RedactUri(std::string_view uri);

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_URI_H_
