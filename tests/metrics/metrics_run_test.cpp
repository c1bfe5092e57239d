// SPDX-License-Identifier: Apache-2.0
// Metrics of real runs (a `replicate sample` SQLite file into the test cluster): /metrics
// scraped while a copy is held at its last step, by the test and by Debian's Prometheus
// server; the node_exporter textfile at the end (also after a failure); a push to
// Debian's Pushgateway. A run is held by a lock the test takes on the target table,
// which the final swap waits for: no timing is assumed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "cli/cli_support.hpp"
#include "engine/engine_support.hpp"
#include "metrics/exporter.hpp"
#include "metrics/metrics_support.hpp"

namespace replicate::test {
namespace {

using namespace std::chrono_literals;

constexpr int kRows = 20000;
const std::string kTable = R"(mapping="m",table="public.bi_credores")";

struct MetricsRun : ::testing::Test {
  std::string dir = temp_dir();
  std::string dst = create_database("t_metrics");
  std::string sample = dir + "/src.sqlite";
  std::string mapping = dir + "/m.yaml";
  EnvVars env = [this] {
    auto e = pg().env();
    e.push_back({"SAMPLE", sample});
    e.push_back({"DST_DB", database_of(dst)});
    return e;
  }();

  void SetUp() override {
    const auto s = run_replicate({"sample", "--rows", std::to_string(kRows), "--output", sample});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    write_mapping("");
  }

  /// The sample's table into public.bi_credores, 10 chunks; swap: the rows go to a shadow
  /// table, which replaces the target under an ACCESS EXCLUSIVE lock at the end.
  void write_mapping(const std::string& extra_top, const std::string& target = "",
                     const std::string& options = "  swap: true\n") {
    write_file(mapping, "version: 1\nsource:\n  driver: sqlite\n  connection: \"${env:SAMPLE}\"\n"
                        "target:\n  driver: postgresql\n  connection: \"" +
                            (target.empty() ? "host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} dbname=${env:DST_DB}"
                                            : target) +
                            "\"\n" + extra_top +
                            "defaults:\n  chunk_rows: 2000\n  batch_size: 500\n  workers: 2\n" + options +
                            "tables:\n  - source: bi_credores\n");
  }

  /// A first run creates the target table, so that the next one can be held at its swap.
  void create_target() {
    const auto r = run_with_limit({"-q", mapping}, env, 300s, dir, "first");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  /// /metrics of the process listening on `port`, once it shows every row copied.
  std::string scrape_when_copied(int port, TimedProcess& run) {
    std::string body;
    const bool copied = eventually(
        [&] {
          body = http_get("127.0.0.1:" + std::to_string(port), "/metrics").body;
          return sample_value(body, "replicate_rows_copied_total{" + kTable + "}") == kRows || !run.running();
        },
        120s);
    EXPECT_TRUE(copied && run.running()) << "the run ended or never copied every row: " << run.err() << "\n" << body;
    return body;
  }
};

TEST_F(MetricsRun, ARunningCopyServesMetricsThatPromtoolAccepts) {
  create_target();
  const int port = free_port();
  HeldLock hold(dst, "public.bi_credores", "ACCESS SHARE");
  TimedProcess run({"--metrics-listen", "127.0.0.1:" + std::to_string(port), mapping}, env, dir);
  const std::string body = scrape_when_copied(port, run);
  ASSERT_TRUE(run.running());
  const auto check = promtool_check_metrics(body, dir);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << body;
  EXPECT_EQ(check.output, "") << body;
  // Held at the swap: every chunk done, nothing in flight, no outcome yet.
  EXPECT_EQ(sample_value(body, "replicate_chunks_done_total{" + kTable + "}"), 10) << body;
  EXPECT_EQ(sample_value(body, "replicate_chunks_planned{" + kTable + "}"), 10) << body;
  EXPECT_EQ(sample_value(body, "replicate_rows_in_flight{" + kTable + "}"), 0) << body;
  EXPECT_EQ(sample_value(body, "replicate_chunk_duration_seconds_count{" + kTable + "}"), 10) << body;
  EXPECT_EQ(sample_value(body, "replicate_rows_rejected_total{" + kTable + "}"), 0) << body;
  EXPECT_EQ(sample_value(body, R"(replicate_run_exit_code{mapping="m"})"), std::nullopt) << body;
  EXPECT_TRUE(sample_value(body, R"(replicate_run_start_timestamp_seconds{mapping="m"})")) << body;
  // The first run succeeded: the state tables say when.
  const auto last = sample_value(body, "replicate_last_success_timestamp_seconds{" + kTable + "}");
  ASSERT_TRUE(last) << body;
  EXPECT_LE(*last, *sample_value(body, R"(replicate_run_start_timestamp_seconds{mapping="m"})"));
  hold.release();
  EXPECT_EQ(run.wait(120s), std::optional<int>(0)) << run.err();
  // The server went with the run.
  EXPECT_EQ(http_get("127.0.0.1:" + std::to_string(port), "/metrics").status, 0);
}

TEST_F(MetricsRun, PrometheusScrapesARunningCopy) {
  require_binary("/usr/bin/prometheus");
  create_target();
  const int port = free_port();
  const int prometheus_port = free_port();
  write_file(dir + "/prometheus.yml", "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                      "scrape_configs:\n  - job_name: replicate\n    static_configs:\n"
                                      "      - targets: ['127.0.0.1:" + std::to_string(port) + "']\n");
  Daemon prometheus({"/usr/bin/prometheus", "--config.file=" + dir + "/prometheus.yml",
                     "--storage.tsdb.path=" + dir + "/prometheus-data",
                     "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
                    dir + "/prometheus.log");
  const std::string api = "127.0.0.1:" + std::to_string(prometheus_port);
  ASSERT_TRUE(eventually([&] { return http_get(api, "/-/ready").status == 200 || !prometheus.running(); }, 120s));
  ASSERT_TRUE(prometheus.running()) << read_all(dir + "/prometheus.log");

  HeldLock hold(dst, "public.bi_credores", "ACCESS SHARE");
  TimedProcess run({"--metrics-listen", "127.0.0.1:" + std::to_string(port), mapping}, env, dir);
  scrape_when_copied(port, run);
  // The run waits for the lock: Prometheus sees the final count whenever it scrapes.
  nlohmann::json answer;
  const auto query = [&](const std::string& promql) {
    const auto r = http_get(api, "/api/v1/query?query=" + promql);
    answer = nlohmann::json::parse(r.body, nullptr, false);
    if (answer.is_discarded() || answer.value("status", "") != "success") return std::optional<double>();
    const auto& result = answer["data"]["result"];
    if (result.empty()) return std::optional<double>();
    return std::optional<double>(std::stod(result[0]["value"][1].get<std::string>()));
  };
  EXPECT_TRUE(eventually([&] { return query("replicate_rows_copied_total") == kRows; }, 120s))
      << answer.dump() << read_all(dir + "/prometheus.log");
  EXPECT_EQ(answer["data"]["result"][0]["metric"]["table"], "public.bi_credores") << answer.dump();
  EXPECT_EQ(answer["data"]["result"][0]["metric"]["mapping"], "m") << answer.dump();
  EXPECT_EQ(query("replicate_chunks_done_total"), 10) << answer.dump();
  EXPECT_EQ(query("up%7Bjob%3D%22replicate%22%7D"), 1) << answer.dump();
  hold.release();
  EXPECT_EQ(run.wait(120s), std::optional<int>(0)) << run.err();
}

TEST_F(MetricsRun, TextfileIsReplacedAtTheEndWithTheRunsFigures) {
  const std::string textfile = dir + "/replicate.prom";
  write_text(textfile, "old\n");
  ASSERT_EQ(link(textfile.c_str(), (dir + "/old-link").c_str()), 0);  // the old file, by its inode
  const auto r = run_with_limit({"--metrics-textfile", textfile, mapping}, env, 300s, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string text = read_all(textfile);
  const auto check = promtool_check_metrics(text, dir);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << text;
  EXPECT_EQ(check.output, "") << text;
  // A new file was renamed over the old one: the old inode still holds the old text.
  EXPECT_EQ(read_all(dir + "/old-link"), "old\n");
  struct stat st {};
  ASSERT_EQ(stat(textfile.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(st.st_nlink, 1u);
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().rfind(".replicate.prom", 0), std::string::npos) << e.path();
  // The figures are the summary's: every row, 10 chunks, exit 0, a success now.
  EXPECT_NE(r.out.find("20,000"), std::string::npos) << r.out;
  EXPECT_EQ(sample_value(text, "replicate_rows_copied_total{" + kTable + "}"), kRows) << text;
  EXPECT_EQ(sample_value(text, "replicate_chunks_done_total{" + kTable + "}"), 10) << text;
  EXPECT_EQ(sample_value(text, "replicate_chunks_failed_total{" + kTable + "}"), 0) << text;
  EXPECT_EQ(sample_value(text, R"(replicate_run_exit_code{mapping="m"})"), 0) << text;
  EXPECT_EQ(sample_value(text, R"(replicate_workers{mapping="m"})"), 0) << text;
  EXPECT_GT(*sample_value(text, R"(replicate_worker_peak_resident_memory_bytes{mapping="m"})"), 1e6) << text;
  const auto start = sample_value(text, R"(replicate_run_start_timestamp_seconds{mapping="m"})");
  const auto end = sample_value(text, R"(replicate_run_end_timestamp_seconds{mapping="m"})");
  const auto success = sample_value(text, "replicate_last_success_timestamp_seconds{" + kTable + "}");
  ASSERT_TRUE(start && end && success) << text;
  EXPECT_LE(*start, *success);
  EXPECT_LE(*success, *end);
}

TEST_F(MetricsRun, VerifyResultIsExported) {
  write_mapping("", "", "  verify: true\n");
  const std::string textfile = dir + "/replicate.prom";
  const auto r = run_with_limit({"--metrics-textfile", textfile, mapping}, env, 300s, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string text = read_all(textfile);
  EXPECT_EQ(sample_value(text, "replicate_verify_equal{" + kTable + "}"), 1) << text;
  EXPECT_EQ(sample_value(text, "replicate_verify_different_rows{" + kTable + "}"), 0) << text;
}

TEST_F(MetricsRun, FailedAndRetriedChunksAndTheOutcomeAreCounted) {
  create_target();
  // A retryable error (serialization failure) on one row, every attempt: its chunk fails
  // max_attempts times and the table fails; the other chunks commit.
  pg_exec(dst, "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "IF NEW.id = 777 THEN RAISE EXCEPTION 'row 777 always fails' USING ERRCODE = '40001'; END IF; "
               "RETURN NEW; END $$;"
               "CREATE TRIGGER boom BEFORE INSERT ON public.bi_credores FOR EACH ROW EXECUTE FUNCTION boom();");
  const double before = metrics::unix_now();
  write_mapping("", "", "  max_attempts: 3\n");
  const std::string textfile = dir + "/replicate.prom";
  const auto r = run_with_limit({"--metrics-textfile", textfile, mapping}, env, 300s, dir);
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string text = read_all(textfile);
  EXPECT_EQ(sample_value(text, R"(replicate_run_exit_code{mapping="m"})"), 1) << text;
  EXPECT_EQ(sample_value(text, "replicate_chunks_failed_total{" + kTable + "}"), 3) << text;
  EXPECT_EQ(sample_value(text, "replicate_chunks_retried_total{" + kTable + "}"), 2) << text;
  const auto copied = sample_value(text, "replicate_rows_copied_total{" + kTable + "}");
  ASSERT_TRUE(copied) << text;
  EXPECT_LT(*copied, kRows) << text;
  EXPECT_EQ(std::fmod(*copied, 2000), 0) << text;  // whole chunks only
  // The last success is the first run's, from the state tables, not this one.
  const auto success = sample_value(text, "replicate_last_success_timestamp_seconds{" + kTable + "}");
  ASSERT_TRUE(success) << text;
  EXPECT_LT(*success, before) << text;
}

TEST_F(MetricsRun, TextfileIsWrittenWhenTheRunFails) {
  // Nothing listens on port 1: the target cannot be reached (exit 3).
  write_mapping("", "host=127.0.0.1 port=1 user=nobody dbname=nothing connect_timeout=5");
  const std::string textfile = dir + "/replicate.prom";
  const auto r = run_with_limit({"--metrics-textfile", textfile, mapping}, env, 120s, dir);
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;
  const std::string text = read_all(textfile);
  EXPECT_EQ(sample_value(text, R"(replicate_run_exit_code{mapping="m"})"), 3) << text;
  EXPECT_TRUE(sample_value(text, R"(replicate_run_end_timestamp_seconds{mapping="m"})")) << text;
  const auto check = promtool_check_metrics(text, dir);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << text;
}

TEST_F(MetricsRun, BadMetricsOptionsStopTheRunBeforeItCopies) {
  std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--metrics-listen", "localhost"}, "--metrics-listen: 'localhost' is not HOST:PORT"},
      {{"--metrics-textfile", dir + "/no/such/dir/r.prom"}, "--metrics-textfile " + dir + "/no/such/dir/r.prom: its folder"},
      {{"--metrics-push", "ftp://gateway:9091"}, "--metrics-push: 'ftp://gateway:9091' is not a Pushgateway URL"},
  };
  for (auto& [args, message] : cases) {
    args.push_back(mapping);
    const auto r = run_with_limit(args, env, 60s, dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("error: " + message), std::string::npos) << r.err;
  }
  // A port in use is refused as well, before anything is copied.
  metrics::Registry registry;
  metrics::Server taken(registry, {"127.0.0.1", 0});
  const auto r = run_with_limit({"--metrics-listen", "127.0.0.1:" + std::to_string(taken.port()), mapping}, env, 60s, dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(taken.port())), std::string::npos) << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT to_regclass('public.bi_credores')::text"), std::nullopt) << "copied anyway";
}

TEST_F(MetricsRun, TwoMappingsMustNotAskForTwoAddresses) {
  write_mapping("metrics:\n  listen: \"127.0.0.1:0\"\n");
  const std::string first = dir + "/first.yaml";
  std::filesystem::rename(mapping, first);
  write_mapping("metrics:\n  listen: \"127.0.0.1:1\"\n");
  const auto r = run_with_limit({first, mapping}, env, 60s, dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("error: " + mapping + ":9:11: metrics.listen 127.0.0.1:1 differs from " + first +
                       ":9:11: metrics.listen 127.0.0.1:0; one process serves one address: pass --metrics-listen"),
            std::string::npos)
      << r.err;
  // --metrics-listen chooses: both run, served on one address.
  const auto ok = run_with_limit({"--metrics-listen", "127.0.0.1:0", first, mapping}, env, 300s, dir);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST_F(MetricsRun, MappingFileListenAddressServesMetrics) {
  create_target();
  const int port = free_port();
  write_mapping("metrics:\n  listen: \"127.0.0.1:" + std::to_string(port) + "\"\n");
  HeldLock hold(dst, "public.bi_credores", "ACCESS SHARE");
  TimedProcess run({mapping}, env, dir);
  const std::string body = scrape_when_copied(port, run);
  EXPECT_EQ(sample_value(body, "replicate_rows_copied_total{" + kTable + "}"), kRows) << body;
  hold.release();
  EXPECT_EQ(run.wait(120s), std::optional<int>(0)) << run.err();
}

TEST_F(MetricsRun, PushgatewayReceivesThePush) {
  require_binary("/usr/bin/prometheus-pushgateway");
  const int port = free_port();
  const std::string gateway = "127.0.0.1:" + std::to_string(port);
  // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: this one keeps its own.
  Daemon pushgateway({"/usr/bin/prometheus-pushgateway", "--web.listen-address=" + gateway,
                      "--persistence.file=" + dir + "/pushgateway.data"},
                     dir + "/pushgateway.log");
  ASSERT_TRUE(eventually([&] { return http_get(gateway, "/-/ready").status == 200 || !pushgateway.running(); }, 60s));
  ASSERT_TRUE(pushgateway.running()) << read_all(dir + "/pushgateway.log");
  const auto r = run_with_limit({"--metrics-push", "http://" + gateway, mapping}, env, 300s, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("metrics"), std::string::npos) << r.err;  // no warning
  const std::string body = http_get(gateway, "/metrics").body;
  // The Pushgateway adds the grouping key (job, mapping) and an empty instance.
  const std::string labels = R"(instance="",job="replicate",mapping="m",table="public.bi_credores")";
  EXPECT_EQ(sample_value(body, "replicate_rows_copied_total{" + labels + "}"), kRows) << body;
  EXPECT_EQ(sample_value(body, R"(replicate_run_exit_code{instance="",job="replicate",mapping="m"})"), 0) << body;
  EXPECT_TRUE(sample_value(body, R"(push_time_seconds{instance="",job="replicate",mapping="m"})")) << body;
}

TEST_F(MetricsRun, APushThatFailsIsAWarning) {
  const int port = free_port();  // nobody listens there
  const auto r = run_with_limit({"--metrics-push", "http://127.0.0.1:" + std::to_string(port), mapping}, env, 300s, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: metrics: cannot push to http://127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace replicate::test
