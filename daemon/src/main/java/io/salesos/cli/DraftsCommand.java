package io.salesos.cli;

import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes under a "draft" write policy wait for a person: list, approve or reject them. */
@Command(name = "drafts", mixinStandardHelpOptions = true,
    description = "List, approve or reject writes waiting for approval (write policy 'draft').",
    subcommands = {DraftsCommand.ListDrafts.class, DraftsCommand.Approve.class, DraftsCommand.Reject.class})
final class DraftsCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Filters shared by the verbs. */
  static final class Filter {
    @Option(names = "--rule", description = "only drafts made by this rule id")
    String rule;

    @Option(names = "--rep", description = "only drafts for this rep (CRM owner id)")
    String rep;

    List<Long> select(OutboxStore store, List<Long> ids) {
      if (ids != null && !ids.isEmpty()) {
        return ids;
      }
      if (rule == null && rep == null) {
        throw new IllegalArgumentException("give draft ids, or --rule / --rep to act on a whole group");
      }
      return store.drafts(Optional.ofNullable(rule), Optional.ofNullable(rep), 100_000).stream().map(OutboxEntry::id).toList();
    }
  }

  static String who() {
    var user = System.getenv("SALESOS_ACTOR");
    return "cli:" + (user != null && !user.isBlank() ? user : System.getProperty("user.name", "unknown"));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List drafts waiting for approval.")
  static final class ListDrafts implements Runnable {
    @Mixin
    ConfigOption config;

    @Mixin
    Filter filter;

    @Override
    public void run() {
      try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
        var drafts = new OutboxStore(db, Clock.systemUTC()).drafts(Optional.ofNullable(filter.rule), Optional.ofNullable(filter.rep), 500);
        System.out.printf("%-8s %-10s %-24s %-10s %-14s %s%n", "ID", "KIND", "RULE", "SOURCE", "RECORD", "WRITES");
        for (var d : drafts) {
          System.out.printf("%-8d %-10s %-24s %-10s %-14s %s%n", d.id(), d.kind().code(), d.ruleId().orElse(""), d.source(),
              d.recordId().orElse("(new)"), d.fields());
        }
        System.out.println(drafts.size() + " draft(s)");
      }
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve drafts: they are written on the next push.")
  static final class Approve implements Runnable {
    @Mixin
    ConfigOption config;

    @Mixin
    Filter filter;

    @Parameters(paramLabel = "ID", arity = "0..*", description = "draft ids")
    List<Long> ids = new ArrayList<>();

    @Override
    public void run() {
      try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
        var store = new OutboxStore(db, Clock.systemUTC());
        System.out.println("approved " + store.approve(filter.select(store, ids), who()) + " by " + who());
      }
    }
  }

  @Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject drafts: they are never written.")
  static final class Reject implements Runnable {
    @Mixin
    ConfigOption config;

    @Mixin
    Filter filter;

    @Parameters(paramLabel = "ID", arity = "0..*", description = "draft ids")
    List<Long> ids = new ArrayList<>();

    @Override
    public void run() {
      try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
        var store = new OutboxStore(db, Clock.systemUTC());
        System.out.println("rejected " + store.reject(filter.select(store, ids), who()) + " by " + who());
      }
    }
  }
}
