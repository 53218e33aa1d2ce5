// Small string helpers shared by every module.
#pragma once

#include "util/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sp {

std::vector<std::string> split(std::string_view text, char sep);
/// The components of a slash-separated path ("a//./b/" → a, b); empty ones and "." are dropped,
/// ".." is kept for the caller to judge.
std::vector<std::string> path_components(std::string_view path);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view trim(std::string_view text);
/// The last `count` lines of `text` (a tool's output, where its error is).
std::string tail_lines(const std::string& text, size_t count);
/// Quotes an argument for display the way a POSIX shell would need it (never executed).
std::string shell_quote(std::string_view arg);
std::string shell_join(const std::vector<std::string>& argv);
/// `text` between two `quote` characters, with `quote` and backslash escaped by a backslash (fish
/// strings, Meson strings).
std::string backslash_quoted(std::string_view text, char quote);
/// Splits shell-like text into words: whitespace separates, '…' and "…" group; with
/// `backslash_escapes`, a backslash takes the next character as it is (gcc's response files).
std::vector<std::string> split_words(std::string_view text, bool backslash_escapes);
/// Lower-case hex of `size` bytes.
std::string to_hex(const unsigned char* data, size_t size);
/// Parses a base-10 unsigned integer covering the whole text; false when it is not one.
bool parse_uint(std::string_view text, unsigned long long& out);

/// The candidate closest to `word` by edit distance (a transposition counts once), or empty when
/// none is close enough to be a likely typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
/// "; did you mean 'x'?" when a candidate is close, else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Parses a byte count: "1048576", "512K", "8M", "1G" (binary units).
Result<uint64_t> parse_size(std::string_view text);

/// "512 B", "3.4 KiB", "1.2 GiB": a byte count for people.
std::string format_bytes(uint64_t bytes);

} // namespace sp
