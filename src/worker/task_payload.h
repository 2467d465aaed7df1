#ifndef NIGHTJAR_WORKER_TASK_PAYLOAD_H_
#define NIGHTJAR_WORKER_TASK_PAYLOAD_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace nightjar {

// A batch task's input: the documents it processes and the ordinal of the first one in its job
// (document i of the batch is the job's document base + i, which names its completion marker).
// This file is the one writer and parser of the payload's JSON:
// {"base":N,"docs":["id",...]} with an optional "options":{"key":"value",...}, the job's options
// (a reextract job's domain and cleanup mode), the same in every task of the job.
struct TaskPayload {
  uint64_t base = 0;
  std::vector<std::string> docs;
  std::map<std::string, std::string> options;
};

std::string EncodePayload(const TaskPayload& p);
// InvalidArgument for anything but the form above.
[[nodiscard]] absl::StatusOr<TaskPayload> ParsePayload(std::string_view json);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_TASK_PAYLOAD_H_
