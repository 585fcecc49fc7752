package io.salesos.runtime;

import io.salesos.mirror.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the database while the daemon runs, and gives up on it once it has been unreachable for
 * longer than the configured time: a daemon that cannot reach its database does nothing useful,
 * and exiting non-zero lets its supervisor (systemd's Restart=on-failure, a container's restart
 * policy) start it afresh instead of leaving it hanging. Short outages (a failover, the embedded
 * server's own restart) pass with a log line each way.
 */
public final class DatabaseWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DatabaseWatch.class);

  private final Database database;
  private final Duration limit;
  private final Clock clock;
  private final Consumer<String> giveUp;
  private final ScheduledExecutorService timer;
  private Optional<Instant> downSince = Optional.empty();
  private boolean gaveUp;

  private DatabaseWatch(Database database, Duration limit, Clock clock, Consumer<String> giveUp) {
    this.database = database;
    this.limit = limit;
    this.clock = clock;
    this.giveUp = giveUp;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "salesos-database-watch");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Probes {@code database} every {@code every}; calls {@code giveUp} once, with the reason, when
   * it has stayed unreachable for {@code limit}.
   */
  public static DatabaseWatch start(Database database, Duration every, Duration limit, Clock clock,
      Consumer<String> giveUp) {
    Objects.requireNonNull(giveUp, "giveUp");
    var watch = new DatabaseWatch(database, limit, clock, giveUp);
    watch.timer.scheduleWithFixedDelay(watch::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return watch;
  }

  /** One look at the database; package-private so that a test can step it. */
  synchronized void check() {
    if (gaveUp) {
      return;
    }
    Optional<String> down;
    try {
      down = database.probe();
    } catch (RuntimeException e) {
      down = Optional.of("the database probe failed: " + e.getMessage());
    }
    var now = clock.instant();
    if (down.isEmpty()) {
      downSince.ifPresent(since -> log.info("event=database_back down_seconds={}", Duration.between(since, now).toSeconds()));
      downSince = Optional.empty();
      return;
    }
    if (downSince.isEmpty()) {
      downSince = Optional.of(now);
      log.warn("event=database_unavailable give_up_after_seconds={} reason=\"{}\"", limit.toSeconds(), down.get());
      return;
    }
    var downFor = Duration.between(downSince.get(), now);
    if (downFor.compareTo(limit) >= 0) {
      gaveUp = true;
      var reason = "the database has been unreachable for " + downFor.toSeconds() + " s (database.unavailable_exit_seconds is "
          + limit.toSeconds() + "): " + down.get() + "; exiting so that the supervisor restarts salesos";
      log.error("event=database_unavailable_giving_up down_seconds={} reason=\"{}\"", downFor.toSeconds(), down.get());
      giveUp.accept(reason);
    }
  }

  /** Since when the database has been unreachable, as last seen; empty while it answers. */
  public synchronized Optional<Instant> downSince() {
    return downSince;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
