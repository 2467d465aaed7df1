#include "queue/task_entry.h"

namespace nightjar::task_entry {

std::string_view Str(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return {};
  return {r->str, r->len};
}

void SetField(TaskMessage& m, std::string_view k, std::string_view v) {
  if (k == "job") m.job = std::string(v);
  if (k == "type") m.type = std::string(v);
  if (k == "payload") m.payload = std::string(v);
  if (k == "resumed") m.resumed = v == "1";
}

TaskMessage MessageOf(const redisReply* fields, size_t from) {
  TaskMessage m;
  for (size_t i = from; fields != nullptr && i + 1 < fields->elements; i += 2) {
    SetField(m, Str(fields->element[i]), Str(fields->element[i + 1]));
  }
  return m;
}

std::string FieldOf(const redisReply* fields, std::string_view name) {
  for (size_t i = 0; fields != nullptr && i + 1 < fields->elements; i += 2) {
    if (Str(fields->element[i]) == name) return std::string(Str(fields->element[i + 1]));
  }
  return "";
}

}  // namespace nightjar::task_entry
