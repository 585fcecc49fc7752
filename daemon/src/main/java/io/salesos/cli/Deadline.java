package io.salesos.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A one-shot verb's time limit: the work runs on a daemon thread and the verb gives up when the
 * limit passes, with a non-zero exit, instead of retrying a dead CRM or database for ever. What
 * was done is kept (the mirror commits batch by batch, the outbox row by row).
 */
final class Deadline {

  /** The exit code of a verb stopped by its deadline. */
  static final int EXCEEDED = 3;

  private Deadline() {}

  /** The {@code --deadline SECONDS} option of a one-shot verb (picocli mixin). */
  static final class Option {
    @picocli.CommandLine.Option(names = "--deadline", paramLabel = "SECONDS",
        description = "give up after this long with exit code 3 (default: ${DEFAULT-VALUE})")
    long seconds = 1800;

    int within(String verb, Callable<Integer> work) throws Exception {
      return Deadline.within(Duration.ofSeconds(seconds), verb, work);
    }
  }

  static int within(Duration limit, String verb, Callable<Integer> work) throws Exception {
    var executor = Executors.newSingleThreadExecutor(r -> {
      var t = new Thread(r, "salesos-" + verb);
      t.setDaemon(true);
      return t;
    });
    try {
      return executor.submit(work).get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      System.err.println("salesos: " + verb + ": did not finish within " + limit.toSeconds() + " s (--deadline); stopped,"
          + " keeping what was done; the errors above say what it was waiting for");
      return EXCEEDED;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
    } finally {
      executor.shutdownNow();
    }
  }
}
