package io.salesos.daemon.engine;

import static io.salesos.daemon.engine.EngineFixtures.awaitLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The lives of one daemon ({@code salesos run --config CONFIG} in a child JVM) that a test kills
 * and starts again: each life logs to {@code LOGS/life-NAME.log}, which stays for a person to read
 * after a failure. Closing stops the life still running.
 *
 * <p>A kill test's configuration should name a fixed {@code scheduler.instance_id}: a restarted
 * daemon then recovers the jobs its killed predecessor held at its first check-in, as Quartz does
 * for an instance that comes back under its own id, instead of waiting for the cluster to declare
 * a stranger dead (about 12 s a life with generated ids).
 */
final class DaemonLives implements AutoCloseable {

  static final Pattern QUEUED = Pattern.compile("event=rules_run .* queued=(\\d+)");

  private final Path config;
  private final Path logs;
  private Process life;
  private Path log;

  DaemonLives(Path config, Path logs) {
    this.config = config;
    try {
      this.logs = Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a life and waits until it says it is running; returns its log. */
  Path start(String name) {
    log = logs.resolve("life-" + name + ".log");
    life = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
    awaitLine(log, 0, l -> l.contains(" running: "), Duration.ofSeconds(90), life);
    return log;
  }

  /** The running life's log. */
  Path log() {
    return log;
  }

  /** Waits for a line of this life's log after line {@code from}; returns its index. */
  int await(int from, java.util.function.Predicate<String> wanted, Duration timeout) {
    return awaitLine(log, from, wanted, timeout, life);
  }

  /** SIGKILL, as {@code kill -9} or the OOM killer would end it: no shutdown hook runs. */
  void kill() throws InterruptedException {
    life.destroyForcibly();
    assertThat(life.waitFor(10, TimeUnit.SECONDS)).as("the killed daemon exits").isTrue();
  }

  /**
   * Lets the running life go on until an evaluation of the whole mirror queues nothing and no
   * write is pending in {@code schema}'s outbox; false if that does not happen within {@code timeout}.
   */
  boolean awaitSettled(String schema, Duration timeout) {
    int from = 0;
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      int at;
      try {
        at = await(from, l -> queued(l) >= 0, Duration.ofNanos(Math.max(1, end - System.nanoTime())));
      } catch (AssertionError timedOut) {
        return false;
      }
      from = at + 1;
      if (queued(EngineFixtures.lines(log).get(at)) == 0
          && EngineFixtures.count(schema, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0) {
        return true;
      }
    }
    return false;
  }

  /** The queued count of a rules-run line; -1 for any other line. */
  static int queued(String line) {
    var m = QUEUED.matcher(line);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** SIGTERM, then what is still running is killed (the mirror is a schema of the test MariaDB: no server of its own). */
  @Override
  public void close() throws InterruptedException {
    if (life != null && life.isAlive()) {
      life.destroy();
      if (!life.waitFor(20, TimeUnit.SECONDS)) {
        life.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
