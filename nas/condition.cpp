// The tiny condition language of search spaces: `operand op operand`, where an operand is a gene
// name, a number or a quoted string, and op is one of <= < >= > == !=.
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "nas/space.h"

namespace imc::nas {

using common::InputError;

namespace {

struct Token {
  enum Kind { kName, kNumber, kString, kOp, kEnd } kind = kEnd;
  std::string text;
  std::size_t pos = 0;
};

class Lexer {
 public:
  Lexer(std::string_view s, const std::string& where, std::string_view whole)
      : s_(s), where_(where), whole_(whole) {}

  Token next() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    Token t;
    t.pos = i_;
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t b = i_;
      while (i_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '.'))
        ++i_;
      t.kind = Token::kName;
      t.text = std::string(s_.substr(b, i_ - b));
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') {
      const char* begin = s_.data() + i_;
      char* end = nullptr;
      std::string copy(s_.substr(i_));
      std::strtod(copy.c_str(), &end);
      std::size_t len = static_cast<std::size_t>(end - copy.c_str());
      if (len == 0) fail(fmt::format("unexpected '{}' at column {}", c, i_ + 1));
      t.kind = Token::kNumber;
      t.text = std::string(begin, len);
      i_ += len;
      return t;
    }
    if (c == '"' || c == '\'') {
      std::size_t close = s_.find(c, i_ + 1);
      if (close == std::string_view::npos)
        fail(fmt::format("unterminated string starting at column {}", i_ + 1));
      t.kind = Token::kString;
      t.text = std::string(s_.substr(i_ + 1, close - i_ - 1));
      i_ = close + 1;
      return t;
    }
    for (const char* op : {"<=", ">=", "==", "!=", "<", ">"}) {
      std::string_view o(op);
      if (s_.substr(i_, o.size()) == o) {
        t.kind = Token::kOp;
        t.text = std::string(o);
        i_ += o.size();
        return t;
      }
    }
    fail(fmt::format("unexpected '{}' at column {}", c, i_ + 1));
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(fmt::format("{}: cannot parse condition \"{}\": {}", where_, whole_, what));
  }

 private:
  std::string_view s_;
  std::string where_;
  std::string_view whole_;
  std::size_t i_ = 0;
};

CmpOp op_of(const std::string& s) {
  if (s == "<=") return CmpOp::kLe;
  if (s == "<") return CmpOp::kLt;
  if (s == ">=") return CmpOp::kGe;
  if (s == ">") return CmpOp::kGt;
  if (s == "==") return CmpOp::kEq;
  return CmpOp::kNe;
}

}  // namespace

std::string to_string(CmpOp op) {
  switch (op) {
    case CmpOp::kLe:
      return "<=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kGe:
      return ">=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kEq:
      return "==";
    case CmpOp::kNe:
      return "!=";
  }
  return "?";
}

Condition parse_condition(std::string_view text, const SearchSpace& space, const std::string& where) {
  Lexer lex(text, where, text);
  Condition c;
  c.text = std::string(text);
  bool lhs_numeric = false, rhs_numeric = false;
  auto operand = [&](const char* after, bool& numeric) {
    Token t = lex.next();
    Operand o;
    switch (t.kind) {
      case Token::kName: {
        const Gene* g = space.find(t.text);
        if (!g) {
          std::string names;
          for (const auto& gene : space.genes()) names += (names.empty() ? "" : ", ") + gene.name;
          lex.fail(fmt::format("unknown gene '{}'; genes declared so far: {}", t.text,
                               names.empty() ? "(none)" : names));
        }
        o.is_gene = true;
        o.gene = space.index_of(t.text);
        numeric = g->numeric();
        break;
      }
      case Token::kNumber:
        o.literal = GeneValue::number(std::strtod(t.text.c_str(), nullptr));
        numeric = true;
        break;
      case Token::kString:
        o.literal = GeneValue::text(t.text);
        numeric = false;
        break;
      default:
        lex.fail(fmt::format("expected a gene name, a number or a quoted string {}", after));
    }
    return o;
  };
  c.lhs = operand("at the start", lhs_numeric);
  Token op = lex.next();
  if (op.kind != Token::kOp) lex.fail("expected one of <= < >= > == != after the first operand");
  c.op = op_of(op.text);
  c.rhs = operand(("after '" + op.text + "'").c_str(), rhs_numeric);
  if (Token extra = lex.next(); extra.kind != Token::kEnd)
    lex.fail(fmt::format("unexpected '{}' after the condition (one comparison per condition)", extra.text));
  if (!c.lhs.is_gene && !c.rhs.is_gene) lex.fail("a condition must name at least one gene");
  if (lhs_numeric != rhs_numeric)
    lex.fail("compares a number with a string (a gene's values are all numbers or all strings)");
  if (!lhs_numeric && c.op != CmpOp::kEq && c.op != CmpOp::kNe)
    lex.fail("strings can only be compared with == or !=");
  return c;
}

double condition_violation(const Condition& c, const Genome& genome, const SearchSpace& space) {
  auto value = [&](const Operand& o) -> const GeneValue& {
    return o.is_gene ? space.genes()[o.gene].values[static_cast<std::size_t>(genome[o.gene])] : o.literal;
  };
  const GeneValue& a = value(c.lhs);
  const GeneValue& b = value(c.rhs);
  if (a.is_string()) {
    bool eq = a == b;
    bool holds = c.op == CmpOp::kEq ? eq : !eq;
    return holds ? 0.0 : 1.0;
  }
  double x = a.as_number(), y = b.as_number();
  bool holds = false;
  switch (c.op) {
    case CmpOp::kLe:
      holds = x <= y;
      break;
    case CmpOp::kLt:
      holds = x < y;
      break;
    case CmpOp::kGe:
      holds = x >= y;
      break;
    case CmpOp::kGt:
      holds = x > y;
      break;
    case CmpOp::kEq:
      holds = x == y;
      break;
    case CmpOp::kNe:
      holds = x != y;
      break;
  }
  if (holds) return 0.0;
  double denom = std::abs(x) + std::abs(y);
  // One per violated condition plus a gap in [0, 1) that shrinks as the candidate nears feasibility.
  return 1.0 + (denom > 0 ? std::min(std::abs(x - y) / denom, 0.999) : 0.0);
}

}  // namespace imc::nas
