#ifndef NIGHTJAR_UTIL_JSON_WRITER_H_
#define NIGHTJAR_UTIL_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nightjar {

// Appends compact JSON to a string. Strings must be valid UTF-8 (callers validate input at the
// corpus boundary); control characters, quotes and backslashes are escaped. Commas are inserted
// automatically. Not thread-safe.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Double(double v);  // non-finite values are written as null
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }
  void Clear();

  // Appends `s` as a quoted, escaped JSON string.
  static void AppendQuoted(std::string& out, std::string_view s);

 private:
  void Separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(std::string_view s);
// `s` with each byte of an ill-formed sequence replaced by U+FFFD, so that text from outside (a
// query, a line of stdin) can be written as a JSON string.
std::string ValidUtf8(std::string_view s);

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_JSON_WRITER_H_
