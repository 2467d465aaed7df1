#include "state/count_merge.h"

#include <cstring>

#include "rocksdb/env.h"

namespace nightjar {

std::string EncodeCounts(std::span<const int64_t> counts) {
  std::string out(1 + 8 * counts.size(), '\0');
  out[0] = static_cast<char>(kCountsTag);
  for (size_t i = 0; i < counts.size(); ++i) {
    const auto u = static_cast<uint64_t>(counts[i]);
    for (int b = 0; b < 8; ++b) out[1 + 8 * i + b] = static_cast<char>(u >> (8 * b) & 0xFF);
  }
  return out;
}

std::optional<std::vector<int64_t>> DecodeCounts(std::string_view value) {
  if (value.empty() || static_cast<uint8_t>(value[0]) != kCountsTag || (value.size() - 1) % 8) {
    return std::nullopt;
  }
  std::vector<int64_t> out((value.size() - 1) / 8);
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t u = 0;
    for (int b = 7; b >= 0; --b) u = u << 8 | static_cast<uint8_t>(value[1 + 8 * i + b]);
    out[i] = static_cast<int64_t>(u);
  }
  return out;
}

bool CountMergeOperator::Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing_value,
                               const rocksdb::Slice& value, std::string* new_value,
                               rocksdb::Logger* logger) const {
  auto bad = [&](const char* why) {
    if (logger != nullptr) {
      rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger, "count merge of key %s: %s",
                   key.ToString(true).c_str(), why);
    }
    return false;
  };
  auto operand = DecodeCounts(std::string_view(value.data(), value.size()));
  if (!operand) return bad("malformed operand");
  if (existing_value == nullptr) {
    new_value->assign(value.data(), value.size());
    return true;
  }
  auto sum = DecodeCounts(std::string_view(existing_value->data(), existing_value->size()));
  if (!sum) return bad("malformed stored value");
  if (sum->size() != operand->size()) return bad("operand width differs from the stored value's");
  for (size_t i = 0; i < sum->size(); ++i) {
    if (__builtin_add_overflow((*sum)[i], (*operand)[i], &(*sum)[i])) return bad("overflow");
  }
  *new_value = EncodeCounts(*sum);
  return true;
}

}  // namespace nightjar
