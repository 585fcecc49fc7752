package io.salesos.audit;

import io.salesos.mirror.Database;
import io.salesos.rules.Cadence;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Per rep, the activities logged in a window against what rules/cadence.yaml expects over the rep's
 * accounts, kind by kind (extra emails do not make up for missing visits). One definition for the
 * capture audit and the status page.
 */
public final class CaptureCounts {

  /** One rep's window: logged and expected per kind (in {@link Cadence#KINDS} order) and the accounts counted. */
  public record Rep(String ownerId, int accounts, int[] logged, double[] expected) {

    public int loggedTotal() {
      return java.util.Arrays.stream(logged).sum();
    }

    public double expectedTotal() {
      return java.util.Arrays.stream(expected).sum();
    }

    /** What the rep fell short of, summed over the kinds. */
    public double gap() {
      double gap = 0;
      for (int i = 0; i < expected.length; i++) {
        gap += Math.max(0, expected[i] - logged[i]);
      }
      return gap;
    }

    /** The share of the expected cadence covered, 1 when nothing is expected. */
    public double capture() {
      double exp = expectedTotal();
      return exp <= 0 ? 1.0 : (exp - gap()) / exp;
    }
  }

  private CaptureCounts() {}

  /** Every rep with accounts or activities in {@code source}, for the window [{@code from}, {@code to}) of {@code weeks} weeks. */
  public static Map<String, Rep> perRep(Database database, String source, Instant from, Instant to, double weeks,
      Cadence cadence) {
    var reads = new MirrorReads(database);
    int kinds = Cadence.KINDS.size();
    var expected = new HashMap<String, double[]>();
    var accounts = new HashMap<String, Integer>();
    reads.query("SELECT owner_id, industry, visit_every_days FROM account WHERE source = ? AND deleted = FALSE"
        + " AND owner_id IS NOT NULL", ps -> ps.setString(1, source), rs -> {
          var e = expected.computeIfAbsent(rs.getString(1), k -> new double[kinds]);
          var every = rs.getLong(3);
          var own = rs.wasNull() ? Optional.<Long>empty() : Optional.of(every);
          for (int i = 0; i < kinds; i++) {
            e[i] += weeks * cadence.perWeek(rs.getString(2), Cadence.KINDS.get(i), own);
          }
          accounts.merge(rs.getString(1), 1, Integer::sum);
        });
    var logged = new HashMap<String, int[]>();
    reads.query("SELECT owner_id, kind, COUNT(*) FROM activity WHERE source = ? AND deleted = FALSE AND salesos_key IS NULL"
        + " AND owner_id IS NOT NULL AND kind IN " + LeadAudit.TOUCH_KINDS + " AND COALESCE(status, 'completed') = 'completed'"
        + " AND " + LeadAudit.ACTIVITY_AT + " >= ? AND " + LeadAudit.ACTIVITY_AT + " < ? GROUP BY owner_id, kind", ps -> {
          ps.setString(1, source);
          ps.setTimestamp(2, Timestamp.from(from));
          ps.setTimestamp(3, Timestamp.from(to));
        }, rs -> logged.computeIfAbsent(rs.getString(1), k -> new int[kinds])
            [Cadence.KINDS.indexOf(rs.getString(2))] += rs.getInt(3));
    var out = new TreeMap<String, Rep>();
    var reps = new java.util.TreeSet<String>(expected.keySet());
    reps.addAll(logged.keySet());
    for (var rep : reps) {
      out.put(rep, new Rep(rep, accounts.getOrDefault(rep, 0), logged.getOrDefault(rep, new int[kinds]),
          expected.getOrDefault(rep, new double[kinds])));
    }
    return out;
  }
}
