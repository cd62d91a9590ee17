#pragma once
// Two kinds of failure, kept apart as in gem5's fatal/panic:
//  - InputError: the user's mistake (a file, a key, a value). Carries the file,
//    line and key so the CLI can print one line and exit with status 2.
//  - NASAIC_CHECK: a broken internal invariant, i.e. our bug. Reports where and
//    aborts.
#include <stdexcept>
#include <string>
#include <vector>

namespace nasaic {

class InputError : public std::runtime_error {
 public:
  // line is 1-based; 0 means the location inside the file is unknown.
  InputError(std::string file, int line, std::string key, std::string message);
  explicit InputError(std::string message) : InputError("", 0, "", std::move(message)) {}

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& key() const { return key_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  std::string key_;
  std::string message_;
};

// `text` with control characters (newlines, escapes) replaced, so a message
// built from garbage input still prints as one readable line.
std::string one_line(std::string text);

// `items` with `separator` between them: the "known: a, b, c" of messages.
std::string join(const std::vector<std::string>& items, const char* separator = ", ");

[[noreturn]] void panic(const char* file, int line, const char* condition, const std::string& message);

}  // namespace nasaic

#define NASAIC_CHECK(condition, message)                                   \
  do {                                                                     \
    if (!(condition)) ::nasaic::panic(__FILE__, __LINE__, #condition, (message)); \
  } while (false)
