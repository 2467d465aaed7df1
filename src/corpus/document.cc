#include "corpus/document.h"

namespace nightjar {

std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

bool TruncateToBudget(size_t budget, std::vector<std::string_view>* fields) {
  bool truncated = false;
  for (auto& f : *fields) {
    if (f.size() > budget) {
      f = Utf8Prefix(f, budget);
      truncated = true;
    }
    budget -= f.size();
  }
  return truncated;
}

}  // namespace nightjar
