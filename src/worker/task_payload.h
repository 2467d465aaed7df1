#ifndef NIGHTJAR_WORKER_TASK_PAYLOAD_H_
#define NIGHTJAR_WORKER_TASK_PAYLOAD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace nightjar {

// A batch task's input: the documents it processes and the ordinal of the first one in its job
// (document i of the batch is the job's document base + i, which names its completion marker).
// This file is the one writer and parser of the payload's JSON: {"base":N,"docs":["id",...]}.
struct TaskPayload {
  uint64_t base = 0;
  std::vector<std::string> docs;
};

std::string EncodePayload(const TaskPayload& p);
// InvalidArgument for anything but the form above.
[[nodiscard]] absl::StatusOr<TaskPayload> ParsePayload(std::string_view json);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_TASK_PAYLOAD_H_
