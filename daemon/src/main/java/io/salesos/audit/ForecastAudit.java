package io.salesos.audit;

import io.salesos.html.Html;
import io.salesos.mirror.Database;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code audit forecast}: week by week through a quarter, the rep-called forecast and the
 * evidence-adjusted one against what actually closed won in the quarter, per rep, per manager and
 * for the team, and which was closer. A week's numbers come from the stored forecast snapshot of
 * a rules run in that week ({@code source = snapshot}); a week with no snapshot has its called
 * forecast rebuilt from the deals' history as of the week's end ({@code source = reconstructed}).
 * The evidence-adjusted number is not rebuilt: the evidence the rules saw then (contacts, roles,
 * the activities logged by then) is not all kept in history, so those weeks leave it blank rather
 * than guess. Each forecast is the won-to-date in the quarter plus the open deals called Commit
 * with a close date by the quarter's end, as the snapshots count them. Rebuilt weeks count a deal
 * for its current owner: stage history does not record who owned the deal then.
 */
public final class ForecastAudit {

  public static final List<String> COLUMNS = List.of("crm", "week", "as_of", "level", "subject_id", "subject", "source", "won_to_date",
      "called_commit", "adjusted_commit", "called_forecast", "adjusted_forecast", "actual_won", "called_error",
      "adjusted_error", "closer");

  private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2);

  private final MirrorReads reads;

  public ForecastAudit(Database database) {
    this.reads = new MirrorReads(database);
  }

  record Subject(String level, String id, String name) {}

  record Snapshot(BigDecimal calledCommit, BigDecimal adjustedCommit, Instant takenAt) {}

  public AuditReport run(List<String> sources, Quarter quarter, Instant asOfNow) {
    return run(sources, quarter, asOfNow, s -> quarter.zone());
  }

  /** As {@link #run(List, Quarter, Instant)}, each source's quarter and weeks counted in its own org zone. */
  public AuditReport run(List<String> sources, Quarter requested, Instant asOfNow,
      java.util.function.Function<String, java.time.ZoneId> zoneOf) {
    var quarter = requested;
    var now = asOfNow.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    var rows = new ArrayList<List<String>>();
    var verdicts = new ArrayList<List<String>>();
    int snapshotWeeks = 0;
    int reconstructedWeeks = 0;
    // deals (source + id) whose amount, in some state a sum needed, was not a number: left out of that sum
    var badAmounts = new java.util.TreeSet<String>();
    // deals whose amount is in a currency with no rate: left out of every sum, per currency
    var noRate = new java.util.TreeMap<String, java.util.TreeSet<String>>();
    var corporate = new java.util.TreeMap<String, String>();
    for (var source : sources) {
      var q = requested.withZone(zoneOf.apply(source));
      var owners = reads.owners(source);
      new io.salesos.currency.CurrencyStore(reads.database()).load(source)
          .ifPresent(c -> corporate.put(source, c.corporate()));
      var subjects = subjects(reps(source), owners);
      var actual = new HashMap<Subject, BigDecimal>();
      var weeks = weeks(q, now);
      var asOfs = weeks.stream().map(week -> min(min(week.end(), q.end()), now)).toList();
      var calledByWeek = new ArrayList<Map<Subject, BigDecimal>>();
      var wonByWeek = new ArrayList<Map<Subject, BigDecimal>>();
      weeks.forEach(w -> {
        calledByWeek.add(new HashMap<>());
        wonByWeek.add(new HashMap<>());
      });
      // one pass over the deals, a page of timelines at a time: each adds to every week's sums
      for (var d : DealTimeline.all(reads, source)) {
        d.noRate().ifPresent(cur -> noRate.computeIfAbsent(cur, k -> new java.util.TreeSet<>()).add(source + ":" + d.id()));
        var c = d.current();
        var of = subjectsOf(d.ownerId(), subjects, owners);
        if (c.closed() && c.won() && c.closeDate().filter(q::contains).isPresent()) {
          for (var s : of) {
            add(actual, s, c.amount(), source, d.id(), badAmounts);
          }
        }
        for (int w = 0; w < weeks.size(); w++) {
          var s = d.asOf(asOfs.get(w).minusMillis(1));
          if (s.isEmpty()) {
            continue;
          }
          var st = s.get();
          var inQuarter = st.closeDate().filter(cd -> !cd.isAfter(q.lastDay())).isPresent();
          for (var subject : of) {
            if (!st.closed() && inQuarter && st.category().equalsIgnoreCase("Commit")) {
              add(calledByWeek.get(w), subject, st.amount(), source, d.id(), badAmounts);
            }
            if (st.closed() && st.won() && st.closeDate().filter(q::contains).isPresent()) {
              add(wonByWeek.get(w), subject, st.amount(), source, d.id(), badAmounts);
            }
          }
        }
      }
      var stats = new LinkedHashMap<Subject, double[]>();
      for (int w = 0; w < weeks.size(); w++) {
        var week = weeks.get(w);
        var asOf = asOfs.get(w);
        var from = week.start().isBefore(q.start()) ? q.start() : week.start();
        var snapshots = snapshots(source, q, from, asOf);
        var called = calledByWeek.get(w);
        var won = wonByWeek.get(w);
        boolean anySnapshot = false;
        for (var subject : subjects) {
          var snap = Optional.ofNullable(snapshots.get(subject.level() + ":" + subject.id()));
          anySnapshot |= snap.isPresent();
          var wonToDate = won.getOrDefault(subject, ZERO);
          var calledCommit = snap.map(Snapshot::calledCommit).orElse(called.getOrDefault(subject, ZERO));
          var adjustedCommit = snap.map(Snapshot::adjustedCommit);
          var calledForecast = wonToDate.add(calledCommit);
          var adjustedForecast = adjustedCommit.map(wonToDate::add);
          var actualWon = actual.getOrDefault(subject, ZERO);
          var calledError = calledForecast.subtract(actualWon).abs();
          var adjustedError = adjustedForecast.map(a -> a.subtract(actualWon).abs());
          String closer = adjustedError.map(a -> switch (Integer.signum(a.compareTo(calledError))) {
            case -1 -> "adjusted";
            case 1 -> "called";
            default -> "tie";
          }).orElse("called only");
          var st = stats.computeIfAbsent(subject, k -> new double[6]);
          st[0]++;
          st[1] += calledError.doubleValue();
          if (adjustedError.isPresent()) {
            st[2]++;
            st[3] += adjustedError.get().doubleValue();
            st[4] += closer.equals("called") ? 1 : 0;
            st[5] += closer.equals("adjusted") ? 1 : 0;
          }
          rows.add(List.of(source, week.toString(), asOf.toString(), subject.level(), subject.id(), subject.name(),
              snap.isPresent() ? "snapshot" : "reconstructed", plain(wonToDate), plain(calledCommit),
              adjustedCommit.map(ForecastAudit::plain).orElse(""), plain(calledForecast),
              adjustedForecast.map(ForecastAudit::plain).orElse(""), plain(actualWon), plain(calledError),
              adjustedError.map(ForecastAudit::plain).orElse(""), closer));
        }
        if (anySnapshot) {
          snapshotWeeks++;
        } else {
          reconstructedWeeks++;
        }
      }
      stats.forEach((subject, st) -> {
        String verdict;
        if (st[2] == 0) {
          verdict = "no snapshot in the quarter: only the called forecast can be checked";
        } else {
          double called = st[1] / st[0];
          double adjusted = st[3] / st[2];
          verdict = st[5] > st[4] ? "adjusted closer" : st[4] > st[5] ? "called closer" : "even";
          verdict += String.format(" (%d of %d snapshot weeks; mean miss called %s, adjusted %s)", (int) Math.max(st[4], st[5]),
              (int) st[2], Html.money(BigDecimal.valueOf(called), Optional.ofNullable(corporate.get(source))),
              Html.money(BigDecimal.valueOf(adjusted), Optional.ofNullable(corporate.get(source))));
        }
        verdicts.add(List.of(source, subject.level(), subject.id(), subject.name(), plain(actual.getOrDefault(subject, ZERO)),
            Integer.toString((int) st[0]), Integer.toString((int) st[2]),
            plain(BigDecimal.valueOf(st[0] == 0 ? 0 : st[1] / st[0])),
            st[2] == 0 ? "" : plain(BigDecimal.valueOf(st[3] / st[2])), verdict));
      });
    }
    var findings = new ArrayList<String>();
    findings.add("Each forecast = closed won so far in " + quarter + " + open deals called Commit closing by " + quarter.lastDay()
        + "; compared with what closed won in the quarter");
    findings.add(snapshotWeeks + " week(s) with a stored snapshot, " + reconstructedWeeks + " rebuilt from the deals' history"
        + (sources.size() > 1 ? " (counted per connection)" : "")
        + " (called forecast only: the evidence behind an adjusted forecast is not kept for past weeks)");
    if (!corporate.isEmpty()) {
      findings.add("Amounts in the corporate currency of each connection, converted with the CRM's own rates: "
          + corporate.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
    }
    if (!noRate.isEmpty()) {
      var ids = noRate.values().stream().flatMap(java.util.Set::stream).toList();
      findings.add(ids.size() + " deal(s) in a currency with no rate were left out of every sum (never counted 1:1): "
          + noRate.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().size())
              .collect(java.util.stream.Collectors.joining(", ")) + ", e.g. " + String.join(", ", ids.stream().limit(5).toList()));
      ids.forEach(badAmounts::remove);
    }
    if (!badAmounts.isEmpty()) {
      findings.add(badAmounts.size() + " deal(s) with an amount that is not a number were left out of the sums they belong in"
          + " (not counted as 0), e.g. " + String.join(", ", badAmounts.stream().limit(5).toList()));
    }
    return new AuditReport("forecast", "Called vs evidence-adjusted forecast against what closed", quarter + " ("
        + quarter.firstDay() + " to " + quarter.lastDay() + "), week by week", findings,
        new AuditTable("Week by week", COLUMNS, rows),
        List.of(new AuditTable("Which forecast was closer", List.of("crm", "level", "subject_id", "subject", "actual_won", "weeks",
            "snapshot_weeks", "called_mean_error", "adjusted_mean_error", "verdict"), verdicts)));
  }

  /** Adds {@code amount} to {@code subject}'s sum, or records the deal as having a bad amount and leaves the sum alone. */
  private static void add(Map<Subject, BigDecimal> sums, Subject subject, Optional<BigDecimal> amount, String source,
      String dealId, java.util.Set<String> badAmounts) {
    if (amount.isPresent()) {
      sums.merge(subject, amount.get(), BigDecimal::add);
    } else {
      badAmounts.add(source + ":" + dealId);
    }
  }

  /** The ISO weeks that touch the quarter and have begun by {@code now} (the current one is taken as of now). */
  static List<IsoWeek> weeks(Quarter quarter, Instant now) {
    var out = new ArrayList<IsoWeek>();
    // weeks in the quarter's zone: a Monday in Berlin begins at 23:00 UTC on Sunday
    var week = IsoWeek.of(quarter.firstDay(), quarter.zone());
    while (!week.monday().isAfter(quarter.lastDay()) && week.start().isBefore(now)) {
      out.add(week);
      week = IsoWeek.of(week.monday().plusDays(7), quarter.zone());
    }
    return out;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** The owners of the live deals of {@code source} (blank for a deal with none). */
  private java.util.SortedSet<String> reps(String source) {
    var reps = new java.util.TreeSet<String>();
    reads.query("SELECT DISTINCT owner_id FROM deal WHERE source = ? AND deleted = FALSE", ps -> ps.setString(1, source),
        rs -> reps.add(rs.getString(1) == null ? "" : rs.getString(1)));
    return reps;
  }

  /** Reps owning deals, their managers, and the team; rep-level first, each by name. */
  private static List<Subject> subjects(java.util.SortedSet<String> reps, Map<String, MirrorReads.Owner> owners) {
    var managers = new java.util.TreeSet<String>();
    reps.forEach(r -> Optional.ofNullable(owners.get(r)).flatMap(MirrorReads.Owner::managerId).ifPresent(managers::add));
    var out = new ArrayList<Subject>();
    reps.stream().map(r -> new Subject("rep", r, MirrorReads.name(owners, r)))
        .sorted(Comparator.comparing(Subject::name)).forEach(out::add);
    managers.stream().map(m -> new Subject("manager", m, MirrorReads.name(owners, m)))
        .sorted(Comparator.comparing(Subject::name)).forEach(out::add);
    out.add(new Subject("team", "team", "Team"));
    return out;
  }

  private static List<Subject> subjectsOf(String ownerId, List<Subject> subjects, Map<String, MirrorReads.Owner> owners) {
    var manager = Optional.ofNullable(owners.get(ownerId)).flatMap(MirrorReads.Owner::managerId);
    return subjects.stream().filter(s -> s.level().equals("team")
        || (s.level().equals("rep") && s.id().equals(ownerId))
        || (s.level().equals("manager") && manager.equals(Optional.of(s.id())))).toList();
  }

  /** The newest snapshot row per level:subject taken in [from, to) for the quarter. */
  private Map<String, Snapshot> snapshots(String source, Quarter quarter, Instant from, Instant to) {
    var out = new HashMap<String, Snapshot>();
    reads.query("SELECT level, subject_id, called_commit, adjusted_commit, taken_at FROM forecast_snapshot"
        + " WHERE (source = ? OR source IS NULL) AND period = ? AND taken_at >= ? AND taken_at < ? ORDER BY taken_at, run_id",
        ps -> {
          ps.setString(1, source);
          ps.setString(2, quarter.toString());
          ps.setTimestamp(3, Timestamp.from(from));
          ps.setTimestamp(4, Timestamp.from(to));
        }, rs -> out.put(rs.getString(1) + ":" + rs.getString(2), new Snapshot(MirrorReads.money(rs, 3),
            MirrorReads.money(rs, 4), rs.getTimestamp(5).toInstant())));
    return out;
  }

  private static String plain(BigDecimal v) {
    return v.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
