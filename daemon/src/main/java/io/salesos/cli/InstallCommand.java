package io.salesos.cli;

import io.salesos.outbox.RunLimits;
import io.salesos.rules.Change;
import io.salesos.rules.WriteDecision;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code salesos install --dry-run}: before the first {@code run} on a live org, mirror it (reading
 * only) and say what the first cycle would write, per kind and per rule, and whether the run limits
 * would hold it for review. Nothing is queued and nothing reaches the CRM.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
    description = {"Before the first run on an org: mirror it (reads only) and print what the first cycle would write,"
        + " per kind and per rule, and whether sync.hold_writes_over / sync.hold_percent_over would hold it for review.",
        "Nothing is queued and nothing is written to the CRM."})
final class InstallCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--dry-run", required = true, description = "required: install only previews; `salesos run` starts the daemon")
  boolean dryRun;

  @Option(names = "--connection", description = "only this connection")
  String connection;

  @Override
  public Integer call() {
    var cfg = config.load();
    var limits = new RunLimits(cfg.sync().holdWritesOver(), cfg.sync().holdPercentOver());
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, Clock.systemUTC())) {
      var pipeline = runtime.pipeline();
      var stats = pipeline.pull(Optional.ofNullable(connection));
      var mirrored = new TreeMap<String, Integer>();
      stats.forEach(s -> mirrored.merge(s.source(), s.inserted() + s.updated(), Integer::sum));
      System.out.println("mirrored (reading only): " + mirrored);
      stats.stream().filter(s -> s.error().isPresent())
          .forEach(s -> System.out.println("  pull error " + s.source() + "/" + s.crmObject() + ": " + s.error().get()));
      var runs = pipeline.dryRun(Optional.ofNullable(connection));
      if (runs.isEmpty()) {
        System.out.println("nothing evaluated: " + (pipeline.rules().current().isEmpty()
            ? "the rule files do not load (salesos rules check): " + pipeline.rules().problems()
            : "no connection's mirror is complete yet (see the log)"));
        return 2;
      }
      for (var r : runs) {
        System.out.println("== " + r.source() + ": the first cycle would evaluate " + r.deals() + " deals ==");
        var byKind = new TreeMap<String, Long>();
        var autoByKind = new TreeMap<String, Long>();
        for (Change c : r.changes()) {
          if (c.decision() == WriteDecision.OFF) {
            continue;
          }
          byKind.merge(c.kind().code() + "/" + c.decision().name().toLowerCase(), 1L, Long::sum);
          if (c.decision() == WriteDecision.AUTO) {
            autoByKind.merge(c.kind().code(), 1L, Long::sum);
          }
        }
        System.out.println("  writes by kind/decision: " + (byKind.isEmpty() ? "none" : byKind));
        var flags = new TreeMap<String, Long>();
        r.desired().flags().forEach(f -> f.flags().forEach(x -> flags.merge(x.code() + " (" + x.ruleId() + ")", 1L, Long::sum)));
        System.out.println("  deals flagged, per flag and rule: " + (flags.isEmpty() ? "none" : flags));
        var tasks = new TreeMap<String, Long>();
        r.desired().tasks().forEach(t -> tasks.merge(t.ruleId(), 1L, Long::sum));
        System.out.println("  tasks, per rule: " + (tasks.isEmpty() ? "none" : tasks));
        if (!r.errorCounts().isEmpty()) {
          System.out.println("  rules that error on this org's data (no write from them): " + r.errorCounts()
              + "; salesos dry-run --errors shows an example of each");
        }
        var held = limits.exceeded(autoByKind, r.deals());
        System.out.println(held.map(w -> "  the first run would be HELD for review (" + w + "): nothing of it is sent until"
            + " `salesos outbox release RUN_ID`; narrow the rules, or raise the limit, if that is what you want")
            .orElse("  within the run limits: it would be sent at the first push"));
      }
      return 0;
    }
  }
}
