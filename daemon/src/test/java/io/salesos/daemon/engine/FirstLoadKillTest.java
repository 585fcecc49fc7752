package io.salesos.daemon.engine;

import static io.salesos.daemon.engine.EngineFixtures.awaitLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The daemon itself ({@code salesos run} in a child JVM, the repository's HubSpot mapping and rule
 * files) is killed with SIGKILL at ten seeded random points of its first load of the small demo
 * org: mid-pull while the initial load runs, then around the push of the first evaluation's writes,
 * then in the cycles after; it is started again after each kill. Once it has converged, the tasks
 * and flags in the sandbox CRM are exactly those a clean run writes on the same org (by key and
 * count), and no conflict row names a write of salesos's own.
 *
 * <p>The seed is printed; {@code -Dsalesos.kill.seed=N} runs the same kill points again.
 */
@Tag("slow")
class FirstLoadKillTest extends ChildDaemonTest {

  static final int KILLS = 10;
  /** From this kill on the daemon is left to finish its load and evaluate, so a kill lands around the first push. */
  static final int LAST_LOAD_KILL = 7;
  static final Pattern QUEUED = Pattern.compile("event=rules_run .* queued=(\\d+)");

  enum Phase { LOAD, PUSH, AFTER }

  @Test
  void aDaemonKilledTenTimesDuringItsFirstLoadEndsWithTheCleanRunsTasksAndFlagsAndNoConflictOnItsOwnWrites() throws Exception {
    long seed = Long.getLong("salesos.kill.seed", System.currentTimeMillis());
    System.out.println("FirstLoadKillTest seed=" + seed + " (run again with -Dsalesos.kill.seed=" + seed + ")");
    var random = new Random(seed);
    var asOf = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t0 = System.nanoTime();

    // the reference: the same org, run by the same pipeline without a kill
    SortedMap<String, String> cleanTasks;
    SortedMap<String, String> cleanFlags;
    try (var clean = HubSpotOrg.start(dir.resolve("clean"), asOf)) {
      var p = clean.pipeline();
      p.pull(Optional.empty());
      p.evaluate(Optional.empty());
      p.push();
      clean.cycle();
      clean.cycle();
      cleanTasks = clean.salesosTasks();
      cleanFlags = clean.flags();
    }
    assertThat(cleanTasks).as("the clean run writes tasks").isNotEmpty();
    assertThat(cleanFlags).as("the clean run writes flags").isNotEmpty();

    // the sandbox lives in this JVM, so it outlives every kill
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withSearchLag(Duration.ZERO).withoutRequestLog());
    sandbox.seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(asOf)));
    var schema = TestDatabases.newSchema();
    var config = config(schema);

    System.out.println("FirstLoadKillTest clean run done after " + EngineFixtures.since(t0).toSeconds() + " s");
    // the lives' logs stay in target/ for a person to read after a failure
    var logs = Files.createDirectories(Path.of("target", "first-load-kill", Long.toString(seed)));
    var kills = new ArrayList<String>();
    for (int kill = 1; kill <= KILLS; kill++) {
      var log = logs.resolve("life-" + kill + ".log");
      child = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
      awaitLine(log, 0, l -> l.contains(" running: "), Duration.ofSeconds(90), child);
      // PUSH while no evaluation has queued its writes yet (the life that finished the load may have evaluated too)
      var phase = !loaded(schema) && kill <= LAST_LOAD_KILL ? Phase.LOAD
          : EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE write_kind IN ('flag', 'task')") == 0 ? Phase.PUSH
          : Phase.AFTER;
      // each kill is timed from an event of this life, so every life gets somewhere before it dies
      Predicate<String> anchor = switch (phase) {
        case LOAD -> l -> l.contains("event=pulled ");
        case PUSH -> l -> queued(l) > 0;
        case AFTER -> l -> l.contains("event=job_ran ");
      };
      awaitLine(log, 0, anchor, Duration.ofSeconds(phase == Phase.PUSH ? 180 : 60), child);
      int delay = random.nextInt(phase == Phase.PUSH ? 2_500 : phase == Phase.LOAD ? 1_500 : 2_000);
      Thread.sleep(delay);
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      kills.add("kill %d %s +%d ms: objects loaded %s, outbox pending=%d done=%d, crm salesos tasks=%d".formatted(kill, phase, delay,
          EngineFixtures.count(schema, "SELECT COUNT(*) FROM pull_progress WHERE loaded_at IS NOT NULL") + "/"
              + EngineFixtures.count(schema, "SELECT COUNT(*) FROM pull_progress"),
          EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"),
          EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'done'"),
          HubSpotOrg.salesosTasks(sandbox).size()));
      // whatever the kill interrupted, no salesos task is ever in the CRM twice
      assertThat(salesosTasksByKey().entrySet()).as("after kill %d", kill)
          .allSatisfy(e -> assertThat(e.getValue()).as("tasks with key %s", e.getKey()).isEqualTo(1));
    }

    // the last life runs until an evaluation of the whole mirror, with every write sent, concludes nothing new
    var log = logs.resolve("life-final.log");
    child = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
    awaitLine(log, 0, l -> l.contains(" running: "), Duration.ofSeconds(90), child);
    int from = 0;
    long end = System.nanoTime() + Duration.ofSeconds(200).toNanos();
    boolean settled = false;
    while (!settled && System.nanoTime() < end) {
      int at = awaitLine(log, from, l -> queued(l) >= 0, Duration.ofNanos(Math.max(1, end - System.nanoTime())), child);
      from = at + 1;
      settled = queued(EngineFixtures.lines(log).get(at)) == 0
          && EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0;
    }
    stop(child);
    System.out.println("FirstLoadKillTest seed=" + seed + ": " + String.join("; ", kills) + "; converged after "
        + EngineFixtures.since(t0).toSeconds() + " s");

    assertThat(settled).as("an evaluation with nothing left to write, logs in " + logs.toAbsolutePath()).isTrue();
    var tasks = HubSpotOrg.salesosTasks(sandbox);
    assertThat(tasks).as("tasks by key: status and subject").isEqualTo(cleanTasks);
    assertThat(salesosTasksByKey()).as("each key once").hasSize(cleanTasks.size()).allSatisfy((k, n) -> assertThat(n)
        .isEqualTo(1));
    assertThat(HubSpotOrg.flags(sandbox)).as("flags by deal").isEqualTo(cleanFlags);
    assertThat(rows(schema, "SELECT CONCAT(crm_object, ' ', record_id, ' ', field) FROM conflict"))
        .as("conflict rows (salesos's own writes replayed after a kill are echoes, not conflicts)").isEmpty();
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM write_journal WHERE write_kind = 'withdraw'"))
        .as("nothing written over a partial mirror, so nothing to withdraw").isZero();
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status NOT IN ('done', 'draft')"))
        .as("no write failed, held or dead").isZero();
  }

  /** How many tasks the CRM holds per salesos key (the org's own tasks, without one, left out). */
  private java.util.Map<String, Integer> salesosTasksByKey() {
    var out = new java.util.TreeMap<>(EngineFixtures.tasksByKey(sandbox));
    out.remove("");
    return out;
  }

  /** The queued count of a rules-run line; -1 for any other line. */
  private static int queued(String line) {
    var m = QUEUED.matcher(line);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Whether every mapped object has finished its initial load. */
  private static boolean loaded(String schema) {
    return EngineFixtures.count(schema, "SELECT COUNT(*) FROM pull_progress") > 0
        && EngineFixtures.count(schema, "SELECT COUNT(*) FROM pull_progress WHERE loaded_at IS NULL") == 0;
  }

  private static List<String> rows(String schema, String sql) throws Exception {
    var out = new ArrayList<String>();
    try (var c = TestDatabases.connect(schema); var rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** SIGTERM, then what is still running is killed (no embedded server here: the mirror is a schema of the test MariaDB). */
  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The daemon's configuration: the sandbox as a real HubSpot account, the repository's mapping and rules, a 2 s poll. */
  private Path config(String schema) throws IOException {
    var root = Path.of("..").toAbsolutePath().normalize();
    var conf = Files.createDirectories(dir.resolve("conf"));
    var token = conf.resolve("hubspot-token");
    Files.writeString(token, sandbox.token());
    var file = conf.resolve("salesos.yaml");
    Files.writeString(file, """
        database:
          url: "%s"
          user: %s
          password: {file: %s}
          pool_size: 4
        connections:
          - name: hubspot
            type: hubspot
            mapping: %s
            settings:
              base_url: %s
              tier: %s
            secrets:
              token: {file: %s}
        rules: %s
        sync:
          poll_seconds: 2
          evaluate_seconds: 4
        admin:
          port: 0
        """.formatted(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.passwordFile(),
        root.resolve("config/mappings/hubspot.yaml"), sandbox.baseUrl(), sandbox.tier(), token, root.resolve("rules")));
    return file;
  }
}
