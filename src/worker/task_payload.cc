#include "worker/task_payload.h"

#include <simdjson.h>

#include "util/json_writer.h"

namespace nightjar {

std::string EncodePayload(const TaskPayload& p) {
  JsonWriter w;
  w.BeginObject().Key("base").Uint(p.base).Key("docs").BeginArray();
  for (const std::string& d : p.docs) w.String(d);
  w.EndArray();
  if (!p.options.empty()) {
    w.Key("options").BeginObject();
    for (const auto& [k, v] : p.options) w.Key(k).String(v);
    w.EndObject();
  }
  w.EndObject();
  return w.Take();
}

absl::StatusOr<TaskPayload> ParsePayload(std::string_view json) {
  thread_local simdjson::dom::parser parser;  // reused: its buffers grow once per thread
  simdjson::dom::element root;
  const simdjson::padded_string padded(json);
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(std::string("task payload: ") + std::string(what));
  };
  if (parser.parse(padded).get(root)) return bad("not JSON");
  TaskPayload p;
  uint64_t base = 0;
  if (root["base"].get_uint64().get(base)) return bad("no unsigned \"base\"");
  p.base = base;
  simdjson::dom::array docs;
  if (root["docs"].get_array().get(docs)) return bad("no \"docs\" array");
  for (simdjson::dom::element d : docs) {
    std::string_view id;
    if (d.get_string().get(id)) return bad("a document id is not a string");
    p.docs.emplace_back(id);
  }
  simdjson::dom::object options;
  if (root["options"].get_object().get(options) == simdjson::SUCCESS) {
    for (auto [key, value] : options) {
      std::string_view v;
      if (value.get_string().get(v)) return bad("an option's value is not a string");
      p.options.emplace(std::string(key), std::string(v));
    }
  }
  return p;
}

}  // namespace nightjar
