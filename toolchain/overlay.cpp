#include "toolchain/overlay.h"

#include "toolchain/build_systems.h"
#include "toolchain/provision.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <map>
#include <set>

namespace sp::toolchain {

namespace {

constexpr std::string_view k_record = "scratchpack-overlay.txt";
constexpr std::string_view k_record_header = "scratchpack-overlay-v1";
/// NAME.list per package: the paths its .deb holds ("./usr/lib/…"), one a line.
constexpr std::string_view k_lists = ".scratchpack-packages";
/// Rounds of "runtime library -> its -dev package -> that package's dependencies"; real
/// closures settle in three or four.
constexpr int k_max_rounds = 12;

fs::path lists_dir(const Target& t, const SysrootSearch& search) {
  return search.cache / ("apt-lists-" + t.debian_arch());
}

/// A development package: "-dev" by Debian's convention, and the few named otherwise that
/// -dev packages depend on for their headers and .pc files (krb5-multidev for libkrb5-dev).
bool dev_package(const std::string& name) {
  return name.ends_with("-dev") || name.ends_with("-multidev");
}

/// One stanza of `apt-cache show`: its fields by name.
using Stanza = std::map<std::string, std::string>;

std::vector<Stanza> stanzas(std::string_view out) {
  std::vector<Stanza> all(1);
  std::string last;
  for (const std::string& line : split(out, '\n')) {
    if (line.empty()) {
      if (!all.back().empty()) {
        all.emplace_back();
      }
      continue;
    }
    if (line[0] == ' ' && !last.empty()) {
      all.back()[last] += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    last = line.substr(0, colon);
    all.back()[last] = std::string(trim(line.substr(colon + 1)));
  }
  if (all.back().empty()) {
    all.pop_back();
  }
  return all;
}

/// "openssl (3.0.11-1)" -> "openssl"; no Source field -> the package's own name.
std::string source_of(const Stanza& s) {
  auto it = s.find("Source");
  std::string src = it != s.end() ? it->second : s.count("Package") ? s.at("Package") : "";
  return src.substr(0, src.find(' '));
}

Result<std::string> apt_cache(const std::vector<std::string>& apt, std::vector<std::string> args) {
  std::vector<std::string> argv = apt;
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = SP_TRY(run_process(argv));
  if (r.exit_code != 0) {
    return failure("apt-cache " + args.front(), "exited with status " + std::to_string(r.exit_code))
        .with_details(r.err);
  }
  return r.out;
}

std::vector<std::string> with_arch(const std::set<std::string>& names, const std::string& arch) {
  std::vector<std::string> out;
  for (const std::string& n : names) {
    out.push_back(n + ":" + arch);
  }
  return out;
}

/// `apt-cache show` of the candidate version of each of `names` for `arch`.
Result<std::vector<Stanza>> show_candidates(const std::vector<std::string>& apt,
                                            const std::set<std::string>& names,
                                            const std::string& arch) {
  std::vector<std::string> args = {"show", "--no-all-versions"};
  for (const std::string& n : with_arch(names, arch)) {
    args.push_back(n);
  }
  return stanzas(SP_TRY(apt_cache(apt, args)));
}

/// The -dev packages that go with the runtime libraries `runtime`: built from the same source
/// and depending on one of them with an exact version (libssl-dev: libssl3 (= ...)).
Result<std::set<std::string>> dev_siblings(const std::vector<std::string>& apt,
                                           const std::set<std::string>& runtime,
                                           const std::string& arch) {
  std::set<std::string> sources;
  for (const Stanza& s : SP_TRY(show_candidates(apt, runtime, arch))) {
    sources.insert(source_of(s));
  }
  std::vector<std::string> rdepends = {"rdepends", "--no-recommends", "--no-suggests"};
  for (const std::string& n : with_arch(runtime, arch)) {
    rdepends.push_back(n);
  }
  std::set<std::string> candidates;
  for (const std::string& line : split(SP_TRY(apt_cache(apt, rdepends)), '\n')) {
    std::string name(trim(line));
    name = name.substr(0, name.find(':'));
    if (line.starts_with("  ") && dev_package(name) && !base_package(name)) {
      candidates.insert(name);
    }
  }
  std::set<std::string> found;
  if (candidates.empty()) {
    return found;
  }
  for (const Stanza& s : SP_TRY(show_candidates(apt, candidates, arch))) {
    auto name = s.find("Package");
    auto depends = s.find("Depends");
    if (name == s.end() || depends == s.end() || !sources.count(source_of(s))) {
      continue;
    }
    for (const std::string& r : runtime) {
      if (depends->second.find(r + " (= ") != std::string::npos) {
        found.insert(name->second);
      }
    }
  }
  return found;
}

/// Every -dev package `roots` need for a static link (see overlay.h). A breadth-first walk of
/// `apt-cache depends` that stops at the sysroot's own packages: what libc6-dev depends on
/// (libtirpc-dev, and through it krb5) is not the user's libraries' business.
Result<std::set<std::string>> dev_closure(const std::vector<std::string>& apt,
                                          const std::set<std::string>& roots,
                                          const std::string& arch) {
  std::set<std::string> dev = roots;
  std::set<std::string> seen = roots;
  std::set<std::string> frontier = roots;
  for (int round = 0; round < k_max_rounds && !frontier.empty(); ++round) {
    std::vector<std::string> args = {"depends",        "--no-recommends", "--no-suggests",
                                     "--no-conflicts", "--no-breaks",     "--no-replaces",
                                     "--no-enhances"};
    for (const std::string& n : with_arch(frontier, arch)) {
      args.push_back(n);
    }
    std::set<std::string> next;
    std::set<std::string> runtime;
    for (const std::string& line : split(SP_TRY(apt_cache(apt, args)), '\n')) {
      // "  Depends: libssl3" (a virtual package as "<libc-dev>", alternatives as "|Depends:").
      size_t colon = line.find("Depends: ");
      if (!line.starts_with("  ") || colon == std::string::npos) {
        continue;
      }
      std::string name(trim(line.substr(colon + 9)));
      name = name.substr(0, name.find(':'));
      if (name.empty() || name[0] == '<' || base_package(name) || !seen.insert(name).second) {
        continue;
      }
      next.insert(name);
      if (dev_package(name)) {
        dev.insert(name);
      } else {
        runtime.insert(name);
      }
    }
    if (!runtime.empty()) {
      for (const std::string& d : SP_TRY(dev_siblings(apt, runtime, arch))) {
        if (seen.insert(d).second) {
          dev.insert(d);
          next.insert(d);
        }
      }
    }
    frontier = std::move(next);
  }
  return dev;
}

/// The .deb file name apt-get download gives a package (an epoch's ':' as "%3a").
std::string deb_name(const std::string& name, const std::string& version, const std::string& arch) {
  std::string v = version;
  if (size_t colon = v.find(':'); colon != std::string::npos) {
    v.replace(colon, 1, "%3a");
  }
  return name + "_" + v + "_" + arch + ".deb";
}

/// Downloads what is missing of `packages` into `debs`, unpacks all of them into a new tree
/// that replaces the overlay, and returns it.
Result<Overlay> build_overlay(const Target& t, const std::set<std::string>& requested,
                              const SysrootSearch& search, const ProgressFn& progress) {
  fs::path root = overlay_root(t, search);
  fs::path debs = root.string() + ".debs";
  std::string arch = t.debian_arch();
  std::vector<std::string> apt_get = private_apt("apt-get", arch, lists_dir(t, search));
  std::vector<std::string> apt = private_apt("apt-cache", arch, lists_dir(t, search));
  std::set<std::string> all;
  if (!requested.empty()) {
    progress("updating the " + arch + " package lists");
    SP_TRY(apt_update(apt_get, lists_dir(t, search)));
    progress("resolving " +
             join(std::vector<std::string>(requested.begin(), requested.end()), ", ") + " (" +
             arch + ")");
    all = SP_TRY(dev_closure(apt, requested, arch));
  }
  // The candidate versions name the files, and the signed package lists give their sha256: a
  // file that is there and has it is not fetched again; any other is (a .deb left on the disk
  // is not trusted by its name).
  std::map<std::string, std::string> files;  // package -> its .deb
  std::map<std::string, std::string> hashes; // package -> the sha256 the lists give
  if (!all.empty()) {
    for (const Stanza& s : SP_TRY(show_candidates(apt, all, arch))) {
      if (s.count("Package") && s.count("Version") && s.count("Architecture")) {
        files[s.at("Package")] = deb_name(s.at("Package"), s.at("Version"), s.at("Architecture"));
        hashes[s.at("Package")] = s.count("SHA256") ? s.at("SHA256") : "";
      }
    }
  }
  auto sound = [&](const std::string& n) {
    auto data = read_file(debs / files[n]);
    return data && !hashes[n].empty() && sha256_hex(*data) == hashes[n];
  };
  SP_TRY(make_dirs(debs));
  std::vector<std::string> fetch = apt_get;
  fetch.push_back("download");
  for (const std::string& n : all) {
    if (!files.count(n) || !sound(n)) {
      std::error_code ec;
      fs::remove(debs / files[n], ec);
      fetch.push_back(n + ":" + arch);
    }
  }
  if (fetch.size() > apt_get.size() + 1) {
    progress("downloading " + std::to_string(fetch.size() - apt_get.size() - 1) + " packages (" +
             arch + ")");
    ProcessOptions in_debs;
    in_debs.cwd = debs.string();
    SP_TRY(run_checked(fetch, in_debs));
  }
  AtomicPath tree(root);
  SP_TRY(make_dirs(tree.temp()));
  std::vector<OverlayPackage> packages;
  std::set<std::string> wanted_files;
  for (const auto& [name, file] : files) {
    wanted_files.insert(file);
  }
  for (const std::string& n : all) {
    if (!files.count(n)) {
      return failure("sysroot add " + t.name(), "no package " + n + " for " + arch);
    }
    fs::path deb = debs / files[n];
    if (!sound(n)) {
      return failure("sysroot add " + t.name(),
                     deb.string() + " does not have the sha256 the package lists give");
    }
    SP_TRY(run_checked({"dpkg-deb", "-x", deb.string(), tree.temp().string()}));
    // Which package holds which file, for the errors that name one (missing_archive).
    auto listing = SP_TRY(run_process({"dpkg-deb", "-c", deb.string()}));
    std::string paths; // "-rw-r--r-- root/root 1234 2025-06-06 17:12 ./usr/lib/… [-> target]"
    for (const std::string& line : split(listing.out, '\n')) {
      std::vector<std::string> f = split_words(line, false);
      if (f.size() >= 6) {
        paths += f[5] + "\n";
      }
    }
    SP_TRY(make_dirs(tree.temp() / std::string(k_lists)));
    SP_TRY(write_file_atomic(tree.temp() / std::string(k_lists) / (n + ".list"), paths));
    auto fields = SP_TRY(run_process({"dpkg-deb", "-f", deb.string(), "Version", "Architecture"}));
    std::vector<Stanza> read = stanzas(fields.out);
    Stanza f = read.empty() ? Stanza() : read.front();
    packages.push_back({n, f["Version"], f["Architecture"], requested.count(n) > 0});
  }
  SP_TRY(write_file_atomic(tree.temp() / std::string(k_record), format_overlay_record(packages)));
  SP_TRY(tree.commit());
  // Files of packages no longer wanted (older versions, removed packages).
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(debs, ec)) {
    if (!wanted_files.count(entry.path().filename().string())) {
      fs::remove(entry.path(), ec);
    }
  }
  return Overlay{t, root, packages};
}

Status check_overlay_target(const Target& t, const std::string& verb) {
  if (t.libc == Libc::musl) {
    return failure(
        "cannot " + verb + " packages for " + t.name(),
        "Debian builds its -dev packages against glibc; their archives do not link with musl",
        "build the library from source with scratchpack cc (docs/build-systems.md), or use " +
            std::string(t.info().name) + "-glibc");
  }
  return {};
}

} // namespace

std::vector<fs::path> Overlay::include_dirs() const {
  return {root / "usr/include" / target.gnu_triple(), root / "usr/include"};
}

fs::path Overlay::lib_dir() const {
  return root / "usr/lib" / target.gnu_triple();
}

std::string Overlay::pkg_config_libdir() const {
  return (lib_dir() / "pkgconfig").string() + ":" + (root / "usr/share/pkgconfig").string();
}

PkgConfigFlags parse_pkg_config(const std::vector<std::string>& cflags,
                                const std::vector<std::string>& libs) {
  PkgConfigFlags f;
  f.cflags = cflags;
  for (const std::string& w : libs) {
    if (w == "-pthread" || w == "-lpthread") {
      continue;
    }
    if (w.starts_with("-L") && w.size() > 2) {
      f.lib_dirs.push_back(w.substr(2));
    } else if (w.starts_with("-l") && w.size() > 2) {
      f.libs.push_back(w.substr(2));
    } else if (w.starts_with("-Wl,")) {
      for (const std::string& a : split(w.substr(4), ',')) {
        f.link_args.push_back(a);
      }
    } else {
      f.link_args.push_back(w);
    }
  }
  return f;
}

Result<PkgConfigFlags> pkg_config_flags(const Target& target, const Sysroot& sysroot,
                                        const std::vector<std::string>& modules,
                                        const SysrootSearch& search) {
  std::optional<Overlay> overlay = find_overlay(target, search);
  ProcessOptions options;
  for (const auto& [name, value] :
       pkg_config_environment(target, sysroot.root, overlay ? overlay->root : fs::path())) {
    options.env.push_back(name + "=" + value);
  }
  std::vector<std::vector<std::string>> words;
  for (const char* what : {"--cflags", "--libs"}) {
    std::vector<std::string> argv = {"pkg-config", "--static", what};
    argv.insert(argv.end(), modules.begin(), modules.end());
    auto r = run_process(argv, options);
    if (!r) {
      return failure("pkg-config not found", r.error().why,
                     "install pkg-config (scripts/setup.sh does)");
    }
    if (r->exit_code != 0) {
      // Name the first module it cannot find.
      for (const std::string& m : modules) {
        auto one = run_process({"pkg-config", "--exists", m}, options);
        if (one && one->exit_code != 0) {
          return failure("--pkg " + m, "no " + m + ".pc among " + target.name() + "'s libraries",
                         "add the Debian -dev package that has it: scratchpack sysroot add " +
                             target.name() + " PACKAGE (docs/libraries.md)");
        }
      }
      return failure("pkg-config " + join(modules, " "),
                     "exited with status " + std::to_string(r->exit_code))
          .with_details(r->err);
    }
    words.push_back(split_words(r->out, false));
  }
  return parse_pkg_config(words[0], words[1]);
}

std::optional<Error> missing_archive(const Target& target, std::string_view diagnostics,
                                     const std::string& what, const std::string& why,
                                     const SysrootSearch& search) {
  std::optional<Overlay> overlay = find_overlay(target, search);
  if (!overlay) {
    return std::nullopt;
  }
  constexpr std::string_view k_lld = "unable to find library -l";
  for (size_t at = diagnostics.find(k_lld); at != std::string_view::npos;
       at = diagnostics.find(k_lld, at + 1)) {
    size_t start = at + k_lld.size();
    size_t end = diagnostics.find_first_of(" \n", start);
    std::string lib(diagnostics.substr(start, end == std::string_view::npos ? end : end - start));
    std::error_code ec;
    fs::path dir = overlay->lib_dir();
    if (lib.empty() || fs::exists(dir / ("lib" + lib + ".a"), ec)) {
      continue;
    }
    // The package that puts libNAME.so where -l looks, else one that holds it anywhere
    // (krb5-multidev keeps its own under mit-krb5/).
    std::string in_dir =
        "\n./" + (dir / ("lib" + lib + ".so")).lexically_relative(overlay->root).string() + "\n";
    std::string anywhere = "/lib" + lib + ".so\n";
    const OverlayPackage* owner = nullptr;
    for (const std::string& needle : {in_dir, anywhere}) {
      for (const OverlayPackage& p : overlay->packages) {
        auto list = read_file(overlay->root / std::string(k_lists) / (p.name + ".list"));
        if (!owner && list && ("\n" + *list).find(needle) != std::string::npos) {
          owner = &p;
        }
      }
    }
    if (owner) {
      const OverlayPackage& p = *owner;
      return failure(what,
                     why + ": lib" + lib + ".a is missing: Debian's " + p.name + " " + p.version +
                         " ships lib" + lib + ".so only, and a static link needs the archive",
                     "build " + lib +
                         " from source with scratchpack cc (docs/build-systems.md), or turn off "
                         "the feature that needs it (docs/libraries.md)")
          .with_details(std::string(diagnostics));
    }
  }
  return std::nullopt;
}

Status use_pkg_config(BinaryRequest& request, const std::vector<std::string>& modules,
                      const SysrootSearch& search) {
  if (modules.empty()) {
    return {};
  }
  Sysroot sysroot = SP_TRY(find_sysroot(request.target, search));
  PkgConfigFlags pc = SP_TRY(pkg_config_flags(request.target, sysroot, modules, search));
  std::vector<std::string>& flags = request.compile.extra_flags;
  flags.insert(flags.end(), pc.cflags.begin(), pc.cflags.end());
  request.lib_dirs.insert(request.lib_dirs.end(), pc.lib_dirs.begin(), pc.lib_dirs.end());
  request.libs.insert(request.libs.end(), pc.libs.begin(), pc.libs.end());
  request.link_args.insert(request.link_args.end(), pc.link_args.begin(), pc.link_args.end());
  // glibc's C++ runtime is at hand; a C program whose library turns out to be C++ inside needs
  // it, and an unused archive costs a link nothing. (musl's libc++ is built on first use: not
  // for a library that may not need it.)
  request.cxx_runtime = request.cxx_runtime || request.target.libc == Libc::glibc;
  return {};
}

fs::path overlay_root(const Target& target, const SysrootSearch& search) {
  return search.cache / "overlays" / target.name();
}

bool base_package(const std::string& name) {
  static const std::set<std::string> exact = {
      "libc6",           "libc6-dev",    "libc-dev-bin", "linux-libc-dev", "libcrypt1",
      "libcrypt-dev",    "libnsl2",      "libnsl-dev",   "libtirpc3",      "libtirpc-dev",
      "libtirpc-common", "rpcsvc-proto", "libgcc-s1",    "libstdc++6",     "libgomp1",
      "libatomic1",      "libasan8",     "libubsan1",    "libitm1",        "liblsan0",
      "libtsan2",        "libquadmath0", "libhwasan0",   "gcc-12-base",    "libc6-dbg"};
  return exact.count(name) || name.starts_with("libgcc-") || name.starts_with("libstdc++-") ||
         name.starts_with("gcc-") || name.starts_with("cpp-");
}

std::string format_overlay_record(const std::vector<OverlayPackage>& packages) {
  std::vector<OverlayPackage> sorted = packages;
  std::sort(sorted.begin(), sorted.end(),
            [](const OverlayPackage& a, const OverlayPackage& b) { return a.name < b.name; });
  std::string out = std::string(k_record_header) + "\n";
  for (const OverlayPackage& p : sorted) {
    out += p.name + " " + p.version + " " + p.arch + (p.requested ? " requested" : "") + "\n";
  }
  return out;
}

std::vector<OverlayPackage> parse_overlay_record(std::string_view text) {
  std::vector<OverlayPackage> packages;
  std::vector<std::string> lines = split(text, '\n');
  if (lines.empty() || lines.front() != k_record_header) {
    return packages;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = split_words(lines[i], false);
    if (f.size() < 3) {
      continue;
    }
    packages.push_back({f[0], f[1], f[2], f.size() > 3 && f[3] == "requested"});
  }
  return packages;
}

std::optional<Overlay> find_overlay(const Target& target, const SysrootSearch& search) {
  if (target.libc != Libc::glibc) {
    return std::nullopt;
  }
  fs::path root = overlay_root(target, search);
  auto text = read_file(root / std::string(k_record));
  if (!text) {
    return std::nullopt;
  }
  return Overlay{target, root, parse_overlay_record(*text)};
}

Result<Overlay> add_overlay_packages(const Target& target, const std::vector<std::string>& packages,
                                     const SysrootSearch& search, const ProgressFn& progress) {
  SP_TRY(check_overlay_target(target, "add"));
  fs::path root = overlay_root(target, search);
  SP_TRY(make_dirs(root.parent_path()));
  auto lock = SP_TRY(FileLock::acquire(root.string() + ".lock", [&] {
    progress("waiting for another scratchpack adding packages to " + target.name());
  }));
  remove_leftovers(root.parent_path(), {"." + root.filename().string() + "."});
  std::set<std::string> requested;
  std::optional<Overlay> now = find_overlay(target, search);
  std::set<std::string> present;
  for (const OverlayPackage& p : now ? now->packages : std::vector<OverlayPackage>()) {
    present.insert(p.name);
    if (p.requested) {
      requested.insert(p.name);
    }
  }
  bool missing = false;
  for (const std::string& p : packages) {
    requested.insert(p);
    missing = missing || !present.count(p);
  }
  if (now && !missing) {
    // Every package is there: nothing to download, only the flag of a package that came in as
    // a dependency and is now asked for by name.
    bool flagged = false;
    for (OverlayPackage& p : now->packages) {
      if (requested.count(p.name) && !p.requested) {
        p.requested = flagged = true;
      }
    }
    if (flagged) {
      SP_TRY(write_file_atomic(root / std::string(k_record), format_overlay_record(now->packages)));
    }
    return *now;
  }
  return build_overlay(target, requested, search, progress);
}

Result<Overlay> remove_overlay_packages(const Target& target,
                                        const std::vector<std::string>& packages,
                                        const SysrootSearch& search, const ProgressFn& progress) {
  SP_TRY(check_overlay_target(target, "remove"));
  fs::path root = overlay_root(target, search);
  SP_TRY(make_dirs(root.parent_path()));
  auto lock = SP_TRY(FileLock::acquire(root.string() + ".lock"));
  std::optional<Overlay> now = find_overlay(target, search);
  std::set<std::string> requested;
  for (const OverlayPackage& p : now ? now->packages : std::vector<OverlayPackage>()) {
    if (p.requested) {
      requested.insert(p.name);
    }
  }
  for (const std::string& p : packages) {
    if (!requested.erase(p)) {
      return usage_error(p, "was not added to " + target.name(),
                         "see 'scratchpack sysroot list -v'");
    }
  }
  return build_overlay(target, requested, search, progress);
}

} // namespace sp::toolchain
