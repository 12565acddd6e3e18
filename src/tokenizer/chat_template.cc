#include "tokenizer/chat_template.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "tokenizer/regex.h"
#include "util/file.h"

namespace kaif::tokenizer {

// ---------------------------------------------------------------------------- values
// Errors inside the engine are exceptions; Parse and Render turn them into a Status.
struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Value;
using ValueList = std::vector<Value>;
using ValueMap = std::map<std::string, Value>;

struct Value {
  enum class Kind { kUndefined, kNone, kBool, kInt, kFloat, kString, kList, kMap };
  Kind kind = Kind::kUndefined;
  bool b = false;
  long long i = 0;
  double f = 0;
  std::string s;
  // Lists and maps are shared: a namespace() changed inside a loop is changed outside it.
  std::shared_ptr<ValueList> list;
  std::shared_ptr<ValueMap> map;
  std::vector<std::string> key_order;  // maps from JSON keep their key order for tojson

  static Value None() { Value v; v.kind = Kind::kNone; return v; }
  static Value Bool(bool x) { Value v; v.kind = Kind::kBool; v.b = x; return v; }
  static Value Int(long long x) { Value v; v.kind = Kind::kInt; v.i = x; return v; }
  static Value Float(double x) { Value v; v.kind = Kind::kFloat; v.f = x; return v; }
  static Value Str(std::string x) { Value v; v.kind = Kind::kString; v.s = std::move(x); return v; }
  static Value List(ValueList x) { Value v; v.kind = Kind::kList; v.list = std::make_shared<ValueList>(std::move(x)); return v; }
  static Value Map(ValueMap x) { Value v; v.kind = Kind::kMap; v.map = std::make_shared<ValueMap>(std::move(x)); return v; }

  bool defined() const { return kind != Kind::kUndefined; }
  bool IsNumber() const { return kind == Kind::kInt || kind == Kind::kFloat; }
  double Number() const { return kind == Kind::kInt ? static_cast<double>(i) : f; }
  bool Truthy() const {
    switch (kind) {
      case Kind::kUndefined: case Kind::kNone: return false;
      case Kind::kBool: return b;
      case Kind::kInt: return i != 0;
      case Kind::kFloat: return f != 0;
      case Kind::kString: return !s.empty();
      case Kind::kList: return !list->empty();
      case Kind::kMap: return !map->empty();
    }
    return false;
  }
};

Value FromJson(const nlohmann::json& j) {
  if (j.is_null()) return Value::None();
  if (j.is_boolean()) return Value::Bool(j.get<bool>());
  if (j.is_number_integer()) return Value::Int(j.get<long long>());
  if (j.is_number()) return Value::Float(j.get<double>());
  if (j.is_string()) return Value::Str(j.get<std::string>());
  if (j.is_array()) {
    ValueList list;
    for (const auto& x : j) list.push_back(FromJson(x));
    return Value::List(std::move(list));
  }
  ValueMap map;
  std::vector<std::string> order;
  for (const auto& [k, v] : j.items()) {
    map[k] = FromJson(v);
    order.push_back(k);
  }
  Value v = Value::Map(std::move(map));
  v.key_order = std::move(order);
  return v;
}

std::string JsonQuote(const std::string& s) { return nlohmann::json(s).dump(); }

// Python's json.dumps style, as templates expect from tojson.
std::string ToJson(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kUndefined: case Value::Kind::kNone: return "null";
    case Value::Kind::kBool: return v.b ? "true" : "false";
    case Value::Kind::kInt: return std::to_string(v.i);
    case Value::Kind::kFloat: return fmt::format("{}", v.f);
    case Value::Kind::kString: return JsonQuote(v.s);
    case Value::Kind::kList: {
      std::string out = "[";
      for (size_t k = 0; k < v.list->size(); ++k) out += (k ? ", " : "") + ToJson((*v.list)[k]);
      return out + "]";
    }
    case Value::Kind::kMap: {
      std::vector<std::string> keys = v.key_order;
      if (keys.size() != v.map->size()) {
        keys.clear();
        for (const auto& [k, x] : *v.map) keys.push_back(k);
      }
      std::string out = "{";
      for (size_t k = 0; k < keys.size(); ++k) out += (k ? ", " : "") + JsonQuote(keys[k]) + ": " + ToJson(v.map->at(keys[k]));
      return out + "}";
    }
  }
  return "";
}

std::string ToText(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kUndefined: case Value::Kind::kNone: return v.kind == Value::Kind::kNone ? "None" : "";
    case Value::Kind::kBool: return v.b ? "True" : "False";
    case Value::Kind::kInt: return std::to_string(v.i);
    case Value::Kind::kFloat: return fmt::format("{}", v.f);
    case Value::Kind::kString: return v.s;
    default: return ToJson(v);
  }
}

bool Equal(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) return a.Number() == b.Number();
  if (a.kind != b.kind) {
    return (a.kind == Value::Kind::kBool && b.IsNumber()) ? a.b == (b.Number() != 0) : false;
  }
  switch (a.kind) {
    case Value::Kind::kUndefined: case Value::Kind::kNone: return true;
    case Value::Kind::kBool: return a.b == b.b;
    case Value::Kind::kString: return a.s == b.s;
    case Value::Kind::kList: {
      if (a.list->size() != b.list->size()) return false;
      for (size_t k = 0; k < a.list->size(); ++k) {
        if (!Equal((*a.list)[k], (*b.list)[k])) return false;
      }
      return true;
    }
    default: return a.map == b.map;
  }
}

// ---------------------------------------------------------------------------- lexer
enum class Tok { kText, kOpenExpr, kCloseExpr, kOpenStmt, kCloseStmt, kName, kString, kNumber, kOp, kEnd };

struct Token {
  Tok type;
  std::string text;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// trim_blocks and lstrip_blocks, as transformers sets them: a block tag's own line
// indentation goes, and so does the newline right after a block tag.
std::string Preprocess(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  std::string stripped;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('\n', start);
    std::string line = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == '{' && first + 1 < line.size() &&
        (line[first + 1] == '%' || line[first + 1] == '#' || line[first + 1] == '-')) {
      line = line.substr(first);
    }
    stripped += line;
    if (end == std::string::npos) break;
    stripped += '\n';
    start = end + 1;
  }
  std::string trimmed;
  for (size_t k = 0; k < stripped.size(); ++k) {
    trimmed += stripped[k];
    if (stripped[k] == '}' && k > 0 && (stripped[k - 1] == '%' || stripped[k - 1] == '#' || stripped[k - 1] == '-') &&
        k + 1 < stripped.size() && stripped[k + 1] == '\n') {
      ++k;  // trim_blocks: drop the newline after a block tag
    }
  }
  return trimmed;
}

std::vector<Token> Lex(const std::string& src) {
  std::vector<Token> tokens;
  size_t p = 0;
  auto strip_trailing = [&] {
    if (!tokens.empty() && tokens.back().type == Tok::kText) {
      std::string& t = tokens.back().text;
      while (!t.empty() && IsSpace(t.back())) t.pop_back();
      if (t.empty()) tokens.pop_back();
    }
  };
  auto skip_leading = [&] {
    while (p < src.size() && IsSpace(src[p])) ++p;
  };
  bool in_tag = false;
  while (p < src.size()) {
    if (!in_tag) {
      size_t next = p;
      while (next < src.size() && !(src[next] == '{' && next + 1 < src.size() &&
                                    (src[next + 1] == '%' || src[next + 1] == '{' || src[next + 1] == '#'))) {
        ++next;
      }
      if (next > p) tokens.push_back({Tok::kText, src.substr(p, next - p)});
      p = next;
      if (p >= src.size()) break;
      if (src[p + 1] == '#') {
        bool strip_before = p + 2 < src.size() && src[p + 2] == '-';
        size_t close = src.find("#}", p + 2);
        if (close == std::string::npos) throw TemplateError("a comment {# is never closed");
        bool strip_after = close > 0 && src[close - 1] == '-';
        if (strip_before) strip_trailing();
        p = close + 2;
        if (strip_after) skip_leading();
        continue;
      }
      bool statement = src[p + 1] == '%';
      bool strip = p + 2 < src.size() && src[p + 2] == '-';
      if (strip) strip_trailing();
      tokens.push_back({statement ? Tok::kOpenStmt : Tok::kOpenExpr, ""});
      p += strip ? 3 : 2;
      in_tag = true;
      continue;
    }
    char c = src[p];
    if (IsSpace(c)) {
      ++p;
      continue;
    }
    bool statement_close = c == '%' && p + 1 < src.size() && src[p + 1] == '}';
    bool expr_close = c == '}' && p + 1 < src.size() && src[p + 1] == '}';
    bool dash_close = c == '-' && p + 2 < src.size() && (src[p + 1] == '%' || src[p + 1] == '}') && src[p + 2] == '}';
    if (statement_close || expr_close || dash_close) {
      bool is_stmt = dash_close ? src[p + 1] == '%' : statement_close;
      tokens.push_back({is_stmt ? Tok::kCloseStmt : Tok::kCloseExpr, ""});
      p += dash_close ? 3 : 2;
      in_tag = false;
      if (dash_close) skip_leading();
      continue;
    }
    if (c == '\'' || c == '"') {
      std::string s;
      ++p;
      while (p < src.size() && src[p] != c) {
        if (src[p] == '\\' && p + 1 < src.size()) {
          char e = src[++p];
          switch (e) {
            case 'n': s += '\n'; break;
            case 't': s += '\t'; break;
            case 'r': s += '\r'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case 'v': s += '\v'; break;
            case '\\': case '\'': case '"': s += e; break;
            default: s += '\\', s += e;  // as Python: an unknown escape keeps its backslash
          }
          ++p;
          continue;
        }
        s += src[p++];
      }
      if (p >= src.size()) throw TemplateError("a string literal is never closed");
      ++p;
      tokens.push_back({Tok::kString, s});
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = p;
      while (p < src.size() && (std::isdigit(static_cast<unsigned char>(src[p])) || src[p] == '.')) ++p;
      tokens.push_back({Tok::kNumber, src.substr(start, p - start)});
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = p;
      while (p < src.size() && (std::isalnum(static_cast<unsigned char>(src[p])) || src[p] == '_')) ++p;
      tokens.push_back({Tok::kName, src.substr(start, p - start)});
      continue;
    }
    static const char* kOps[] = {"==", "!=", "<=", ">=", "//", "**", "+", "-", "*", "/", "%", "<", ">", "(", ")",
                                 "[", "]", "{", "}", ",", ".", ":", "|", "=", "~"};
    bool matched = false;
    for (const char* op : kOps) {
      size_t n = std::char_traits<char>::length(op);
      if (src.compare(p, n, op) == 0) {
        tokens.push_back({Tok::kOp, op});
        p += n;
        matched = true;
        break;
      }
    }
    if (!matched) throw TemplateError(fmt::format("unexpected character '{}' in a tag", c));
  }
  if (in_tag) throw TemplateError("a tag is never closed");
  tokens.push_back({Tok::kEnd, ""});
  return tokens;
}

// ---------------------------------------------------------------------------- AST
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind { kLiteral, kName, kList, kDict, kAttr, kIndex, kSlice, kCall, kFilter, kTest, kUnary, kBinary, kTernary };
  Kind kind;
  Value literal;
  std::string name;  // name, attribute, filter, test, operator
  std::vector<ExprPtr> args;  // operands, call arguments, list items, dict keys/values interleaved
  std::vector<std::string> kwarg_names;  // for calls: names of the trailing keyword arguments
  bool negate = false;        // `is not`, `not in`
};

struct TemplateNode {
  enum class Kind { kBlock, kText, kOutput, kIf, kFor, kSet };
  Kind kind = Kind::kBlock;
  std::string text;
  ExprPtr expr;                                     // output, for iterable, set value
  std::vector<std::pair<ExprPtr, std::unique_ptr<TemplateNode>>> branches;  // if: (condition or null for else, body)
  std::string var, attr;                            // for loop var, set target (attr: namespace field)
  std::unique_ptr<TemplateNode> body, else_body;
  std::vector<std::unique_ptr<TemplateNode>> children;
};

// ---------------------------------------------------------------------------- parser
class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::unique_ptr<TemplateNode> ParseTemplate() {
    auto root = ParseBlock({});
    if (Peek().type != Tok::kEnd) throw TemplateError("unexpected {% " + Peek().text + " %}");
    return root;
  }

 private:
  const Token& Peek(size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
  Token Next() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }
  bool IsOp(const char* op, size_t ahead = 0) const { return Peek(ahead).type == Tok::kOp && Peek(ahead).text == op; }
  bool IsName(const char* n, size_t ahead = 0) const { return Peek(ahead).type == Tok::kName && Peek(ahead).text == n; }
  void ExpectOp(const char* op) {
    if (!IsOp(op)) throw TemplateError(fmt::format("expected '{}' but found '{}'", op, Peek().text));
    ++pos_;
  }
  void Expect(Tok type, const char* what) {
    if (Peek().type != type) throw TemplateError(fmt::format("expected {} but found '{}'", what, Peek().text));
    ++pos_;
  }
  std::string ExpectName() {
    if (Peek().type != Tok::kName) throw TemplateError("expected a name but found '" + Peek().text + "'");
    return Next().text;
  }

  // Parses nodes until a statement whose keyword is in `stops` (left unconsumed, after its {%).
  std::unique_ptr<TemplateNode> ParseBlock(const std::vector<std::string>& stops) {
    auto block = std::make_unique<TemplateNode>();
    while (Peek().type != Tok::kEnd) {
      const Token& tok = Peek();
      if (tok.type == Tok::kText) {
        auto node = std::make_unique<TemplateNode>();
        node->kind = TemplateNode::Kind::kText;
        node->text = Next().text;
        block->children.push_back(std::move(node));
      } else if (tok.type == Tok::kOpenExpr) {
        ++pos_;
        auto node = std::make_unique<TemplateNode>();
        node->kind = TemplateNode::Kind::kOutput;
        node->expr = ParseExpression();
        Expect(Tok::kCloseExpr, "}}");
        block->children.push_back(std::move(node));
      } else if (tok.type == Tok::kOpenStmt) {
        const Token& keyword = Peek(1);
        if (std::find(stops.begin(), stops.end(), keyword.text) != stops.end()) return block;
        ++pos_;
        block->children.push_back(ParseStatement());
      } else {
        throw TemplateError("unexpected '" + tok.text + "'");
      }
    }
    if (!stops.empty()) throw TemplateError("missing {% " + stops.back() + " %}");
    return block;
  }

  std::unique_ptr<TemplateNode> ParseStatement() {
    std::string keyword = ExpectName();
    auto node = std::make_unique<TemplateNode>();
    if (keyword == "if") {
      node->kind = TemplateNode::Kind::kIf;
      ExprPtr condition = ParseExpression();
      Expect(Tok::kCloseStmt, "%}");
      while (true) {
        auto body = ParseBlock({"elif", "else", "endif"});
        node->branches.push_back({std::move(condition), std::move(body)});
        Expect(Tok::kOpenStmt, "{%");
        std::string k = ExpectName();
        if (k == "endif") break;
        if (k == "elif") {
          condition = ParseExpression();
        } else {
          condition = nullptr;
        }
        Expect(Tok::kCloseStmt, "%}");
        if (k == "else") {
          node->branches.push_back({nullptr, ParseBlock({"endif"})});
          Expect(Tok::kOpenStmt, "{%");
          ExpectName();
          break;
        }
      }
      Expect(Tok::kCloseStmt, "%}");
    } else if (keyword == "for") {
      node->kind = TemplateNode::Kind::kFor;
      node->var = ExpectName();
      if (!IsName("in")) throw TemplateError("for loops over one variable: for x in items");
      ++pos_;
      node->expr = ParseTernary(/*allow_if=*/false);
      Expect(Tok::kCloseStmt, "%}");
      node->body = ParseBlock({"else", "endfor"});
      Expect(Tok::kOpenStmt, "{%");
      if (ExpectName() == "else") {
        Expect(Tok::kCloseStmt, "%}");
        node->else_body = ParseBlock({"endfor"});
        Expect(Tok::kOpenStmt, "{%");
        ExpectName();
      }
      Expect(Tok::kCloseStmt, "%}");
    } else if (keyword == "set") {
      node->kind = TemplateNode::Kind::kSet;
      node->var = ExpectName();
      if (IsOp(".")) {
        ++pos_;
        node->attr = ExpectName();
      }
      ExpectOp("=");
      node->expr = ParseExpression();
      Expect(Tok::kCloseStmt, "%}");
    } else {
      throw TemplateError("{% " + keyword + " %} is not supported; kaif renders if, for and set");
    }
    return node;
  }

  static ExprPtr Make(Expr::Kind kind, std::string name = "") {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->name = std::move(name);
    return e;
  }

  ExprPtr ParseExpression() { return ParseTernary(true); }

  ExprPtr ParseTernary(bool allow_if) {
    ExprPtr value = ParseOr();
    if (allow_if && IsName("if")) {
      ++pos_;
      ExprPtr condition = ParseOr();
      ExprPtr otherwise = Make(Expr::Kind::kLiteral);
      if (IsName("else")) {
        ++pos_;
        otherwise = ParseTernary(true);
      }
      auto e = Make(Expr::Kind::kTernary);
      e->args.push_back(std::move(condition));
      e->args.push_back(std::move(value));
      e->args.push_back(std::move(otherwise));
      return e;
    }
    return value;
  }

  ExprPtr Binary(std::string op, ExprPtr a, ExprPtr b) {
    auto e = Make(Expr::Kind::kBinary, std::move(op));
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return e;
  }

  ExprPtr ParseOr() {
    ExprPtr left = ParseAnd();
    while (IsName("or")) {
      ++pos_;
      left = Binary("or", std::move(left), ParseAnd());
    }
    return left;
  }

  ExprPtr ParseAnd() {
    ExprPtr left = ParseNot();
    while (IsName("and")) {
      ++pos_;
      left = Binary("and", std::move(left), ParseNot());
    }
    return left;
  }

  ExprPtr ParseNot() {
    if (IsName("not")) {
      ++pos_;
      auto e = Make(Expr::Kind::kUnary, "not");
      e->args.push_back(ParseNot());
      return e;
    }
    return ParseComparison();
  }

  ExprPtr ParseComparison() {
    ExprPtr left = ParseAdditive();
    while (true) {
      if (Peek().type == Tok::kOp && (Peek().text == "==" || Peek().text == "!=" || Peek().text == "<" ||
                                      Peek().text == ">" || Peek().text == "<=" || Peek().text == ">=")) {
        std::string op = Next().text;
        left = Binary(op, std::move(left), ParseAdditive());
      } else if (IsName("in") || (IsName("not") && IsName("in", 1))) {
        bool negate = IsName("not");
        pos_ += negate ? 2 : 1;
        left = Binary("in", std::move(left), ParseAdditive());
        left->negate = negate;
      } else if (IsName("is")) {
        ++pos_;
        auto e = Make(Expr::Kind::kTest);
        if (IsName("not")) {
          e->negate = true;
          ++pos_;
        }
        e->name = ExpectName();
        e->args.push_back(std::move(left));
        left = std::move(e);
      } else {
        return left;
      }
    }
  }

  ExprPtr ParseAdditive() {
    ExprPtr left = ParseMultiplicative();
    while (IsOp("+") || IsOp("-") || IsOp("~")) {
      std::string op = Next().text;
      left = Binary(op, std::move(left), ParseMultiplicative());
    }
    return left;
  }

  ExprPtr ParseMultiplicative() {
    ExprPtr left = ParseUnary();
    while (IsOp("*") || IsOp("/") || IsOp("%") || IsOp("//")) {
      std::string op = Next().text;
      left = Binary(op, std::move(left), ParseUnary());
    }
    return left;
  }

  ExprPtr ParseUnary() {
    if (IsOp("-")) {
      ++pos_;
      auto e = Make(Expr::Kind::kUnary, "-");
      e->args.push_back(ParseUnary());
      return e;
    }
    return ParseFiltered();
  }

  ExprPtr ParseFiltered() {
    ExprPtr value = ParsePostfix(ParsePrimary());
    while (IsOp("|")) {
      ++pos_;
      auto f = Make(Expr::Kind::kFilter, ExpectName());
      f->args.push_back(std::move(value));
      if (IsOp("(")) ParseArguments(*f);
      value = std::move(f);
    }
    return value;
  }

  void ParseArguments(Expr& call) {
    ExpectOp("(");
    while (!IsOp(")")) {
      if (Peek().type == Tok::kName && IsOp("=", 1)) {
        call.kwarg_names.push_back(Next().text);
        ++pos_;
      } else if (!call.kwarg_names.empty()) {
        throw TemplateError("a positional argument follows a keyword argument");
      }
      call.args.push_back(ParseExpression());
      if (!IsOp(",")) break;
      ++pos_;
    }
    ExpectOp(")");
  }

  ExprPtr ParsePostfix(ExprPtr value) {
    while (true) {
      if (IsOp(".")) {
        ++pos_;
        auto e = Make(Expr::Kind::kAttr, ExpectName());
        e->args.push_back(std::move(value));
        value = std::move(e);
      } else if (IsOp("[")) {
        ++pos_;
        ExprPtr parts[3];
        int index = 0;
        bool slice = false;
        while (!IsOp("]")) {
          if (IsOp(":")) {
            slice = true;
            ++pos_;
            if (++index > 2) throw TemplateError("a slice has at most three parts");
            continue;
          }
          parts[index] = ParseExpression();
        }
        ++pos_;
        auto e = Make(slice ? Expr::Kind::kSlice : Expr::Kind::kIndex);
        e->args.push_back(std::move(value));
        for (auto& part : parts) e->args.push_back(std::move(part));
        value = std::move(e);
      } else if (IsOp("(")) {
        auto e = Make(Expr::Kind::kCall);
        e->args.push_back(std::move(value));
        ParseArguments(*e);
        value = std::move(e);
      } else {
        return value;
      }
    }
  }

  ExprPtr ParsePrimary() {
    Token tok = Next();
    if (tok.type == Tok::kString) {
      auto e = Make(Expr::Kind::kLiteral);
      e->literal = Value::Str(tok.text);
      while (Peek().type == Tok::kString) e->literal.s += Next().text;  // adjacent literals join
      return e;
    }
    if (tok.type == Tok::kNumber) {
      auto e = Make(Expr::Kind::kLiteral);
      e->literal = tok.text.find('.') == std::string::npos ? Value::Int(std::stoll(tok.text)) : Value::Float(std::stod(tok.text));
      return e;
    }
    if (tok.type == Tok::kName) {
      auto e = Make(Expr::Kind::kLiteral);
      if (tok.text == "true" || tok.text == "True") e->literal = Value::Bool(true);
      else if (tok.text == "false" || tok.text == "False") e->literal = Value::Bool(false);
      else if (tok.text == "none" || tok.text == "None") e->literal = Value::None();
      else return Make(Expr::Kind::kName, tok.text);
      return e;
    }
    if (tok.type == Tok::kOp && tok.text == "(") {
      ExprPtr e = ParseExpression();
      ExpectOp(")");
      return e;
    }
    if (tok.type == Tok::kOp && tok.text == "[") {
      auto e = Make(Expr::Kind::kList);
      while (!IsOp("]")) {
        e->args.push_back(ParseExpression());
        if (!IsOp(",")) break;
        ++pos_;
      }
      ExpectOp("]");
      return e;
    }
    if (tok.type == Tok::kOp && tok.text == "{") {
      auto e = Make(Expr::Kind::kDict);
      while (!IsOp("}")) {
        e->args.push_back(ParseExpression());
        ExpectOp(":");
        e->args.push_back(ParseExpression());
        if (!IsOp(",")) break;
        ++pos_;
      }
      ExpectOp("}");
      return e;
    }
    throw TemplateError("unexpected '" + tok.text + "' in an expression");
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------- evaluator
// ": 'name'" for a printed name or attribute, to say which value was undefined.
std::string Describe(const Expr& e) {
  if (e.kind == Expr::Kind::kName || e.kind == Expr::Kind::kAttr) return ": '" + e.name + "'";
  return "";
}

class Renderer {
 public:
  Renderer(const nlohmann::json& context, bool strict_undefined) : strict_undefined_(strict_undefined) {
    scopes_.emplace_back();
    for (const auto& [k, v] : context.items()) scopes_.back()[k] = FromJson(v);
  }

  void Render(const TemplateNode& node, std::string& out) {
    switch (node.kind) {
      case TemplateNode::Kind::kBlock:
        for (const auto& child : node.children) Render(*child, out);
        break;
      case TemplateNode::Kind::kText: out += node.text; break;
      case TemplateNode::Kind::kOutput: {
        Value v = Eval(*node.expr);
        if (strict_undefined_ && !v.defined()) throw TemplateError("an undefined value is printed" + Describe(*node.expr));
        out += ToText(v);
        break;
      }
      case TemplateNode::Kind::kIf:
        for (const auto& [condition, body] : node.branches) {
          if (!condition || Eval(*condition).Truthy()) {
            Render(*body, out);
            break;
          }
        }
        break;
      case TemplateNode::Kind::kSet: {
        Value v = Eval(*node.expr);
        if (node.attr.empty()) {
          scopes_.back()[node.var] = std::move(v);
        } else {
          Value target = Lookup(node.var);
          if (target.kind != Value::Kind::kMap) throw TemplateError("set " + node.var + "." + node.attr + ": not a namespace");
          (*target.map)[node.attr] = std::move(v);
        }
        break;
      }
      case TemplateNode::Kind::kFor: {
        Value items = Eval(*node.expr);
        ValueList list;
        if (items.kind == Value::Kind::kList) {
          list = *items.list;
        } else if (items.kind == Value::Kind::kMap) {
          for (const auto& [k, v] : *items.map) list.push_back(Value::Str(k));
        } else if (items.kind == Value::Kind::kString) {
          for (char c : items.s) list.push_back(Value::Str(std::string(1, c)));
        } else if (items.defined() && items.kind != Value::Kind::kNone) {
          throw TemplateError("for " + node.var + " in a value that is not a list");
        }
        if (list.empty()) {
          if (node.else_body) Render(*node.else_body, out);
          break;
        }
        for (size_t k = 0; k < list.size(); ++k) {
          // Jinja: variables set inside a loop body stay in that iteration.
          scopes_.emplace_back();
          ValueMap loop;
          long long n = static_cast<long long>(list.size()), idx = static_cast<long long>(k);
          loop["index0"] = Value::Int(idx);
          loop["index"] = Value::Int(idx + 1);
          loop["revindex0"] = Value::Int(n - idx - 1);
          loop["revindex"] = Value::Int(n - idx);
          loop["first"] = Value::Bool(k == 0);
          loop["last"] = Value::Bool(k + 1 == list.size());
          loop["length"] = Value::Int(n);
          loop["previtem"] = k > 0 ? list[k - 1] : Value();
          loop["nextitem"] = k + 1 < list.size() ? list[k + 1] : Value();
          scopes_.back()["loop"] = Value::Map(std::move(loop));
          scopes_.back()[node.var] = list[k];
          Render(*node.body, out);
          scopes_.pop_back();
        }
        break;
      }
    }
  }

 private:
  Value Lookup(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto found = it->find(name);
      if (found != it->end()) return found->second;
    }
    return Value();
  }

  static Value Index(const Value& target, const Value& key) {
    if (target.kind == Value::Kind::kMap && key.kind == Value::Kind::kString) {
      auto it = target.map->find(key.s);
      return it == target.map->end() ? Value() : it->second;
    }
    if ((target.kind == Value::Kind::kList || target.kind == Value::Kind::kString) && key.kind == Value::Kind::kInt) {
      long long n = static_cast<long long>(target.kind == Value::Kind::kList ? target.list->size() : target.s.size());
      long long k = key.i < 0 ? key.i + n : key.i;
      if (k < 0 || k >= n) return Value();
      return target.kind == Value::Kind::kList ? (*target.list)[static_cast<size_t>(k)]
                                               : Value::Str(std::string(1, target.s[static_cast<size_t>(k)]));
    }
    return Value();
  }

  Value Slice(const Value& target, const Expr& e) {
    auto part = [&](size_t k) -> std::optional<long long> {
      if (!e.args[k]) return std::nullopt;
      Value v = Eval(*e.args[k]);
      if (v.kind != Value::Kind::kInt) throw TemplateError("slice bounds must be integers");
      return v.i;
    };
    std::optional<long long> start = part(1), stop = part(2), step_opt = part(3);
    long long step = step_opt.value_or(1);
    if (step == 0) throw TemplateError("slice step cannot be zero");
    long long n = static_cast<long long>(target.kind == Value::Kind::kList ? target.list->size() : target.s.size());
    auto clamp = [&](long long v, long long lo, long long hi) { return std::max(lo, std::min(hi, v < 0 ? v + n : v)); };
    long long b = step > 0 ? clamp(start.value_or(0), 0, n) : clamp(start.value_or(n - 1), -1, n - 1);
    long long end = step > 0 ? clamp(stop.value_or(n), 0, n) : (stop ? clamp(*stop, -1, n - 1) : -1);
    ValueList items;
    std::string text;
    for (long long k = b; step > 0 ? k < end : k > end; k += step) {
      if (target.kind == Value::Kind::kList) {
        items.push_back((*target.list)[static_cast<size_t>(k)]);
      } else {
        text += target.s[static_cast<size_t>(k)];
      }
    }
    return target.kind == Value::Kind::kList ? Value::List(std::move(items)) : Value::Str(std::move(text));
  }

  static std::string StripChars(const std::string& s, const std::string& chars, bool left, bool right) {
    auto is_strip = [&](char c) { return chars.empty() ? IsSpace(c) : chars.find(c) != std::string::npos; };
    size_t b = 0, e = s.size();
    if (left) while (b < e && is_strip(s[b])) ++b;
    if (right) while (e > b && is_strip(s[e - 1])) --e;
    return s.substr(b, e - b);
  }

  Value CallMethod(const Value& self, const std::string& method, const std::vector<Value>& args) {
    auto arg_string = [&](size_t k) { return k < args.size() && args[k].kind == Value::Kind::kString ? args[k].s : std::string(); };
    if (self.kind == Value::Kind::kString) {
      const std::string& s = self.s;
      if (method == "startswith") return Value::Bool(s.rfind(arg_string(0), 0) == 0);
      if (method == "endswith") {
        std::string suffix = arg_string(0);
        return Value::Bool(s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0);
      }
      if (method == "strip") return Value::Str(StripChars(s, arg_string(0), true, true));
      if (method == "lstrip") return Value::Str(StripChars(s, arg_string(0), true, false));
      if (method == "rstrip") return Value::Str(StripChars(s, arg_string(0), false, true));
      if (method == "upper" || method == "lower") {
        std::string out = s;
        for (char& c : out) c = static_cast<char>(method == "upper" ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
        return Value::Str(out);
      }
      if (method == "split") {
        std::string sep = arg_string(0);
        ValueList parts;
        if (sep.empty()) {
          std::string word;
          for (char c : s) {
            if (IsSpace(c)) {
              if (!word.empty()) parts.push_back(Value::Str(word));
              word.clear();
            } else {
              word += c;
            }
          }
          if (!word.empty()) parts.push_back(Value::Str(word));
        } else {
          size_t start = 0;
          for (size_t at = s.find(sep); at != std::string::npos; at = s.find(sep, start)) {
            parts.push_back(Value::Str(s.substr(start, at - start)));
            start = at + sep.size();
          }
          parts.push_back(Value::Str(s.substr(start)));
        }
        return Value::List(std::move(parts));
      }
      if (method == "capitalize") {  // Python's: the first character upper case, the rest lower (ASCII letters)
        std::string out = s;
        for (size_t k = 0; k < out.size(); ++k) {
          unsigned char c = static_cast<unsigned char>(out[k]);
          out[k] = static_cast<char>(k == 0 ? std::toupper(c) : std::tolower(c));
        }
        return Value::Str(out);
      }
      if (method == "replace") {
        std::string from = arg_string(0), to = arg_string(1), out;
        if (from.empty()) return self;
        size_t start = 0;
        for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, start)) {
          out += s.substr(start, at - start) + to;
          start = at + from.size();
        }
        return Value::Str(out + s.substr(start));
      }
    }
    if (self.kind == Value::Kind::kMap) {
      if (method == "get") {
        Value v = Index(self, args.empty() ? Value() : args[0]);
        return v.defined() ? v : (args.size() > 1 ? args[1] : Value::None());
      }
      if (method == "items" || method == "keys" || method == "values") {
        ValueList out;
        for (const auto& [k, v] : *self.map) {
          if (method == "items") out.push_back(Value::List({Value::Str(k), v}));
          else out.push_back(method == "keys" ? Value::Str(k) : v);
        }
        return Value::List(std::move(out));
      }
    }
    if (self.kind == Value::Kind::kList && (method == "index" || method == "count") && args.size() == 1) {
      long long count = 0;
      for (size_t k = 0; k < self.list->size(); ++k) {
        if (!Equal((*self.list)[k], args[0])) continue;
        if (method == "index") return Value::Int(static_cast<long long>(k));
        ++count;
      }
      if (method == "index") throw TemplateError(ToText(args[0]) + " is not in the list");
      return Value::Int(count);
    }
    throw TemplateError("method ." + method + "() is not supported on this value");
  }

  Value Filter(const std::string& name, const Value& v, const std::vector<Value>& args) {
    if (name == "trim") return Value::Str(StripChars(ToText(v), "", true, true));
    if (name == "length" || name == "count") {
      if (v.kind == Value::Kind::kList) return Value::Int(static_cast<long long>(v.list->size()));
      if (v.kind == Value::Kind::kMap) return Value::Int(static_cast<long long>(v.map->size()));
      return Value::Int(static_cast<long long>(ToText(v).size()));
    }
    if (name == "tojson") return Value::Str(ToJson(v));
    if (name == "string") return Value::Str(ToText(v));
    if (name == "upper" || name == "lower" || name == "capitalize" || name == "replace") {
      return CallMethod(Value::Str(ToText(v)), name, args);
    }
    if (name == "regex_replace") {  // kaif's: Python's re.sub(pattern, replacement, text), the replacement literal
      if (args.size() != 2) throw TemplateError("|regex_replace takes a pattern and a replacement");
      Result<Regex> re = Regex::Compile(ToText(args[0]));
      if (!re.ok()) throw TemplateError(re.status().message());
      const std::string s = ToText(v), replacement = ToText(args[1]);
      std::string out;
      size_t last = 0;
      re->FindAll(s, [&](size_t begin, size_t end) {
        out.append(s, last, begin - last);
        out += replacement;
        last = end;
      });
      return Value::Str(out + s.substr(last));
    }
    if (name == "default") return v.defined() ? v : (args.empty() ? Value::Str("") : args[0]);
    if (name == "first") return Index(v, Value::Int(0));
    if (name == "last") return Index(v, Value::Int(-1));
    if (name == "join") {
      std::string sep = args.empty() ? "" : ToText(args[0]), out;
      if (v.kind == Value::Kind::kList) {
        for (size_t k = 0; k < v.list->size(); ++k) out += (k ? sep : "") + ToText((*v.list)[k]);
      }
      return Value::Str(out);
    }
    throw TemplateError("filter |" + name + " is not supported");
  }

  bool Test(const std::string& name, const Value& v) {
    if (name == "defined") return v.defined();
    if (name == "undefined") return !v.defined();
    if (name == "none") return v.kind == Value::Kind::kNone;
    if (name == "string") return v.kind == Value::Kind::kString;
    if (name == "number") return v.IsNumber();
    if (name == "integer") return v.kind == Value::Kind::kInt;
    if (name == "boolean") return v.kind == Value::Kind::kBool;
    if (name == "mapping") return v.kind == Value::Kind::kMap;
    if (name == "sequence" || name == "iterable") {
      return v.kind == Value::Kind::kList || v.kind == Value::Kind::kString || v.kind == Value::Kind::kMap;
    }
    if (name == "true") return v.kind == Value::Kind::kBool && v.b;
    if (name == "false") return v.kind == Value::Kind::kBool && !v.b;
    throw TemplateError("test 'is " + name + "' is not supported");
  }

  Value Eval(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral: return e.literal;
      case Expr::Kind::kName: return Lookup(e.name);
      case Expr::Kind::kList: {
        ValueList items;
        for (const auto& a : e.args) items.push_back(Eval(*a));
        return Value::List(std::move(items));
      }
      case Expr::Kind::kDict: {
        ValueMap map;
        std::vector<std::string> order;
        for (size_t k = 0; k + 1 < e.args.size(); k += 2) {
          std::string key = ToText(Eval(*e.args[k]));
          map[key] = Eval(*e.args[k + 1]);
          order.push_back(key);
        }
        Value v = Value::Map(std::move(map));
        v.key_order = std::move(order);
        return v;
      }
      case Expr::Kind::kAttr: return Index(Eval(*e.args[0]), Value::Str(e.name));
      case Expr::Kind::kIndex: return Index(Eval(*e.args[0]), Eval(*e.args[1]));
      case Expr::Kind::kSlice: {
        Value target = Eval(*e.args[0]);
        if (target.kind != Value::Kind::kList && target.kind != Value::Kind::kString) {
          throw TemplateError("only lists and strings can be sliced");
        }
        return Slice(target, e);
      }
      case Expr::Kind::kCall: return Call(e);
      case Expr::Kind::kFilter: {
        std::vector<Value> args;
        for (size_t k = 1; k < e.args.size(); ++k) args.push_back(Eval(*e.args[k]));
        return Filter(e.name, Eval(*e.args[0]), args);
      }
      case Expr::Kind::kTest: return Value::Bool(Test(e.name, Eval(*e.args[0])) != e.negate);
      case Expr::Kind::kUnary: {
        Value v = Eval(*e.args[0]);
        if (e.name == "not") return Value::Bool(!v.Truthy());
        if (v.kind == Value::Kind::kInt) return Value::Int(-v.i);
        if (v.kind == Value::Kind::kFloat) return Value::Float(-v.f);
        throw TemplateError("unary minus on a value that is not a number");
      }
      case Expr::Kind::kTernary: {
        return Eval(*e.args[0]).Truthy() ? Eval(*e.args[1]) : Eval(*e.args[2]);
      }
      case Expr::Kind::kBinary: return EvalBinary(e);
    }
    return Value();
  }

  Value EvalBinary(const Expr& e) {
    const std::string& op = e.name;
    if (op == "and") {
      Value a = Eval(*e.args[0]);
      return a.Truthy() ? Eval(*e.args[1]) : a;
    }
    if (op == "or") {
      Value a = Eval(*e.args[0]);
      return a.Truthy() ? a : Eval(*e.args[1]);
    }
    Value a = Eval(*e.args[0]), b = Eval(*e.args[1]);
    if (op == "==") return Value::Bool(Equal(a, b));
    if (op == "!=") return Value::Bool(!Equal(a, b));
    if (op == "~") return Value::Str(ToText(a) + ToText(b));
    if (op == "in") {
      bool found = false;
      if (b.kind == Value::Kind::kString) found = b.s.find(ToText(a)) != std::string::npos;
      if (b.kind == Value::Kind::kList) found = std::any_of(b.list->begin(), b.list->end(), [&](const Value& x) { return Equal(a, x); });
      if (b.kind == Value::Kind::kMap) found = a.kind == Value::Kind::kString && b.map->count(a.s);
      return Value::Bool(found != e.negate);
    }
    if (op == "+" && a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) return Value::Str(a.s + b.s);
    if (op == "+" && a.kind == Value::Kind::kList && b.kind == Value::Kind::kList) {
      ValueList joined = *a.list;
      joined.insert(joined.end(), b.list->begin(), b.list->end());
      return Value::List(std::move(joined));
    }
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
      int c;
      if (a.IsNumber() && b.IsNumber()) {
        c = a.Number() < b.Number() ? -1 : a.Number() > b.Number() ? 1 : 0;
      } else if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
        c = a.s.compare(b.s);
      } else {
        throw TemplateError("cannot compare these values with " + op);
      }
      return Value::Bool(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
    }
    if (!a.IsNumber() || !b.IsNumber()) throw TemplateError("operator " + op + " needs numbers (or two strings for +)");
    bool ints = a.kind == Value::Kind::kInt && b.kind == Value::Kind::kInt;
    if (op == "+") return ints ? Value::Int(a.i + b.i) : Value::Float(a.Number() + b.Number());
    if (op == "-") return ints ? Value::Int(a.i - b.i) : Value::Float(a.Number() - b.Number());
    if (op == "*") return ints ? Value::Int(a.i * b.i) : Value::Float(a.Number() * b.Number());
    if (op == "/") {
      if (b.Number() == 0) throw TemplateError("division by zero");
      return Value::Float(a.Number() / b.Number());
    }
    if (op == "%" || op == "//") {
      if (b.Number() == 0) throw TemplateError("division by zero");
      if (ints) {
        long long q = a.i / b.i, r = a.i % b.i;
        if (r != 0 && ((r < 0) != (b.i < 0))) { --q; r += b.i; }  // Python's floor division
        return Value::Int(op == "%" ? r : q);
      }
      double q = std::floor(a.Number() / b.Number());
      return Value::Float(op == "%" ? a.Number() - q * b.Number() : q);
    }
    throw TemplateError("operator " + op + " is not supported");
  }

  Value Call(const Expr& e) {
    std::vector<Value> args;
    size_t positional = e.args.size() - 1 - e.kwarg_names.size();
    for (size_t k = 1; k <= positional; ++k) args.push_back(Eval(*e.args[k]));
    const Expr& callee = *e.args[0];
    if (callee.kind == Expr::Kind::kAttr) return CallMethod(Eval(*callee.args[0]), callee.name, args);
    if (callee.kind == Expr::Kind::kName && callee.name == "namespace") {
      ValueMap fields;
      for (size_t k = 0; k < e.kwarg_names.size(); ++k) fields[e.kwarg_names[k]] = Eval(*e.args[1 + positional + k]);
      return Value::Map(std::move(fields));
    }
    if (callee.kind == Expr::Kind::kName && callee.name == "raise_exception") {
      throw TemplateError("the template raised: " + (args.empty() ? std::string() : ToText(args[0])));
    }
    if (callee.kind == Expr::Kind::kName && callee.name == "range") {
      long long start = 0, stop = 0;
      if (args.size() == 1) stop = args[0].i;
      if (args.size() >= 2) start = args[0].i, stop = args[1].i;
      ValueList out;
      for (long long k = start; k < stop; ++k) out.push_back(Value::Int(k));
      return Value::List(std::move(out));
    }
    throw TemplateError("calling " + (callee.kind == Expr::Kind::kName ? callee.name : std::string("this value")) +
                        "() is not supported");
  }

  std::vector<ValueMap> scopes_;
  bool strict_undefined_ = false;
};

// ---------------------------------------------------------------------------- API
ChatTemplate::ChatTemplate() = default;
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;
ChatTemplate::~ChatTemplate() = default;

Result<ChatTemplate> ChatTemplate::Parse(std::string_view source, const TemplateOptions& options) {
  try {
    ChatTemplate t;
    t.options_ = options;
    std::string text(source);
    t.root_ = Parser(Lex(options.trim_blocks ? Preprocess(std::move(text)) : std::move(text))).ParseTemplate();
    return t;
  } catch (const TemplateError& e) {
    return Status::InvalidInput(std::string("chat template: ") + e.what());
  } catch (const std::exception& e) {
    return Status::InvalidInput(std::string("chat template: ") + e.what());
  }
}

Result<std::string> ChatTemplate::Render(const nlohmann::json& context) const {
  try {
    std::string out;
    Renderer(context, options_.strict_undefined).Render(*root_, out);
    return out;
  } catch (const TemplateError& e) {
    return Status::InvalidInput(std::string("chat template: ") + e.what());
  }
}

Result<std::string> ModelChatTemplate::Render(const nlohmann::json& messages, bool add_generation_prompt) const {
  if (!messages.is_array()) return Status::InvalidInput("chat messages must be a JSON list of {\"role\", \"content\"}");
  return chat_template.Render({{"messages", messages},
                               {"add_generation_prompt", add_generation_prompt},
                               {"bos_token", bos_token},
                               {"eos_token", eos_token}});
}

Result<ModelChatTemplate> LoadChatTemplate(const std::filesystem::path& model_dir) {
  std::filesystem::path file =
      std::filesystem::is_directory(model_dir) ? model_dir / "tokenizer_config.json" : model_dir;
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(file.string() + ": not JSON: " + e.what());
  }
  if (!config.is_object() || !config.contains("chat_template")) {
    return Status::InvalidInput(file.string() + ": has no chat_template; this model ships none");
  }
  std::string source;
  const nlohmann::json& t = config["chat_template"];
  if (t.is_string()) {
    source = t.get<std::string>();
  } else if (t.is_array()) {  // named templates: take "default"
    for (const auto& named : t) {
      if (named.value("name", "") == "default") source = named.value("template", "");
    }
  }
  if (source.empty()) return Status::InvalidInput(file.string() + ": chat_template is empty or has no \"default\"");
  Result<ChatTemplate> parsed = ChatTemplate::Parse(source);
  if (!parsed.ok()) return parsed.status().WithContext(file.string());
  auto token = [&](const char* key) -> std::string {
    if (!config.contains(key)) return "";
    const nlohmann::json& v = config[key];
    if (v.is_string()) return v.get<std::string>();
    return v.is_object() ? v.value("content", "") : "";
  };
  return ModelChatTemplate{std::move(*parsed), token("bos_token"), token("eos_token")};
}

}  // namespace kaif::tokenizer
