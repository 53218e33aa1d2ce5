#include "util/image_values.h"

#include <doctest/doctest.h>

using namespace sp;

namespace {

template <class T> std::string why(const Result<T>& r) {
  return r.ok() ? "" : r.error().why;
}

} // namespace

TEST_CASE("util.image_values: modes are octal with a leading 0, at most 07777") {
  CHECK(*parse_file_mode("0644") == 0644u);
  CHECK(*parse_file_mode("0755") == 0755u);
  CHECK(*parse_file_mode("0o600") == 0600u);
  CHECK(*parse_file_mode("04755") == 04755u);
  CHECK(*parse_file_mode("0") == 0u);
  CHECK(why(parse_file_mode("644")) ==
        "mode '644' is ambiguous; write the octal mode with a leading 0, e.g. \"0644\"");
  CHECK(why(parse_file_mode("0855")) ==
        "invalid mode '0855': expected an octal mode such as \"0644\"");
  CHECK(why(parse_file_mode("rw-r--r--")) ==
        "invalid mode 'rw-r--r--': expected an octal mode such as \"0644\"");
  CHECK(why(parse_file_mode("010000")) == "mode '010000' is out of range; the largest is 07777");
  CHECK_FALSE(parse_file_mode("").ok());
  CHECK_FALSE(parse_file_mode("0o").ok());
}

TEST_CASE("util.image_values: owners are numeric UID:GID, or UID for both") {
  CHECK(*parse_file_owner("65532:65532") == FileOwner{65532, 65532});
  CHECK(*parse_file_owner("0:65532") == FileOwner{0, 65532});
  CHECK(*parse_file_owner("1000") == FileOwner{1000, 1000});
  CHECK(*parse_file_owner("4294967294:0") == FileOwner{4294967294u, 0});
  CHECK(why(parse_file_owner("nonroot")) ==
        "invalid owner 'nonroot': expected numeric UID:GID such as \"65532:65532\" (a scratch "
        "image has no /etc/passwd to look names up in)");
  for (const char* bad : {"", ":", "1:", ":1", "1:2:3", "4294967295:0", "-1:0", "+1:0", "1 :2"}) {
    CHECK_MESSAGE(!parse_file_owner(bad).ok(), bad);
  }
}

TEST_CASE("util.image_values: stop signals in any case, with or without SIG, numbers 1-64") {
  CHECK(*parse_stop_signal("SIGTERM") == "SIGTERM");
  CHECK(*parse_stop_signal("TERM") == "SIGTERM");
  CHECK(*parse_stop_signal("sigterm") == "SIGTERM");
  CHECK(*parse_stop_signal("Int") == "SIGINT");
  CHECK(*parse_stop_signal("SIGRTMIN") == "SIGRTMIN");
  CHECK(*parse_stop_signal("SIGRTMIN+3") == "SIGRTMIN+3");
  CHECK(*parse_stop_signal("rtmax-2") == "SIGRTMAX-2");
  CHECK(*parse_stop_signal("RTMIN+03") == "SIGRTMIN+3");
  CHECK(*parse_stop_signal("15") == "15");
  CHECK(*parse_stop_signal("064") == "64");
  CHECK(*parse_stop_signal("1") == "1");
  for (const char* bad : {"SIGFOO", "FOO", "SIG", "", "0", "65", "-1", "RTMIN+0", "RTMIN+31",
                          "RTMAX-", "RTMIN+x", "SIGTERM ", "TERM+1"}) {
    CHECK_MESSAGE(!parse_stop_signal(bad).ok(), bad);
  }
  CHECK(why(parse_stop_signal("SIGFOO")) ==
        "unknown signal 'SIGFOO'; use a name such as SIGTERM or a number from 1 to 64");
}
