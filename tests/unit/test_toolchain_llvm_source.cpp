#include "toolchain/llvm_source.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

TEST_CASE("deb-src list: the system's Debian mirror for the release's main component") {
  std::string deb822 = "Types: deb\n"
                       "# a comment\n"
                       "URIs: http://mirror.example/debian\n"
                       "Suites: bookworm bookworm-updates\n"
                       "Components: main contrib\n"
                       "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
                       "\n"
                       "Types: deb\n"
                       "URIs: http://mirror.example/debian-security\n"
                       "Suites: bookworm-security\n"
                       "Components: main\n"
                       "\n"
                       "Types: deb\n"
                       "URIs: https://download.example/linux/debian\n"
                       "Suites: bookworm\n"
                       "Components: stable\n"
                       "\n"
                       "Enabled: no\n"
                       "Types: deb\n"
                       "URIs: http://disabled.example/debian\n"
                       "Suites: bookworm\n"
                       "Components: main\n";
  CHECK(debian_source_list({{"debian.sources", deb822}}, "bookworm") ==
        "Types: deb-src\n"
        "URIs: http://mirror.example/debian\n"
        "Suites: bookworm\n"
        "Components: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
}

TEST_CASE("deb-src list: one-line sources, options, duplicates, and the fallback") {
  std::string list =
      "# deb http://commented.example/debian bookworm main\n"
      "deb [arch=amd64 signed-by=/etc/keys/d.gpg] http://one.example/debian bookworm main\n"
      "deb http://one.example/debian bookworm main non-free\n"
      "deb http://other.example/debian bullseye main\n";
  CHECK(debian_source_list({{"sources.list", list}, {"x.sources.disabled", "Types: deb\n"}},
                           "bookworm") == "Types: deb-src\n"
                                          "URIs: http://one.example/debian\n"
                                          "Suites: bookworm\n"
                                          "Components: main\n"
                                          "Signed-By: /etc/keys/d.gpg\n");
  CHECK(debian_source_list({}, "trixie") ==
        "Types: deb-src\n"
        "URIs: http://deb.debian.org/debian\n"
        "Suites: trixie\n"
        "Components: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
}

TEST_CASE("the LLVM source: package name and the directories the runtimes build reads") {
  CHECK(llvm_source_package("19") == "llvm-toolchain-19");
  std::vector<std::string> dirs = llvm_source_dirs();
  for (const char* d : {"runtimes", "cmake", "llvm/cmake", "libcxx", "libcxxabi", "libunwind"}) {
    CHECK(std::find(dirs.begin(), dirs.end(), d) != dirs.end());
  }
}
