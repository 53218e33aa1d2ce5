#include "util/target.h"

#include "util/strings.h"

#include <array>

namespace sp {

namespace {

constexpr std::array<ArchInfo, 4> k_arches{{
    {Arch::x86_64, "x86_64", "amd64 x86-64", "x86_64-linux-gnu", "x86_64-linux-musl",
     "x86_64-linux-gnu", "x86_64-linux-musl", "amd64", "amd64", "", 62, 64, false, "elf_x86_64",
     "qemu-x86_64-static", "x86_64", true},
    {Arch::aarch64, "aarch64", "arm64", "aarch64-linux-gnu", "aarch64-linux-musl",
     "aarch64-linux-gnu", "aarch64-linux-musl", "arm64", "arm64", "v8", 183, 64, false,
     "aarch64linux", "qemu-aarch64-static", "aarch64", true},
    {Arch::armv7, "armv7", "armv7a armv7l arm armhf", "armv7a-linux-gnueabihf",
     "armv7a-linux-musleabihf", "arm-linux-gnueabihf", "arm-linux-musleabihf", "armhf", "arm", "v7",
     40, 32, true, "armelf_linux_eabi", "qemu-arm-static", "arm", true},
    {Arch::riscv64, "riscv64", "riscv rv64 rv64gc", "riscv64-linux-gnu", "riscv64-linux-musl",
     "riscv64-linux-gnu", "riscv64-linux-musl", "riscv64", "riscv64", "", 243, 64, false,
     "elf64lriscv", "qemu-riscv64-static", "riscv64", false},
}};

/// "x86_64, aarch64 or armv7".
std::string arch_names() {
  std::string out;
  for (size_t i = 0; i < k_arches.size(); ++i) {
    out += i == 0 ? "" : i + 1 == k_arches.size() ? " or " : ", ";
    out += k_arches[i].name;
  }
  return out;
}

Error bad_target(std::string_view text, std::string why) {
  return usage_error("unknown target '" + std::string(text) + "'", std::move(why),
                     "use " + arch_names() +
                         ", optionally with -glibc or -musl (e.g. aarch64-musl), a triple such "
                         "as arm-linux-gnueabihf, or a platform such as linux/arm64");
}

/// The libc an environment word names: gnu, gnueabihf, musl, musleabihf, glibc.
Result<Libc> libc_of_env(std::string_view text, std::string_view env, Arch arch) {
  bool eabihf = env == "gnueabihf" || env == "musleabihf";
  if (env == "gnueabi" || env == "musleabi") {
    return bad_target(text, "soft-float ARM is not supported (armv7 is hard-float)");
  }
  if (eabihf && arch != Arch::armv7) {
    return bad_target(text, "the eabihf environment is for 32-bit ARM only");
  }
  if (env == "glibc" || env == "gnu" || env == "gnueabihf") {
    return Libc::glibc;
  }
  if (env == "musl" || env == "musleabihf") {
    return Libc::musl;
  }
  return bad_target(text, "unknown libc or environment '" + std::string(env) + "'");
}

/// The architecture and the libc a target text names (nullopt libc: it names none).
struct Named {
  Arch arch;
  std::optional<Libc> libc;
};

Result<Named> parse_platform_target(std::string_view text) {
  auto platform = parse_platform(text);
  if (!platform) {
    return bad_target(text, platform.error().why);
  }
  const ArchInfo* a = find_arch(*platform);
  if (!a) {
    return bad_target(text, "the platform is not one scratchpack builds for");
  }
  return Named{a->arch, std::nullopt};
}

Result<Named> parse_words(std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    return parse_platform_target(text);
  }
  std::vector<std::string> parts = split(text, '-');
  const ArchInfo* a = parts.empty() ? nullptr : find_arch(parts[0]);
  if (!a) {
    return bad_target(text, "the architecture is not one scratchpack builds for");
  }
  std::string env;
  if (parts.size() == 2) {
    env = parts[1];
  } else if (parts.size() == 3 && parts[1] == "linux") {
    env = parts[2];
  } else if (parts.size() == 4 && (parts[1] == "unknown" || parts[1] == "pc") &&
             parts[2] == "linux") {
    env = parts[3];
  } else if (parts.size() != 1) {
    return bad_target(text, "expected ARCH[-LIBC], ARCH-linux-ENV or linux/ARCH[/VARIANT]");
  }
  if (env.empty()) {
    return Named{a->arch, std::nullopt};
  }
  auto libc = libc_of_env(text, env, a->arch);
  if (!libc) {
    return libc.take_error();
  }
  return Named{a->arch, *libc};
}

} // namespace

std::span<const ArchInfo> arch_table() {
  return k_arches;
}

const ArchInfo& info(Arch arch) {
  for (const ArchInfo& a : k_arches) {
    if (a.arch == arch) {
      return a;
    }
  }
  return k_arches.front();
}

std::string_view to_string(Arch arch) {
  return info(arch).name;
}

const ArchInfo* find_arch(std::string_view word) {
  for (const ArchInfo& a : k_arches) {
    if (a.name == word) {
      return &a;
    }
    for (const std::string& alias : split(a.aliases, ' ')) {
      if (alias == word) {
        return &a;
      }
    }
  }
  return nullptr;
}

const ArchInfo* find_arch(const Platform& platform) {
  for (const ArchInfo& a : k_arches) {
    if (platform.os == "linux" && a.oci_arch == platform.architecture) {
      return &a;
    }
  }
  return nullptr;
}

const ArchInfo* find_arch_by_elf_machine(uint16_t machine) {
  for (const ArchInfo& a : k_arches) {
    if (a.elf_machine == machine) {
      return &a;
    }
  }
  return nullptr;
}

Arch host_arch() {
#if defined(__aarch64__)
  return Arch::aarch64;
#elif defined(__arm__)
  return Arch::armv7;
#elif defined(__riscv)
  return Arch::riscv64;
#else
  return Arch::x86_64;
#endif
}

std::string Target::name() const {
  return std::string(info().name) + "-" + std::string(to_string(libc));
}

std::string Target::clang_triple() const {
  return std::string(libc == Libc::glibc ? info().clang_glibc : info().clang_musl);
}

Platform Target::platform() const {
  return Platform{"linux", std::string(info().oci_arch), std::string(info().oci_variant)};
}

Result<Target> parse_target(std::string_view text, std::optional<Libc> libc) {
  auto named = parse_words(text);
  if (!named) {
    return named.take_error();
  }
  if (named->libc && libc && *named->libc != *libc) {
    return usage_error("target '" + std::string(text) + "'",
                       "names " + std::string(to_string(*named->libc)) + " but --libc is " +
                           std::string(to_string(*libc)),
                       "drop one of the two");
  }
  return Target{named->arch, named->libc ? *named->libc : libc.value_or(Libc::glibc)};
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
    for (const ArchInfo& a : k_arches) {
      out.push_back({a.arch, libc});
    }
  }
  return out;
}

} // namespace sp
