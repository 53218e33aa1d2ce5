#include "toolchain/scan/glibc_traps.h"

#include "toolchain/scan/code_refs.h"
#include "toolchain/scan/findings.h"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <utility>

namespace sp::scan {

namespace {

constexpr std::string_view k_warning_prefix = ".gnu.warning.";
constexpr size_t k_max_text = 300;

struct LinkWarning {
  std::string symbol;
  std::string text; ///< glibc's own words, e.g. "Using 'getaddrinfo' in statically linked …"
};

std::vector<LinkWarning> link_warnings(const ElfReader& reader) {
  std::vector<LinkWarning> out;
  for (const SectionHeader& s : reader.file().sections) {
    if (s.name.size() <= k_warning_prefix.size() || !s.name.starts_with(k_warning_prefix)) {
      continue;
    }
    std::string_view text = reader.section_bytes(s).value_or("");
    text = text.substr(0, std::min(text.find('\0'), k_max_text));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.remove_suffix(1);
    }
    out.push_back({s.name.substr(k_warning_prefix.size()), std::string(text)});
  }
  return out;
}

/// The functions glibc 2.36 tags with "Using '...' in statically linked applications requires at
/// runtime the shared libraries…". GNU ld prints these warnings and drops the sections from its
/// output, so in a gcc-linked binary the functions are found by name in .symtab instead.
constexpr std::string_view k_glibc_static_traps[] = {
    "dlmopen",          "dlopen",           "endaliasent",
    "endgrent",         "endhostent",       "endnetent",
    "endprotoent",      "endpwent",         "endrpcent",
    "endservent",       "endsgent",         "endspent",
    "getaddrinfo",      "getaliasbyname",   "getaliasbyname_r",
    "getaliasent",      "getaliasent_r",    "getgrent",
    "getgrent_r",       "getgrgid",         "getgrgid_r",
    "getgrnam",         "getgrnam_r",       "getgrouplist",
    "gethostbyaddr",    "gethostbyaddr_r",  "gethostbyname",
    "gethostbyname2",   "gethostbyname2_r", "gethostbyname_r",
    "gethostent",       "gethostent_r",     "getnetbyaddr",
    "getnetbyaddr_r",   "getnetbyname",     "getnetbyname_r",
    "getnetent",        "getnetent_r",      "getprotobyname",
    "getprotobyname_r", "getprotobynumber", "getprotobynumber_r",
    "getprotoent",      "getprotoent_r",    "getpwent",
    "getpwent_r",       "getpwnam",         "getpwnam_r",
    "getpwuid",         "getpwuid_r",       "getrpcbyname",
    "getrpcbyname_r",   "getrpcbynumber",   "getrpcbynumber_r",
    "getrpcent",        "getrpcent_r",      "getservbyname",
    "getservbyname_r",  "getservbyport",    "getservbyport_r",
    "getservent",       "getservent_r",     "getsgent",
    "getsgent_r",       "getsgnam",         "getsgnam_r",
    "getspent",         "getspent_r",       "getspnam",
    "getspnam_r",       "initgroups",       "setaliasent",
    "setgrent",         "sethostent",       "setnetent",
    "setprotoent",      "setpwent",         "setrpcent",
    "setservent",       "setsgent",         "setspent",
};

bool is_static_trap_name(std::string_view name) {
  return std::find(std::begin(k_glibc_static_traps), std::end(k_glibc_static_traps), name) !=
         std::end(k_glibc_static_traps);
}

/// What an NSS lookup reads in a static glibc (>= 2.34), which has only the files and dns
/// services built in: every other service needs a libnss_*.so.2 module of the same glibc.
struct NssSource {
  std::string_view reads; ///< "/etc/passwd", "/etc/hosts and the name servers in …"
  std::string_view where; ///< where a scratch image gets them
  bool several;           ///< "them" instead of "it"
  std::string_view note;  ///< appended after "without it/them", may be empty
};

constexpr std::string_view k_only_when_added = "which a scratch image has only when it is added";
constexpr std::string_view k_nonroot_adds =
    "which a scratch image has only when it is added (--nonroot adds it)";

/// The source of an NSS function ("getpwnam", "initgroups", "getaddrinfo"…), or nullopt for a
/// function that is not an NSS lookup.
std::optional<NssSource> nss_source(std::string_view sym) {
  constexpr NssSource k_hosts = {
      "/etc/hosts and the name servers in /etc/resolv.conf",
      "which container runtimes (podman, docker, Kubernetes) mount into the container", true, ""};
  constexpr NssSource k_group = {"/etc/group", k_nonroot_adds, false, ""};
  if (sym == "getaddrinfo") {
    return k_hosts;
  }
  if (sym == "initgroups" || sym == "getgrouplist") {
    return k_group;
  }
  std::string_view rest = sym;
  for (std::string_view verb : {"get", "set", "end"}) {
    if (rest.starts_with(verb)) {
      rest.remove_prefix(verb.size());
      break;
    }
  }
  if (rest.size() == sym.size()) {
    return std::nullopt;
  }
  constexpr std::array<std::pair<std::string_view, NssSource>, 10> k_sources = {{
      {"host", k_hosts},
      {"pw", {"/etc/passwd", k_nonroot_adds, false, ""}},
      {"gr", k_group},
      {"sp", {"/etc/shadow", k_only_when_added, false, ""}},
      {"sg", {"/etc/gshadow", k_only_when_added, false, ""}},
      {"alias", {"/etc/aliases", k_only_when_added, false, ""}},
      {"net", {"/etc/networks", k_only_when_added, false, ""}},
      {"proto", {"/etc/protocols", k_only_when_added, false, ""}},
      {"serv",
       {"/etc/services", k_only_when_added, false,
        " (getaddrinfo looks a service name such as \"http\" up here; a port number needs no "
        "lookup)"}},
      {"rpc", {"/etc/rpc", k_only_when_added, false, ""}},
  }};
  for (const auto& [prefix, source] : k_sources) {
    if (rest.starts_with(prefix)) {
      return source;
    }
  }
  return std::nullopt;
}

/// Says what the lookup reads and when it fails; the hint (one for every glibc.nss finding, so
/// it is printed once) is the catalogue's.
Finding nss_finding(const std::string& sym, const NssSource& source, const ScanOptions& options) {
  return make_finding(
      "glibc.nss",
      sym +
          ": glibc looks this up through NSS, of which a static glibc has only the files and "
          "dns services built in: it reads " +
          std::string(source.reads) + ", " + std::string(source.where) +
          ", and finds nothing "
          "without " +
          (source.several ? "them" : "it") + std::string(source.note) +
          "; any other service /etc/nsswitch.conf names needs a libnss_*.so.2 module of the same "
          "glibc, which a scratch image does not have, and is skipped",
      options);
}

Finding dlopen_finding(const std::string& sym, const ScanOptions& options) {
  return make_finding("glibc.dlopen",
                      sym +
                          ": a static glibc program can load only shared objects built against "
                          "the exact same glibc, and needs that glibc's libc.so.6 and loader at "
                          "run time; a scratch image has none, so every " +
                          sym + "() fails",
                      options);
}

Finding iconv_finding(const ScanOptions& options) {
  return make_finding("glibc.iconv",
                      "iconv_open: glibc converts most character sets with gconv modules it "
                      "dlopen()s from its gconv directory at run time; a scratch image has none, "
                      "so iconv_open() fails for all but the built-in UTF-8, UCS-2/4 and ASCII "
                      "conversions",
                      options);
}

Finding warning_finding(const LinkWarning& w, const ScanOptions& options) {
  std::string text = w.text.empty() ? "glibc marks it with a link-time warning" : w.text;
  if (w.text.find("statically linked") != std::string::npos) {
    return make_finding("glibc.static-trap",
                        w.symbol + ": " + text +
                            "; a scratch image has none of those libraries, so the call fails",
                        options);
  }
  return make_finding("glibc.link-warning", w.symbol + ": " + text, options);
}

bool is_dl_function(std::string_view sym) {
  return sym == "dlopen" || sym == "dlmopen";
}

/// What .symtab says about the functions that need more than a warning section as evidence.
struct Symbols {
  std::optional<uint64_t> dlopen, dlmopen, iconv_open;
  bool dlopen_thunk = false, dlmopen_thunk = false;
};

Symbols read_symbols(const ElfReader& reader, std::vector<std::string>* trap_names) {
  Symbols s;
  reader.for_each_symbol([&](std::string_view name, uint64_t value) {
    if (trap_names != nullptr && is_static_trap_name(name)) {
      trap_names->emplace_back(name);
    }
    if (name == "dlopen") {
      s.dlopen = value;
    } else if (name == "dlmopen") {
      s.dlmopen = value;
    } else if (name == "iconv_open") {
      s.iconv_open = value;
    } else if (name.ends_with("Thunk_dlopen")) {
      // lld's range-extension thunks (__ARMv7ABSLongThunk_dlopen…) exist only for a call.
      s.dlopen_thunk = true;
    } else if (name.ends_with("Thunk_dlmopen")) {
      s.dlmopen_thunk = true;
    }
  });
  return s;
}

bool called(const ElfReader& reader, std::optional<uint64_t> target, bool thunk) {
  return thunk || (target && refers_to(reader, *target));
}

} // namespace

void check_glibc_traps(const ElfReader& reader, const ScanOptions& options, ElfFacts& facts,
                       std::vector<Finding>& out) {
  std::vector<LinkWarning> warnings = link_warnings(reader);
  bool glibc = !warnings.empty() || reader.file().find_section(".note.ABI-tag") != nullptr;
  if (!glibc) {
    return;
  }
  // No warning sections in a glibc binary: GNU ld linked it (and dropped them). Find the same
  // functions by name; sorted so the order does not depend on the symbol table's.
  std::vector<std::string> by_name;
  Symbols syms = read_symbols(reader, warnings.empty() ? &by_name : nullptr);
  std::sort(by_name.begin(), by_name.end());
  by_name.erase(std::unique(by_name.begin(), by_name.end()), by_name.end());
  for (std::string& name : by_name) {
    warnings.push_back({std::move(name), ""});
  }
  bool iconv_seen = false;
  std::set<std::string> seen; // one finding per function, however many sections name it
  for (const LinkWarning& w : warnings) {
    if (!seen.insert(w.symbol).second) {
      continue;
    }
    std::optional<Finding> f;
    if (is_dl_function(w.symbol)) {
      // dlopen.o is in every static glibc >= 2.34 (libc's static start-up pulls it in), so its
      // warning proves nothing: only a reference from the program does. That needs the symbol
      // table; in a stripped binary the check is skipped (docs/scan.md says so).
      bool is_dlopen = w.symbol == "dlopen";
      if (called(reader, is_dlopen ? syms.dlopen : syms.dlmopen,
                 is_dlopen ? syms.dlopen_thunk : syms.dlmopen_thunk)) {
        f = dlopen_finding(w.symbol, options);
      }
    } else if (w.symbol == "iconv_open") {
      f = iconv_finding(options);
      iconv_seen = true;
    } else if (std::optional<NssSource> source = nss_source(w.symbol)) {
      f = nss_finding(w.symbol, *source, options);
    } else {
      f = warning_finding(w, options);
    }
    if (f) {
      facts.glibc_traps.push_back(w.symbol);
      out.push_back(std::move(*f));
    }
  }
  // glibc carries no warning section for iconv_open; it is linked only when the program calls it.
  if (!iconv_seen && syms.iconv_open) {
    facts.glibc_traps.push_back("iconv_open");
    out.push_back(iconv_finding(options));
  }
}

} // namespace sp::scan
