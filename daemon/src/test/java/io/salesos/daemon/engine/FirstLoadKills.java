package io.salesos.daemon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.pipeline.Pipeline;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Issue 17's kill test, for any CRM: a daemon is killed with SIGKILL at ten seeded random points of
 * its first load (mid-pull while the initial load runs, then around the push of the first
 * evaluation's writes, then in the cycles after) and started again after each kill; once it has
 * converged, the tasks and flags in the sandbox CRM must be exactly those of a clean run on the same
 * org (by key and count), and no conflict row may name a write of salesos's own.
 *
 * <p>The seed is printed; {@code -Dsalesos.kill.seed=N} runs the same kill points again.
 */
final class FirstLoadKills {

  static final int KILLS = 10;
  /** From this kill on the daemon is left to finish its load and evaluate, so a kill lands around the first push. */
  static final int LAST_LOAD_KILL = 7;

  /**
   * What the test reads of the sandbox CRM the daemon writes into: the salesos tasks standing in it
   * (salesos key to status and subject), how many tasks it holds per salesos key (the org's own
   * tasks, without one, left out), and the flags salesos wrote on deals, by deal id (deals without
   * flags left out).
   */
  record Crm(Supplier<SortedMap<String, String>> salesosTasks, Supplier<Map<String, Integer>> tasksPerKey,
      Supplier<SortedMap<String, String>> flags) {}

  /** What a clean run (the same org, the same pipeline, no kill) left in the CRM. */
  record Clean(SortedMap<String, String> tasks, SortedMap<String, String> flags) {
    Clean {
      assertThat(tasks).as("the clean run writes tasks").isNotEmpty();
      assertThat(flags).as("the clean run writes flags").isNotEmpty();
    }
  }

  enum Phase { LOAD, PUSH, AFTER }

  private FirstLoadKills() {}

  /**
   * Runs the ten kills and the last life against {@code crm} (a daemon configured by {@code config}
   * on {@code schema}), then asserts the end state against {@code clean}.
   */
  static void killTenTimesAndConverge(String name, Path config, String schema, Crm crm, Clean clean) throws Exception {
    long seed = Long.getLong("salesos.kill.seed", System.currentTimeMillis());
    System.out.println(name + " seed=" + seed + " (run again with -Dsalesos.kill.seed=" + seed + ")");
    var random = new Random(seed);
    long t0 = System.nanoTime();
    var logs = Path.of("target", "first-load-kill", name + "-" + seed);
    var kills = new ArrayList<String>();
    boolean settled;
    try (var lives = new DaemonLives(config, logs)) {
      for (int kill = 1; kill <= KILLS; kill++) {
        lives.start(Integer.toString(kill));
        // PUSH while no evaluation has queued its writes yet (the life that finished the load may have evaluated too)
        var phase = !loaded(schema) && kill <= LAST_LOAD_KILL ? Phase.LOAD
            : EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE write_kind IN ('flag', 'task')") == 0 ? Phase.PUSH
            : Phase.AFTER;
        // each kill is timed from an event of this life, so every life gets somewhere before it dies
        Predicate<String> anchor = switch (phase) {
          case LOAD -> l -> l.contains("event=pulled ");
          case PUSH -> l -> DaemonLives.queued(l) > 0;
          case AFTER -> l -> l.contains("event=job_ran ");
        };
        lives.await(0, anchor, Duration.ofSeconds(phase == Phase.PUSH ? 180 : 60));
        // the random point itself: a delay after the anchor, not a wait for anything
        int delay = random.nextInt(phase == Phase.PUSH ? 2_500 : phase == Phase.LOAD ? 1_500 : 2_000);
        Thread.sleep(delay);
        lives.kill();
        kills.add("kill %d %s +%d ms: objects loaded %d/%d, outbox pending=%d done=%d, crm salesos tasks=%d".formatted(kill, phase,
            delay, EngineFixtures.count(schema, "SELECT COUNT(*) FROM pull_progress WHERE loaded_at IS NOT NULL"),
            EngineFixtures.count(schema, "SELECT COUNT(*) FROM pull_progress"),
            EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"),
            EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'done'"), crm.salesosTasks().get().size()));
        // whatever the kill interrupted, no salesos task is ever in the CRM twice
        assertThat(crm.tasksPerKey().get().entrySet()).as("after kill %d", kill)
            .allSatisfy(e -> assertThat(e.getValue()).as("tasks with key %s", e.getKey()).isEqualTo(1));
      }
      // the last life runs until an evaluation of the whole mirror, with every write sent, concludes nothing new
      lives.start("final");
      settled = lives.awaitSettled(schema, Duration.ofSeconds(200));
    }
    System.out.println(name + " seed=" + seed + ": " + String.join("; ", kills) + "; converged after "
        + EngineFixtures.since(t0).toSeconds() + " s");

    assertThat(settled).as("an evaluation with nothing left to write, logs in " + logs.toAbsolutePath()).isTrue();
    assertThat(crm.salesosTasks().get()).as("tasks by key: status and subject").isEqualTo(clean.tasks());
    assertThat(crm.tasksPerKey().get()).as("each key once").hasSize(clean.tasks().size())
        .allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
    assertThat(crm.flags().get()).as("flags by deal").isEqualTo(clean.flags());
    assertThat(rows(schema, "SELECT CONCAT(crm_object, ' ', record_id, ' ', field) FROM conflict"))
        .as("conflict rows (salesos's own writes replayed after a kill are echoes, not conflicts)").isEmpty();
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM write_journal WHERE write_kind = 'withdraw'"))
        .as("nothing written over a partial mirror, so nothing to withdraw").isZero();
    assertThat(EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status NOT IN ('done', 'draft')"))
        .as("no write failed, held or dead").isZero();
  }

  /**
   * The reference run on an org of the same seed, in process, without a kill: a first pull,
   * evaluation and push, then two cycles (pull, evaluate, push and the pull that brings the echo).
   */
  static void cleanRun(Pipeline p) {
    p.pull(Optional.empty());
    p.evaluate(Optional.empty());
    p.push();
    for (int i = 0; i < 2; i++) {
      p.pull(Optional.empty());
      p.evaluate(Optional.empty());
      p.push();
      p.pull(Optional.empty());
    }
  }

  /** The daemon configuration's sections a kill test adds: a fixed instance id (see {@link DaemonLives}), a 2 s poll. */
  static final String SCHEDULE = """
      sync:
        poll_seconds: 2
        evaluate_seconds: 4
      scheduler:
        instance_id: first-load-kill
      admin:
        port: 0
      """;

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
}
