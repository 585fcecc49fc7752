package io.salesos.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.Database;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.model.CanonicalSchema;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audits on a few records with a history the demo org does not have: pushed close dates, reassigned leads, snapshots. */
class AuditsOnHandBuiltHistoryTest {

  static final Instant NOW = Instant.parse("2026-11-23T07:00:00Z");
  static final Quarter Q3 = Quarter.parse("2026-Q3");

  final Database db = TestDatabases.fresh();
  final MirrorStore store = new MirrorStore(db, Clock.fixed(NOW, ZoneOffset.UTC));

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aDealWhoseCloseDateWasPushedPastTheQuarterSlippedAndIsCountedAtItsLastDateInTheQuarter() {
    orgWithThreeDeals();
    var rows = AuditsOnTheDemoOrgTest.rows(new SlippedAudit(db).run(List.of("crm"), Q3).detail());
    assertThat(rows.keySet()).containsExactlyInAnyOrder("d1", "d2");
    var d1 = rows.get("d1");
    assertThat(d1.get("outcome")).isEqualTo("slipped, still open");
    assertThat(d1.get("close_date")).isEqualTo("2026-09-15");
    assertThat(d1.get("close_date_now")).isEqualTo("2026-10-20");
    // the owner's call 10 days before counts; the visit a month before and a colleague's email do not
    assertThat(d1.get("calls")).isEqualTo("1");
    assertThat(d1.get("touches")).isEqualTo("1");
    assertThat(d1.get("no_touch")).isEqualTo("no");
    var d2 = rows.get("d2");
    assertThat(d2.get("outcome")).isEqualTo("slipped, won later");
    assertThat(d2.get("no_touch")).isEqualTo("yes");
  }

  @Test
  void aWeekWithAStoredSnapshotComparesTheCalledAndTheAdjustedForecastWithWhatClosed() {
    orgWithThreeDeals();
    // a rules run on Wednesday of W38: the Commit deal was called, the evidence did not support it
    snapshot("r1", Instant.parse("2026-09-16T06:00:00Z"), "rep", "u1", "80000.00", "0.00");
    snapshot("r1", Instant.parse("2026-09-16T06:00:00Z"), "team", "team", "80000.00", "0.00");
    var report = new ForecastAudit(db).run(List.of("crm"), Q3, NOW);
    var w38 = AuditsOnTheDemoOrgTest.maps(report.detail()).stream()
        .filter(r -> r.get("week").equals("2026-W38") && r.get("subject_id").equals("u1")).findFirst().orElseThrow();
    assertThat(w38.get("source")).isEqualTo("snapshot");
    assertThat(w38.get("won_to_date")).as("d3 closed won on Sunday 20 September").isEqualTo("50000.00");
    assertThat(w38.get("called_forecast")).isEqualTo("130000.00");
    assertThat(w38.get("adjusted_forecast")).isEqualTo("50000.00");
    assertThat(w38.get("actual_won")).isEqualTo("50000.00");
    assertThat(w38.get("closer")).isEqualTo("adjusted");
    var w37 = AuditsOnTheDemoOrgTest.maps(report.detail()).stream()
        .filter(r -> r.get("week").equals("2026-W37") && r.get("subject_id").equals("u1")).findFirst().orElseThrow();
    assertThat(w37.get("source")).isEqualTo("reconstructed");
    assertThat(w37.get("called_commit")).as("d1 was called Commit on 10 September").isEqualTo("80000.00");
    assertThat(w37.get("adjusted_commit")).isEmpty();
    var w39 = AuditsOnTheDemoOrgTest.maps(report.detail()).stream()
        .filter(r -> r.get("week").equals("2026-W39") && r.get("subject_id").equals("u1")).findFirst().orElseThrow();
    assertThat(w37.get("won_to_date")).isEqualTo("0.00");
    assertThat(w39.get("won_to_date")).isEqualTo("50000.00");
    assertThat(w39.get("called_commit")).as("d1's close date moved out of the quarter on 14 September").isEqualTo("0.00");
    var verdict = AuditsOnTheDemoOrgTest.maps(report.summaries().get(0)).stream()
        .filter(r -> r.get("subject_id").equals("u1")).findFirst().orElseThrow();
    assertThat(verdict.get("snapshot_weeks")).isEqualTo("1");
    assertThat(verdict.get("verdict")).startsWith("adjusted closer");
  }

  @Test
  void aLeadHandedToAnotherRepShowsTheOwnerChangeFromTheRecordHistory() {
    owners();
    apply(CanonicalSchema.CONTACT, rec("l1", "2026-11-01T09:00:00Z", "first_name", "Ada", "last_name", "Lovel",
        "owner_id", "u1", "lifecycle", "lead", "company", "Lovel Farms", "created_at", Instant.parse("2026-11-01T09:00:00Z")));
    apply(CanonicalSchema.CONTACT, rec("l1", "2026-11-02T10:00:00Z", "first_name", "Ada", "last_name", "Lovel",
        "owner_id", "u2", "lifecycle", "lead", "company", "Lovel Farms", "created_at", Instant.parse("2026-11-01T09:00:00Z")));
    apply(CanonicalSchema.ACTIVITY, rec("t9", "2026-11-03T15:00:00Z", "kind", "email", "owner_id", "u2", "contact_id", "l1",
        "status", "completed", "start_at", Instant.parse("2026-11-03T15:00:00Z")));
    var row = AuditsOnTheDemoOrgTest.rows(new LeadAudit(db).run(List.of("crm"), 10, 24, NOW).detail()).get("l1");
    assertThat(row.get("company")).isEqualTo("Lovel Farms");
    assertThat(row.get("owner")).isEqualTo("Rep Two");
    assertThat(row.get("owner_changes")).isEqualTo("1");
    assertThat(row.get("owner_history")).isEqualTo("Rep One -> Rep Two (2026-11-02)");
    assertThat(row.get("first_touch")).isEqualTo("email");
    assertThat(row.get("hours_to_first_touch")).isEqualTo("54.0");
    assertThat(row.get("sla")).isEqualTo("missed");
    assertThat(row.get("went_quiet")).isEqualTo("after the first touch (email)");
  }

  @Test
  void aBadAmountInADealsHistoryIsLeftOutOfTheSumsAndCountedNotReadAsZero() throws java.sql.SQLException {
    orgWithThreeDeals();
    try (var c = db.connection(); var ps = c.prepareStatement("UPDATE record_history SET fields = REGEXP_REPLACE(fields,"
        + " '\"amount\":[^,}]*', '\"amount\":\"n/a\"') WHERE record_id = 'd3' AND canonical_object = 'deal'")) {
      assertThat(ps.executeUpdate()).isPositive();
    }

    var report = new ForecastAudit(db).run(List.of("crm"), Q3, NOW);

    assertThat(report.findings()).anySatisfy(f -> assertThat(f)
        .startsWith("1 deal(s) with an amount that is not a number were left out of the sums").contains("crm:d3"));
    assertThat(DealTimeline.amount("n/a")).isEmpty();
    assertThat(DealTimeline.amount(null)).contains(new BigDecimal("0.00"));
    assertThat(DealTimeline.amount("1200.5")).contains(new BigDecimal("1200.50"));
  }

  @Test
  void wonDealsInAnotherCurrencyCountConvertedAndOneWithNoRateIsNamedAndLeftOut() {
    orgWithThreeDeals();
    new io.salesos.currency.CurrencyStore(db).save("crm", Optional.of(new io.salesos.spi.CurrencySettings("USD", List.of(
        io.salesos.spi.CurrencySettings.Rate.undated("USD", BigDecimal.ONE,
            io.salesos.spi.CurrencySettings.Quote.UNITS_PER_CORPORATE, true, 2),
        io.salesos.spi.CurrencySettings.Rate.undated("EUR", new BigDecimal("0.8"),
            io.salesos.spi.CurrencySettings.Quote.UNITS_PER_CORPORATE, true, 2)),
        io.salesos.spi.CurrencySettings.DatedBy.ALL_DEALS)), NOW);
    // as the conversion leaves them: d4 converted, d5 (GBP, no rate) without an amount
    apply(CanonicalSchema.DEAL, rec("d4", "2026-09-21T12:00:00Z", "name", "Granite - export", "account_id", "a1",
        "owner_id", "u1", "stage", "Closed Won", "amount", new BigDecimal("10000.00"), "amount_original",
        new BigDecimal("8000.00"), "currency", "EUR", "close_date", LocalDate.parse("2026-09-21"), "forecast_category", "Closed",
        "is_closed", true, "is_won", true),
        rec("d5", "2026-09-22T12:00:00Z", "name", "Granite - UK", "account_id", "a1", "owner_id", "u1",
        "stage", "Closed Won", "amount_original", new BigDecimal("1000.00"), "currency", "GBP",
        "close_date", LocalDate.parse("2026-09-22"), "forecast_category", "Closed", "is_closed", true, "is_won", true));

    var report = new ForecastAudit(db).run(List.of("crm"), Q3, NOW);

    assertThat(report.findings()).anySatisfy(f -> assertThat(f).contains("corporate currency").contains("crm USD"));
    assertThat(report.findings()).anySatisfy(f -> assertThat(f)
        .startsWith("1 deal(s) in a currency with no rate were left out of every sum").contains("GBP 1").contains("crm:d5"));
    assertThat(report.findings()).noneSatisfy(f -> assertThat(f).contains("not a number"));
    // won in Q3: d3 (50,000) and d4 (8,000 EUR at 0.8 per dollar), not d5
    assertThat(report.summaries().get(0).rows()).anySatisfy(r -> assertThat(r).contains("team", "60000.00"));
  }

  private void orgWithThreeDeals() {
    owners();
    apply(CanonicalSchema.ACCOUNT, rec("a1", "2025-01-01T00:00:00Z", "name", "Granite Foods", "owner_id", "u1",
        "industry", "Retail", "visit_every_days", 30L));
    apply(CanonicalSchema.DEAL, rec("d1", "2026-09-14T12:00:00Z", "name", "Granite - renewal", "account_id", "a1",
        "owner_id", "u1", "stage", "Negotiation", "amount", new BigDecimal("80000.00"), "close_date", LocalDate.parse("2026-10-20"),
        "forecast_category", "Commit", "is_closed", false, "is_won", false),
        rec("d2", "2026-10-05T12:00:00Z", "name", "Granite - pilot", "account_id", "a1", "owner_id", "u1",
        "stage", "Closed Won", "amount", new BigDecimal("20000.00"), "close_date", LocalDate.parse("2026-10-05"),
        "forecast_category", "Closed", "is_closed", true, "is_won", true),
        rec("d3", "2026-09-20T12:00:00Z", "name", "Granite - supply", "account_id", "a1", "owner_id", "u1",
        "stage", "Closed Won", "amount", new BigDecimal("50000.00"), "close_date", LocalDate.parse("2026-09-20"),
        "forecast_category", "Closed", "is_closed", true, "is_won", true));
    apply(CanonicalSchema.STAGE_HISTORY,
        history("h1", "d1", "2026-06-01T12:00:00Z", "Proposal", "80000.00", "2026-09-15", "Best Case"),
        history("h2", "d1", "2026-09-10T12:00:00Z", "Negotiation", "80000.00", "2026-09-15", "Commit"),
        history("h3", "d1", "2026-09-14T12:00:00Z", "Negotiation", "80000.00", "2026-10-20", "Commit"),
        history("h4", "d2", "2026-07-01T12:00:00Z", "Proposal", "20000.00", "2026-09-28", "Best Case"),
        history("h5", "d2", "2026-10-05T12:00:00Z", "Closed Won", "20000.00", "2026-10-05", "Closed"),
        history("h6", "d3", "2026-08-01T12:00:00Z", "Proposal", "50000.00", "2026-09-20", "Best Case"),
        history("h7", "d3", "2026-09-20T12:00:00Z", "Closed Won", "50000.00", "2026-09-20", "Closed"));
    apply(CanonicalSchema.ACTIVITY,
        activity("t1", "call", "u1", "2026-09-05T10:00:00Z"),
        activity("t2", "visit", "u1", "2026-08-20T10:00:00Z"),
        activity("t3", "email", "u2", "2026-09-08T10:00:00Z"));
  }

  private void owners() {
    apply(CanonicalSchema.OWNER, rec("m1", "2025-01-01T00:00:00Z", "name", "Manager One", "role", "manager"),
        rec("u1", "2025-01-01T00:00:00Z", "name", "Rep One", "role", "rep", "manager_id", "m1"),
        rec("u2", "2025-01-01T00:00:00Z", "name", "Rep Two", "role", "rep", "manager_id", "m1"));
  }

  private void snapshot(String run, Instant at, String level, String subject, String called, String adjusted) {
    try (var c = db.connection(); var ps = c.prepareStatement("INSERT INTO forecast_snapshot (run_id, source, taken_at, level,"
        + " subject_id, subject_name, period, called_commit, called_best, adjusted_commit, adjusted_best, deals, downgraded)"
        + " VALUES (?,?,?,?,?,?,?,?,0,?,0,1,1)")) {
      ps.setString(1, run);
      ps.setString(2, "crm");
      ps.setTimestamp(3, Timestamp.from(at));
      ps.setString(4, level);
      ps.setString(5, subject);
      ps.setString(6, subject);
      ps.setString(7, Q3.toString());
      ps.setBigDecimal(8, new BigDecimal(called));
      ps.setBigDecimal(9, new BigDecimal(adjusted));
      ps.executeUpdate();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MirrorRecord history(String id, String deal, String at, String stage, String amount, String close, String category) {
    return rec(id, at, "deal_id", deal, "stage", stage, "amount", new BigDecimal(amount), "close_date", LocalDate.parse(close),
        "forecast_category", category, "changed_at", Instant.parse(at));
  }

  private static MirrorRecord activity(String id, String kind, String owner, String at) {
    return rec(id, at, "kind", kind, "owner_id", owner, "account_id", "a1", "status", "completed", "start_at", Instant.parse(at));
  }

  private void apply(String object, MirrorRecord... records) {
    store.apply("crm", object, object, CanonicalSchema.standardFields(object), List.of(records), List.of(), List.of(), Optional.empty());
  }

  private static MirrorRecord rec(String id, String modified, Object... pairs) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put((String) pairs[i], pairs[i + 1]);
    }
    return new MirrorRecord(id, values, Instant.parse(modified));
  }
}
