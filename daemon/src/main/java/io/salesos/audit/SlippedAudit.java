package io.salesos.audit;

import io.salesos.html.Html;
import io.salesos.mirror.Database;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code audit slipped}: a quarter's lost and slipped deals against the owner's visits, calls,
 * emails and meetings in the {@value #WINDOW_DAYS} days before the close date, and the share that
 * had no logged touch at all. A deal is <em>lost</em> when it is closed lost with its close date in
 * the quarter; it <em>slipped</em> when its close date stood in the quarter at some point and now
 * stands after the quarter's end (whatever became of it since). For a slipped deal the close date
 * that counts is the last one it had inside the quarter.
 */
public final class SlippedAudit {

  public static final int WINDOW_DAYS = 14;

  public static final List<String> COLUMNS = List.of("crm", "deal_id", "deal", "account", "owner_id", "owner", "amount", "outcome",
      "close_date", "close_date_now", "visits", "calls", "emails", "meetings", "touches", "last_touch_at", "no_touch");

  private final MirrorReads reads;

  public SlippedAudit(Database database) {
    this.reads = new MirrorReads(database);
  }

  public AuditReport run(List<String> sources, Quarter quarter) {
    return run(sources, quarter, s -> quarter.zone());
  }

  /** As {@link #run(List, Quarter)}, each source's close dates counted in its own org zone. */
  public AuditReport run(List<String> sources, Quarter quarter, java.util.function.Function<String, java.time.ZoneId> zoneOf) {
    var rows = new ArrayList<List<String>>();
    // per source and owner id (two reps may share a name): name, deals, deals with no touch
    var byOwner = new TreeMap<String, Object[]>();
    int lost = 0;
    int slipped = 0;
    int untouched = 0;
    var untouchedAmount = BigDecimal.ZERO;
    int badAmounts = 0;
    int noRate = 0;
    var currencies = new java.util.TreeSet<Optional<String>>(java.util.Comparator.comparing(o -> o.orElse("")));
    for (var source : sources) {
      currencies.add(new io.salesos.currency.CurrencyStore(reads.database()).corporate(source));
      var owners = reads.owners(source);
      // only the names of the accounts of reported deals are read
      var names = new java.util.HashMap<String, String>();
      java.util.function.Function<String, String> accounts = id -> names.computeIfAbsent(id, k -> accountName(source, k));
      for (var deal : DealTimeline.all(reads, source)) {
        var now = deal.current();
        Optional<LocalDate> reference = Optional.empty();
        String outcome = null;
        if (now.closed() && !now.won() && now.closeDate().filter(quarter::contains).isPresent()) {
          outcome = "lost";
          reference = now.closeDate();
        } else if (now.closeDate().filter(d -> d.isAfter(quarter.lastDay())).isPresent()) {
          reference = deal.states().stream().map(DealTimeline.State::closeDate).flatMap(Optional::stream)
              .filter(quarter::contains).reduce((a, b) -> b);
          if (reference.isPresent()) {
            outcome = !now.closed() ? "slipped, still open" : now.won() ? "slipped, won later" : "slipped, lost later";
          }
        }
        if (outcome == null) {
          continue;
        }
        if (outcome.equals("lost")) {
          lost++;
        } else {
          slipped++;
        }
        var t = touches(source, deal, reference.get(), zoneOf.apply(source));
        boolean none = t.total() == 0;
        if (none) {
          untouched++;
          if (now.amount().isPresent()) {
            untouchedAmount = untouchedAmount.add(now.amount().get());
          } else if (deal.noRate().isPresent()) {
            noRate++;
          } else {
            badAmounts++;
          }
        }
        var ownerName = MirrorReads.name(owners, deal.ownerId());
        var o = byOwner.computeIfAbsent(source + "\u0000" + deal.ownerId(), k -> new Object[] {source, deal.ownerId(), ownerName, new int[2]});
        var c = (int[]) o[3];
        c[0]++;
        c[1] += none ? 1 : 0;
        rows.add(List.of(source, deal.id(), deal.name(), deal.accountId().map(accounts).orElse(""), deal.ownerId(), ownerName,
            now.amount().map(BigDecimal::toPlainString).orElse(deal.noRate().map(cur -> "no rate for " + cur).orElse("not a number")), outcome, reference.get().toString(), now.closeDate().map(LocalDate::toString).orElse(""),
            Integer.toString(t.visits()), Integer.toString(t.calls()), Integer.toString(t.emails()),
            Integer.toString(t.meetings()), Integer.toString(t.total()), t.last().map(Object::toString).orElse(""),
            none ? "yes" : "no"));
      }
    }
    int n = rows.size();
    var findings = new ArrayList<String>();
    findings.add(n + " deal(s) lost or slipped in " + quarter + ": " + lost + " lost, " + slipped + " slipped past "
        + quarter.lastDay());
    findings.add(untouched + " of them (" + LeadAudit.percent(untouched, n) + ", " + Html.money(untouchedAmount, currencies.size() == 1 ? currencies.first() : Optional.empty())
        + ") had no visit, call, email or meeting logged by the owner on the deal or its account in the "
        + WINDOW_DAYS + " days before the close date"
        + (badAmounts == 0 ? "" : "; " + badAmounts + " of these have an amount that is not a number, left out of that sum")
        + (noRate == 0 ? "" : "; " + noRate + " of these are in a currency with no exchange rate, left out of that sum"));
    var ownerRows = new ArrayList<List<String>>();
    byOwner.values().forEach(o -> {
      var c = (int[]) o[3];
      ownerRows.add(List.of((String) o[0], (String) o[1], (String) o[2], Integer.toString(c[0]), Integer.toString(c[1]),
          LeadAudit.percent(c[1], c[0])));
    });
    ownerRows.sort((a, b) -> Integer.compare(Integer.parseInt(b.get(4)), Integer.parseInt(a.get(4))));
    return new AuditReport("slipped", "Lost and slipped deals against the owner's touches", quarter.toString() + " ("
        + quarter.firstDay() + " to " + quarter.lastDay() + ")", findings,
        new AuditTable("Deals lost or slipped in " + quarter, COLUMNS, rows),
        List.of(new AuditTable("By owner", List.of("crm", "owner_id", "owner", "deals", "no_touch", "share_no_touch"), ownerRows)));
  }

  record Touches(int visits, int calls, int emails, int meetings, Optional<java.time.Instant> last) {
    int total() {
      return visits + calls + emails + meetings;
    }
  }

  /** The owner's completed touches on the deal or its account from 14 days before the close date to its end. */
  private Touches touches(String source, DealTimeline.Deal deal, LocalDate close, java.time.ZoneId zone) {
    // the close date is a day in the org's zone: its 14 days run from midnight there
    var from = close.minusDays(WINDOW_DAYS).atStartOfDay(zone).toInstant();
    var to = close.plusDays(1).atStartOfDay(zone).toInstant();
    var counts = new int[4];
    var last = new java.time.Instant[1];
    reads.query("SELECT kind, MAX(" + LeadAudit.ACTIVITY_AT + "), COUNT(*) FROM activity WHERE source = ? AND deleted = FALSE"
        + " AND salesos_key IS NULL AND owner_id = ? AND (deal_id = ? OR account_id = ?) AND kind IN " + LeadAudit.TOUCH_KINDS
        + " AND COALESCE(status, 'completed') = 'completed' AND " + LeadAudit.ACTIVITY_AT + " >= ? AND " + LeadAudit.ACTIVITY_AT
        + " < ? GROUP BY kind", ps -> {
          ps.setString(1, source);
          ps.setString(2, deal.ownerId());
          ps.setString(3, deal.id());
          ps.setString(4, deal.accountId().orElse(""));
          ps.setTimestamp(5, Timestamp.from(from));
          ps.setTimestamp(6, Timestamp.from(to));
        }, rs -> {
          int i = switch (rs.getString(1)) {
            case "visit" -> 0;
            case "call" -> 1;
            case "email" -> 2;
            default -> 3;
          };
          counts[i] += rs.getInt(3);
          var at = rs.getTimestamp(2).toInstant();
          if (last[0] == null || at.isAfter(last[0])) {
            last[0] = at;
          }
        });
    return new Touches(counts[0], counts[1], counts[2], counts[3], Optional.ofNullable(last[0]));
  }

  private String accountName(String source, String id) {
    var out = new String[] {""};
    reads.query("SELECT name FROM account WHERE source = ? AND id = ? AND deleted = FALSE", ps -> {
      ps.setString(1, source);
      ps.setString(2, id);
    }, rs -> out[0] = rs.getString(1) == null ? "" : rs.getString(1));
    return out[0];
  }
}
