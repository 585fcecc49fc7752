package io.salesos.launcher;

import io.salesos.cli.ConfigOption;
import io.salesos.cli.Main;
import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgJson;
import io.salesos.admin.AdminServer;
import io.salesos.admin.AdminToken;
import io.salesos.config.ConfigDef;
import io.salesos.admin.Metrics;
import io.salesos.admin.StatusPage;
import io.salesos.connection.CrmConnection;
import io.salesos.schedule.DaemonScheduler;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.demo.SandboxProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole path on the embedded default with nothing to configure: an embedded MariaDB, the CRM
 * sandboxes seeded with the demo org, a full sync of both, and (as they land) rules, write-back
 * and the status page.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run salesos end to end against local sandbox CRMs seeded with a demo field-sales org.")
final class DemoCommand implements Runnable {

  @Mixin
  ConfigOption config;

  @Option(names = "--once", description = "do one full cycle, print a summary and exit")
  boolean once;

  @Option(names = "--seed", description = "'demo', 'stock' (the same org in each CRM's stock shape, run with"
      + " config/demo-stock.yaml and rules/stock unless --config says otherwise), 'small', or a JSON file of records"
      + " (see README) (default: ${DEFAULT-VALUE})")
  String seed = "demo";

  @Option(names = "--export-seed", paramLabel = "FILE", description = "write the demo org as a JSON seed file and exit")
  Path exportSeed;

  /** Each region of the org with its reps' zone, e.g. "Berlin (Europe/Berlin)", in the order the org lists them. */
  static String regions(DemoOrg org) {
    var zones = new LinkedHashMap<String, String>();
    org.users().stream().filter(u -> u.role() == DemoOrg.Role.REP)
        .forEach(u -> zones.putIfAbsent(u.region(), u.timeZone().getId()));
    return String.join(", ", zones.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").toList());
  }

  /**
   * A stock org has none of the fields salesos writes (its flags, tasks' keys, plan markers): the
   * demo creates them as an admin's {@code salesos schema prepare} would, and says what it created.
   */
  private static void prepareStockFields(io.salesos.pipeline.Pipeline pipeline) {
    var set = pipeline.rules().current();
    if (set.isEmpty()) {
      return;
    }
    var allow = io.salesos.outbox.AllowList.of(set.get().writePolicy());
    for (var c : pipeline.connections()) {
      var needed = new java.util.ArrayList<>(io.salesos.schema.NeededFields.of(c.mapping(), allow));
      try {
        var result = new io.salesos.schema.FieldPreparer(c.name(), c.connector(), needed).prepare(
            new io.salesos.schema.FieldPreparer.Options(false, Optional.empty(),
                Path.of("salesos-schema-package").resolve(c.name()).toAbsolutePath()));
        System.out.printf("schema prepare %s: %d field(s) salesos writes created (as `salesos schema prepare` does on a"
            + " live org)%s%n", c.name(), result.changes().fields().size(),
            result.after().complete() ? "" : "; still missing: " + result.after().missing());
      } catch (io.salesos.spi.ConnectorException e) {
        System.out.println("schema prepare " + c.name() + " failed: " + e.getMessage());
      }
    }
  }

  @Override
  public void run() {
    var clock = Clock.systemUTC();
    DemoOrg org = DemoOrgJson.seed(seed, Instant.now(clock));
    if (exportSeed != null) {
      DemoOrgJson.write(org, exportSeed);
      System.out.println("wrote " + org.size() + " records to " + exportSeed.toAbsolutePath());
      return;
    }
    boolean stock = DemoOrgJson.STOCK.equals(seed);
    if (stock) {
      // both sandboxes start in their CRM's stock shape; the stock rule set addresses stages by position
      System.setProperty(SandboxProvider.STOCK_PROPERTY, "true");
      if (config.file == null) {
        config.file = io.salesos.cli.Home.dir().resolve("config").resolve("demo-stock.yaml");
      }
    }
    var cfg = config.load();
    // the sandboxes start afresh every run, so the demo's mirror does too (it stays on disk after exit)
    cfg.database().embeddedDataDir().ifPresent(DemoCommand::wipe);
    System.out.printf("demo org: %d users, %d accounts, %d contacts, %d deals, %d activities%n",
        org.users().size(), org.accounts().size(), org.contacts().size(), org.deals().size(), org.activities().size());
    System.out.println("regions: " + regions(org));
    var sandboxes = new LinkedHashMap<String, SandboxProvider.Sandbox>();
    try {
      startSandboxes(cfg, org, sandboxes);
      var settings = new LinkedHashMap<String, Map<String, String>>();
      sandboxes.forEach((name, sandbox) -> settings.put(name, sandbox.connectionSettings()));
      long t0 = System.nanoTime();
      try (var runtime = SalesosRuntime.open(cfg, settings, System::getenv, clock)) {
        var pipeline = runtime.pipeline();
        System.out.printf("mirror: %s (ready in %.1f s)%n", runtime.database().describe(), (System.nanoTime() - t0) / 1e9);
        if (stock) {
          prepareStockFields(pipeline);
        }
        long t1 = System.nanoTime();
        var stats = pipeline.pull(Optional.empty());
        var perSource = new LinkedHashMap<String, Integer>();
        stats.forEach(s -> perSource.merge(s.source(), s.inserted() + s.updated(), Integer::sum));
        System.out.printf("mirrored in %.1f s: %s%n", (System.nanoTime() - t1) / 1e9, perSource);
        stats.stream().filter(s -> s.error().isPresent()).forEach(s ->
            System.out.println("  pull error " + s.source() + "/" + s.crmObject() + ": " + s.error().get()));
        var rules = pipeline.rules().current().orElseThrow(() -> new IllegalArgumentException("the rule files in "
            + cfg.rulesDir() + " do not load:\n  " + String.join("\n  ", pipeline.rules().problems().stream().map(Object::toString).toList())));
        System.out.println("rules: " + rules.summary());
        for (var r : pipeline.evaluate(Optional.empty())) {
          System.out.printf("  %s: %d deals evaluated, %d flagged, %d forecast downgrades, %d tasks due; %d writes queued (%d drafts for approval)%n",
              r.source(), r.deals(), r.flags(), r.downgraded(), r.tasks(), r.queued(), r.drafts());
        }
        for (var connection : pipeline.connections()) {
          long tp = System.nanoTime();
          // each rep's own next working day, in the rep's zone
          for (var planned : pipeline.planNext(Optional.of(connection.name()))) {
            var days = new java.util.TreeSet<java.time.LocalDate>();
            planned.plans().forEach(p -> days.add(p.date()));
            System.out.printf("  %s: planned %d rep-days for %s in %.1f s (%d stops, %d re-planned after a cancelled meeting); %d writes queued%n",
                connection.name(), planned.plans().size(), days.isEmpty() ? "-" : days.first()
                    + (days.size() > 1 ? ".." + days.last() : ""), (System.nanoTime() - tp) / 1e9,
                planned.plans().stream().mapToInt(p -> p.stops().size()).sum(), planned.replanned(), planned.queued());
          }
        }
        // a first run on an org is held for review when it writes more than sync.hold_writes_over of a kind; the
        // demo org is ours, so the demo releases it, saying what a live org's admin would do instead
        for (var held : pipeline.outbox().runsInReview().entrySet()) {
          pipeline.outbox().releaseRun(held.getKey(), "demo");
          System.out.printf("  %s: %d writes were held for review (over sync.hold_writes_over); the demo releases them,"
              + " on a live org: ./salesos outbox list --status review, then outbox release %s%n", held.getKey(),
              held.getValue(), held.getKey());
        }
        long t2 = System.nanoTime();
        var push = pipeline.push();
        System.out.printf("pushed in %.1f s: %d written, %d failed, %d dead-lettered, %d conflicts%n", (System.nanoTime() - t2) / 1e9,
            push.written(), push.failed(), push.dead(), push.conflicts());
        for (var e : sandboxes.entrySet()) {
          System.out.println("read back from the " + e.getKey() + " sandbox: " + e.getValue().summary());
        }
        // rules/write-policy.yaml holds forecast categories for a person: say so, or the 0 above looks like a fault
        long drafts = pipeline.outbox().counts().getOrDefault("draft", 0L);
        if (drafts > 0) {
          System.out.println(drafts + " writes wait for approval under the write policy (evidence-adjusted forecast"
              + " categories by default): ./salesos drafts list, then drafts approve or reject");
        }
        // our own writes come back into the mirror (the echo), so the status page shows them
        pipeline.pull(Optional.empty());
        if (once) {
          return;
        }
        var metrics = new Metrics(runtime.database(), runtime.connections());
        pipeline.rules().watchEvery(Duration.ofSeconds(5));
        try (var admin = startAdmin(runtime, metrics, cfg);
            var scheduler = DaemonScheduler.start(runtime, metrics::jobRan)) {
          StatusPage.register(admin, runtime.database(), runtime.connections().stream().map(CrmConnection::name).toList(),
              clock, pipeline.rules()::current);
          System.out.println();
          System.out.println("status page: " + admin.address() + "/   (metrics " + admin.address() + "/metrics, health "
              + admin.address() + "/health)");
          System.out.println("salesos keeps syncing every " + cfg.sync().pollSeconds() + " s; edit rules/*.yaml and they reload;"
              + " press Ctrl-C to stop");
          var stop = new CountDownLatch(1);
          Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
          stop.await();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sandboxes.values().forEach(SandboxProvider.Sandbox::close);
    }
  }

  private static void wipe(Path dataDir) {
    for (var dir : new Path[] {dataDir, dataDir.resolveSibling(dataDir.getFileName() + "-tmp")}) {
      if (java.nio.file.Files.exists(dir)) {
        try (var walk = java.nio.file.Files.walk(dir)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("could not reset the demo mirror in " + dir, e);
        }
      }
    }
  }

  /**
   * The admin server on the configured port, or any free port when that one is taken; locked by the
   * configured token, which a non-loopback bind requires.
   */
  static AdminServer startAdmin(SalesosRuntime runtime, Metrics metrics, SalesosConfig cfg) {
    var token = AdminToken.of(cfg.admin().token().map(ref -> ConfigDef.ADMIN_TOKEN.resolveSecret(ref, System::getenv)));
    try {
      return AdminServer.start(runtime.database(), metrics, cfg.admin().bind(), cfg.admin().port(), token);
    } catch (java.io.UncheckedIOException e) {
      return AdminServer.start(runtime.database(), metrics, cfg.admin().bind(), 0, token);
    }
  }

  /** Starts a sandbox for every connection marked {@code sandbox: true} whose connector is in this build. */
  static void startSandboxes(SalesosConfig cfg, DemoOrg org, Map<String, SandboxProvider.Sandbox> into) {
    for (var c : cfg.connections()) {
      if (!c.sandbox()) {
        continue;
      }
      var provider = SandboxProvider.of(c.type());
      if (provider.isEmpty()) {
        System.out.println("sandbox " + c.name() + ": skipped (no " + c.type() + " sandbox in this build)");
        continue;
      }
      try {
        var sandbox = provider.get().start(0, org);
        into.put(c.name(), sandbox);
        System.out.println("sandbox " + c.name() + ": " + sandbox.baseUrl());
      } catch (Exception e) {
        throw new IllegalStateException("could not start the " + c.type() + " sandbox: " + Main.message(e), e);
      }
    }
  }
}
