package io.salesos.daemon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose first load of a HubSpot portal is cut off at random points (its database pool is
 * closed under it mid-pull, as a kill would leave it: the batch under way rolls back) and restarted,
 * with its evaluate job firing before any pull after each restart, ends with exactly the tasks and
 * flags a clean run writes on the same org, and no conflict row names a write of its own.
 */
class InterruptedFirstLoadTest {

  static final int INTERRUPTIONS = 4;

  @TempDir
  Path dir;

  HubSpotOrg org;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(org);
  }

  @Test
  void aFirstLoadCutOffAtRandomPointsConvergesToTheCleanRunExactlyWithNoConflictOnOwnWrites() throws Exception {
    var asOf = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    java.util.SortedMap<String, String> cleanTasks;
    java.util.SortedMap<String, String> cleanFlags;
    long loadMillis;
    try (var clean = HubSpotOrg.start(dir.resolve("clean"), asOf)) {
      long t0 = System.nanoTime();
      clean.pipeline().pull(Optional.empty());
      loadMillis = Math.max(50, (System.nanoTime() - t0) / 1_000_000);
      clean.pipeline().evaluate(Optional.empty());
      clean.pipeline().push();
      clean.cycle();
      clean.cycle();
      cleanTasks = clean.salesosTasks();
      cleanFlags = clean.flags();
    }
    assertThat(cleanTasks).as("the clean run writes tasks").isNotEmpty();
    assertThat(cleanFlags).as("the clean run writes flags").isNotEmpty();

    org = HubSpotOrg.start(dir.resolve("interrupted"), asOf);
    var random = new Random(20_261_203L);
    var cutAt = new ArrayList<Long>();
    int cut = 0;
    for (int i = 0; i < INTERRUPTIONS; i++) {
      long delay = random.nextLong(loadMillis);
      cutAt.add(delay);
      var runtime = org.runtime;
      var killer = new Thread(() -> {
        sleep(delay);
        runtime.close();
      }, "test-kill");
      killer.start();
      try {
        org.pipeline().pull(Optional.empty());
      } catch (RuntimeException e) {
        cut++;
      }
      killer.join();
      org.runtime = null;
      // the restarted daemon: its evaluate and push jobs may fire before its first pull
      org.open();
      var runs = org.pipeline().evaluate(Optional.empty());
      if (!org.pipeline().readiness("hubspot").ready()) {
        assertThat(runs).as("no evaluation over a partial mirror (cut at %s ms)", delay).isEmpty();
      }
      org.pipeline().push();
    }
    org.cycle();
    org.cycle();

    assertThat(cut).as("pulls cut off at %s ms of a %s ms load", cutAt, loadMillis).isPositive();
    assertThat(org.salesosTasks()).as("tasks by key and status").isEqualTo(cleanTasks);
    assertThat(org.flags()).as("flags by deal").isEqualTo(cleanFlags);
    assertThat(org.rows("SELECT COUNT(*) FROM conflict")).containsExactly("0");
    assertThat(org.rows("SELECT COUNT(*) FROM write_journal WHERE write_kind = 'withdraw'")).containsExactly("0");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
