// Deterministic mutations of a config's text for the input fuzzer: what an adversarial user or a
// damaged file does (a line or section deleted, a number replaced by 0 / -1 / 1e30 / nan / inf /
// 2^63-1 / a string, a duplicated key, a truncation, bytes that are not UTF-8).
#pragma once

#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace imc::fuzz {

struct Mutation {
  std::string text;
  std::string what;  // for the failure message: "delete line 12", "number -> nan at line 3", ...
};

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// The replacements of a number: the edges of every range and what is no number at all.
inline const std::vector<std::string>& number_replacements() {
  static const std::vector<std::string> r = {"0",
                                             "-1",
                                             "1e30",
                                             "nan",
                                             "inf",
                                             "-inf",
                                             "9223372036854775807",
                                             "-9223372036854775808",
                                             "\"text\"",
                                             "9007199254740993",
                                             "1e-30",
                                             "65537",
                                             "true",
                                             "[]",
                                             "0.5"};
  return r;
}

// Finds a number token in the line (a run of digits, sign, '.', 'e'); false if none.
inline bool find_number(const std::string& line, std::size_t& begin, std::size_t& end, std::mt19937_64& rng) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  const auto eq = line.find('=');
  if (eq == std::string::npos || line.find('#') < eq) return false;
  for (std::size_t i = eq + 1; i < line.size();) {
    if (line[i] == '#') break;
    if (line[i] == '"') {  // skip strings
      const auto close = line.find('"', i + 1);
      i = close == std::string::npos ? line.size() : close + 1;
      continue;
    }
    if ((line[i] >= '0' && line[i] <= '9') || ((line[i] == '-' || line[i] == '+') && i + 1 < line.size() &&
                                               line[i + 1] >= '0' && line[i + 1] <= '9')) {
      std::size_t j = i + 1;
      while (j < line.size() &&
             (std::isdigit(static_cast<unsigned char>(line[j])) || line[j] == '.' || line[j] == 'e' ||
              line[j] == 'E' || line[j] == '_' ||
              ((line[j] == '-' || line[j] == '+') && (line[j - 1] == 'e' || line[j - 1] == 'E'))))
        ++j;
      spans.emplace_back(i, j);
      i = j;
      continue;
    }
    ++i;
  }
  if (spans.empty()) return false;
  const auto s = spans[rng() % spans.size()];
  begin = s.first;
  end = s.second;
  return true;
}

// One mutation of `text`, chosen by `rng` (the same seed gives the same mutation).
inline Mutation mutate(const std::string& text, std::mt19937_64& rng) {
  std::vector<std::string> lines = split_lines(text);
  const std::size_t n = lines.size();
  auto pick_line = [&]() { return n ? std::size_t(rng() % n) : 0; };
  for (int attempt = 0; attempt < 20; ++attempt) {
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2: {  // a number replaced (the most common: ranges, finiteness, types)
        std::vector<std::size_t> with_numbers;
        for (std::size_t i = 0; i < n; ++i) {
          std::size_t b = 0, e = 0;
          std::mt19937_64 probe(i);
          if (find_number(lines[i], b, e, probe)) with_numbers.push_back(i);
        }
        if (with_numbers.empty()) break;
        const std::size_t i = with_numbers[rng() % with_numbers.size()];
        std::size_t b = 0, e = 0;
        find_number(lines[i], b, e, rng);
        const auto& reps = number_replacements();
        const std::string rep = reps[rng() % reps.size()];
        const std::string old = lines[i].substr(b, e - b);
        lines[i].replace(b, e - b, rep);
        return {join_lines(lines), "number " + old + " -> " + rep + " at line " + std::to_string(i + 1)};
      }
      case 3: {  // a line deleted (a key gone)
        if (!n) break;
        const std::size_t i = pick_line();
        lines.erase(lines.begin() + std::ptrdiff_t(i));
        return {join_lines(lines), "delete line " + std::to_string(i + 1)};
      }
      case 4: {  // a whole section deleted
        std::vector<std::size_t> headers;
        for (std::size_t i = 0; i < n; ++i)
          if (!lines[i].empty() && lines[i][0] == '[') headers.push_back(i);
        if (headers.empty()) break;
        const std::size_t h = rng() % headers.size();
        const std::size_t from = headers[h], to = h + 1 < headers.size() ? headers[h + 1] : n;
        lines.erase(lines.begin() + std::ptrdiff_t(from), lines.begin() + std::ptrdiff_t(to));
        return {join_lines(lines), "delete section at line " + std::to_string(from + 1)};
      }
      case 5: {  // a key given twice
        if (!n) break;
        const std::size_t i = pick_line();
        if (lines[i].find('=') == std::string::npos) break;
        lines.insert(lines.begin() + std::ptrdiff_t(i), lines[i]);
        return {join_lines(lines), "duplicate line " + std::to_string(i + 1)};
      }
      case 6: {  // truncated (a partial write)
        if (text.empty()) break;
        const std::size_t at = rng() % text.size();
        return {text.substr(0, at), "truncate at byte " + std::to_string(at)};
      }
      case 7: {  // bytes that are not UTF-8
        std::string t = text;
        const std::size_t at = t.empty() ? 0 : rng() % t.size();
        t.insert(at, "\xff\xfe\xc3");
        return {t, "non-UTF-8 bytes at byte " + std::to_string(at)};
      }
      case 8: {  // a string value replaced
        std::vector<std::size_t> with_strings;
        for (std::size_t i = 0; i < n; ++i)
          if (lines[i].find('=') != std::string::npos && lines[i].find('"') != std::string::npos)
            with_strings.push_back(i);
        if (with_strings.empty()) break;
        const std::size_t i = with_strings[rng() % with_strings.size()];
        const auto q1 = lines[i].find('"'), q2 = lines[i].find('"', q1 + 1);
        if (q2 == std::string::npos) break;
        static const std::vector<std::string> reps = {
            "\"\"", "\"nosuch\"", "\"/tmp\"", "\"../../../etc/passwd\"", "42", "\"nan\""};
        const std::string rep = reps[rng() % reps.size()];
        lines[i].replace(q1, q2 - q1 + 1, rep);
        return {join_lines(lines), "string -> " + rep + " at line " + std::to_string(i + 1)};
      }
      case 9: {  // two lines swapped (a key moves to another section)
        if (n < 2) break;
        const std::size_t a = pick_line(), b = pick_line();
        std::swap(lines[a], lines[b]);
        return {join_lines(lines), "swap lines " + std::to_string(a + 1) + " and " + std::to_string(b + 1)};
      }
    }
  }
  return {"", "empty file"};
}

}  // namespace imc::fuzz
