#include "common/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace nasaic {

std::string read_text_file(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, 0, "", "is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", std::string("cannot open: ") + std::strerror(errno));
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    throw InputError(path, 0, "",
                     "file is " + std::to_string(size) + " bytes, larger than the " + std::to_string(max_bytes) +
                         "-byte limit for an input file");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = std::move(buffer).str();
  if (text.size() > max_bytes) throw InputError(path, 0, "", "file is larger than the input-file limit");
  if (text.find('\0') != std::string::npos) throw InputError(path, 0, "", "binary content (NUL byte), expected text");
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return text;
}

std::string excerpt(const std::string& value, std::size_t max_chars) {
  if (value.size() <= max_chars) return "'" + value + "'";
  return "'" + value.substr(0, max_chars) + "...'";
}

void write_text_file(const std::string& path, const std::string& content) {
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path, 0, "", std::string("cannot write: ") + std::strerror(errno));
  out << content;
  if (!out) throw InputError(path, 0, "", "write failed");
}

}  // namespace nasaic
