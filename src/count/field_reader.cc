#include "count/field_reader.h"

namespace nightjar {

bool IsClauseGap(std::string_view gap) {
  for (char c : gap) {
    switch (c) {
      case '.':
      case ',':
      case ';':
      case ':':
      case '!':
      case '?':
      case '(':
      case ')':
      case '[':
      case ']':
      case '{':
      case '}':
      case '"':
      case '\n':
      case '|':
      case '/':
        return true;
      default:
        break;
    }
  }
  return false;
}

bool StartsWithCapital(const Token& tok) {
  const auto first = static_cast<unsigned char>(tok.surface[0]);
  if (first < 0x80) return first >= 'A' && first <= 'Z';
  if (tok.folded.size() < 2 || tok.surface.size() < 2) return true;
  return tok.folded[0] != tok.surface[0] || tok.folded[1] != tok.surface[1];
}

void FieldReader::Read(std::string_view field, FieldIds* out) {
  out->ids.clear();
  out->breaks.clear();
  out->capitals.clear();
  size_t head = 0, tail = 0;
  auto resolve_oldest = [&] {
    const Pending& p = pending_[tail++ % kAhead];
    out->ids[p.index] = vocab_.Find(p.key);
  };
  const char* prev_end = field.data();
  tokenizer_.Tokenize(field, [&](const Token& tok) {
    AppendTokenFlags(tok, &prev_end, &out->breaks, &out->capitals);
    const CountTable::Key key = CountTable::MakeKey(tok.folded, tok.readable);
    if (!key.is_short) {  // its bytes do not outlive this call: resolve it now
      out->ids.push_back(vocab_.Find(key));
      return;
    }
    if (head - tail == kAhead) resolve_oldest();
    vocab_.Prefetch(key);
    pending_[head++ % kAhead] = Pending{out->ids.size(), key};
    out->ids.push_back(Vocabulary::kNone);
  });
  while (tail != head) resolve_oldest();
}

}  // namespace nightjar
