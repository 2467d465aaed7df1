#ifndef NIGHTJAR_QUEUE_TASK_ENTRY_H_
#define NIGHTJAR_QUEUE_TASK_ENTRY_H_

#include <hiredis.h>

#include <string>
#include <string_view>

#include "queue/task_queue.h"

// Internal to the queue component: how a task travels as a stream entry (fields job, type,
// payload and, for a copy of a task that ran before, resumed=1). TaskQueue::EnqueueCommand
// writes them; these read them.
namespace nightjar::task_entry {

inline constexpr char kGroup[] = "workers";  // the consumer group of every queue stream

// A reply's string (or status) value; "" for anything else.
std::string_view Str(const redisReply* r);
// One field of an entry into its message.
void SetField(TaskMessage& m, std::string_view k, std::string_view v);
// An entry's fields ([field, value, ...], from `from`) into a message.
TaskMessage MessageOf(const redisReply* fields, size_t from = 0);
// The value of field `name`, or "".
std::string FieldOf(const redisReply* fields, std::string_view name);

}  // namespace nightjar::task_entry

#endif  // NIGHTJAR_QUEUE_TASK_ENTRY_H_
