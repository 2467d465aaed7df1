#ifndef NIGHTJAR_WORKER_EXTRACTION_H_
#define NIGHTJAR_WORKER_EXTRACTION_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace nightjar {

// What an LLM extracted from a document for one domain.
struct Entity {
  std::string name;
  std::string type;  // one of the domain's allowed types, spelled as configured
  std::string description;
};
struct Relationship {
  std::string source, target;  // names of entities of the same extraction
  std::string description;
  std::string keywords;  // comma-separated
  double strength = 1;   // in [0, 10]
};
struct Extraction {
  std::vector<Entity> entities;
  std::vector<Relationship> relationships;
};

// One extraction call: the document's text (or a run of its chunks) for a domain.
struct ExtractionRequest {
  std::string model;
  std::string document;  // its id, named in the prompt
  std::string domain;
  std::vector<std::string> types;  // allowed entity types
  std::string text;
  bool structured = true;  // response_format json_schema (strict); else the delimited answer
};

// The body of a POST /v1/chat/completions for `r`: a system prompt naming the domain and its
// types (and, unstructured, the delimited format), the text as the user message, temperature 0,
// and, structured, `response_format: {type: json_schema, json_schema: {strict: true, ...}}`
// whose entity type is an enum of the allowed types.
std::string ChatRequestBody(const ExtractionRequest& r);

// The answer's text: `choices[0].message.content` of a chat completion. InvalidArgument
// ("malformed response: ...") for anything else, a refusal included.
[[nodiscard]] absl::StatusOr<std::string> ChatContent(std::string_view body);

// The answer's text in the structured form {"entities":[...],"relationships":[...]} (a ```json
// fence around it is tolerated), or in the delimited form
// ("entity"<|>NAME<|>TYPE<|>DESCRIPTION)##("relationship"<|>SOURCE<|>TARGET<|>DESCRIPTION<|>
// KEYWORDS<|>STRENGTH)##...<|COMPLETE|>. InvalidArgument ("malformed answer: ...") naming what
// did not parse.
[[nodiscard]] absl::StatusOr<Extraction> ParseJsonExtraction(std::string_view content);
[[nodiscard]] absl::StatusOr<Extraction> ParseDelimitedExtraction(std::string_view content);

// Checks `e` against the domain's allowed types and normalizes it in place: names trimmed,
// types spelled as allowed (matched case-insensitively), entities of one name merged (first
// type kept, descriptions joined), relationships only between its own entities (names matched
// case-insensitively), never to themselves, strength a finite number in [0, 10], repeated
// pairs merged. InvalidArgument ("schema violation: ...") naming the first violation.
[[nodiscard]] absl::Status ValidateExtraction(Extraction& e, const std::vector<std::string>& types);

// Adds `part` (a later call's extraction of the same document) to `into`: entities by name,
// relationships by (source, target), descriptions joined, keywords united, strength the larger.
void MergeExtraction(Extraction& into, Extraction part);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_EXTRACTION_H_
