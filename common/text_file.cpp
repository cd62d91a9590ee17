#include "common/text_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace nasaic {

std::size_t invalid_utf8_offset(const std::string& text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + length > size) return i;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xBF) return i;
    }
    i += length;
  }
  return std::string::npos;
}

int line_of_offset(const std::string& text, std::size_t offset) {
  const std::size_t end = std::min(offset, text.size());
  int line = 1;
  for (std::size_t i = 0; i < end; ++i) line += text[i] == '\n';
  return line;
}

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
  // Read in chunks up to the cap: a device such as /dev/zero has no size
  // and never ends.
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      throw InputError(path, 0, "",
                       "file is larger than the " + std::to_string(max_bytes) + "-byte limit for an input file");
    }
  }
  if (in.bad()) throw InputError(path, 0, "", std::string("read failed: ") + std::strerror(errno));
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    throw InputError(path, line_of_offset(text, nul), "", "binary content (NUL byte), expected text");
  }
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  if (const auto bad = invalid_utf8_offset(text); bad != std::string::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
    throw InputError(path, line_of_offset(text, bad), "",
                     std::string("byte ") + byte + " is not UTF-8; save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)");
  }
  return text;
}

std::string excerpt(const std::string& value, std::size_t max_chars) {
  if (value.size() <= max_chars) return "'" + value + "'";
  // Cut at a character boundary so the message stays UTF-8.
  std::size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return "'" + value.substr(0, cut) + "...'";
}

namespace {

void create_parent_folders(const std::filesystem::path& target, const std::string& what) {
  if (!target.has_parent_path()) return;
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) throw InputError(what, 0, "", "cannot create folder '" + target.parent_path().string() + "': " + ec.message());
}

}  // namespace

void write_text_file(const std::string& path, const std::string& content) {
  create_parent_folders(path, path);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, 0, "", "cannot write: is a folder");
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw InputError(path, 0, "", std::string("cannot write: ") + std::strerror(errno));
  const bool written = std::fwrite(content.data(), 1, content.size(), file) == content.size();
  const int write_errno = errno;
  // fclose flushes: a full disk often shows only here.
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    throw InputError(path, 0, "", std::string("write failed: ") + std::strerror(written ? errno : write_errno));
  }
}

void check_writable_file(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  std::error_code ec;
  const std::filesystem::path target(path);
  if (target.has_parent_path()) {
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) {
      throw InputError("", 0, option,
                       "cannot create folder '" + target.parent_path().string() + "' for " + excerpt(path) + ": " +
                           ec.message());
    }
  }
  if (std::filesystem::is_directory(target, ec)) throw InputError("", 0, option, excerpt(path) + " is a folder");
  const bool existed = std::filesystem::exists(target, ec);
  std::FILE* file = std::fopen(path.c_str(), "ab");
  if (file == nullptr) throw InputError("", 0, option, "cannot write " + excerpt(path) + ": " + std::strerror(errno));
  std::fclose(file);
  if (!existed) std::filesystem::remove(target, ec);
}

void check_writable_folder(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec || !std::filesystem::is_directory(path)) {
    throw InputError("", 0, option,
                     "cannot create folder " + excerpt(path) + (ec ? ": " + ec.message() : ": a file is in the way"));
  }
  const auto probe = std::filesystem::path(path) / ".nasaic-write-check";
  std::FILE* file = std::fopen(probe.c_str(), "wb");
  if (file == nullptr) throw InputError("", 0, option, "cannot write into " + excerpt(path) + ": " + std::strerror(errno));
  std::fclose(file);
  std::filesystem::remove(probe, ec);
}

}  // namespace nasaic
