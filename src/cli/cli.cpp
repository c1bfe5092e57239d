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

#include "cli/captured_output.hpp"
#include "cli/check.hpp"
#include "cli/interrupt.hpp"
#include "cli/json_output.hpp"
#include "cli/plan_output.hpp"
#include "cli/private_file.hpp"
#include "cli/run_report.hpp"
#include "cli/table_selection.hpp"
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
#include "util/log.hpp"
#include "verify/verify.hpp"

namespace replicate::cli {

namespace {

struct Globals {
  bool quiet = false;
  bool verbose = false;
  std::string log_format = "text";
};

/// An error event (stderr; JSON with --log-format json), kept for the run report.
void print_error(const std::string& msg, std::string_view action = "error") { util::log_error(action, msg); }

/// --metrics-listen, --metrics-textfile, --metrics-push.
struct MetricsFlags {
  std::string listen, textfile, push;
};


/// Whether the command line names --log-format json, for errors CLI11 found in it.
bool json_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--log-format=json" || (a == "--log-format" && i + 1 < argc && std::string(argv[i + 1]) == "json"))
      return true;
  }
  return false;
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
    print_error(e.what(), "config");
    return util::exit_config;
  } catch (const plan::PlanError& e) {
    print_error(e.what(), "plan");
    return util::exit_config;
  } catch (const util::DbError& e) {
    print_error(e.what(), e.kind() == util::ErrorKind::connection ? "connect" : "database");
    if (e.kind() == util::ErrorKind::connection) return util::exit_connect;
    if (e.kind() == util::ErrorKind::missing) return util::exit_config;
    return util::exit_table_failed;
  } catch (const std::exception& e) {
    print_error(e.what(), "internal");
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
        util::log_warning("validate", fmt::format("{}: environment variable '{}' is not set; export it before run, "
                                                  "plan, status or verify (validate --env makes this an error)",
                                                  u.location.str(), u.name),
                          {{"variable", u.name}});
      if (!g.quiet) std::printf("%s: ok (%zu table entr%s)\n", f.c_str(), m.tables.size(), m.tables.size() == 1 ? "y" : "ies");
      return util::exit_ok;
    });
    rc = std::max(rc, r);
  }
  return rc;
}

/// `--tables` and `--mode` applied to loaded mappings (see table_selection.hpp); the exit code.
int select(std::vector<config::Mapping>& mappings, const Selection& selection) {
  return guarded([&] {
    try {
      apply_selection(mappings, selection);
    } catch (const SelectionError& e) {
      print_error(e.what(), "config");
      return util::exit_config;
    }
    return util::exit_ok;
  });
}

/// Every mapping of `files`, each checked before anything connects or is copied: a typo
/// in the third file must not surface after the first two have run for an hour.
/// Returns the exit code of the first file that does not load (0 when all do).
int load_all(const std::vector<std::string>& files, std::vector<config::Mapping>& mappings,
             const Selection& selection = {}) {
  for (const auto& f : files) {
    util::log_set_mapping(f);
    int rc = guarded([&] {
      mappings.push_back(config::load_mapping(f));
      return util::exit_ok;
    });
    if (rc) return rc;
  }
  util::log_set_mapping("");
  return select(mappings, selection);
}

/// `body` for each mapping of `files`; the worst exit code. An interruption ends it.
int for_each_mapping(const std::vector<std::string>& files, const std::function<int(const config::Mapping&)>& body,
                     const Selection& selection = {}) {
  std::vector<config::Mapping> mappings;
  if (int rc = load_all(files, mappings, selection)) return rc;
  int worst = util::exit_ok;
  for (const auto& m : mappings) {
    util::log_set_mapping(m.file);
    set_interrupt_output(default_interrupt_output());  // the interruption names the mapping
    const int rc = guarded([&] { return body(m); });
    worst = std::max(worst, rc);
    if (rc == util::exit_interrupted) break;
  }
  util::log_set_mapping("");
  return worst;
}

int cmd_plan(const std::vector<std::string>& files, bool json, const Selection& selection) {
  bool first = true;
  std::vector<PlannedMapping> planned;  // --json: one document, printed once every file is planned
  const int rc = for_each_mapping(files, [&](const config::Mapping& m) {
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
    if (json) {
      planned.push_back({std::move(p), failed});
    } else {
      if (!first) std::fputs("\n", stdout);
      first = false;
      std::fputs(format_plan(p).c_str(), stdout);
      std::fflush(stdout);
    }
    for (const auto& f : failed) print_error(f);
    return failed.empty() ? util::exit_ok : util::exit_table_failed;
  }, selection);
  if (json && (rc == util::exit_ok || !planned.empty())) std::fputs(plan_json(planned).c_str(), stdout);
  return rc;
}

/// The target tables (schema.table) of a mapping's entries; `include:` patterns name the
/// tables the source has now, as `run` expands them.
std::vector<std::string> target_tables(const config::Mapping& m) {
  std::vector<config::TableMapping> entries = m.tables;
  if (std::any_of(entries.begin(), entries.end(), [](const auto& t) { return !t.include.empty(); })) {
    auto src = source::connect(m.source, source::Side::source);
    entries = plan::expand_tables(m, *src);
  }
  std::vector<std::string> names;
  for (const auto& t : entries) {
    const auto [schema, table] = plan::target_name(t);
    names.push_back(schema + "." + table);
  }
  return names;
}

/// `scale` and `throttle`: change the running runs of a mapping's tables, on every host.
int cmd_control(const std::vector<std::string>& files, std::optional<int> workers, std::optional<double> rows_per_second,
                const Selection& selection) {
  return for_each_mapping(files, [&](const config::Mapping& m) {
    const auto names = target_tables(m);
    auto tgt = source::connect(m.target, source::Side::target);
    auto exists = tgt->query("SELECT to_regclass(" + target::pg_literal(target::pg_quote(m.state_schema) + ".hosts") +
                             ")::text");
    const int changed = !exists.empty() && exists[0][0]
                            ? engine::State(*tgt, m.state_schema).set_controls(names, workers, rows_per_second)
                            : 0;
    const std::string what =
        workers ? fmt::format("{} worker{} per host", *workers, *workers == 1 ? "" : "s")
                : (*rows_per_second > 0 ? fmt::format("at most {} rows/s", static_cast<std::int64_t>(*rows_per_second))
                                        : std::string("no speed limit"));
    if (changed == 0) {
      util::log_result(util::LogLevel::error, "control",
                       fmt::format("{}: no run of its tables is running; nothing changed (the mapping's own "
                                   "settings apply to the next run)\n",
                                   m.file),
                       {{"file", m.file}, {"runs", 0}});
      return util::exit_table_failed;
    }
    util::log_result(util::LogLevel::info, "control",
                     fmt::format("{}: {} for {} running run{}; every process of those runs follows within about "
                                 "a second\n",
                                 m.file, what, changed, changed == 1 ? "" : "s"),
                     {{"file", m.file}, {"runs", changed}});
    return util::exit_ok;
  }, selection);
}

int cmd_status(const std::vector<std::string>& files, bool json, const Selection& selection) {
  std::vector<MappingStatus> statuses;  // --json: one document over every file
  const int rc = for_each_mapping(files, [&](const config::Mapping& m) {
    if (files.size() > 1 && !json) std::printf("%s:\n", m.file.c_str());
    const auto names = target_tables(m);
    auto tgt = source::connect(m.target, source::Side::target);
    // A literal holding a quoted name: the schema is validated, and quoted all the same.
    auto exists = tgt->query("SELECT to_regclass(" + target::pg_literal(target::pg_quote(m.state_schema) + ".runs") +
                             ")::text");
    const bool state_exists = !exists.empty() && exists[0][0];
    if (json) {
      MappingStatus s{m.file, m.target.connection_display, m.state_schema, state_exists, {}};
      if (state_exists) {
        engine::State state(*tgt, m.state_schema);
        s.rows = state.status_rows(names);
        for (const auto& r : s.rows)
          s.hosts.push_back(r[1] == "-" ? std::vector<std::vector<std::string>>{} : state.hosts_rows(std::stoll(r[1])));
      } else
        for (const auto& n : names) s.rows.push_back({n, "-", "never run", "", "", "0", "0", "0", ""});
      statuses.push_back(std::move(s));
      return util::exit_ok;
    }
    if (!state_exists) {
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
      if (r[1] == "-") continue;
      const auto hosts = state.hosts_rows(std::stoll(r[1]));
      if (hosts.empty()) continue;
      std::printf("  %-30s %-8s %-8s %-7s %s\n", "host", "pid", "workers", "chunks", "last seen");
      for (const auto& h : hosts)
        std::printf("  %-30s %-8s %-8s %-7s %s (%ss ago)\n", h[0].c_str(), h[1].c_str(), h[2].c_str(), h[3].c_str(),
                    h[4].c_str(), h[5].c_str());
    }
    std::fflush(stdout);
    return util::exit_ok;
  }, selection);
  if (json && (rc == util::exit_ok || !statuses.empty())) std::fputs(status_json(statuses).c_str(), stdout);
  return rc;
}

int cmd_verify(const std::vector<std::string>& files, bool json, int workers, const std::string& hashing,
               const Selection& selection) {
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
  }, selection);
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

/// The copy of one mapping, then its `verify: true` tables; `report` follows each step.
int run_one(const config::Mapping& m, const engine::RunOptions& o, RunReport& report) {
  auto started = std::chrono::steady_clock::now();
  auto summary = engine::run_mapping(m, o);
  exit_on_interrupts();  // the copy phase is over: its signal handling went with it
  report.copied(summary);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::int64_t rows = 0;
  for (const auto& t : summary.tables) rows += t.rows;
  const std::string text =
      engine::format_summary(summary) +
      fmt::format("{}: {} rows in {} table{}, {:.2f}s total, {} rows/s; peak memory: coordinator {:.1f} MB, "
                  "largest worker {:.1f} MB{}\n",
                  m.file, engine::format_count(rows), summary.tables.size(), summary.tables.size() == 1 ? "" : "s",
                  secs, engine::format_count(secs > 0 ? static_cast<std::int64_t>(rows / secs) : 0),
                  summary.coordinator_peak_rss_kb / 1024.0, summary.worker_peak_rss_kb / 1024.0,
                  summary.interrupted ? " (interrupted: run the same command again to resume)" : "");
  nlohmann::json tables = nlohmann::json::parse(engine::report_json(summary))["tables"];
  util::log_result(util::LogLevel::info, "summary", text,
                   {{"tables", tables},
                    {"rows", rows},
                    {"seconds", secs},
                    {"interrupted", summary.interrupted},
                    {"exit_code", summary.exit_code},
                    {"coordinator_peak_rss_kb", summary.coordinator_peak_rss_kb},
                    {"worker_peak_rss_kb", summary.worker_peak_rss_kb}});
  if (summary.exit_code != util::exit_ok) return summary.exit_code;
  // `verify: true` tables are compared right after the copy.
  config::Mapping to_verify = m;
  std::erase_if(to_verify.tables, [](const config::TableMapping& t) { return !t.options.verify; });
  if (to_verify.tables.empty()) return summary.exit_code;
  auto result = verify::verify_mapping(to_verify, verify::VerifyOptions{});
  report.verified(result);
  if (o.metrics)
    o.metrics->update(o.metrics_mapping, [&](metrics::MappingSeries& s) {
      for (const auto& t : result.tables) {
        s.tables[t.table].verify_equal = t.equal;
        s.tables[t.table].verify_different_rows = t.missing_count + t.extra_count + t.changed_count;
      }
    });
  // Shown under --quiet too when the tables differ.
  util::log_result(result.equal ? util::LogLevel::info : util::LogLevel::error, "verify",
                   verify::format_report(result), nlohmann::json::parse(verify::to_json(result)));
  return static_cast<int>(result.equal ? util::exit_ok : util::exit_table_failed);
}

int cmd_run(const std::vector<std::string>& files, const Globals& g, int workers, bool restart,
            const std::string& run_name, const std::string& report_path, const MetricsFlags& metrics_flags,
            const char* argv0, const Selection& selection) {
  // The report's path is checked first: a bad mapping still gets its report.
  if (!report_path.empty()) {
    if (const std::string why = unwritable_reason(report_path); !why.empty()) {
      print_error("--report " + report_path + ": " + why + "; name a new or regular file in a folder you can write",
                  "report");
      return util::exit_config;
    }
  }
  RunReport report(report_path, files);
  util::log_json_event(util::LogLevel::info, "run-start", "run started",
                       {{"files", files}, {"pid", static_cast<long>(::getpid())}, {"version", REPLICATE_VERSION}});
  // Every file is loaded before anything connects: a typo in the third must not surface
  // after the first two have run for an hour.
  std::vector<config::Mapping> mappings;
  for (std::size_t i = 0; i < files.size(); ++i) {
    util::log_set_mapping(files[i]);
    const int rc = guarded([&] {
      mappings.push_back(config::load_mapping(files[i]));
      return util::exit_ok;
    });
    if (rc) {
      report.load_failed(i, rc);
      return report.finish(rc);
    }
  }
  util::log_set_mapping("");
  if (const int rc = select(mappings, selection)) return report.finish(rc);
  MetricsOutput metrics_out;
  if (const int rc = start_metrics(metrics_flags, mappings, g, metrics_out)) return report.finish(rc);
  int worst = util::exit_ok;
  for (const auto& m : mappings) {
    engine::RunOptions o;
    o.self_exe = self_exe(argv0);
    o.workers = workers;
    o.restart = restart;
    o.run_name = run_name;
    o.quiet = g.quiet;
    o.verbose = g.verbose;
    o.log_format = g.log_format == "json" ? engine::LogFormat::json : engine::LogFormat::text;
    o.report_file = report_path;
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
    report.begin_mapping(m.file);
    const int rc = guarded([&] { return run_one(m, o, report); });
    report.end_mapping(rc);
    if (metrics_out.wanted()) finish_metrics(metrics_out, label, rc, g);
    worst = std::max(worst, rc);
    if (rc == util::exit_interrupted) break;
  }
  return report.finish(worst);
}

/// `--tables PATTERN[,PATTERN...]` on `command`.
void add_tables_option(CLI::App* command, Selection& selection) {
  command
      ->add_option("--tables", selection.tables,
                   "Only the tables matching one of these comma-separated globs (* and ?, case-insensitive), "
                   "on the source table as schema.table or as its bare name; one matching nothing is an error")
      // One value per --tables, split at commas by apply_selection: never the mapping files after it.
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("PATTERN[,PATTERN...]");
}

/// `run`'s --tables and --mode (on the top level too, where `replicate FILE` runs).
void add_run_selection_options(const std::vector<CLI::App*>& commands, Selection& selection, std::string& mode) {
  for (auto* a : commands) {
    add_tables_option(a, selection);
    a->add_option("--mode", mode,
                  "Copy every selected table in this mode (full, append, incremental, mirror) instead of the "
                  "mapping's; checked as a mode: in the file is (incremental needs a watermark, ...)")
        ->check(CLI::IsMember({"full", "append", "incremental", "mirror"}));
  }
}

config::Mode mode_named(const std::string& name) {
  for (auto m : {config::Mode::full, config::Mode::append, config::Mode::incremental, config::Mode::mirror})
    if (name == config::to_string(m)) return m;
  return config::Mode::full;  // CLI11 let only those four through
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
  app.add_option("--log-format", g.log_format, "text (default) or json: every line on stdout and stderr one JSON object")
      ->check(CLI::IsMember({"text", "json"}));
  app.require_subcommand(0, 1);
  app.fallthrough();  // --quiet, --verbose and --log-format also work after a subcommand

  std::vector<std::string> files;
  int workers = 0;
  bool restart = false;
  std::string report;
  std::string run_name = std::getenv("REPLICATE_RUN_NAME") ? std::getenv("REPLICATE_RUN_NAME") : "";
  Selection selection;
  std::string mode;
  app.add_option("files", files, "Mapping files to run (same as `replicate run FILE...`)");

  auto* run = app.add_subcommand("run", "Replicate the tables of each mapping file");
  run->add_option("files", files, "Mapping files")->required();
  for (auto* a : {&app, run}) {
    a->add_option("-w,--workers", workers, "Worker processes (overrides `workers` in the mapping)")
        ->check(CLI::Range(1, 64));
    a->add_flag("--restart", restart, "Discard the state of an unfinished run and start again");
    a->add_option("--run-name", run_name,
                  "Share one run per table with every process given this name, on any host (e.g. a Kubernetes "
                  "Job's name): they split its chunks through the target; one arriving after the run is done exits "
                  "0 saying so (default: $REPLICATE_RUN_NAME)")
        ->type_name("NAME");
    a->add_option("--report", report, "Write a JSON report on every exit (exit code, per table outcome, counts, "
                                      "sample keys, verify results, errors) to this file");
  }
  add_run_selection_options({&app, run}, selection, mode);
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
  bool plan_json_output = false;
  plan->add_flag("--json", plan_json_output, "Print the plans as one JSON document (schemas/plan.schema.json)");
  add_tables_option(plan, selection);

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
  add_tables_option(verify, selection);

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand(
      "check", "Connect to source and target, name the servers and the encryption in use, list the tables each entry "
               "matches, and try every privilege a run needs, changing nothing (exit 0 all there, 3 something missing)");
  check->add_option("files", check_files, "Mapping files")->required()->check(CLI::ExistingFile);

  std::vector<std::string> status_files;
  auto* status = app.add_subcommand("status", "Show the state of the latest run of each table");
  status->add_option("files", status_files, "Mapping files")->required();
  bool status_json_output = false;
  status->add_flag("--json", status_json_output,
                   "Print the state as one JSON document (schemas/status.schema.json)");
  add_tables_option(status, selection);

  std::vector<std::string> scale_files;
  int scale_workers = 0;
  auto* scale = app.add_subcommand(
      "scale", "Change the workers of a running run on every host taking part, within seconds; chunks in flight "
               "finish first (exit 0, or 1 when no run of the mapping is running)");
  scale->add_option("files", scale_files, "Mapping files")->required();
  scale->add_option("-w,--workers", scale_workers, "Worker processes per host")->required()->check(CLI::Range(1, 64));
  add_tables_option(scale, selection);

  std::vector<std::string> throttle_files;
  double throttle_rate = 0;
  auto* throttle = app.add_subcommand(
      "throttle", "Change the speed limit of a running run, all hosts together, within seconds "
                  "(exit 0, or 1 when no run of the mapping is running)");
  throttle->add_option("files", throttle_files, "Mapping files")->required();
  throttle->add_option("--rows-per-second", throttle_rate, "Rows a second for each table's run; 0 removes the limit")
      ->required()
      ->check(CLI::Range(0.0, 1e9));
  add_tables_option(throttle, selection);

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
    // --help and --version print as usual. A usage error is JSON when the command line
    // asks for JSON logs, read here by hand since CLI11 could not parse it.
    if (e.get_exit_code() != 0 && json_requested(argc, argv)) {
      util::log_setup({util::LogFormat::json, false, false});
      print_error(std::string(e.what()) + "; see replicate --help", "usage");
      return util::exit_config;
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : util::exit_config;
  }

  if (*worker) return engine::worker_main(worker_file);
  util::log_setup({g.log_format == "json" ? util::LogFormat::json : util::LogFormat::text, g.quiet, g.verbose});
  set_interrupt_output(default_interrupt_output());
  exit_on_interrupts();
  if (*validate)
    return with_output_as_event("validate", [&] { return cmd_validate(validate_files, validate_env, g); });
  if (*check) {
    return with_output_as_event("check", [&] {
      int rc = util::exit_ok;
      for (const auto& f : check_files) {
        util::log_set_mapping(f);
        rc = std::max(rc, guarded([&] { return check_mapping(config::load_mapping(f)); }));
      }
      return rc;
    });
  }
  // JSON logs carry a command's output as data: its --json form where it has one.
  if (*plan)
    return with_output_as_event(
        "plan", [&] { return cmd_plan(plan_files, plan_json_output || util::log_json(), selection); });
  if (*status)
    return with_output_as_event(
        "status", [&] { return cmd_status(status_files, status_json_output || util::log_json(), selection); });
  if (*scale) return cmd_control(scale_files, scale_workers, std::nullopt, selection);
  if (*throttle) return cmd_control(throttle_files, std::nullopt, throttle_rate, selection);
  if (*verify) {
    return with_output_as_event("verify", [&] {
      return cmd_verify(verify_files, verify_json || util::log_json(), verify_workers, verify_hashing, selection);
    });
  }
  if (*sample) {
    return guarded([&] {
      auto started = std::chrono::steady_clock::now();
      sample::write_sample(so);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      util::log_result(util::LogLevel::info, "sample",
                       fmt::format("wrote {} rows of {} to {} in {:.2f}s (seed {})\n", engine::format_count(so.rows),
                                   so.table, so.output, secs, so.seed),
                       {{"rows", so.rows}, {"table", so.table}, {"output", so.output}, {"seed", so.seed}});
      return util::exit_ok;
    });
  }
  if (files.empty()) {
    if (util::log_json()) {
      print_error("no mapping file given; see replicate --help", "usage");
    } else {
      // Short usage: what to type next, not the whole --help.
      std::fputs("usage: replicate [OPTIONS] MAPPING.yaml...            copy the tables of mapping files\n"
                 "       replicate COMMAND [OPTIONS] MAPPING.yaml...    COMMAND: run, validate, plan, check, "
                 "status, verify, scale, throttle\n"
                 "       replicate sample --rows N --output FILE.sqlite\n"
                 "Try 'replicate --help' for the options, 'replicate COMMAND --help' for a command's, "
                 "'man replicate' for all of it.\n",
                 stderr);
    }
    return util::exit_config;
  }
  if (!mode.empty()) selection.mode = mode_named(mode);
  return cmd_run(files, g, workers, restart, run_name, report, metrics_flags, argv[0], selection);
}

}  // namespace replicate::cli
