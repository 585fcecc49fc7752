package io.salesos.launcher;

import io.salesos.config.SalesosConfig;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.cli.Home;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.mirror.EmbeddedMariaDb;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.runtime.Connections;
import io.salesos.spi.ConnectorContext;
import io.salesos.spi.Write;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.sync.SyncEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Seeds a sandbox CRM (in a child process, so its memory is not counted) with N realistic
 * records, times the initial load into a fresh embedded mirror, then an incremental pull of 1%
 * changes; prints records per second (median of the runs), the loader's peak heap, and the load as a
 * share of a plain-JDBC ceiling ({@link JdbcCeiling}) measured on the same rows in the same run.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = "Time the initial load of N records from a sandbox CRM into a fresh mirror against a plain-JDBC insert of the same rows,"
        + " and a 1%% incremental pull.")
final class BenchSyncCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--crm", required = true, description = "hubspot or salesforce")
  String crm;

  @Option(names = "--records", description = "about this many records in the sandbox (default: ${DEFAULT-VALUE})")
  int records = 200_000;

  @Option(names = "--runs", description = "timed runs; the median is reported (default: ${DEFAULT-VALUE})")
  int runs = 3;

  @Option(names = "--warmup", description = "whole runs (load, ceiling, incremental) done first and left out of the medians,"
      + " so the figures are the sync's and not the JIT compiler's (default: ${DEFAULT-VALUE})")
  int warmup = 1;

  @Option(names = "--lag-seconds", description = "wait this long after the 1%% edits before the incremental pull (default: ${DEFAULT-VALUE})")
  int lagSeconds = 5;

  @Option(names = "--batch", description = "records per pull batch (default: ${DEFAULT-VALUE})")
  int batch = 2000;

  @Option(names = "--lanes", description = "objects pulled side by side where the connector allows it (default: ${DEFAULT-VALUE}, as the daemon)")
  int lanes = SalesosConfig.DEFAULT_PULL_LANES;

  // not a negatable option: picocli's --no-x on a field that defaults to true would turn it on
  @Option(names = "--no-ceiling", description = "skip the ceiling: by default, after each load, the same rows are inserted by"
      + " plain batched JDBC into fresh copies of the tables, and the load is printed as a share of that")
  boolean noCeiling;

  @Override
  public Integer call() throws Exception {
    var mappingFile = Home.dir().resolve("config").resolve("mappings").resolve(crm + ".yaml");
    var mapping = Mapping.load(mappingFile);
    // the launcher, not the daemon's Main: only the launcher has the sandbox verb since the module split
    var jar = Path.of(LauncherMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    var child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx6g", "-Dsalesos.sandbox.limits=unlimited", "-cp",
        jar.toString(), LauncherMain.class.getName(), "sandbox", crm, "--records", Integer.toString(records))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      var settings = new LinkedHashMap<String, String>();
      var reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      long seeded = 0;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("connection.")) {
          var kv = line.substring("connection.".length()).split("=", 2);
          settings.put(kv[0], kv.length > 1 ? kv[1] : "");
        } else if (line.startsWith("seeded with ")) {
          seeded = Long.parseLong(line.split(" ")[2]);
          break;
        }
      }
      if (settings.isEmpty()) {
        throw new IllegalStateException("the " + crm + " sandbox did not start (run `salesos sandbox " + crm + "` to see why)");
      }
      System.out.printf("sandbox %s seeded with %d records, its rate limits off so this measures salesos, not the CRM's budget (%s)%n", crm, seeded, settings.getOrDefault("base_url",
          settings.getOrDefault("login_url", "")));
      var plain = new LinkedHashMap<String, String>();
      var secrets = new LinkedHashMap<String, String>();
      settings.forEach((k, v) -> (k.startsWith("secret.") ? secrets : plain).put(k.replaceFirst("^secret\\.", ""), v));
      var provider = Connections.provider(crm);
      var dataDir = Home.var().resolve("bench-mariadb");
      var initial = new ArrayList<Double>();
      var incremental = new ArrayList<Double>();
      var heaps = new ArrayList<Long>();
      var ceilings = new ArrayList<Double>();
      var ratios = new ArrayList<Double>();
      try (var server = EmbeddedMariaDb.start(dataDir, "salesos")) {
        // the benchmark makes and drops a schema per run, which the salesos account may not: it logs in as the server's admin
        var admin = server.adminCredentials();
        if (warmup < 0 || runs < 1) {
          throw new IllegalArgumentException("--warmup must be 0 or more and --runs 1 or more (were " + warmup + " and " + runs + ")");
        }
        for (int run = 1 - warmup; run <= runs; run++) {
          // a warm-up run does all a run does; only its figures are left out
          boolean timed = run >= 1;
          var label = timed ? "run " + run : "warm-up " + (run + warmup);
          var schema = "bench_" + (timed ? run : "w" + (run + warmup)) + "_" + System.nanoTime();
          try (var c = java.sql.DriverManager.getConnection(server.jdbcUrl("salesos"), admin.user(), admin.password())) {
            c.createStatement().execute("CREATE DATABASE `" + schema + "` CHARACTER SET utf8mb4");
          }
          if (crm.equals("salesforce")) {
        plain.putIfAbsent("overlap_seconds", "2");
      }
      var context = new ConnectorContext(crm, plain, secrets, Clock.systemUTC());
          // the sandbox's own limits still apply; no extra client-side throttle in a benchmark
          var connector = new ResilientConnector(provider.create(context), ResilienceSettings.fast());
          try (var db = Database.external(server.jdbcUrl(schema), admin.user(), admin.password(), 4);
              var connection = new CrmConnection(crm, crm, connector, mapping, true)) {
            var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(batch, 1_000_000, 3, Duration.ofSeconds(1), 50_000, lanes), Clock.systemUTC());
            System.gc();
            // each timed phase starts on a database at rest: the pages the last phase dirtied are
            // flushed first, or the one measured next pays for them
            InnodbSettle.settle(server.jdbcUrl("salesos"), admin);
            resetPeaks();
            var cpu0 = CpuTimes.now(child);
            long t0 = System.nanoTime();
            var stats = engine.pull(Optional.empty());
            double secs = (System.nanoTime() - t0) / 1e9;
            var cpu = CpuTimes.now(child).minus(cpu0);
            long loaded = stats.stream().mapToLong(s -> s.inserted() + s.updated()).sum();
            stats.stream().filter(s -> s.error().isPresent()).forEach(s -> System.out.println("  error " + s.crmObject() + ": " + s.error().get()));
            long heap = peakHeap();
            if (timed) {
              initial.add(loaded / secs);
              heaps.add(heap);
            }
            System.out.printf("%s: initial %d records in %.1f s = %.0f records/s, peak heap %d MB%n", label, loaded, secs, loaded / secs, heap >> 20);
            System.out.printf("  CPU during the initial load: salesos %.1f s, sandbox %.1f s, MariaDB %.1f s (%.2f cores of %d);"
                + " per 1,000 records: salesos %.0f ms, sandbox %.0f ms, MariaDB %.0f ms%n",
                cpu.salesos(), cpu.sandbox(), cpu.database(), (cpu.salesos() + cpu.sandbox() + cpu.database()) / secs,
                Runtime.getRuntime().availableProcessors(), perThousand(cpu.salesos(), loaded), perThousand(cpu.sandbox(), loaded),
                perThousand(cpu.database(), loaded));
            // the same rows again, now, on this machine, by plain JDBC: what the load could reach at best
            if (!noCeiling) {
              InnodbSettle.settle(server.jdbcUrl("salesos"), admin);
              var c = new JdbcCeiling(server.jdbcUrl(""), admin, lanes, batch).measure(schema, child);
              double ratio = (loaded / secs) / c.recordsPerSecond();
              if (timed) {
                ceilings.add(c.recordsPerSecond());
                ratios.add(ratio);
              }
              System.out.printf("  JDBC ceiling: %d records (%d rows with their history) in %.1f s = %.0f records/s, %d threads;"
                  + " salesos %.0f records/s = %.0f%% of it%n", c.records(), c.rows(), c.seconds(), c.recordsPerSecond(), lanes,
                  loaded / secs, ratio * 100);
              System.out.printf("  CPU during the ceiling: JDBC client %.1f s, MariaDB %.1f s; per 1,000 records: client %.0f ms, MariaDB %.0f ms%n",
                  c.cpu().salesos(), c.cpu().database(), perThousand(c.cpu().salesos(), c.records()),
                  perThousand(c.cpu().database(), c.records()));
            }
            var changed = touchOnePercent(engine, connection, mapping, run + warmup);
            // a CRM shows changes to incremental queries after a lag (HubSpot's search index, the
            // Salesforce connector's hold-back window): wait it out, untimed, as a poll interval would
            Thread.sleep(lagSeconds * 1000L);
            long t1 = System.nanoTime();
            var inc = engine.pull(Optional.empty());
            double incSecs = (System.nanoTime() - t1) / 1e9;
            long incChanged = inc.stream().mapToLong(s -> s.changed()).sum();
            if (timed) {
              incremental.add(incSecs);
            }
            System.out.printf("  incremental: %d changed (%d edited) in %.2f s%n", incChanged, changed, incSecs);
            try (var c = java.sql.DriverManager.getConnection(server.jdbcUrl("salesos"), admin.user(), admin.password())) {
              c.createStatement().execute("DROP DATABASE `" + schema + "`");
            }
          }
        }
      }
      System.out.printf("median initial load: %.0f records/s; median incremental pull of the 1%% edits: %.2f s; peak heap (max of runs): %d MB;"
          + " max heap allowed: %d MB%n", median(initial), median(incremental), heaps.stream().mapToLong(x -> x).max().orElse(0) >> 20,
          Runtime.getRuntime().maxMemory() >> 20);
      if (!noCeiling) {
        System.out.printf("salesos %,.0f records/s = %.0f%% of the JDBC ceiling %,.0f records/s (medians over %d runs after %d warm-up;"
            + " the share is the median of the per-run shares %s)%n", median(initial), median(ratios) * 100, median(ceilings), runs, warmup,
            ratios.stream().map(r -> String.format("%.0f%%", r * 100)).toList());
      }
      return 0;
    } finally {
      child.destroy();
      child.waitFor(10, TimeUnit.SECONDS);
      child.destroyForcibly();
    }
  }

  /** Edits 1% of the mirrored deals in the CRM (their name), through the connector, untimed. */
  private static int touchOnePercent(Pipeline engine, CrmConnection connection, Mapping mapping, int run) throws Exception {
    var deals = mapping.forCanonical("deal").get(0);
    var ids = new ArrayList<String>(engine.mirror().liveIds(connection.name(), deals.crmObject(), "deal"));
    java.util.Collections.sort(ids);
    int n = Math.max(1, ids.size() / 100);
    var name = deals.bindingFor("name").orElseThrow().crmField();
    int max = connection.connector().maxWriteBatch();
    for (int from = 0; from < n; from += max) {
      var writes = new ArrayList<Write>();
      for (int i = from; i < Math.min(n, from + max); i++) {
        var id = ids.get(i * 100 % ids.size());
        writes.add(Write.update("bench-" + id, id, Map.of(name, "Edited deal " + id + " in run " + run)));
      }
      connection.connector().push(deals.crmObject(), writes);
    }
    return n;
  }

  /**
   * CPU seconds used so far by this JVM (salesos), the sandbox child and the embedded MariaDB (the
   * other child process); they share the machine's cores, so a load's figure is read beside them.
   */
  record CpuTimes(double salesos, double sandbox, double database) {

    static CpuTimes now(Process sandboxChild) {
      var os = ManagementFactory.getOperatingSystemMXBean();
      double self = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : 0;
      double sandbox = cpuOf(sandboxChild.toHandle());
      double database = ProcessHandle.current().children().filter(p -> p.pid() != sandboxChild.pid())
          .mapToDouble(BenchSyncCommand.CpuTimes::cpuOf).sum();
      return new CpuTimes(self, sandbox, database);
    }

    private static double cpuOf(ProcessHandle p) {
      return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    CpuTimes plus(CpuTimes o) {
      return new CpuTimes(salesos + o.salesos, sandbox + o.sandbox, database + o.database);
    }

    CpuTimes minus(CpuTimes o) {
      return new CpuTimes(salesos - o.salesos, sandbox - o.sandbox, database - o.database);
    }
  }

  private static void resetPeaks() {
    ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).forEach(p -> p.resetPeakUsage());
  }

  private static long peakHeap() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static double perThousand(double seconds, long records) {
    return records == 0 ? 0 : seconds * 1e6 / records;
  }

  static double median(List<Double> xs) {
    var a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length == 0 ? 0 : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

}
