# The table of docs/libraries.md: for 20 common Debian -dev packages, on x86_64 and aarch64
# glibc, whether a program using the library links statically, whether it runs (qemu for
# aarch64), and what the scan gate finds. The test builds every probe and compares the table it
# makes with the one in the docs (between the library-table markers): a Debian update that
# changes an answer fails here, with the new table to paste (or SP_UPDATE_DOCS=1 writes it).
source "$(dirname "$0")/lib.sh"
export SCRATCHPACK_SYSROOTS=$WORK/sysroots # private: other tests see no overlay

# package|pkg-config module, or -lNAME|c or c++|headers (comma-separated)|statement printing a line
PROBES=$(cat <<'LIST'
zlib1g-dev|zlib|c|zlib.h|puts(zlibVersion());
libzstd-dev|libzstd|c|zstd.h|puts(ZSTD_versionString());
liblz4-dev|liblz4|c|lz4.h|puts(LZ4_versionString());
libbz2-dev|-lbz2|c|bzlib.h|puts(BZ2_bzlibVersion());
liblzma-dev|liblzma|c|lzma.h|puts(lzma_version_string());
libssl-dev|openssl|c|openssl/ssl.h|SSL_CTX *c = SSL_CTX_new(TLS_method()); puts(c ? OpenSSL_version(OPENSSL_VERSION) : "no ctx");
libsqlite3-dev|sqlite3|c|sqlite3.h|puts(sqlite3_libversion());
libcurl4-openssl-dev|libcurl|c|curl/curl.h|puts(curl_version());
libpcre2-dev|libpcre2-8|c|stdio.h|char v[64]; pcre2_config(PCRE2_CONFIG_VERSION, v); puts(v);
libyaml-dev|yaml-0.1|c|yaml.h|puts(yaml_get_version_string());
libxml2-dev|libxml-2.0|c|libxml/parser.h|xmlInitParser(); puts(xmlParserVersion);
libevent-dev|libevent|c|event2/event.h|puts(event_get_version());
libuv1-dev|libuv-static|c|uv.h|puts(uv_version_string());
libsodium-dev|libsodium|c|sodium.h|puts(sodium_init() >= 0 ? sodium_version_string() : "init failed");
libprotobuf-dev|protobuf|c++|google/protobuf/stubs/common.h|std::cout << google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION) << "\n";
libgrpc++-dev|grpc++|c++|grpcpp/grpcpp.h|std::cout << grpc::Version() << "\n";
libfmt-dev|fmt|c++|fmt/core.h|fmt::print("fmt {}\n", FMT_VERSION);
libspdlog-dev|spdlog|c++|spdlog/spdlog.h|spdlog::info("spdlog {}", SPDLOG_VER_MAJOR);
nlohmann-json3-dev|nlohmann_json|c++|nlohmann/json.hpp|std::cout << nlohmann::json::parse("{\"a\": 1}")["a"] << "\n";
libboost-program-options-dev|-lboost_program_options|c++|boost/program_options.hpp|boost::program_options::options_description d("probe"); d.add_options()("help", "help"); std::cout << d.options().size() << "\n";
LIST
)
packages=$(cut -d'|' -f1 <<<"$PROBES" | tr '\n' ' ')

# probe TARGET LINE: "links | runs | findings" for one package on one target.
probe() {
  local target=$1 pkg mod lang headers body src dir flags=() h
  IFS='|' read -r pkg mod lang headers body <<<"$2"
  dir=$WORK/probe-$target-$pkg
  mkdir -p "$dir"
  src=$dir/probe.$([ "$lang" = c ] && echo c || echo cpp)
  {
    if [ "$pkg" = libpcre2-dev ]; then printf '#define PCRE2_CODE_UNIT_WIDTH 8\n#include <pcre2.h>\n'; fi
    for h in ${headers//,/ }; do echo "#include <$h>"; done
    [ "$lang" = c ] && echo "#include <stdio.h>" || echo "#include <iostream>"
    echo "int main(void) { $body return 0; }"
  } >"$src"
  case $mod in -l*) flags=(-l "${mod#-l}") ;; *) flags=(--pkg "$mod") ;; esac
  set +e
  "$SCRATCHPACK" build "$src" --target "$target" "${flags[@]}" --format none --out "$dir/out" \
    >"$dir/build.out" 2>"$dir/build.err"
  local rc=$? links runs findings
  set -e
  if [ $rc -ne 0 ]; then
    missing=$(grep -o 'lib[A-Za-z0-9_+.-]*\.a is missing' "$dir/build.err" | head -1 | sed 's/ is missing//' || true)
    links="no${missing:+ ($missing missing)}"
    [ -n "$missing" ] || links="no ($(grep -m1 -o 'error: [^:]*' "$dir/build.err" | sed 's/error: //' || true))"
    echo "$links | - | -"
    return
  fi
  local run=()
  if [ "$target" = aarch64 ]; then run=(qemu-aarch64-static); fi
  if "${run[@]}" "$dir/out/probe" >"$dir/run.out" 2>&1 && [ -s "$dir/run.out" ]; then runs=yes; else runs=no; fi
  findings=$(grep -oE '^ *warning\[[a-z.]+\]' "$dir/build.err" | sed -E 's/^ *warning\[(.*)\]/\1/' | sort -u | tr '\n' ' ' | sed 's/ $//; s/ /, /g' || true)
  echo "yes | $runs | ${findings:-none}"
}

for target in x86_64 aarch64; do
  step "sysroot add $target: $packages"
  "$SCRATCHPACK" sysroot add "$target" $packages -q >/dev/null
done

table="| package | x86_64: links | runs | gate findings | aarch64: links | runs | gate findings |
|---|---|---|---|---|---|---|"
while IFS= read -r line; do
  pkg=${line%%|*}
  step "$pkg"
  table+=$'\n'"| $pkg | $(probe x86_64 "$line") | $(probe aarch64 "$line") |"
done <<<"$PROBES"
echo "$table"

docs=$SP_SOURCE_DIR/docs/libraries.md
in_docs=$(sed -n '/<!-- library-table -->/,/<!-- \/library-table -->/p' "$docs" | sed '1d;$d')
if [ "${SP_UPDATE_DOCS:-}" = 1 ]; then
  python3 - "$docs" "$table" <<'PY'
import re, sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r"(<!-- library-table -->\n).*?(<!-- /library-table -->)", lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
open(path, "w").write(text)
PY
  echo "docs/libraries.md updated"
else
  assert_eq "$table" "$in_docs" "docs/libraries.md's library table (SP_UPDATE_DOCS=1 rewrites it)"
fi
echo ok
