#pragma once
#include <cstddef>
#include <string>

namespace nasaic {

// Config and topology files are small; a cap turns "100 MB of garbage" into a
// one-line error instead of a long parse or a parser stack overflow.
inline constexpr std::size_t kMaxInputFileBytes = 16u << 20;

// Reads a whole text file. Throws InputError if it is missing, unreadable,
// larger than max_bytes, binary (contains NUL) or not UTF-8 (naming the line
// of the first bad byte). A UTF-8 byte-order mark is dropped.
std::string read_text_file(const std::string& path, std::size_t max_bytes = kMaxInputFileBytes);

// Offset of the first byte that is not part of well-formed UTF-8 (no
// overlongs, surrogates or code points past U+10FFFF), or npos. Names that
// reach a JSON writer must be UTF-8: refusing them at input keeps the promise
// that every name read is written back unchanged.
std::size_t invalid_utf8_offset(const std::string& text);

// 1-based line of a byte offset in text.
int line_of_offset(const std::string& text, std::size_t offset);

// A value quoted in an error message, cut to a readable length.
std::string excerpt(const std::string& value, std::size_t max_chars = 40);

// Writes a file, creating parent folders; throws InputError on failure,
// including a write that fails only when the data reaches the disk
// (a full device), so no result is silently lost.
void write_text_file(const std::string& path, const std::string& content);

// Checks before a long run that `path` can be written (creating parent
// folders), so a mistyped output path fails in a second, not after the
// simulation. `option` names the command-line option for the message.
void check_writable_file(const std::string& path, const std::string& option);
// The same for a folder that outputs will be written into.
void check_writable_folder(const std::string& path, const std::string& option);

}  // namespace nasaic
