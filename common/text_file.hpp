#pragma once
#include <cstddef>
#include <string>

namespace nasaic {

// Config and topology files are small; a cap turns "100 MB of garbage" into a
// one-line error instead of a long parse or a parser stack overflow.
inline constexpr std::size_t kMaxInputFileBytes = 16u << 20;

// Reads a whole text file. Throws InputError if it is missing, unreadable,
// larger than max_bytes, or binary (contains NUL). A UTF-8 byte-order mark is
// dropped.
std::string read_text_file(const std::string& path, std::size_t max_bytes = kMaxInputFileBytes);

// A value quoted in an error message, cut to a readable length.
std::string excerpt(const std::string& value, std::size_t max_chars = 40);

// Writes a file, creating parent folders; throws InputError on failure.
void write_text_file(const std::string& path, const std::string& content);

}  // namespace nasaic
