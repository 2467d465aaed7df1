#include "worker/extraction.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "worker/reextract_options.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kTypes = {"person", "Organization", "location"};

TEST(ChatRequestTest, StructuredRequestCarriesAStrictSchemaWithTheTypesAsAnEnum) {
  ExtractionRequest r{"m1", "doc-7", "general", kTypes, "Alice met \"Bob\".", true};
  const std::string body = ChatRequestBody(r);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  EXPECT_EQ(std::string_view(root["model"]), "m1");
  EXPECT_EQ(std::string_view(root["response_format"]["type"]), "json_schema");
  EXPECT_TRUE(bool(root["response_format"]["json_schema"]["strict"]));
  auto type = root["response_format"]["json_schema"]["schema"]["properties"]["entities"]["items"]
                  ["properties"]["type"]["enum"];
  std::vector<std::string> got;
  for (auto t : type.get_array()) got.emplace_back(std::string_view(t));
  EXPECT_EQ(got, kTypes);
  std::string_view user = root["messages"].at(1)["content"];
  EXPECT_EQ(user, "Document: doc-7\n\nAlice met \"Bob\".");
}

TEST(ChatRequestTest, TextRequestDescribesTheDelimitedFormAndHasNoResponseFormat) {
  ExtractionRequest r{"m1", "d", "medical", {"disease"}, "t", false};
  const std::string body = ChatRequestBody(r);
  EXPECT_THAT(body, Not(HasSubstr("response_format")));
  EXPECT_THAT(body, HasSubstr("<|COMPLETE|>"));
  EXPECT_THAT(body, HasSubstr("disease"));
}

TEST(ChatContentTest, TakesTheFirstChoicesContentAndRejectsEverythingElse) {
  auto c = ChatContent(R"({"choices":[{"message":{"role":"assistant","content":"hi"}}]})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c, "hi");
  EXPECT_FALSE(ChatContent("<html>502</html>").ok());
  EXPECT_FALSE(ChatContent(R"({"choices":[]})").ok());
  EXPECT_FALSE(ChatContent(R"({"choices":[{"message":{"content":null}}]})").ok());
  auto refused = ChatContent(R"({"choices":[{"message":{"content":null,"refusal":"I can't"}}]})");
  EXPECT_THAT(refused.status().message(), HasSubstr("refused"));
}

TEST(ParseTest, JsonAnswerWithOrWithoutAFence) {
  const std::string json =
      R"({"entities":[{"name":"Alice","type":"person","description":"a"}],)"
      R"("relationships":[{"source":"Alice","target":"Bob","description":"d","keywords":"k",)"
      R"("strength":7.5}]})";
  for (const std::string& content : {json, "```json\n" + json + "\n```"}) {
    auto e = ParseJsonExtraction(content);
    ASSERT_TRUE(e.ok()) << e.status();
    ASSERT_EQ(e->entities.size(), 1u);
    EXPECT_EQ(e->entities[0].name, "Alice");
    ASSERT_EQ(e->relationships.size(), 1u);
    EXPECT_DOUBLE_EQ(e->relationships[0].strength, 7.5);
  }
  EXPECT_THAT(ParseJsonExtraction("Sure! {entities: [").status().message(),
              HasSubstr("malformed answer"));
  EXPECT_FALSE(ParseJsonExtraction(R"({"entities":[]})").ok());
  EXPECT_FALSE(ParseJsonExtraction(R"({"entities":[{"name":1}],"relationships":[]})").ok());
  EXPECT_FALSE(ParseJsonExtraction(R"({"entities":[],"relationships":[{"source":"a","target":"b",)"
                                   R"("description":"","keywords":"","strength":"high"}]})")
                   .ok());
}

TEST(ParseTest, DelimitedAnswerBySeparatorsOrLines) {
  const std::string text =
      "(\"entity\"<|>Alice<|>person<|>A person.)##(\"entity\"<|>Acme<|>organization<|>A "
      "firm.)##\n(\"relationship\"<|>Alice<|>Acme<|>works at<|>job, employer<|>8)##<|COMPLETE|>";
  auto e = ParseDelimitedExtraction(text);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->entities.size(), 2u);
  EXPECT_EQ(e->entities[1].name, "Acme");
  ASSERT_EQ(e->relationships.size(), 1u);
  EXPECT_EQ(e->relationships[0].keywords, "job, employer");
  EXPECT_DOUBLE_EQ(e->relationships[0].strength, 8);
  auto lines = ParseDelimitedExtraction("(entity<|>A<|>person<|>x)\n(entity<|>B<|>person<|>y)");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(lines->entities.size(), 2u);
  EXPECT_FALSE(ParseDelimitedExtraction("Here you go: Alice is a person").ok());
  EXPECT_FALSE(ParseDelimitedExtraction("(\"entity\"<|>A<|>person)").ok());  // 3 fields
  EXPECT_FALSE(ParseDelimitedExtraction("(\"relationship\"<|>A<|>B<|>d<|>k<|>strong)").ok());
}

Extraction Two() {
  Extraction e;
  e.entities = {{" Alice ", "PERSON", "first"}, {"Acme", "organization", "firm"}};
  e.relationships = {{"alice", "ACME", "works at", "job,employer", 8}};
  return e;
}

TEST(ValidateTest, NormalizesNamesTypesAndRelationshipEnds) {
  Extraction e = Two();
  ASSERT_TRUE(ValidateExtraction(e, kTypes).ok());
  EXPECT_EQ(e.entities[0].name, "Alice");
  EXPECT_EQ(e.entities[0].type, "person");
  EXPECT_EQ(e.entities[1].type, "Organization");  // spelled as configured
  EXPECT_EQ(e.relationships[0].source, "Alice");
  EXPECT_EQ(e.relationships[0].target, "Acme");
  EXPECT_EQ(e.relationships[0].keywords, "job, employer");
}

TEST(ValidateTest, MergesRepeatsWithinOneAnswer) {
  Extraction e = Two();
  e.entities.push_back({"alice", "location", "second"});
  e.relationships.push_back({"Alice", "Acme", "founded", "employer, founder", 9});
  ASSERT_TRUE(ValidateExtraction(e, kTypes).ok());
  ASSERT_EQ(e.entities.size(), 2u);
  EXPECT_EQ(e.entities[0].type, "person");  // the first type stays
  EXPECT_EQ(e.entities[0].description, "first; second");
  ASSERT_EQ(e.relationships.size(), 1u);
  EXPECT_EQ(e.relationships[0].keywords, "job, employer, founder");
  EXPECT_DOUBLE_EQ(e.relationships[0].strength, 9);
}

TEST(ValidateTest, NamesEachViolation) {
  auto fails = [](Extraction e, std::string_view why) {
    absl::Status st = ValidateExtraction(e, kTypes);
    EXPECT_THAT(st.message(), HasSubstr("schema violation")) << why;
    EXPECT_THAT(st.message(), HasSubstr(why));
  };
  Extraction bad_type = Two();
  bad_type.entities[1].type = "spaceship";
  fails(bad_type, "\"spaceship\", not one of person, Organization, location");
  Extraction dangling = Two();
  dangling.relationships[0].target = "Nobody";
  fails(dangling, "names an entity not extracted");
  Extraction self = Two();
  self.relationships[0].target = "Alice";
  fails(self, "to itself");
  Extraction strength = Two();
  strength.relationships[0].strength = 11;
  fails(strength, "outside [0, 10]");
  Extraction unnamed = Two();
  unnamed.entities[0].name = "  ";
  fails(unnamed, "without a name");
}

TEST(MergeTest, CombinesCallsOfOneDocument) {
  Extraction a = Two();
  ASSERT_TRUE(ValidateExtraction(a, kTypes).ok());
  Extraction b;
  b.entities = {{"ACME", "Organization", "a maker"}, {"Paris", "location", "city"}};
  b.relationships = {{"ACME", "Paris", "based in", "hq", 6}, {"Alice", "ACME", "x", "boss", 3}};
  MergeExtraction(a, b);
  ASSERT_EQ(a.entities.size(), 3u);
  EXPECT_EQ(a.entities[1].description, "firm; a maker");
  ASSERT_EQ(a.relationships.size(), 2u);
  EXPECT_EQ(a.relationships[0].keywords, "job, employer, boss");
  EXPECT_DOUBLE_EQ(a.relationships[0].strength, 8);
  EXPECT_EQ(a.relationships[1].source, "Acme");  // spelled as first extracted
}

TEST(ReextractOptionsTest, NamesTheBadField) {
  ReextractOptions o;
  EXPECT_TRUE(ValidateReextractOptions(o).ok());
  o.entities_table = "ents; DROP TABLE x";
  EXPECT_THAT(ValidateReextractOptions(o).message(), HasSubstr("reextract.entities_table"));
  o = ReextractOptions{};
  o.marks_table = "kb.marks";
  EXPECT_TRUE(ValidateReextractOptions(o).ok());
  o.domains["empty"] = {};
  EXPECT_THAT(ValidateReextractOptions(o).message(), HasSubstr("reextract.domains"));
  o = ReextractOptions{};
  o.output = "xml";
  EXPECT_THAT(ValidateReextractOptions(o).message(), HasSubstr("reextract.output"));
}

}  // namespace
}  // namespace nightjar
