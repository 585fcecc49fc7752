package io.salesos.schedule;

import io.salesos.pipeline.Pipeline;
import io.salesos.sync.StreamFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the change stream of every connection whose connector offers one, on a thread per
 * connection: reads, applies, evaluates and pushes at once ({@link Pipeline#stream}), reads again
 * at once while the stream has more, and waits {@code idle} after a read that found nothing (growing
 * to {@link #IDLE_GROWTH} x {@code idle} while reads keep finding nothing, so a quiet journal is not
 * read several times a second). A
 * failing step is logged and tried again after a growing pause (at most a minute); the scheduled
 * poll meanwhile returns to its normal interval.
 */
public final class StreamRunner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamRunner.class);
  /** How far the pause after reads that found nothing grows: at most this many times {@code idle}. */
  static final int IDLE_GROWTH = 4;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopped;

  private StreamRunner() {}

  public static StreamRunner start(Pipeline pipeline, Duration idle) {
    var runner = new StreamRunner();
    for (var c : pipeline.connections()) {
      if (!StreamFollower.streams(c)) {
        continue;
      }
      var t = new Thread(() -> runner.follow(pipeline, c.name(), idle), "salesos-stream-" + c.name());
      t.setDaemon(true);
      runner.threads.add(t);
      t.start();
      log.info("event=stream_runner_started source={} idle_ms={}", c.name(), idle.toMillis());
    }
    return runner;
  }

  private void follow(Pipeline pipeline, String connection, Duration idle) {
    long pause = idle.toMillis();
    while (!stopped) {
      try {
        var result = pipeline.stream(connection);
        var step = result.step();
        if (step.error().isPresent()) {
          pause = Math.min(60_000, Math.max(pause * 2, 1_000));
        } else if (step.entries() == 0 && step.fellBack().isEmpty()) {
          // nothing new: the pause grows while the journal stays quiet (each read is an API call),
          // up to IDLE_GROWTH x idle, and falls back to idle as soon as a read finds something
          pause = Math.min(idle.toMillis() * IDLE_GROWTH, pause < idle.toMillis() ? idle.toMillis() : pause * 2);
        } else {
          pause = idle.toMillis();
        }
        if (step.hasMore() && step.error().isEmpty()) {
          continue;
        }
      } catch (RuntimeException e) {
        pause = Math.min(60_000, Math.max(pause * 2, 1_000));
        log.warn("event=stream_step_failed source={} retry_ms={} reason=\"{}\"", connection, pause, e.getMessage());
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    stopped = true;
    for (var t : threads) {
      t.interrupt();
    }
    for (var t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
