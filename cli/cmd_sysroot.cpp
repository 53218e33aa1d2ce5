// `scratchpack sysroot list [-v] | install TARGET | add TARGET PKG... | remove TARGET PKG...`:
// where each target's libraries come from, and the target libraries added to it.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "toolchain/libcxx.h"
#include "toolchain/overlay.h"
#include "toolchain/sysroot.h"
#include "util/target.h"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

namespace tc = toolchain;

/// The C++ column: the library when it is there, "on first use" for a musl sysroot whose libc++
/// is built when the first C++ program needs it.
std::string cxx_status(const tc::Sysroot& s) {
  if (s.has_cxx()) {
    return "yes (" + s.cxx_library + ")";
  }
  return s.target.libc == Libc::musl ? "on first use" : "no";
}

/// "  NAME VERSION (ARCH)", the packages the user named marked with '*'.
void print_packages(const tc::Overlay& overlay, Io& io) {
  for (const tc::OverlayPackage& p : overlay.packages) {
    io.out << "  " << (p.requested ? "* " : "  ") << p.name << " " << p.version << " (" << p.arch
           << ")\n";
  }
}

int run_list(Io& io, bool verbose) {
  io.out << std::left << std::setw(15) << "TARGET" << std::setw(8) << "STATUS" << std::setw(22)
         << "C++" << "SYSROOT\n";
  for (const Target& t : all_targets()) {
    tc::SysrootProbe probe = tc::probe_sysroot(t);
    io.out << std::setw(15) << t.name();
    if (probe.sysroot) {
      const tc::Sysroot& s = *probe.sysroot;
      // Pad before painting: escape codes would count towards setw.
      io.out << paint("ok      ", Color::green, io.color_out) << std::setw(22) << cxx_status(s)
             << s.root.string() << " (" << s.origin << ")";
      if (!s.note.empty()) {
        io.out << "\n" << std::string(45, ' ') << s.note;
      }
    } else if (!probe.unavailable.empty()) {
      io.out << paint("n/a     ", Color::yellow, io.color_out) << std::setw(22) << "-"
             << probe.unavailable;
    } else {
      io.out << paint("missing ", Color::yellow, io.color_out) << std::setw(22) << "-" << "run '"
             << tc::install_command(t) << "'";
    }
    io.out << '\n';
    if (std::optional<tc::Overlay> overlay = tc::find_overlay(t); overlay && verbose) {
      io.out << std::string(15, ' ') << "target libraries (sysroot add): " << overlay->root.string()
             << '\n';
      print_packages(*overlay, io);
    }
  }
  return 0;
}

/// "==> …" lines on stderr for the steps that take minutes; nothing with -q.
tc::ProgressFn progress_printer(Io& io, bool quiet) {
  return [&io, quiet](const std::string& line) {
    if (quiet) {
      return;
    }
    io.err << paint("==>", Color::cyan, io.color_err) << ' ' << line << '\n';
    io.err.flush();
  };
}

/// musl targets: libc++ too, so C++ builds need no first-use wait.
int install_libcxx(const tc::Sysroot& sysroot, bool force, bool quiet, Io& io) {
  bool built = sysroot.has_cxx();
  auto cxx = tc::ensure_libcxx(sysroot, progress_printer(io, quiet), {}, force);
  if (!cxx) {
    return print_error(io, cxx.error());
  }
  io.out << sysroot.target.name() << ": C++: " << cxx->cxx_library << " in "
         << cxx->cxx_lib_dir.parent_path().string() << (built && !force ? " (already built)" : "")
         << '\n';
  return 0;
}

int run_install(const std::string& text, bool force, bool quiet, Io& io) {
  auto target = parse_target(text);
  if (!target) {
    return print_error(io, target.error());
  }
  std::optional<tc::Sysroot> sysroot;
  if (!force) {
    if (tc::SysrootProbe probe = tc::probe_sysroot(*target);
        probe.sysroot && probe.sysroot->origin != "Debian musl-dev") {
      io.out << target->name() << ": " << probe.sysroot->root.string() << " (already installed)\n";
      sysroot = std::move(probe.sysroot);
    }
  }
  if (!sysroot) {
    auto installed = tc::install_sysroot(*target, {}, progress_printer(io, quiet));
    if (!installed) {
      return print_error(io, installed.error());
    }
    io.out << target->name() << ": " << installed->root.string() << '\n';
    sysroot = std::move(*installed);
  }
  if (target->libc == Libc::musl) {
    return install_libcxx(*sysroot, force, quiet, io);
  }
  return 0;
}

/// `sysroot add|remove TARGET PKG...`: the overlay after the change, one package per line.
int run_overlay(bool add, const std::string& text, const std::vector<std::string>& packages,
                bool quiet, Io& io) {
  auto target = parse_target(text);
  if (!target) {
    return print_error(io, target.error());
  }
  // The overlay extends a glibc sysroot, which must be there (a musl target is refused below).
  if (auto sysroot = tc::find_sysroot(*target); !sysroot && target->libc == Libc::glibc) {
    return print_error(io, sysroot.error());
  }
  auto overlay =
      add ? tc::add_overlay_packages(*target, packages, {}, progress_printer(io, quiet))
          : tc::remove_overlay_packages(*target, packages, {}, progress_printer(io, quiet));
  if (!overlay) {
    return print_error(io, overlay.error());
  }
  io.out << target->name() << ": " << overlay->packages.size() << " packages in "
         << overlay->root.string() << '\n';
  print_packages(*overlay, io);
  return 0;
}

} // namespace

void register_sysroot(CLI::App& app, Io& io, int& rc) {
  CLI::App* cmd = app.add_subcommand("sysroot", "List or install the targets' sysroots");
  cmd->require_subcommand(1);
  CLI::App* list =
      cmd->add_subcommand("list", "Show each target, its sysroot and whether it works");
  auto verbose = std::make_shared<bool>(false);
  list->add_flag("-v,--verbose", *verbose, "Also list the packages `sysroot add` put in each");
  list->callback([&io, &rc, verbose] { rc = run_list(io, *verbose); });
  struct InstallFlags {
    std::string target;
    bool force = false;
    bool quiet = false;
  };
  auto f = std::make_shared<InstallFlags>();
  CLI::App* install = cmd->add_subcommand(
      "install", "Provision a target's sysroot (for musl targets, build its libc++ too)");
  install->add_option("target", f->target, "e.g. aarch64-musl, armv7-glibc")->required();
  install->add_flag("--force", f->force,
                    "Reinstall even when the sysroot is usable (and rebuild libc++ on musl)");
  install->add_flag("-q,--quiet", f->quiet, "No progress lines on stderr");
  install->callback([f, &io, &rc] { rc = run_install(f->target, f->force, f->quiet, io); });

  struct OverlayFlags {
    std::string target;
    std::vector<std::string> packages;
    bool quiet = false;
  };
  for (bool add : {true, false}) {
    auto o = std::make_shared<OverlayFlags>();
    CLI::App* sub = cmd->add_subcommand(
        add ? "add" : "remove",
        add ? "Add Debian -dev packages (static libraries, headers, .pc files) to a glibc target"
            : "Remove packages `sysroot add` added (and what only they brought in)");
    sub->add_option("target", o->target, "e.g. aarch64, armv7-glibc")->required();
    sub->add_option("packages", o->packages, "Debian package names, e.g. libssl-dev zlib1g-dev")
        ->required();
    sub->add_flag("-q,--quiet", o->quiet, "No progress lines on stderr");
    sub->callback(
        [o, add, &io, &rc] { rc = run_overlay(add, o->target, o->packages, o->quiet, io); });
  }
}

} // namespace sp::cli
