// SPDX-License-Identifier: Apache-2.0
// The text exposition our code renders: names and units promtool accepts, label values
// escaped, histogram buckets cumulative, counters that never go back; the listen
// address syntax; and the docs (dashboard, alert rules) naming only series we export.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "metrics/exporter.hpp"
#include "metrics/registry.hpp"
#include "metrics/metrics_support.hpp"
#include "support/test_db.hpp"

namespace replicate::test {
namespace {

/// A registry with every series set: what a verified run with rejects and retries shows.
void fill(metrics::Registry& r, const std::string& table = "public.bi_credores") {
  r.update("nightly", [&](metrics::MappingSeries& m) {
    m.run_start = 1700000000.25;
    m.run_end = 1700000100.5;
    m.exit_code = 1;
    m.workers = 4;
    m.workers_rss_bytes = 123456789;
    m.worker_peak_rss_bytes = 98765432;
    auto& t = m.tables[table];
    t.rows_copied = 20000;
    t.rows_rejected = 3;
    t.rows_in_flight = 500;
    t.chunks_done = 10;
    t.chunks_failed = 2;
    t.chunks_retried = 1;
    t.chunks_planned = 10;
    for (double s : {0.05, 0.3, 0.3, 7.0, 5000.0}) t.chunk_duration.observe(s);
    t.last_success = 1700000099.75;
    t.verify_equal = false;
    t.verify_different_rows = 7;
  });
}

/// The text of a filled registry.
std::string full_text(const std::string& table = "public.bi_credores") {
  metrics::Registry r;
  fill(r, table);
  return r.render();
}

TEST(MetricsText, PassesPromtoolWithEverySeries) {
  require_binary("/usr/bin/promtool");
  const std::string text = full_text();
  const auto r = promtool_check_metrics(text, temp_dir());
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << text;
  EXPECT_EQ(r.output, "") << text;  // no lint remark either
}

TEST(MetricsText, NamesEverySeriesWithMappingAndTable) {
  const std::string text = full_text();
  const std::string tl = R"({mapping="nightly",table="public.bi_credores"})";
  EXPECT_EQ(sample_value(text, "replicate_rows_copied_total" + tl), 20000);
  EXPECT_EQ(sample_value(text, "replicate_rows_rejected_total" + tl), 3);
  EXPECT_EQ(sample_value(text, "replicate_rows_in_flight" + tl), 500);
  EXPECT_EQ(sample_value(text, "replicate_chunks_done_total" + tl), 10);
  EXPECT_EQ(sample_value(text, "replicate_chunks_failed_total" + tl), 2);
  EXPECT_EQ(sample_value(text, "replicate_chunks_retried_total" + tl), 1);
  EXPECT_EQ(sample_value(text, "replicate_last_success_timestamp_seconds" + tl), 1700000099.75);
  EXPECT_EQ(sample_value(text, "replicate_verify_equal" + tl), 0);
  EXPECT_EQ(sample_value(text, "replicate_verify_different_rows" + tl), 7);
  EXPECT_EQ(sample_value(text, R"(replicate_run_exit_code{mapping="nightly"})"), 1);
  EXPECT_EQ(sample_value(text, R"(replicate_run_start_timestamp_seconds{mapping="nightly"})"), 1700000000.25);
  EXPECT_EQ(sample_value(text, R"(replicate_worker_peak_resident_memory_bytes{mapping="nightly"})"), 98765432);
  EXPECT_NE(text.find("# TYPE replicate_rows_copied_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE replicate_chunk_duration_seconds histogram\n"), std::string::npos) << text;
}

TEST(MetricsText, HistogramBucketsAreCumulative) {
  const std::string text = full_text();
  const std::string p = R"(replicate_chunk_duration_seconds_bucket{mapping="nightly",table="public.bi_credores",le=")";
  EXPECT_EQ(sample_value(text, p + "0.1\"}"), 1);
  EXPECT_EQ(sample_value(text, p + "0.5\"}"), 3);
  EXPECT_EQ(sample_value(text, p + "10\"}"), 4);
  EXPECT_EQ(sample_value(text, p + "3600\"}"), 4);
  EXPECT_EQ(sample_value(text, p + "+Inf\"}"), 5);
  EXPECT_EQ(sample_value(text, R"(replicate_chunk_duration_seconds_count{mapping="nightly",table="public.bi_credores"})"), 5);
  EXPECT_DOUBLE_EQ(*sample_value(text, R"(replicate_chunk_duration_seconds_sum{mapping="nightly",table="public.bi_credores"})"),
                   5007.65);
}

TEST(MetricsText, EscapesLabelValues) {
  EXPECT_EQ(metrics::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  // A quoted target name may hold any of them; promtool still parses the output.
  const std::string text = full_text("odd.\"we\\ird\nname\"");
  EXPECT_NE(text.find(R"(table="odd.\"we\\ird\nname\"")"), std::string::npos) << text;
  const auto r = promtool_check_metrics(text, temp_dir());
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << text;
}

TEST(MetricsText, CountersNeverGoBack) {
  std::int64_t c = 10;
  metrics::raise(c, 7);
  EXPECT_EQ(c, 10);
  metrics::raise(c, 12);
  EXPECT_EQ(c, 12);
}

TEST(MetricsText, RendersOneMappingForAPush) {
  metrics::Registry r;
  fill(r);
  r.update("other", [](metrics::MappingSeries& m) { m.exit_code = 0; });
  EXPECT_NE(r.render().find("mapping=\"other\""), std::string::npos);
  EXPECT_EQ(r.render("nightly").find("mapping=\"other\""), std::string::npos);
  EXPECT_NE(r.render("nightly").find("mapping=\"nightly\""), std::string::npos);
  EXPECT_EQ(metrics::mapping_label("/etc/replicate/bi_credores.yaml"), "bi_credores");
}

TEST(MetricsListenAddress, ParsesHostPortForms) {
  std::string why;
  auto a = metrics::parse_listen_address("127.0.0.1:9187", why);
  ASSERT_TRUE(a) << why;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9187);
  a = metrics::parse_listen_address("[::1]:0", why);
  ASSERT_TRUE(a) << why;
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->str(), "[::1]:0");
  a = metrics::parse_listen_address(":9187", why);
  ASSERT_TRUE(a) << why;
  EXPECT_EQ(a->host, "0.0.0.0");
  for (const char* bad : {"localhost", "127.0.0.1:", "127.0.0.1:65536", "::1:9187", "127.0.0.1:91x", "a b:1"}) {
    EXPECT_FALSE(metrics::parse_listen_address(bad, why)) << bad;
    EXPECT_NE(why.find(bad), std::string::npos) << why;
  }
}

TEST(MetricsServer, RefusesAnAddressInUse) {
  metrics::Registry r;
  metrics::Server first(r, {"127.0.0.1", 0});
  ASSERT_GT(first.port(), 0);
  try {
    metrics::Server second(r, {"127.0.0.1", first.port()});
    FAIL() << "a second server bound port " << first.port();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
  const auto got = http_get("127.0.0.1:" + std::to_string(first.port()), "/metrics");
  EXPECT_EQ(got.status, 200) << got.body;
}

/// Every replicate_* name in `text`, with the histogram suffixes taken off.
std::set<std::string> names_in(const std::string& text) {
  std::set<std::string> out;
  static const std::regex name(R"(replicate_[a-z_]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it)
    out.insert(std::regex_replace(it->str(), std::regex("_(bucket|sum|count)$"), ""));
  return out;
}

TEST(MetricsDocs, DashboardAndAlertsNameOnlyExportedSeries) {
  const std::string exported = full_text();
  std::set<std::string> families;
  static const std::regex type_line(R"(# TYPE (\S+) )");
  for (std::sregex_iterator it(exported.begin(), exported.end(), type_line), end; it != end; ++it)
    families.insert((*it)[1]);
  const std::string dashboard = read_all(std::string(REPLICATE_SOURCE_DIR) + "/docs/grafana-dashboard.json");
  ASSERT_FALSE(dashboard.empty()) << "docs/grafana-dashboard.json is missing";
  const auto json = nlohmann::json::parse(dashboard);  // throws when it is no JSON
  EXPECT_GE(json.at("panels").size(), 8u);
  const std::string alerts = read_all(std::string(REPLICATE_SOURCE_DIR) + "/docs/prometheus-alerts.yml");
  ASSERT_FALSE(alerts.empty()) << "docs/prometheus-alerts.yml is missing";
  for (const auto& [file, text] : {std::pair{"grafana-dashboard.json", dashboard}, {"prometheus-alerts.yml", alerts}})
    for (const auto& n : names_in(text))
      EXPECT_TRUE(families.count(n)) << "docs/" << file << " names " << n << ", which replicate does not export";
}

TEST(MetricsDocs, AlertRulesPassPromtool) {
  require_binary("/usr/bin/promtool");
  const std::string root = REPLICATE_SOURCE_DIR;
  const auto check = run_command("promtool check rules " + shell_quote(root + "/docs/prometheus-alerts.yml"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  // Unit tests of the rules: each alert fires on the series that should fire it, and not otherwise.
  const auto test = run_command("promtool test rules " + shell_quote(root + "/tests/metrics/prometheus-alerts.test.yml"));
  EXPECT_EQ(test.exit_code, 0) << test.output;
}

}  // namespace
}  // namespace replicate::test
