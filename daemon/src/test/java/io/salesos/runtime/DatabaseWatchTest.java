package io.salesos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.Database;
import io.salesos.testing.TcpGate;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The daemon gives up on its database only after it has stayed unreachable for the whole configured time. */
class DatabaseWatchTest {

  static final Duration LIMIT = Duration.ofSeconds(60);

  TcpGate gate;
  Database database;
  final MovingClock clock = new MovingClock(Instant.parse("2026-12-03T12:00:00Z"));
  final List<String> gaveUp = new ArrayList<>();
  DatabaseWatch watch;

  @BeforeEach
  void open() throws Exception {
    var server = TestDatabases.server();
    gate = new TcpGate(server.port());
    var url = TestDatabases.jdbcUrl(TestDatabases.newSchema()).replace(":" + server.port() + "/", ":" + gate.port() + "/");
    database = Database.external(url, TestDatabases.user(), TestDatabases.password(), 2);
    // stepped by hand: a period far beyond the test keeps the timer out of it
    watch = DatabaseWatch.start(database, Duration.ofHours(1), LIMIT, clock, gaveUp::add);
  }

  @AfterEach
  void close() throws Exception {
    watch.close();
    database.close();
    gate.close();
  }

  @Test
  void aDatabaseDownForTheWholeLimitIsGivenUpOnceWithTheReason() {
    watch.check();
    assertThat(watch.downSince()).isEmpty();

    gate.cut();
    watch.check();
    assertThat(watch.downSince()).contains(clock.instant());
    clock.move(LIMIT.minusSeconds(1));
    watch.check();
    assertThat(gaveUp).as("one second short of the limit").isEmpty();

    clock.move(Duration.ofSeconds(1));
    watch.check();
    clock.move(Duration.ofSeconds(30));
    watch.check();
    assertThat(gaveUp).hasSize(1);
    assertThat(gaveUp.get(0)).startsWith("the database has been unreachable for 60 s (database.unavailable_exit_seconds is 60)")
        .contains("unreachable").doesNotContain(TestDatabases.password());
  }

  @Test
  void aDatabaseBackWithinTheLimitStartsTheCountAfresh() {
    gate.cut();
    watch.check();
    clock.move(Duration.ofSeconds(45));
    gate.restore();
    watch.check();
    assertThat(watch.downSince()).isEmpty();

    gate.cut();
    clock.move(Duration.ofSeconds(5));
    watch.check();
    clock.move(Duration.ofSeconds(45));
    watch.check();
    assertThat(gaveUp).as("down 45 s, back, down 45 s: never 60 s in a row").isEmpty();
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    private Instant now;

    MovingClock(Instant start) {
      this.now = start;
    }

    void move(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
