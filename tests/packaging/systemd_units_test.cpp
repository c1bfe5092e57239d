// SPDX-License-Identifier: Apache-2.0
// packaging/systemd: the units pass `systemd-analyze verify` without a word (an unknown
// or misspelt key only prints a warning, so any output fails), and say what the package
// and README promise: the mapping and env file of the instance, the replicate user, a
// oneshot run in a sandbox, a nightly persistent timer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "packaging/packaging_support.hpp"

namespace replicate::test {
namespace {

namespace fs = std::filesystem;

const std::string kService = "packaging/systemd/replicate@.service";
const std::string kTimer = "packaging/systemd/replicate@.timer";

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text + "\n").find("\n" + line + "\n") != std::string::npos;
}

TEST(SystemdUnits, PassSystemdAnalyzeVerify) {
  if (run_command("command -v systemd-analyze").exit_code != 0)
    GTEST_SKIP() << "SKIPPED: systemd-analyze is not installed (Debian package systemd); the units were not verified";
  // verify checks that ExecStart's program exists: before the package is installed,
  // the unit under test runs the binary just built, and nothing else in it changes.
  char dir_template[] = "/tmp/replicate-units.XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const fs::path dir = dir_template;
  std::string service = source_file(kService);
  ASSERT_FALSE(service.empty()) << kService << " is missing";
  if (!fs::exists("/usr/bin/replicate")) {
    const auto at = service.find("ExecStart=/usr/bin/replicate ");
    ASSERT_NE(at, std::string::npos) << kService << " does not run /usr/bin/replicate";
    service.replace(at, std::string("ExecStart=/usr/bin/replicate").size(), std::string("ExecStart=") + REPLICATE_BINARY);
  }
  std::ofstream(dir / "replicate@.service") << service;
  std::ofstream(dir / "replicate@.timer") << source_file(kTimer);
  const auto r = run_command("systemd-analyze verify --man=no " + shell_quote(dir / "replicate@.service") + " " +
                             shell_quote(dir / "replicate@.timer"));
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "") << "systemd-analyze verify warns about the units";
}

TEST(SystemdUnits, ServiceRunsTheInstancesMappingSandboxed) {
  const std::string s = source_file(kService);
  for (const char* line :
       {"Type=oneshot", "User=replicate", "ExecStart=/usr/bin/replicate /etc/replicate/%i.yaml",
        "EnvironmentFile=-/etc/replicate/%i.env", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "NoNewPrivileges=yes"})
    EXPECT_TRUE(has_line(s, line)) << kService << " lacks '" << line << "'";
  // Exit codes other than 0 must stay failures, so OnFailure= sees them.
  EXPECT_EQ(s.find("SuccessExitStatus="), std::string::npos) << kService;
  EXPECT_EQ(s.find("ExecStart=-"), std::string::npos) << kService;
}

TEST(SystemdUnits, TimerIsNightlyAndPersistent) {
  const std::string t = source_file(kTimer);
  EXPECT_TRUE(has_line(t, "Persistent=true")) << kTimer;
  EXPECT_TRUE(has_line(t, "WantedBy=timers.target")) << kTimer;
  EXPECT_NE(t.find("\nOnCalendar=*-*-* 02:00:00\n"), std::string::npos) << kTimer;
}

}  // namespace
}  // namespace replicate::test
