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
    description = "List, retry or discard the writes waiting to reach a CRM.",
    subcommands = {OutboxCommand.ListRows.class, OutboxCommand.Retry.class, OutboxCommand.Discard.class})
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

    @Option(names = "--status", description = "pending, draft, done, dead, held, blocked, discarded or rejected")
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
