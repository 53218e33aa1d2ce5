// The grammar of each manifest value: pure checks from text to "fine" or the message that says
// what is wrong. They read nothing and know nothing of YAML, so tests call them directly. File
// modes, owners and stop signals are util/image_values.h's, shared with the CLI and Dockerfiles.
#pragma once

#include "manifests/manifest.h"
#include "util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace sp::manifests {

/// [a-z0-9][a-z0-9._-]*, at most 128 characters.
Status check_project_name(std::string_view name);
/// A plain file name: [A-Za-z0-9][A-Za-z0-9._+-]*, at most 255 characters.
Status check_binary_name(std::string_view name);
/// An OCI repository without tag or digest: optional registry host[:port], then lower-case path
/// components ([a-z0-9]+ joined by '.', '_', '__' or '-'), at most 255 characters.
Status check_image_name(std::string_view name);
/// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
Status check_tag(std::string_view tag);
/// The language of a standard clang accepts: c89…c2y and c++98…c++26 with their gnu, ISO and
/// draft spellings (iso9899:2011, c2x, c++2a…).
Result<Language> parse_std(std::string_view std);
/// NAME or NAME=VALUE, NAME a C identifier.
Status check_define(std::string_view define);
/// A Debian package name (policy 5.6.1: lower-case letters, digits, + - ., two or more, starting
/// with a letter or digit), optionally with ":ARCH" left out: the target decides.
Status check_debian_package(std::string_view name);
/// A pkg-config module name: letters, digits, and . _ + -.
Status check_pkg_config_module(std::string_view name);
/// A library name for -l ("z", "pthread", ":libfoo.a"), not "-lz" or a path.
Status check_lib(std::string_view lib);
/// [A-Za-z_][A-Za-z0-9_]*.
Status check_env_key(std::string_view key);
/// An absolute path of a file in the image: starts with '/', no "..", no empty or "."
/// components, does not end with '/'.
Status check_image_file_path(std::string_view path);
/// An absolute directory in the image: starts with '/', no "..".
Status check_image_dir(std::string_view path);
/// "uid", "uid:gid", "root" or "nonroot" (see Image::user).
Status check_user(std::string_view user);

/// "8080", "8080/tcp", "53/udp", "9000/sctp"; 1..65535.
Result<Port> parse_port(std::string_view text);
Result<Profile> parse_profile(std::string_view text);
Result<Libc> parse_libc(std::string_view text);
Result<Compression> parse_compression(std::string_view text);
Result<OutputFormat> parse_output_format(std::string_view text);

/// The exec form a shell-form command most likely meant: "/hello --port 8080" gives
/// ["/hello", "--port", "8080"] (split on blanks, simple quotes honoured), rendered as YAML.
std::string exec_form_hint(std::string_view shell_command);

} // namespace sp::manifests
