package io.salesos.cli;

import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Look at and act on the writes waiting for a CRM. */
@Command(name = "outbox", mixinStandardHelpOptions = true,
    description = "List, retry, release or discard the writes waiting to reach a CRM.",
    subcommands = {OutboxCommand.ListRows.class, OutboxCommand.Retry.class, OutboxCommand.Release.class,
        OutboxCommand.Discard.class})
final class OutboxCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List outbox rows (newest first).")
  static final class ListRows implements Runnable {
    @Mixin
    ConfigOption config;

    @Option(names = "--status", description = "pending, draft, review, done, dead, held, blocked, discarded or rejected")
    String status;

    @Option(names = "--limit", description = "at most this many rows (default: ${DEFAULT-VALUE})")
    int limit = 50;

    @Override
    public void run() {
      try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
        var store = new OutboxStore(db, Clock.systemUTC());
        var filter = Optional.ofNullable(status).map(s -> OutboxEntry.Status.valueOf(s.toUpperCase()));
        System.out.println("depth " + store.depth() + "  by status " + store.counts());
        System.out.printf("%-8s %-9s %-10s %-10s %-14s %-8s %-4s %s%n", "ID", "STATUS", "KIND", "SOURCE", "OBJECT", "OP", "TRY", "KEY / LAST ERROR");
        for (var e : store.list(filter, limit)) {
          System.out.printf("%-8d %-9s %-10s %-10s %-14s %-8s %-4d %s%s%n", e.id(), e.status().code(), e.kind().code(),
              e.source(), e.crmObject(), e.op(), e.attempts(), e.idemKey(), e.lastError().map(x -> "  | " + x).orElse(""));
        }
      }
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true, description = "Queue dead, held or blocked rows again, due now (a blocked row is checked against the allow-list again when pushed).")
  static final class Retry implements Runnable {
    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "outbox row ids")
    List<Long> ids;

    @Override
    public void run() {
      try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
        System.out.println("queued again: " + new OutboxStore(db, Clock.systemUTC()).retry(ids));
      }
    }
  }

  @Command(name = "release", mixinStandardHelpOptions = true,
      description = {"Send the writes of a run held for review (it queued more than sync.hold_writes_over or"
          + " sync.hold_percent_over allow). Without RUN_ID, list the runs held.",
          "Look first: `outbox list --status review`, or `dry-run` to see what the rules conclude now."})
  static final class Release implements Runnable {
    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "RUN_ID", arity = "0..1", description = "the run whose writes to send")
    String runId;

    @Option(names = "--by", description = "who releases (kept with each row; default: the OS user)")
    String by = System.getProperty("user.name", "admin");

    @Override
    public void run() {
      try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
        var store = new OutboxStore(db, Clock.systemUTC());
        if (runId == null) {
          var held = store.runsInReview();
          System.out.println(held.isEmpty() ? "no run is held for review" : "held for review (run: writes): " + held);
          return;
        }
        int released = store.releaseRun(runId, by);
        if (released == 0) {
          throw new IllegalArgumentException("run " + runId + " has no write held for review; held runs: " + store.runsInReview());
        }
        System.out.println("released " + released + " writes of " + runId + ": they go out with the next push");
      }
    }
  }

  @Command(name = "discard", mixinStandardHelpOptions = true, description = "Give up on rows: they are never written.")
  static final class Discard implements Runnable {
    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "outbox row ids")
    List<Long> ids;

    @Option(names = "--reason", description = "why (kept with the row)")
    String reason = "discarded by an admin";

    @Override
    public void run() {
      try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
        var store = new OutboxStore(db, Clock.systemUTC());
        for (var id : ids) {
          store.setStatus(id, OutboxEntry.Status.DISCARDED, reason);
        }
        System.out.println("discarded: " + ids.size());
      }
    }
  }
}
