#include "util/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace kaif {
namespace {

TEST(JsonWriterTest, WritesNestedDocumentsThatParseBack) {
  JsonWriter w;
  w.BeginObject();
  w.Field("name", "한빛 \"quoted\"\n\ttab\x01");
  w.Field("n", 3);
  w.Field("x", 0.1);
  w.Field("big", 7e9);
  w.Field("nan", std::nan(""));
  w.Field("yes", true);
  w.Key("empty");
  w.BeginArray();
  w.EndArray();
  w.Key("list");
  w.BeginArray();
  w.BeginObject();
  w.Field("a", std::vector<std::string>{"x", "y"});
  w.EndObject();
  w.Null();
  w.EndArray();
  w.EndObject();
  std::string text = w.Finish();
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["name"], "한빛 \"quoted\"\n\ttab\x01");
  EXPECT_EQ(j["n"], 3);
  EXPECT_EQ(j["x"].get<double>(), 0.1);
  EXPECT_EQ(j["big"].get<double>(), 7e9);
  EXPECT_TRUE(j["nan"].is_null());
  EXPECT_TRUE(j["empty"].empty());
  EXPECT_EQ(j["list"][0]["a"][1], "y");
  EXPECT_EQ(text.substr(0, 20), "{\n  \"name\": \"한빛 ");
  EXPECT_NE(text.find("\"empty\": [],"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(JsonWriterTest, NumbersRoundTripExactly) {
  for (double x : {1.0 / 3, 81.37158371, 1e-300, 123456789.123, -0.0, 5e-324}) {
    JsonWriter w;
    w.BeginArray();
    w.Number(x);
    w.EndArray();
    EXPECT_EQ(nlohmann::json::parse(w.Finish())[0].get<double>(), x);
  }
}

}  // namespace
}  // namespace kaif
