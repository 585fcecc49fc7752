package io.salesos.daemon.engine;

import static io.salesos.daemon.engine.EngineFixtures.awaitLine;
import static io.salesos.daemon.engine.EngineFixtures.inSandbox;
import static io.salesos.daemon.engine.EngineFixtures.mirrored;
import static io.salesos.daemon.engine.EngineFixtures.tasksByKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code salesos run} daemons on one MariaDB form a Quartz cluster: every trigger's fire runs on
 * exactly one of them, and together they mirror the portal and push the outbox once.
 */
@Tag("slow")
class ClusteredDaemonsTest {

  static final Pattern RAN = Pattern.compile("event=job_ran job=(\\S+) scheduled_fire_time=(\\S+) instance=(\\S+)");

  @TempDir
  Path dir;

  HubSpotSandbox sandbox;
  Database db;
  final List<Process> children = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (var p : children) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (db != null) {
      db.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void twoDaemonsOnOneDatabaseRunEachScheduledFireOnce() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ofMillis(200))
        .withLimits(new RateLimits(190, 10_000, 10_000_000, 100)));
    sandbox.fillDeals(2_000, Instant.now().minus(Duration.ofDays(2)), Duration.ofMillis(10));
    var schema = TestDatabases.newSchema();
    db = Database.external(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password(), 2);
    var writes = new ArrayList<OutboxEntry>();
    for (int i = 0; i < 300; i++) {
      writes.add(EngineFixtures.taskWrite("cluster-%03d".formatted(i), "run-cluster"));
    }
    new OutboxStore(db, Clock.systemUTC()).enqueue(writes);
    var config = EngineFixtures.hubspotConfig(dir.resolve("conf"), sandbox, schema, """
        sync:
          poll_seconds: 2
        scheduler:
          clustered: true
          instance_id: AUTO
        """);

    var logs = List.of(dir.resolve("daemon-a.log"), dir.resolve("daemon-b.log"));
    for (var log : logs) {
      children.add(EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString()));
    }
    for (int i = 0; i < 2; i++) {
      awaitLine(logs.get(i), 0, l -> l.contains("event=scheduler_started"), Duration.ofSeconds(60), children.get(i));
    }
    // they run until the work is done and the cluster has fired enough to judge (at most 60 s): no fixed wait
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end && !(firesSeen(logs) >= 10 && EngineFixtures.count(schema,
        "SELECT COUNT(*) FROM outbox WHERE status = 'done'") == 300 && mirrored(schema, "deal", "deals", "name").size() == 2_000)) {
      Thread.sleep(250);
    }
    for (var p : children) {
      p.destroy();
    }
    for (var p : children) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }

    // (job, scheduled fire time) -> the daemons that ran it
    var runs = new TreeMap<String, List<String>>();
    var perDaemon = new HashMap<String, Integer>();
    var instances = new HashMap<String, String>();
    for (var log : logs) {
      for (var line : EngineFixtures.lines(log)) {
        var m = RAN.matcher(line);
        if (m.find()) {
          runs.computeIfAbsent(m.group(1) + " @ " + m.group(2), k -> new ArrayList<>()).add(log.getFileName().toString());
          perDaemon.merge(log.getFileName().toString(), 1, Integer::sum);
          instances.put(log.getFileName().toString(), m.group(3));
        }
      }
    }
    System.out.println("clustered daemons: runs per daemon " + perDaemon + ", instances " + instances + ", distinct fires "
        + runs.size());
    assertThat(runs).as("scheduled fires seen").hasSizeGreaterThanOrEqualTo(10);
    assertThat(runs).as("each (job, scheduled fire time) runs on exactly one daemon")
        .allSatisfy((fire, daemons) -> assertThat(daemons).as(fire).hasSize(1));
    // one schedule per job for the cluster: a daemon joining does not restart the triggers (which would
    // run every job again at once, evaluate included, though it is due once a minute)
    var fires = new TreeMap<String, List<Instant>>();
    runs.keySet().forEach(k -> {
      var parts = k.split(" @ ");
      fires.computeIfAbsent(parts[0], j -> new ArrayList<>()).add(Instant.parse(parts[1]));
    });
    assertThat(fires.getOrDefault("evaluate", List.of())).as("evaluate fires (every 60 s)").hasSizeLessThanOrEqualTo(1);
    fires.forEach((job, times) -> {
      times.sort(null);
      for (int i = 1; i < times.size(); i++) {
        assertThat(Duration.between(times.get(i - 1), times.get(i))).as(job + " fires " + times)
            .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
      }
    });
    assertThat(perDaemon.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(runs.size());
    assertThat(perDaemon).as("at least one daemon ran jobs").isNotEmpty();
    assertThat(runs.keySet()).anyMatch(k -> k.startsWith("push @")).anyMatch(k -> k.startsWith("pull:hubspot @"));

    // and the work they shared was done once
    assertThat(mirrored(schema, "deal", "deals", "name")).isEqualTo(inSandbox(sandbox, "deals", "dealname"));
    var byKey = tasksByKey(sandbox);
    assertThat(byKey).hasSize(300);
    assertThat(byKey.values()).allMatch(n -> n == 1);
  }

  /** How many distinct (job, scheduled fire time) runs the daemons' logs show, once a push and a pull are among them. */
  private static int firesSeen(List<Path> logs) {
    var fires = new java.util.HashSet<String>();
    for (var log : logs) {
      for (var line : EngineFixtures.lines(log)) {
        var m = RAN.matcher(line);
        if (m.find()) {
          fires.add(m.group(1) + " @ " + m.group(2));
        }
      }
    }
    boolean both = fires.stream().anyMatch(f -> f.startsWith("push @")) && fires.stream().anyMatch(f -> f.startsWith("pull:hubspot @"));
    return both ? fires.size() : 0;
  }

}
