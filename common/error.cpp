#include "common/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace nasaic {
namespace {

std::string format_location(const std::string& file, int line, const std::string& key,
                            const std::string& message) {
  std::string text;
  if (!file.empty()) {
    text += file;
    if (line > 0) text += ":" + std::to_string(line);
    text += ": ";
  }
  if (!key.empty()) text += key + ": ";
  text += message;
  // The CLI promises one readable line, even when a value came from garbage.
  return one_line(std::move(text));
}

}  // namespace

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

std::string one_line(std::string text) {
  for (char& ch : text) {
    const auto code = static_cast<unsigned char>(ch);
    if (code < 0x20 || code == 0x7f) ch = '?';
  }
  return text;
}

InputError::InputError(std::string file, int line, std::string key, std::string message)
    : std::runtime_error(format_location(file, line, key, message)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      message_(std::move(message)) {}

void panic(const char* file, int line, const char* condition, const std::string& message) {
  std::fprintf(stderr, "nasaic internal error at %s:%d: check '%s' failed: %s\n", file, line, condition,
               message.c_str());
  std::abort();
}

}  // namespace nasaic
