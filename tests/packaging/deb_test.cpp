// The Debian package: CPack builds it from the build tree this suite runs in (no new build),
// its Depends names the runtime libraries, and unpacked into a scratch root (dpkg -x) the
// installed mqtk runs and the man pages and completions are where the shells and man look.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace fs = std::filesystem;
using mqtk::test::describe;
using mqtk::test::read_file;
using mqtk::test::run_mqtk;
using mqtk::test::run_process;
using mqtk::test::TempDir;

TEST_SUITE_BEGIN("packaging.deb");

namespace {

// A sanitized build is never shipped, and dpkg-shlibdeps takes ~20 s to read its 120 MB binary:
// there the package is built without computing Depends (and without stripping or compressing),
// and the Depends check is left to the plain build's run of this test.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized_build = true;
#else
constexpr bool sanitized_build = false;
#endif

}  // namespace

TEST_CASE("cpack builds a .deb that installs a working mqtk with its man pages and completions") {
  const fs::path build_dir = fs::path(mqtk::test::mqtk_binary_path()).parent_path();
  TempDir out("mqtk-deb");
  std::vector<std::string> cpack{"cpack", "--config", (build_dir / "CPackConfig.cmake").string(),
                                 "-G", "DEB", "-B", out.path().string()};
  if (sanitized_build)
    cpack.insert(cpack.end(), {"-D", "CPACK_DEBIAN_PACKAGE_SHLIBDEPS=OFF", "-D", "CPACK_STRIP_FILES=OFF",
                               "-D", "CPACK_DEBIAN_COMPRESSION_TYPE=none"});
  const auto packed = run_process(cpack, {}, std::chrono::seconds(120));
  REQUIRE_MESSAGE(packed.ok(), describe(packed));
  fs::path deb;
  for (const auto& entry : fs::directory_iterator(out.path()))
    if (entry.path().extension() == ".deb") deb = entry.path();
  REQUIRE_MESSAGE(!deb.empty(), describe(packed));
  CHECK(deb.filename().string().starts_with("mqtk_"));

  if (!sanitized_build) {
    const auto depends = run_process({"dpkg-deb", "--field", deb.string(), "Depends"});
    REQUIRE_MESSAGE(depends.ok(), describe(depends));
    for (const char* library : {"libpaho-mqttpp3-1", "libpaho-mqtt1.3", "libssl3", "libc6", "libstdc++6"})
      CHECK_MESSAGE(depends.out.find(library) != std::string::npos, library << " missing from " << depends.out);
  }

  const fs::path root = out.path() / "root";
  const auto unpacked = run_process({"dpkg", "-x", deb.string(), root.string()});
  REQUIRE_MESSAGE(unpacked.ok(), describe(unpacked));
  const auto installed = run_process({(root / "usr/bin/mqtk").string(), "--version"});
  REQUIRE_MESSAGE(installed.exit_code == 0, describe(installed));
  CHECK(installed.out == run_mqtk({"--version"}).out);
  CHECK(installed.out.starts_with("mqtk "));

  const fs::path source(MQTK_SOURCE_DIR);
  for (const char* page : {"mqtk.1", "mqtk-sub.1", "mqtk-pub.1", "mqtk-rr.1", "mqtk-conn.1"})
    CHECK_MESSAGE(read_file(root / "usr/share/man/man1" / page) == read_file(source / "man" / page), page);
  CHECK(read_file(root / "usr/share/bash-completion/completions/mqtk") == read_file(source / "completions/mqtk.bash"));
  CHECK(read_file(root / "usr/share/zsh/site-functions/_mqtk") == read_file(source / "completions/_mqtk"));
  CHECK(read_file(root / "usr/share/fish/vendor_completions.d/mqtk.fish") == read_file(source / "completions/mqtk.fish"));
  CHECK_FALSE(read_file(root / "usr/share/man/man1/mqtk.1").empty());
}
