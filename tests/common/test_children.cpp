// Jobs in forked children: results in order, failures keep their kind across the fork.
#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/children.h"
#include "common/config.h"

using namespace imc::common;

namespace {

struct Square {
  long value = 0;
  long pid = 0;
};
void to_json(nlohmann::json& j, const Square& s) {
  j = {{"value", s.value}, {"pid", s.pid}};
}
void from_json(const nlohmann::json& j, Square& s) {
  s.value = j.at("value").get<long>();
  s.pid = j.at("pid").get<long>();
}

}  // namespace

TEST_CASE("children: typed jobs and results come back in job order") {
  const std::vector<std::string> jobs = {"a", "bb", "ccc", "dddd", "eeeee"};
  const auto out = run_in_children(
      jobs,
      [](const std::string& s) {
        return Square{long(s.size() * s.size()), long(::getpid())};
      },
      ChildOptions{2, 2});
  REQUIRE(out.size() == 5);
  std::set<long> pids;
  for (std::size_t i = 0; i < out.size(); ++i) {
    CHECK_FALSE(out[i].failure);
    CHECK(out[i].value().value == long((i + 1) * (i + 1)));
    CHECK(out[i].value().pid != long(::getpid()));
    CHECK(out[i].child.wall_s > 0);
    CHECK(out[i].child.peak_rss_kb > 0);
    pids.insert(out[i].value().pid);
  }
  CHECK(pids.size() == 3);  // two jobs per child: {0,1} {2,3} {4}
  CHECK(run_in_children(std::vector<int>{}, [](int i) { return i; }).empty());
}

TEST_CASE("children: an InputError in a child is an InputError in the parent, same message") {
  const auto out = run_in_children(std::vector<int>{0, 1}, [](int i) -> int {
    if (i == 1) throw InputError("arch.toml:3: key 'offchip.kind': bad");
    return i;
  });
  CHECK(out[0].value() == 0);
  REQUIRE(out[1].failure);
  CHECK(out[1].failure->kind == ChildFailureKind::InputError);
  CHECK_THROWS_WITH_AS(out[1].value(), "arch.toml:3: key 'offchip.kind': bad", InputError);
  CHECK_THROWS_AS(values(run_in_children(std::vector<int>{0, 1},
                                         [](int i) -> int {
                                           if (i == 1) throw InputError("bad");
                                           return i;
                                         })),
                  InputError);
}

TEST_CASE("children: other exceptions, signals and early exits are ChildErrors that say which") {
  const auto out = run_in_children(
      std::vector<int>{0, 1, 2, 3},
      [](int i) -> int {
        if (i == 1) throw std::runtime_error("model diverged");
        if (i == 2) ::raise(SIGKILL);
        if (i == 3) ::_exit(3);
        return 7;
      },
      ChildOptions{4, 1});
  CHECK(out[0].value() == 7);
  REQUIRE(out[1].failure);
  CHECK(out[1].failure->kind == ChildFailureKind::Exception);
  CHECK_THROWS_WITH_AS(out[1].value(), "model diverged", ChildError);
  REQUIRE(out[2].failure);
  CHECK(out[2].failure->kind == ChildFailureKind::Signal);
  CHECK(out[2].failure->signal == SIGKILL);
  CHECK_THROWS_WITH_AS(out[2].value(), "child process was killed by signal 9 (Killed)", ChildError);
  REQUIRE(out[3].failure);
  CHECK(out[3].failure->kind == ChildFailureKind::Exit);
  CHECK(out[3].failure->exit_code == 3);
  CHECK(out[3].failure->message == "child process exited with code 3 before reporting");
  // A ChildError is a std::runtime_error, never an InputError (the CLI exits 1, not 2).
  try {
    out[1].value();
  } catch (const InputError&) {
    FAIL("an exception that is not bad input must not become an InputError");
  } catch (const std::runtime_error&) {
  }
}

TEST_CASE("children: a crash ends the jobs its child had not reported yet") {
  const auto out = run_in_children(
      std::vector<int>{0, 1, 2},
      [](int i) -> int {
        if (i == 1) ::raise(SIGSEGV);
        return i;
      },
      ChildOptions{1, 3});
  CHECK(out[0].value() == 0);
  for (int i : {1, 2}) {
    REQUIRE(out[std::size_t(i)].failure);
    CHECK(out[std::size_t(i)].failure->kind == ChildFailureKind::Signal);
    CHECK(out[std::size_t(i)].failure->signal == SIGSEGV);
  }
}

TEST_CASE("children: large results pass through the pipe") {
  const auto out = run_in_children(
      std::vector<int>{0, 1, 2}, [](int i) { return std::string(300000, char('a' + i)); },
      ChildOptions{3, 1});
  for (int i = 0; i < 3; ++i) CHECK(out[std::size_t(i)].value() == std::string(300000, char('a' + i)));
}
