// Worker::RunBatch: a slot's taken tasks, their documents processed one by one and committed
// in groups (JobProgress::CommitGroup: marks, counts, results and the tasks' acks in one atomic
// step). A group is committed when it holds commit_max documents and acks, when its oldest
// waited commit_window, before anything goes back to the queue, and otherwise together with the
// next take, in its round trip.
#include <fmt/format.h>

#include <set>

#include "queue/job_progress.h"
#include "util/status_macros.h"
#include "worker/task_payload.h"
#include "worker/worker.h"
#include "worker/worker_slot.h"

namespace nightjar {
namespace {

// One task of the batch, parsed, with what Redis said of its job and documents at the start.
struct BatchTask {
  HeldTask task;
  TaskPayload payload;
  const TaskType* type = nullptr;
  JobProbe probe;
};

// The batch's tasks parsed; those that can never run (an unknown type, a malformed payload)
// are dead-lettered now and counted in `dead`.
absl::StatusOr<std::vector<BatchTask>> ParseBatch(TaskQueue& queue, std::vector<HeldTask> tasks,
                                                  uint64_t& dead) {
  std::vector<BatchTask> runs;
  for (HeldTask& t : tasks) {
    auto payload = ParsePayload(t.message.payload);
    const TaskType* type = FindTaskType(t.message.type);
    if (!payload.ok() || type == nullptr) {
      const std::string why = payload.ok() ? fmt::format("unknown task type '{}'", t.message.type)
                                           : std::string{payload.status().message()};
      ++dead;
      NJ_RETURN_IF_ERROR(queue.DeadLetter(t, why));
      continue;
    }
    runs.push_back(BatchTask{std::move(t), std::move(*payload), type, {}});
  }
  return runs;
}

// Each job's state and its documents' marks. A new task's job state came with it, and none of
// its documents can be marked yet; the others (claimed, handed back, replayed) are probed, all
// in one round trip.
absl::Status ProbeBatch(RedisConnection* conn, std::vector<BatchTask>& runs) {
  std::vector<std::tuple<std::string, uint64_t, size_t>> probes;
  std::vector<size_t> probed_runs;
  for (size_t i = 0; i < runs.size(); ++i) {
    const HeldTask& t = runs[i].task;
    const size_t n = runs[i].payload.docs.size();
    if (t.deliveries > 1 || t.message.resumed || t.job_state == "?") {
      probes.emplace_back(t.message.job, runs[i].payload.base, n);
      probed_runs.push_back(i);
    } else {
      runs[i].probe =
          JobProbe{!t.job_state.empty(), ParseJobState(t.job_state), std::vector<bool>(n, false)};
    }
  }
  if (probes.empty()) return absl::OkStatus();
  NJ_ASSIGN_OR_RETURN(std::vector<JobProbe> probed, JobProgress::Probe(conn, probes));
  for (size_t i = 0; i < probed_runs.size(); ++i) runs[probed_runs[i]].probe = std::move(probed[i]);
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> Worker::GroupCommand(Slot& slot) const {
  std::vector<AckRef> refs;
  for (const HeldTask& t : slot.acks) refs.push_back(slot.queue->AckRefFor(t));
  return JobProgress::CommitGroupCommand(slot.conn.get(), slot.docs, refs);
}

absl::Status Worker::Settle(Slot& slot, const absl::StatusOr<RedisReply>& reply) {
  NJ_RETURN_IF_ERROR(reply.status());
  NJ_ASSIGN_OR_RETURN(std::vector<CommitOutcome> out,
                      JobProgress::ParseCommitGroup(*reply, slot.docs.size()));
  if (slot.ended.size() > 10000) slot.ended.clear();  // bounded: probes and takes refresh it
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].code == 1) slot.docs[i].error ? ++stats_.failed : ++stats_.documents;
    if (out[i].code != 1) ++stats_.skipped;
    if (out[i].code < 0 || out[i].state == JobState::kCancelled) {
      slot.ended.insert(slot.docs[i].job);
    }
  }
  stats_.tasks += slot.acks.size();
  slot.docs.clear();
  slot.acks.clear();
  return absl::OkStatus();
}

absl::Status Worker::Flush(Slot& slot) {
  if (slot.docs.empty() && slot.acks.empty()) return absl::OkStatus();
  const std::vector<std::string> command = GroupCommand(slot);
  return Settle(slot,
                slot.conn->Command(std::vector<std::string_view>(command.begin(), command.end())));
}

absl::StatusOr<std::optional<HeldTask>> Worker::TakeNext(Slot& slot) {
  if (slot.docs.empty() && slot.acks.empty()) return slot.queue->Take();
  absl::StatusOr<RedisReply> reply = absl::UnknownError("the commit was not sent");
  auto task = slot.queue->TakeWith(GroupCommand(slot), &reply);
  NJ_RETURN_IF_ERROR(Settle(slot, reply));
  return task;
}

absl::Status Worker::RunBatch(Slot& slot, std::vector<HeldTask> tasks) {
  TaskQueue& queue = *slot.queue;
  uint64_t dead = 0;
  absl::StatusOr<std::vector<BatchTask>> parsed = ParseBatch(queue, std::move(tasks), dead);
  if (dead > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.dead += dead;
  }
  NJ_RETURN_IF_ERROR(parsed.status());
  std::vector<BatchTask>& runs = *parsed;
  NJ_RETURN_IF_ERROR(ProbeBatch(slot.conn.get(), runs));

  uint64_t skipped = 0, released = 0;
  auto due = [&] {
    return slot.docs.size() + slot.acks.size() >= options_.commit_max ||
           absl::Now() - slot.since >= options_.commit_window;
  };
  auto start_group = [&] {
    if (slot.docs.empty() && slot.acks.empty()) slot.since = absl::Now();
  };
  absl::Status st = [&]() -> absl::Status {
    for (size_t r = 0; r < runs.size(); ++r) {
      BatchTask& run = runs[r];
      const HeldTask& task = run.task;
      auto& handler = slot.handlers[run.type->name];
      if (handler == nullptr) {
        NJ_ASSIGN_OR_RETURN(handler, run.type->make(HandlerContext{
                                         slot.conn.get(), slot.consumer, &options_.settings,
                                         &options_.refresh, &options_.reextract}));
      }
      const std::string& job = task.message.job;
      if (!run.probe.exists || run.probe.state == JobState::kCancelled) slot.ended.insert(job);
      bool kept = true;  // false once the task is handed back or abandoned
      for (size_t i = 0; i < run.payload.docs.size() && kept; ++i) {
        if (stop_.load()) {
          // SIGTERM: what was processed commits; this task's rest and the unstarted ones go back.
          NJ_RETURN_IF_ERROR(Flush(slot));
          for (size_t later = r; later < runs.size(); ++later) {
            NJ_RETURN_IF_ERROR(queue.Release(runs[later].task));
            queue.Abandon(runs[later].task);
            ++released;
          }
          return absl::OkStatus();
        }
        {
          std::lock_guard<std::mutex> lock(slot.mu);
          if (std::find(slot.lost.begin(), slot.lost.end(), task.id) != slot.lost.end()) {
            kept = false;  // another worker runs it now
            break;
          }
        }
        if (slot.ended.contains(job)) break;  // gone, expired or cancelled: the task is acked
        if (run.probe.done[i]) {
          ++skipped;
          continue;
        }
        const uint64_t ordinal = run.payload.base + i;
        const std::string& doc = run.payload.docs[i];
        const absl::Time started = absl::Now();
        auto outcome = handler->Process(TaskDocument{job, doc, ordinal, &run.payload.options});
        const bool overran = absl::Now() - started > SoftTimeLimit(*run.type);
        if (!outcome.ok()) {
          // The task cannot go on here: it stays pending and is claimed again later.
          NJ_RETURN_IF_ERROR(Flush(slot));
          NJ_RETURN_IF_ERROR(queue.RecordError(task, std::string{outcome.status().message()}));
          kept = false;
          break;
        }
        start_group();
        slot.docs.push_back(DocumentCommit{job, ordinal, doc, std::move(outcome->error),
                                           std::move(outcome->result)});
        if (overran && i + 1 < run.payload.docs.size()) {
          // Past the soft time limit: this document commits; the rest of the task goes back to
          // the queue for any worker, so one slow task does not hold its documents behind it.
          NJ_RETURN_IF_ERROR(Flush(slot));
          NJ_RETURN_IF_ERROR(queue.Release(task));
          ++released;
          kept = false;
          break;
        }
        if (due()) NJ_RETURN_IF_ERROR(Flush(slot));
      }
      queue.Abandon(task);  // acked with the group, released, or lost: not held here any more
      if (kept) {
        start_group();
        slot.acks.push_back(task);
        if (due()) NJ_RETURN_IF_ERROR(Flush(slot));
      }
    }
    return absl::OkStatus();  // the group commits with the next take
  }();
  std::lock_guard<std::mutex> lock(mu_);
  stats_.skipped += skipped;
  stats_.released += released;
  return st;
}

}  // namespace nightjar
