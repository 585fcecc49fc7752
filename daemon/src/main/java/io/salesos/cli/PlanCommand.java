package io.salesos.cli;

import io.salesos.runtime.SalesosRuntime;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Plans one rep's day and prints it as a table; without --dry-run the plan is queued for the CRM. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = "Plan a rep's day for value (orienteering with time windows) and print it; queue it unless --dry-run.")
final class PlanCommand implements java.util.concurrent.Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--rep", required = true, description = "the rep's CRM owner id")
  String rep;

  @Option(names = "--date", description = "YYYY-MM-DD (default: the next working day)")
  LocalDate date;

  @Option(names = "--dry-run", description = "print only; queue nothing")
  boolean dryRun;

  @Option(names = "--connection", description = "the rep's connection (default: the first that knows the rep)")
  String connection;

  @Override
  public Integer call() {
    var cfg = config.load();
    var clock = Clock.systemUTC();
    try (var runtime = SalesosRuntime.open(cfg, Map.of(), System::getenv, clock)) {
      // without --date: the rep's own next working day, in the rep's zone
      var planned = runtime.pipeline().planRep(rep, Optional.ofNullable(date), Optional.ofNullable(connection), dryRun);
      if (planned.isPresent()) {
        var p = planned.get().plan();
        var currency = new io.salesos.currency.CurrencyStore(runtime.database()).corporate(planned.get().connection());
        System.out.printf("%s (%s) on %s, times in %s: %d stops, visit value %s, %.0f min driving, back at base %s%n",
            p.ownerName(), p.ownerId(), p.date(), p.zone().getId(), p.stops().size(),
            io.salesos.currency.Money.whole(java.math.BigDecimal.valueOf(p.totalValue()), currency), p.driveMinutes(),
            p.returnAt().toLocalTime());
        System.out.printf("%-3s %-6s %-6s %-6s %6s %10s  %-34s %s%n", "#", "ARRIVE", "START", "LEAVE", "DRIVE", "VALUE", "ACCOUNT", "WHY");
        for (var s : p.stops()) {
          System.out.printf("%-3d %-6s %-6s %-6s %5.0fm %10s  %-34s %s%n", s.order(), time(s.arrival()), time(s.start()),
              time(s.departure()), s.driveMinutes(), io.salesos.currency.Money.whole(java.math.BigDecimal.valueOf(s.value()), currency), cut(s.accountName(), 34), s.reason());
        }
        if (!dryRun) {
          System.out.println(planned.get().queued() + " write(s) queued; `salesos sync` pushes them");
        }
        return 0;
      }
      System.err.println("no rep " + rep + " with mapped accounts in the mirror");
      return 1;
    }
  }

  private static String time(java.time.LocalDateTime t) {
    return t == null ? "-" : t.toLocalTime().toString();
  }

  private static String cut(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }
}
