#include "toolchain/target.h"

#include "util/strings.h"

namespace sp::toolchain {

std::string_view to_string(Arch arch) {
  switch (arch) {
  case Arch::x86_64:
    return "x86_64";
  case Arch::aarch64:
    return "aarch64";
  case Arch::armv7:
    return "armv7";
  }
  return "?";
}

std::string_view to_string(Libc libc) { return libc == Libc::glibc ? "glibc" : "musl"; }

Result<Libc> parse_libc(std::string_view text) {
  if (text == "glibc" || text == "gnu") {
    return Libc::glibc;
  }
  if (text == "musl") {
    return Libc::musl;
  }
  return usage_error("libc '" + std::string(text) + "'", "unknown libc", "use glibc or musl");
}

std::string Target::name() const {
  return std::string(to_string(arch)) + "-" + std::string(to_string(libc));
}

std::string Target::clang_triple() const {
  switch (arch) {
  case Arch::x86_64:
    return libc == Libc::glibc ? "x86_64-linux-gnu" : "x86_64-linux-musl";
  case Arch::aarch64:
    return libc == Libc::glibc ? "aarch64-linux-gnu" : "aarch64-linux-musl";
  case Arch::armv7:
    return libc == Libc::glibc ? "armv7a-linux-gnueabihf" : "armv7a-linux-musleabihf";
  }
  return {};
}

std::string Target::gnu_triple() const {
  switch (arch) {
  case Arch::x86_64:
    return "x86_64-linux-gnu";
  case Arch::aarch64:
    return "aarch64-linux-gnu";
  case Arch::armv7:
    return "arm-linux-gnueabihf";
  }
  return {};
}

std::string Target::musl_triple() const {
  switch (arch) {
  case Arch::x86_64:
    return "x86_64-linux-musl";
  case Arch::aarch64:
    return "aarch64-linux-musl";
  case Arch::armv7:
    return "arm-linux-musleabihf";
  }
  return {};
}

std::string Target::debian_arch() const {
  switch (arch) {
  case Arch::x86_64:
    return "amd64";
  case Arch::aarch64:
    return "arm64";
  case Arch::armv7:
    return "armhf";
  }
  return {};
}

std::string Target::lld_emulation() const {
  switch (arch) {
  case Arch::x86_64:
    return "elf_x86_64";
  case Arch::aarch64:
    return "aarch64linux";
  case Arch::armv7:
    return "armelf_linux_eabi";
  }
  return {};
}

Platform Target::platform() const {
  switch (arch) {
  case Arch::x86_64:
    return {"linux", "amd64", ""};
  case Arch::aarch64:
    return {"linux", "arm64", "v8"};
  case Arch::armv7:
    return {"linux", "arm", "v7"};
  }
  return {};
}

namespace {

std::optional<Arch> arch_from(std::string_view word) {
  if (word == "x86_64" || word == "amd64" || word == "x86-64") {
    return Arch::x86_64;
  }
  if (word == "aarch64" || word == "arm64") {
    return Arch::aarch64;
  }
  if (word == "armv7" || word == "armv7a" || word == "armv7l" || word == "arm" || word == "armhf") {
    return Arch::armv7;
  }
  return std::nullopt;
}

Error bad_target(std::string_view text, std::string why) {
  return usage_error("unknown target '" + std::string(text) + "'", std::move(why),
                     "use x86_64, aarch64 or armv7, optionally with -glibc or -musl "
                     "(e.g. aarch64-musl), or a triple such as arm-linux-gnueabihf");
}

} // namespace

Result<Target> parse_target(std::string_view text, std::optional<Libc> libc) {
  std::vector<std::string> parts = split(text, '-');
  std::optional<Arch> arch = parts.empty() ? std::nullopt : arch_from(parts[0]);
  if (!arch) {
    return bad_target(text, "the architecture is not one scratchpack builds for");
  }
  std::optional<Libc> named;
  std::string env;
  if (parts.size() == 2) {
    env = parts[1];
  } else if (parts.size() == 3 && parts[1] == "linux") {
    env = parts[2];
  } else if (parts.size() == 4 && (parts[1] == "unknown" || parts[1] == "pc") &&
             parts[2] == "linux") {
    env = parts[3];
  } else if (parts.size() != 1) {
    return bad_target(text, "expected ARCH[-LIBC] or ARCH-linux-ENV");
  }
  if (!env.empty()) {
    if (env == "glibc" || env == "gnu" || env == "gnueabihf") {
      named = Libc::glibc;
    } else if (env == "musl" || env == "musleabihf") {
      named = Libc::musl;
    } else if (env == "gnueabi" || env == "musleabi") {
      return bad_target(text, "soft-float ARM is not supported (armv7 is hard-float)");
    } else {
      return bad_target(text, "unknown libc or environment '" + env + "'");
    }
    if ((env == "gnueabihf" || env == "musleabihf") && *arch != Arch::armv7) {
      return bad_target(text, "the eabihf environment is for 32-bit ARM only");
    }
  }
  if (named && libc && *named != *libc) {
    return usage_error("target '" + std::string(text) + "'",
                       "names " + std::string(to_string(*named)) + " but --libc is " +
                           std::string(to_string(*libc)),
                       "drop one of the two");
  }
  Target t;
  t.arch = *arch;
  t.libc = named ? *named : libc.value_or(Libc::glibc);
  return t;
}

Result<std::vector<Target>> parse_targets(std::string_view text, std::optional<Libc> libc) {
  std::vector<Target> targets;
  for (const std::string& item : split(text, ',')) {
    std::string_view word = trim(item);
    auto t = parse_target(word, libc);
    if (!t) {
      return t.take_error();
    }
    for (const Target& seen : targets) {
      if (seen == *t) {
        return usage_error("target '" + std::string(word) + "'", "given twice");
      }
    }
    targets.push_back(*t);
  }
  return targets;
}

std::vector<Target> all_targets() {
  std::vector<Target> out;
  for (Libc libc : {Libc::glibc, Libc::musl}) {
    for (Arch arch : {Arch::x86_64, Arch::aarch64, Arch::armv7}) {
      out.push_back({arch, libc});
    }
  }
  return out;
}

} // namespace sp::toolchain
