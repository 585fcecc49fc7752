package io.salesos.cli;

import io.salesos.retention.Erasure;
import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Erases a person from salesos's database on request (GDPR), itself logged without the erased values. */
@Command(name = "forget", mixinStandardHelpOptions = true,
    description = {
      "Erase a person from salesos's database (a GDPR erasure request): their contact or lead rows and those rows'"
          + " history, the write journal, outbox, conflict and quarantine rows about them, and every other mention of"
          + " their address in any table (redacted as " + Erasure.MARK + "; a queued write that mentions them is"
          + " dropped). Runs in one transaction and is logged in the erasure table with what was erased where, by a"
          + " sha-256 of the address, never the address itself.",
      "",
      "It does NOT erase anything in the CRM and writes nothing to it: deleting the person in Salesforce or HubSpot"
          + " is the admin's job there. Do that first: while the CRM still holds them, the next sync or the nightly"
          + " reconcile brings them back into the mirror."
    })
final class ForgetCommand implements Runnable {

  @Mixin
  ConfigOption config;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Subject subject;

  static final class Subject {
    @Option(names = "--email", paramLabel = "ADDRESS", required = true,
        description = "the person's e-mail address (matched without regard to case)")
    String email;

    @Option(names = "--record", paramLabel = "CRM_OBJECT:ID", required = true,
        description = "one CRM record as the CRM names it, e.g. Contact:0035g00000AbCdE or contacts:1501")
    String record;
  }

  @Option(names = "--dry-run", description = "count what would be erased, change nothing")
  boolean dryRun;

  @Override
  public void run() {
    var actor = "admin:" + System.getProperty("user.name", "unknown");
    try (var db = SalesosRuntime.openDatabase(config.load(), System::getenv)) {
      var erasure = new Erasure(db, Clock.systemUTC());
      Erasure.Result result;
      if (subject.email != null) {
        result = erasure.forgetEmail(subject.email, "forget --email", actor, dryRun);
      } else {
        int colon = subject.record.indexOf(':');
        if (colon <= 0 || colon == subject.record.length() - 1) {
          throw new IllegalArgumentException("--record takes CRM_OBJECT:ID, e.g. Contact:0035g00000AbCdE");
        }
        result = erasure.forgetRecord(subject.record.substring(0, colon), subject.record.substring(colon + 1),
            "forget --record", actor, dryRun);
      }
      print(result);
    }
  }

  private static void print(Erasure.Result result) {
    if (result.tables().isEmpty()) {
      System.out.println("nothing in the database matched");
    } else {
      System.out.printf("%-24s %8s %9s%n", "TABLE", "DELETED", "REDACTED");
      result.tables().forEach((table, n) -> System.out.printf("%-24s %8d %9d%n", table, n.deleted(), n.redacted()));
    }
    if (result.dryRun()) {
      System.out.printf("dry run: %d rows would be erased; nothing was changed%n", result.total());
    } else {
      System.out.printf("erased %d rows; logged as erasure %d (subject sha-256 %s)%n", result.total(), result.erasureId(),
          result.subjectHash());
    }
    System.out.println("nothing was written to a CRM: erase the person there too, or the next sync brings them back");
  }
}
