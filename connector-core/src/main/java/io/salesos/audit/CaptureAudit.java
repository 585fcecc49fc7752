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

  public CaptureAudit(Database database) {
    this.reads = new MirrorReads(database);
  }

  public AuditReport run(List<String> sources, IsoWeek week, Cadence cadence) {
    var rows = new ArrayList<List<String>>();
    double totalExpected = 0;
    double totalGap = 0;
    int totalLogged = 0;
    int below = 0;
    for (var source : sources) {
      var owners = reads.owners(source);
      var expected = new HashMap<String, double[]>();
      var accounts = new HashMap<String, Integer>();
      reads.query("SELECT owner_id, industry, visit_every_days FROM account WHERE source = ? AND deleted = FALSE"
          + " AND owner_id IS NOT NULL", ps -> ps.setString(1, source), rs -> {
            var e = expected.computeIfAbsent(rs.getString(1), k -> new double[Cadence.KINDS.size()]);
            var every = rs.getLong(3);
            var own = rs.wasNull() ? Optional.<Long>empty() : Optional.of(every);
            for (int i = 0; i < Cadence.KINDS.size(); i++) {
              e[i] += cadence.perWeek(rs.getString(2), Cadence.KINDS.get(i), own);
            }
            accounts.merge(rs.getString(1), 1, Integer::sum);
          });
      var logged = new HashMap<String, int[]>();
      reads.query("SELECT owner_id, kind, COUNT(*) FROM activity WHERE source = ? AND deleted = FALSE AND salesos_key IS NULL"
          + " AND owner_id IS NOT NULL AND kind IN " + LeadAudit.TOUCH_KINDS + " AND COALESCE(status, 'completed') = 'completed'"
          + " AND " + LeadAudit.ACTIVITY_AT + " >= ? AND " + LeadAudit.ACTIVITY_AT + " < ? GROUP BY owner_id, kind", ps -> {
            ps.setString(1, source);
            ps.setTimestamp(2, Timestamp.from(week.start()));
            ps.setTimestamp(3, Timestamp.from(week.end()));
          }, rs -> logged.computeIfAbsent(rs.getString(1), k -> new int[Cadence.KINDS.size()])
              [Cadence.KINDS.indexOf(rs.getString(2))] += rs.getInt(3));
      var reps = new TreeSet<String>(expected.keySet());
      reps.addAll(logged.keySet());
      var sourceRows = new ArrayList<Object[]>();
      for (var rep : reps) {
        var e = expected.getOrDefault(rep, new double[Cadence.KINDS.size()]);
        var l = logged.getOrDefault(rep, new int[Cadence.KINDS.size()]);
        var row = new ArrayList<String>(List.of(source, rep, MirrorReads.name(owners, rep),
            Integer.toString(accounts.getOrDefault(rep, 0))));
        double exp = 0;
        double gap = 0;
        int log = 0;
        for (int i = 0; i < e.length; i++) {
          row.add(Integer.toString(l[i]));
          row.add(one(e[i]));
          exp += e[i];
          log += l[i];
          gap += Math.max(0, e[i] - l[i]);
        }
        double capture = exp <= 0 ? 1.0 : (exp - gap) / exp;
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
