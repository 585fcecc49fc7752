package io.salesos.audit;

import io.salesos.mirror.Database;
import io.salesos.rules.Cadence;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code audit capture}: per rep and week, the visits, calls, emails and meetings logged against
 * what the cadence (rules/cadence.yaml, per vertical) expects over the rep's accounts, and the
 * capture gap: the expected activities missing, kind by kind (extra emails do not make up for
 * missing visits). Activities count when a person logged them (not salesos's own planned visits
 * and tasks), were not cancelled or merely planned, and started in the week (or, where the CRM
 * keeps no start, as for Salesforce calls and emails, were logged in it).
 */
public final class CaptureAudit {

  public static final List<String> COLUMNS;

  static {
    var c = new ArrayList<>(List.of("crm", "rep_id", "rep", "accounts"));
    for (var k : Cadence.KINDS) {
      c.add(k + "s");
      c.add(k + "s_expected");
    }
    c.addAll(List.of("logged", "expected", "gap", "capture"));
    COLUMNS = List.copyOf(c);
  }

  private final MirrorReads reads;

  private final Database database;

  public CaptureAudit(Database database) {
    this.database = database;
    this.reads = new MirrorReads(database);
  }

  public AuditReport run(List<String> sources, IsoWeek week, Cadence cadence) {
    return run(sources, week, cadence, s -> week.zone());
  }

  /** As {@link #run(List, IsoWeek, Cadence)}, each source's week counted in its own org zone. */
  public AuditReport run(List<String> sources, IsoWeek week, Cadence cadence,
      java.util.function.Function<String, java.time.ZoneId> zoneOf) {
    var rows = new ArrayList<List<String>>();
    double totalExpected = 0;
    double totalGap = 0;
    int totalLogged = 0;
    int below = 0;
    for (var source : sources) {
      var owners = reads.owners(source);
      var local = week.withZone(zoneOf.apply(source));
      var counts = CaptureCounts.perRep(database, source, local.start(), local.end(), 1.0, cadence);
      var sourceRows = new ArrayList<Object[]>();
      for (var c : counts.values()) {
        var rep = c.ownerId();
        var e = c.expected();
        var l = c.logged();
        var row = new ArrayList<String>(List.of(source, rep, MirrorReads.name(owners, rep), Integer.toString(c.accounts())));
        for (int i = 0; i < e.length; i++) {
          row.add(Integer.toString(l[i]));
          row.add(one(e[i]));
        }
        double exp = c.expectedTotal();
        double gap = c.gap();
        int log = c.loggedTotal();
        double capture = c.capture();
        row.addAll(List.of(Integer.toString(log), one(exp), one(gap), exp <= 0 ? "-" : Math.round(capture * 100) + "%"));
        sourceRows.add(new Object[] {capture, row});
        totalExpected += exp;
        totalGap += gap;
        totalLogged += log;
        below += capture < 0.5 ? 1 : 0;
      }
      sourceRows.sort((a, b) -> Double.compare((double) a[0], (double) b[0]));
      sourceRows.forEach(r -> {
        @SuppressWarnings("unchecked")
        var row = (List<String>) r[1];
        rows.add(row);
      });
    }
    var findings = new ArrayList<String>();
    findings.add(rows.size() + " rep(s): " + totalLogged + " activities logged against " + one(totalExpected)
        + " the cadence expects; capture gap " + one(totalGap) + " ("
        + (totalExpected <= 0 ? "-" : Math.round(100 * totalGap / totalExpected) + "%") + " of expected)");
    findings.add(below + " rep(s) logged less than half of their expected cadence; lowest capture first");
    findings.add("Cadence from rules/cadence.yaml per vertical (account industry); verticals named there: "
        + (cadence.verticals().isEmpty() ? "none" : String.join(", ", cadence.verticals())));
    return new AuditReport("capture", "Activity capture against the expected cadence",
        week + " (" + week.monday() + " to " + week.sunday() + ")", findings,
        new AuditTable("Per rep, " + week, COLUMNS, rows), List.of());
  }

  private static String one(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
