// SPDX-License-Identifier: Apache-2.0
// Subcommands: run (default), validate, plan, status, sample, and the hidden worker.
#include "cli/cli.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/check.hpp"
#include "cli/plan_output.hpp"
#include "cli/private_file.hpp"
#include "config/mapping.hpp"
#include "engine/coordinator.hpp"
#include "engine/state.hpp"
#include "engine/worker.hpp"
#include "metrics/exporter.hpp"
#include "plan/planner.hpp"
#include "sample/sample.hpp"
#include "source/connection.hpp"
#include "target/pg_schema.hpp"
#include "util/error.hpp"
#include "verify/verify.hpp"

namespace replicate::cli {

namespace {

struct Globals {
  bool quiet = false;
  bool verbose = false;
  std::string log_format = "text";
};

/// --metrics-listen, --metrics-textfile, --metrics-push.
struct MetricsFlags {
  std::string listen, textfile, push;
};

void print_error(const std::string& msg) { std::fprintf(stderr, "error: %s\n", msg.c_str()); }

extern "C" void exit_on_interrupt(int sig) {
  // Only async-signal-safe calls here. Nothing is half-done: every step commits with the
  // state that records it, and an open transaction rolls back when the connection drops.
  const char* text = sig == SIGINT ? "\nerror: interrupted (SIGINT); run the same command again to go on\n"
                                   : "\nerror: interrupted (SIGTERM); run the same command again to go on\n";
  std::size_t n = 0;
  while (text[n] != '\0') ++n;
  (void)!::write(STDERR_FILENO, text, n);
  ::_exit(util::exit_interrupted);
}

/// SIGINT and SIGTERM end the process at once with exit code 4, whatever it is waiting
/// for (a catalog query, a lock, a checksum). The copy phase replaces this with its own
/// handling (finish the chunks in flight), and gives the default back when it ends.
void exit_on_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = exit_on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string self_exe(const char* argv0) {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

/// Run `body`, mapping the exceptions of every layer to named exit codes.
int guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return util::exit_config;
  } catch (const plan::PlanError& e) {
    print_error(e.what());
    return util::exit_config;
  } catch (const util::DbError& e) {
    print_error(e.what());
    if (e.kind() == util::ErrorKind::connection) return util::exit_connect;
    if (e.kind() == util::ErrorKind::missing) return util::exit_config;
    return util::exit_table_failed;
  } catch (const std::exception& e) {
    print_error(e.what());
    return util::exit_internal;
  }
}

int cmd_validate(const std::vector<std::string>& files, bool check_env, const Globals& g) {
  int rc = util::exit_ok;
  for (const auto& f : files) {
    int r = guarded([&] {
      // The file, not the environment it will run in: values are read only with --env.
      auto m = config::load_mapping(f, check_env ? config::EnvReading::read : config::EnvReading::names_only);
      for (const auto& u : g.quiet ? std::vector<config::UnsetVariable>{} : m.unset_env)
        std::fprintf(stderr, "warning: %s: environment variable '%s' is not set; export it before run, plan, "
                             "status or verify (validate --env makes this an error)\n",
                     u.location.str().c_str(), u.name.c_str());
      if (!g.quiet) std::printf("%s: ok (%zu table entr%s)\n", f.c_str(), m.tables.size(), m.tables.size() == 1 ? "y" : "ies");
      return util::exit_ok;
    });
    rc = std::max(rc, r);
  }
  return rc;
}

/// Every mapping of `files`, each checked before anything connects or is copied: a typo
/// in the third file must not surface after the first two have run for an hour.
/// Returns the exit code of the first file that does not load (0 when all do).
int load_all(const std::vector<std::string>& files, std::vector<config::Mapping>& mappings) {
  for (const auto& f : files) {
    int rc = guarded([&] {
      mappings.push_back(config::load_mapping(f));
      return util::exit_ok;
    });
    if (rc) return rc;
  }
  return util::exit_ok;
}

/// `body` for each mapping of `files`; the worst exit code. An interruption ends it.
int for_each_mapping(const std::vector<std::string>& files, const std::function<int(const config::Mapping&)>& body) {
  std::vector<config::Mapping> mappings;
  if (int rc = load_all(files, mappings)) return rc;
  int worst = util::exit_ok;
  for (const auto& m : mappings) {
    const int rc = guarded([&] { return body(m); });
    worst = std::max(worst, rc);
    if (rc == util::exit_interrupted) break;
  }
  return worst;
}

int cmd_plan(const std::vector<std::string>& files) {
  bool first = true;
  return for_each_mapping(files, [&](const config::Mapping& m) {
    auto src = source::connect(m.source, source::Side::source);
    auto tgt = source::connect(m.target, source::Side::target);
    // The window a run would copy: from the state's watermark (read, never created here)
    // to the newest value now. A table whose own SQL fails is reported, and the others
    // planned (exit 1), as `run` does.
    std::vector<std::string> failed;
    auto p = plan::build_plan(
        m, *src, *tgt,
        [&](plan::TablePlan& t) {
          const bool incremental = t.options.mode == config::Mode::incremental;
          if (!incremental && !(t.options.mode == config::Mode::full && t.options.watermark)) return;
          plan::apply_watermark_window(
              t, *src, incremental ? engine::State::saved_watermark(*tgt, m.state_schema, t) : std::nullopt,
              std::nullopt);
        },
        [&](const config::TableMapping&, const util::DbError& e) { failed.push_back(e.what()); });
    if (!first) std::fputs("\n", stdout);
    first = false;
    std::fputs(format_plan(p).c_str(), stdout);
    std::fflush(stdout);
    for (const auto& f : failed) print_error(f);
    return failed.empty() ? util::exit_ok : util::exit_table_failed;
  });
}

int cmd_status(const std::vector<std::string>& files) {
  return for_each_mapping(files, [&](const config::Mapping& m) {
    if (files.size() > 1) std::printf("%s:\n", m.file.c_str());
    // `include:` patterns name the tables the source has now, as `run` expands them.
    std::vector<config::TableMapping> entries = m.tables;
    if (std::any_of(entries.begin(), entries.end(), [](const auto& t) { return !t.include.empty(); })) {
      auto src = source::connect(m.source, source::Side::source);
      entries = plan::expand_tables(m, *src);
    }
    auto tgt = source::connect(m.target, source::Side::target);
    std::vector<std::string> names;
    for (const auto& t : entries) {
      const auto [schema, table] = plan::target_name(t);
      names.push_back(schema + "." + table);
    }
    // A literal holding a quoted name: the schema is validated, and quoted all the same.
    auto exists = tgt->query("SELECT to_regclass(" + target::pg_literal(target::pg_quote(m.state_schema) + ".runs") +
                             ")::text");
    if (exists.empty() || !exists[0][0]) {
      std::printf("no state yet in schema %s: nothing has run against this target\n", m.state_schema.c_str());
      std::fflush(stdout);
      return util::exit_ok;
    }
    engine::State state(*tgt, m.state_schema);
    std::printf("%-32s %-6s %-12s %-10s %s\n", "table", "run", "status", "chunks", "rows");
    for (auto& r : state.status_rows(names)) {
      std::string chunks = r.size() > 6 ? r[5] + "/" + r[6] : "";
      std::printf("%-32s %-6s %-12s %-10s %s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(), chunks.c_str(),
                  r.size() > 7 ? r[7].c_str() : "");
      if (r.size() > 8 && !r[8].empty()) std::printf("  error: %s\n", r[8].c_str());
    }
    std::fflush(stdout);
    return util::exit_ok;
  });
}

int cmd_verify(const std::vector<std::string>& files, bool json, int workers, const std::string& hashing) {
  // JSON: one report over every file's tables, printed once all are compared.
  verify::Report all;
  all.equal = true;
  bool compared = false;
  const int rc = for_each_mapping(files, [&](const config::Mapping& m) {
    verify::VerifyOptions o;
    o.workers = workers;
    o.hash_in_source = hashing != "here";
    o.always_hash_in_source = hashing == "source";
    auto report = verify::verify_mapping(m, o);
    compared = true;
    if (json) {
      all.equal = all.equal && report.equal;
      std::move(report.tables.begin(), report.tables.end(), std::back_inserter(all.tables));
    } else {
      std::fputs(verify::format_report(report).c_str(), stdout);
      std::fflush(stdout);
    }
    return report.equal ? util::exit_ok : util::exit_table_failed;
  });
  if (json && compared) {
    all.equal = all.equal && rc == util::exit_ok;  // a file that could not be compared is no proof
    std::fputs((verify::to_json(all) + "\n").c_str(), stdout);
  }
  return rc;
}

/// The run's metrics and where they go; checked before anything is copied.
struct MetricsOutput {
  metrics::Registry registry;
  std::unique_ptr<metrics::Server> server;
  std::string textfile, push;
  bool wanted() const { return server || !textfile.empty() || !push.empty(); }
};

/// Starts the /metrics server and checks the textfile and push URL: an exit code, 0 when all is well.
int start_metrics(const MetricsFlags& flags, const std::vector<config::Mapping>& mappings, const Globals& g,
                  MetricsOutput& out) {
  std::string listen = flags.listen;
  std::string listen_from = "--metrics-listen";
  for (const auto& m : mappings) {
    if (!flags.listen.empty() || !m.metrics.listen) continue;
    if (listen.empty()) {
      listen = *m.metrics.listen;
      listen_from = m.metrics.location.str() + ": metrics.listen";
    } else if (listen != *m.metrics.listen) {
      print_error(m.metrics.location.str() + ": metrics.listen " + *m.metrics.listen + " differs from " + listen_from +
                  " " + listen + "; one process serves one address: pass --metrics-listen to choose");
      return util::exit_config;
    }
  }
  if (!flags.textfile.empty())
    if (const std::string why = unwritable_reason(flags.textfile); !why.empty()) {
      print_error("--metrics-textfile " + flags.textfile + ": " + why +
                  "; name a new or regular file in a folder you can write (node_exporter's textfile directory)");
      return util::exit_config;
    }
  if (!flags.push.empty())
    if (const std::string why = metrics::push_url_problem(flags.push); !why.empty()) {
      print_error("--metrics-push: " + why);
      return util::exit_config;
    }
  out.textfile = flags.textfile;
  out.push = flags.push;
  if (listen.empty()) return util::exit_ok;
  std::string why;
  const auto address = metrics::parse_listen_address(listen, why);
  if (!address) {
    print_error(listen_from + ": " + why);
    return util::exit_config;
  }
  try {
    out.server = std::make_unique<metrics::Server>(out.registry, *address);
  } catch (const std::exception& e) {
    print_error(listen_from + ": " + e.what());
    return util::exit_config;
  }
  metrics::ListenAddress bound = *address;
  bound.port = out.server->port();
  engine::Progress(g.quiet, g.log_format == "json" ? engine::LogFormat::json : engine::LogFormat::text)
      .event("info", "metrics-listen", {{"url", "http://" + bound.str() + "/metrics"}},
             "serving metrics on http://" + bound.str() + "/metrics");
  return util::exit_ok;
}

/// A mapping's run is over: its outcome into the registry, then the textfile and the push.
/// Failures here are warnings: the copy itself is done and its exit code stands.
void finish_metrics(MetricsOutput& out, const std::string& label, int exit_code, const Globals& g) {
  out.registry.update(label, [&](metrics::MappingSeries& m) {
    m.run_end = metrics::unix_now();
    m.exit_code = exit_code;
    m.workers = 0;
    m.workers_rss_bytes = 0;
    for (auto& [name, t] : m.tables) t.rows_in_flight = 0;
  });
  engine::Progress log(g.quiet, g.log_format == "json" ? engine::LogFormat::json : engine::LogFormat::text);
  if (!out.textfile.empty()) {
    try {
      metrics::write_textfile(out.textfile, out.registry.render());
    } catch (const std::exception& e) {
      log.event("warning", "metrics-textfile", {{"error", e.what()}}, std::string("metrics: ") + e.what());
    }
  }
  if (!out.push.empty()) {
    const std::string why = metrics::push(out.push, label, out.registry.render(label));
    if (!why.empty()) log.event("warning", "metrics-push", {{"error", why}}, "metrics: " + why);
  }
}

int cmd_run(const std::vector<std::string>& files, const Globals& g, int workers, bool restart,
            const std::string& report, const MetricsFlags& metrics_flags, const char* argv0) {
  std::vector<config::Mapping> mappings;
  if (int rc = load_all(files, mappings)) return rc;
  if (!report.empty()) {
    if (const std::string why = unwritable_reason(report); !why.empty()) {
      print_error("--report " + report + ": " + why + "; name a new or regular file in a folder you can write");
      return util::exit_config;
    }
  }
  MetricsOutput metrics_out;
  if (int rc = start_metrics(metrics_flags, mappings, g, metrics_out)) return rc;
  int worst = util::exit_ok;
  for (const auto& m : mappings) {
    engine::RunOptions o;
    o.self_exe = self_exe(argv0);
    o.workers = workers;
    o.restart = restart;
    o.quiet = g.quiet;
    o.verbose = g.verbose;
    o.log_format = g.log_format == "json" ? engine::LogFormat::json : engine::LogFormat::text;
    o.report_file = report;
    const std::string label = metrics::mapping_label(m.file);
    if (metrics_out.wanted()) {
      o.metrics = &metrics_out.registry;
      o.metrics_mapping = label;
      metrics_out.registry.update(label, [](metrics::MappingSeries& s) {
        s.run_start = metrics::unix_now();
        s.run_end.reset();
        s.exit_code.reset();
      });
    }
    int rc = guarded([&] {
      auto started = std::chrono::steady_clock::now();
      auto summary = engine::run_mapping(m, o);
      exit_on_interrupts();  // the copy phase is over: its signal handling went with it
      if (!report.empty()) write_private_file(report, engine::report_json(summary));
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (!g.quiet) {
        std::printf("%s", engine::format_summary(summary).c_str());
        std::int64_t rows = 0;
        for (const auto& t : summary.tables) rows += t.rows;
        std::printf("%s: %s rows in %zu table%s, %.2fs total, %s rows/s; peak memory: coordinator %.1f MB, "
                    "largest worker %.1f MB%s\n",
                    m.file.c_str(), engine::format_count(rows).c_str(), summary.tables.size(),
                    summary.tables.size() == 1 ? "" : "s", secs,
                    engine::format_count(secs > 0 ? static_cast<std::int64_t>(rows / secs) : 0).c_str(),
                    summary.coordinator_peak_rss_kb / 1024.0, summary.worker_peak_rss_kb / 1024.0,
                    summary.interrupted ? " (interrupted: run the same command again to resume)" : "");
        std::fflush(stdout);
      }
      if (summary.exit_code != util::exit_ok) return summary.exit_code;
      // `verify: true` tables are compared right after the copy.
      config::Mapping to_verify = m;
      std::erase_if(to_verify.tables, [](const config::TableMapping& t) { return !t.options.verify; });
      if (to_verify.tables.empty()) return summary.exit_code;
      auto report = verify::verify_mapping(to_verify, verify::VerifyOptions{});
      if (o.metrics)
        o.metrics->update(label, [&](metrics::MappingSeries& s) {
          for (const auto& t : report.tables) {
            s.tables[t.table].verify_equal = t.equal;
            s.tables[t.table].verify_different_rows = t.missing_count + t.extra_count + t.changed_count;
          }
        });
      if (!g.quiet || !report.equal) std::fputs(verify::format_report(report).c_str(), stdout);
      return static_cast<int>(report.equal ? util::exit_ok : util::exit_table_failed);
    });
    if (metrics_out.wanted()) finish_metrics(metrics_out, label, rc, g);
    worst = std::max(worst, rc);
    if (rc == util::exit_interrupted) break;
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "replicate: copy tables from one SQL database into another, driven by YAML mapping files.\n"
      "Chunks of each table move in parallel worker processes; each chunk commits with its\n"
      "checkpoint, so an interrupted run resumes where it stopped when run again.\n\n"
      "  replicate mappings/bi_credores.yaml        copy the tables of a mapping\n"
      "  replicate plan mappings/bi_credores.yaml   show what would be done\n"
      "  replicate sample --rows 100000 --output sample.sqlite\n",
      "replicate"};
  app.set_version_flag("-V,--version", std::string("replicate ") + REPLICATE_VERSION);
  Globals g;
  app.add_flag("-q,--quiet", g.quiet, "Print only errors");
  app.add_flag("-v,--verbose", g.verbose, "Print a line per chunk");
  app.add_option("--log-format", g.log_format, "text (default) or json: one JSON object per event on stderr")
      ->check(CLI::IsMember({"text", "json"}));
  app.require_subcommand(0, 1);
  app.fallthrough();  // --quiet, --verbose and --log-format also work after a subcommand

  std::vector<std::string> files;
  int workers = 0;
  bool restart = false;
  std::string report;
  app.add_option("files", files, "Mapping files to run (same as `replicate run FILE...`)");

  auto* run = app.add_subcommand("run", "Replicate the tables of each mapping file");
  run->add_option("files", files, "Mapping files")->required();
  for (auto* a : {&app, run}) {
    a->add_option("-w,--workers", workers, "Worker processes (overrides `workers` in the mapping)")
        ->check(CLI::Range(1, 64));
    a->add_flag("--restart", restart, "Discard the state of an unfinished run and start again");
    a->add_option("--report", report, "Write a JSON report per table (inserted, updated, unchanged, removed, "
                                      "rejected, sample keys) to this file");
  }
  MetricsFlags metrics_flags;
  for (auto* a : {&app, run}) {
    a->add_option("--metrics-listen", metrics_flags.listen,
                  "Serve /metrics (Prometheus text format) on HOST:PORT while the run goes, e.g. 127.0.0.1:9187 "
                  "(overrides `metrics: listen:` in the mapping)");
    a->add_option("--metrics-textfile", metrics_flags.textfile,
                  "When each mapping's run ends, write the metrics to this file for node_exporter's textfile "
                  "collector (replaced atomically, mode 0644)");
    a->add_option("--metrics-push", metrics_flags.push,
                  "When each mapping's run ends, push its metrics to this Pushgateway URL (http:// or https://)");
  }

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check mapping files without connecting to anything (exit 0 or 2)");
  validate->add_option("files", validate_files, "Mapping files")->required();
  bool validate_env = false;
  validate->add_flag("--env", validate_env,
                     "Also read the ${env:} variables the files name: an unset one is an error (else a warning) "
                     "and values are checked in their connection strings");

  std::vector<std::string> plan_files;
  auto* plan = app.add_subcommand("plan", "Connect, introspect and print what would be done, per table");
  plan->add_option("files", plan_files, "Mapping files")->required();

  std::vector<std::string> verify_files;
  bool verify_json = false;
  int verify_workers = 0;
  auto* verify = app.add_subcommand(
      "verify", "Compare source and target: counts, per-chunk checksums, then the differing keys (exit 0 equal, 1 not)");
  verify->add_option("files", verify_files, "Mapping files")->required();
  verify->add_flag("--json", verify_json, "Print the report as JSON (with rows fetched), one over every file's tables");
  verify->add_option("-w,--workers", verify_workers, "Threads per table (default: the mapping's workers)")
      ->check(CLI::Range(1, 64));
  std::string verify_hashing = "auto";
  verify->add_option("--source-hashing", verify_hashing,
                     "Where source rows are hashed: 'source' (by the source database, where every column has an "
                     "exact form there), 'here' (rows are streamed and hashed by replicate), or 'auto' (PostgreSQL "
                     "hashes; SQL Server hashes when a sample shows it faster than sending the rows)")
      ->check(CLI::IsMember({"auto", "source", "here"}))
      ->default_str("auto");

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand(
      "check", "Connect to source and target, name the servers and the encryption in use, list the tables each entry "
               "matches, and try every privilege a run needs, changing nothing (exit 0 all there, 3 something missing)");
  check->add_option("files", check_files, "Mapping files")->required()->check(CLI::ExistingFile);

  std::vector<std::string> status_files;
  auto* status = app.add_subcommand("status", "Show the state of the latest run of each table");
  status->add_option("files", status_files, "Mapping files")->required();

  sample::SampleOptions so;
  auto* sample = app.add_subcommand("sample", "Write a SQLite database with a realistic bi_credores table");
  sample->add_option("--rows", so.rows, "Number of rows")->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  sample->add_option("--output", so.output, "SQLite file to write (replaced)")->required();
  sample->add_option("--seed", so.seed, "Seed: the same seed gives the same rows");
  sample->add_option("--table", so.table, "Table name");

  std::string worker_file;
  auto* worker = app.add_subcommand("worker", "");  // internal: started by the coordinator
  worker->group("");
  worker->add_option("file", worker_file)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : util::exit_config;
  }

  if (*worker) return engine::worker_main(worker_file);
  exit_on_interrupts();
  if (*validate) return cmd_validate(validate_files, validate_env, g);
  if (*check) {
    int rc = util::exit_ok;
    for (const auto& f : check_files) rc = std::max(rc, guarded([&] { return check_mapping(config::load_mapping(f)); }));
    return rc;
  }
  if (*plan) return cmd_plan(plan_files);
  if (*status) return cmd_status(status_files);
  if (*verify) return cmd_verify(verify_files, verify_json, verify_workers, verify_hashing);
  if (*sample) {
    return guarded([&] {
      auto started = std::chrono::steady_clock::now();
      sample::write_sample(so);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (!g.quiet)
        std::printf("wrote %s rows of %s to %s in %.2fs (seed %llu)\n", engine::format_count(so.rows).c_str(),
                    so.table.c_str(), so.output.c_str(), secs, static_cast<unsigned long long>(so.seed));
      return util::exit_ok;
    });
  }
  if (files.empty()) {
    std::fputs(app.help().c_str(), stderr);
    return util::exit_config;
  }
  return cmd_run(files, g, workers, restart, report, metrics_flags, argv[0]);
}

}  // namespace replicate::cli
