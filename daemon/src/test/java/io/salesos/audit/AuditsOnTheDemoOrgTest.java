package io.salesos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.salesos.cli.Main;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrg.ActivityKind;
import io.salesos.demo.DemoOrg.ActivityStatus;
import io.salesos.demo.DemoOrg.ForecastCategory;
import io.salesos.demo.DemoOrg.Stage;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.mirror.Database;
import io.salesos.rules.Cadence;
import io.salesos.rules.RuleSet;
import io.salesos.rules.RuleVocabulary;
import io.salesos.testing.DemoMirror;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four audits on the demo org loaded into a real mirror, checked against what the generator planted. */
class AuditsOnTheDemoOrgTest {

  static final Instant NOW = Instant.parse("2026-11-23T07:00:00Z");
  static final Quarter Q3 = Quarter.parse("2026-Q3");
  static final IsoWeek W47 = IsoWeek.parse("2026-W47");
  static final Set<ActivityKind> TOUCHES = Set.of(ActivityKind.VISIT, ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING);

  static DemoOrg org;
  static String jdbcUrl;
  static Database db;
  static RuleSet rules;

  @BeforeAll
  static void loadTheDemoOrg() {
    org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(NOW));
    jdbcUrl = TestDatabases.jdbcUrl(TestDatabases.newSchema());
    db = Database.external(jdbcUrl, TestDatabases.user(), TestDatabases.password(), 4);
    DemoMirror.load(db, org, "demo");
    rules = LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  // ------------------------------------------------------------------ leads

  @Test
  void leadsNeverFollowedUpAppearAsNeverTouchedAndTheOthersWithTheirFirstCall() {
    var report = new LeadAudit(db).run(List.of("demo"), 1000, slaHours(), NOW);
    var rows = rows(report.detail());
    var leads = org.contacts().stream().filter(c -> c.lifecycle().equals("lead"))
        .filter(l -> !l.createdAt().isAfter(NOW.minus(Duration.ofHours(24)))).toList();
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(leads.stream().map(DemoOrg.Contact::id).toList());
    var neverFollowedUp = leads.stream()
        .filter(l -> org.activities().stream().noneMatch(a -> a.contactId().equals(Optional.of(l.id()))))
        .filter(l -> l.createdAt().plus(Duration.ofHours(24)).isBefore(NOW)).map(DemoOrg.Contact::id).toList();
    assertThat(neverFollowedUp).as("the generator leaves about a third of leads untouched").isNotEmpty();
    for (var id : neverFollowedUp) {
      assertThat(rows.get(id).get("sla")).as(id).isEqualTo("never touched");
      assertThat(rows.get(id).get("went_quiet")).isEqualTo("before the first touch");
    }
    for (var lead : leads) {
      var row = rows.get(lead.id());
      // a call booked for later today is not a touch yet
      var call = org.activities().stream().filter(a -> a.contactId().equals(Optional.of(lead.id())) && !a.startAt().isAfter(NOW))
          .findFirst();
      if (call.isEmpty()) {
        assertThat(row.get("sla")).as(lead.id()).isEqualTo("never touched");
        assertThat(row.get("first_touch_at")).isEmpty();
        assertThat(row.get("touches")).isEqualTo("0");
      } else {
        assertThat(row.get("first_touch_at")).isEqualTo(call.get().startAt().toString());
        assertThat(row.get("first_touch")).isEqualTo("call");
        // the intro call comes 2 to 21 hours after the lead: inside the one-day SLA
        assertThat(row.get("sla")).isEqualTo("met");
        assertThat(row.get("touches")).isEqualTo("1");
      }
      assertThat(row.get("owner_changes")).isEqualTo("0");
      assertThat(row.get("sla_hours")).isEqualTo("24");
    }
  }

  @Test
  void aSampleTakesTheMostRecentLeadsWhoseSlaHasRunOut() {
    var report = new LeadAudit(db).run(List.of("demo"), 3, slaHours(), NOW);
    var newest = org.contacts().stream().filter(c -> c.lifecycle().equals("lead"))
        .filter(l -> !l.createdAt().isAfter(NOW.minus(Duration.ofHours(24))))
        .sorted((a, b) -> b.createdAt().compareTo(a.createdAt())).limit(3).map(DemoOrg.Contact::id).toList();
    assertThat(report.detail().column("lead_id")).containsExactlyElementsOf(newest);
  }

  @Test
  void theLeadSlaIsReadFromFollowUpYaml() {
    assertThat(slaHours()).isEqualTo(24);
    assertThat(LeadAudit.slaHours(Optional.of("contact.lifecycle == 'lead' && hours_since(contact.created_at) >= 4")))
        .isEqualTo(4);
    assertThat(LeadAudit.slaHours(Optional.empty())).isEqualTo(LeadAudit.DEFAULT_SLA_HOURS);
  }

  // ------------------------------------------------------------------ slipped

  @Test
  void theQuartersLostDealsAppearWithTheOwnersTouchesInTheTwoWeeksBeforeClose() {
    var report = new SlippedAudit(db).run(List.of("demo"), Q3);
    var rows = rows(report.detail());
    var lost = org.deals().stream().filter(d -> d.stage() == Stage.CLOSED_LOST && Q3.contains(d.closeDate())).toList();
    assertThat(lost).as("the small demo org loses deals in Q3").isNotEmpty();
    // the generator moves close dates only earlier, so no deal slipped out of the quarter
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(lost.stream().map(DemoOrg.Deal::id).toList());
    int none = 0;
    for (var d : lost) {
      var from = d.closeDate().minusDays(14).atStartOfDay().toInstant(ZoneOffset.UTC);
      var to = d.closeDate().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
      var touches = org.activities().stream().filter(a -> TOUCHES.contains(a.kind()) && a.status() == ActivityStatus.COMPLETED
          && a.ownerId().equals(d.ownerId()) && (a.dealId().equals(Optional.of(d.id())) || a.accountId().equals(Optional.of(d.accountId())))
          && !a.startAt().isBefore(from) && a.startAt().isBefore(to)).toList();
      var row = rows.get(d.id());
      assertThat(row.get("outcome")).isEqualTo("lost");
      assertThat(row.get("close_date")).isEqualTo(d.closeDate().toString());
      assertThat(row.get("touches")).as(d.id()).isEqualTo(Integer.toString(touches.size()));
      assertThat(row.get("visits")).isEqualTo(Long.toString(touches.stream().filter(a -> a.kind() == ActivityKind.VISIT).count()));
      assertThat(row.get("no_touch")).isEqualTo(touches.isEmpty() ? "yes" : "no");
      none += touches.isEmpty() ? 1 : 0;
    }
    var untouched = none;
    assertThat(report.findings()).anySatisfy(f -> assertThat(f).startsWith(untouched + " of them ("));
  }

  // ------------------------------------------------------------------ forecast

  @Test
  void pastWeeksAreRebuiltFromStageHistoryAndComparedWithWhatClosedWon() {
    var detail = new ForecastAudit(db).run(List.of("demo"), Q3, NOW).detail();
    assertThat(detail.column("week")).contains("2026-W27", "2026-W39", "2026-W40").doesNotContain("2026-W26", "2026-W41");
    assertThat(detail.column("source")).containsOnly("reconstructed");
    assertThat(detail.column("adjusted_commit")).containsOnly("");
    assertThat(detail.column("closer")).containsOnly("called only");
    assertForecastRowsMatchTheStageHistory(detail, Q3);
    var lastWeekTeam = maps(detail).stream().filter(r -> r.get("level").equals("team")).reduce((a, b) -> b).orElseThrow();
    assertThat(lastWeekTeam.get("won_to_date")).as("by the quarter's end everything won is won").isEqualTo(lastWeekTeam.get("actual_won"));
  }

  @Test
  void theCurrentQuartersWeeksCarryTheCommitCalledAsOfEachWeek() {
    var q4 = Quarter.of(LocalDate.ofInstant(NOW, ZoneOffset.UTC));
    var detail = new ForecastAudit(db).run(List.of("demo"), q4, NOW).detail();
    assertThat(detail.column("week")).startsWith("2026-W40").endsWith("2026-W48");
    assertThat(maps(detail)).filteredOn(r -> r.get("week").equals("2026-W48")).allSatisfy(r -> assertThat(r.get("as_of")).isEqualTo(NOW.toString()));
    assertThat(detail.column("called_commit")).as("reps call Commit on deals closing this quarter").anySatisfy(v -> assertThat(new BigDecimal(v)).isPositive());
    assertForecastRowsMatchTheStageHistory(detail, q4);
  }

  private static void assertForecastRowsMatchTheStageHistory(AuditTable detail, Quarter quarter) {
    for (var r : maps(detail)) {
      if (r.get("level").equals("manager")) {
        continue;
      }
      var asOf = Instant.parse(r.get("as_of"));
      var owner = r.get("level").equals("rep") ? Optional.of(r.get("subject_id")) : Optional.<String>empty();
      var called = BigDecimal.ZERO;
      var won = BigDecimal.ZERO;
      var actual = BigDecimal.ZERO;
      for (var d : org.deals()) {
        if (owner.isPresent() && !d.ownerId().equals(owner.get())) {
          continue;
        }
        var state = d.stageHistory().stream().filter(h -> h.at().isBefore(asOf)).reduce((a, b) -> b);
        if (state.isPresent()) {
          var s = state.get();
          if (!s.stage().closed() && s.forecastCategory() == ForecastCategory.COMMIT && !s.closeDate().isAfter(quarter.lastDay())) {
            called = called.add(s.amount());
          }
          if (s.stage() == Stage.CLOSED_WON && quarter.contains(s.closeDate())) {
            won = won.add(s.amount());
          }
        }
        if (d.stage() == Stage.CLOSED_WON && quarter.contains(d.closeDate())) {
          actual = actual.add(d.amount());
        }
      }
      assertThat(new BigDecimal(r.get("called_commit"))).as(r.toString()).isEqualByComparingTo(called);
      assertThat(new BigDecimal(r.get("won_to_date"))).as(r.toString()).isEqualByComparingTo(won);
      assertThat(new BigDecimal(r.get("actual_won"))).as(r.toString()).isEqualByComparingTo(actual);
    }
  }

  // ------------------------------------------------------------------ capture

  @Test
  void eachRepsLoggedActivitiesOfTheWeekAreCountedAgainstTheCadence() {
    var report = new CaptureAudit(db).run(List.of("demo"), W47, rules.cadence());
    var byRep = new HashMap<String, Map<String, String>>();
    maps(report.detail()).forEach(r -> byRep.put(r.get("rep_id"), r));
    var reps = org.users().stream().filter(u -> u.role() == DemoOrg.Role.REP).toList();
    assertThat(byRep.keySet()).containsExactlyInAnyOrderElementsOf(reps.stream().map(DemoOrg.User::id).toList());
    for (var rep : reps) {
      var row = byRep.get(rep.id());
      for (var kind : List.of(ActivityKind.VISIT, ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING)) {
        long logged = org.activities().stream().filter(a -> a.ownerId().equals(rep.id()) && a.kind() == kind
            && a.status() == ActivityStatus.COMPLETED && !a.startAt().isBefore(W47.start()) && a.startAt().isBefore(W47.end())).count();
        assertThat(row.get(kind.name().toLowerCase() + "s")).as(rep.name() + " " + kind).isEqualTo(Long.toString(logged));
      }
      double expectedVisits = org.accounts().stream().filter(a -> a.ownerId().equals(rep.id()))
          .mapToDouble(a -> rules.cadence().perWeek(a.industry(), "visit", Optional.of((long) a.visitEveryDays()))).sum();
      assertThat(Double.parseDouble(row.get("visits_expected"))).isCloseTo(expectedVisits, offset(0.051));
    }
    // the first rep stopped visiting his Verbal Commit accounts months ago: his week falls short of the cadence
    var padder = reps.get(0);
    assertThat(Double.parseDouble(byRep.get(padder.id()).get("gap"))).isPositive();
  }

  @Test
  void aVerticalsCadenceOverridesTheDefault() {
    Cadence cadence = rules.cadence();
    assertThat(cadence.perWeek("Healthcare", "call", Optional.empty())).isEqualTo(7.0 / 21);
    assertThat(cadence.perWeek("Manufacturing", "call", Optional.empty())).isEqualTo(7.0 / 45);
    assertThat(cadence.perWeek("Education", "meeting", Optional.empty())).isZero();
    assertThat(cadence.perWeek("Manufacturing", "visit", Optional.of(14L))).isEqualTo(0.5);
    assertThat(cadence.perWeek("healthcare", "visit", Optional.of(14L))).isEqualTo(7.0 / 21);
  }

  // ------------------------------------------------------------------ the verb

  @Test
  void theVerbWritesTheCsvAndHtmlOfTheAuditIntoTheOutFolder(@TempDir Path dir) throws Exception {
    var root = Path.of("..").toAbsolutePath().normalize();
    var config = dir.resolve("salesos.yaml");
    Files.writeString(config, """
        database:
          url: "%s"
          user: %s
          password: {file: %s}
          pool_size: 2
        connections:
          - name: demo
            type: salesforce
            mapping: %s
            sandbox: true
        rules: %s
        """.formatted(jdbcUrl, TestDatabases.user(), TestDatabases.passwordFile(), root.resolve("config/mappings/salesforce.yaml"),
            root.resolve("rules")));
    var out = dir.resolve("audit");
    int exit = Main.execute("audit", "slipped", "--config", config.toString(), "--out", out.toString(), "--today", "2026-11-23");
    assertThat(exit).isZero();
    var expected = new SlippedAudit(db).run(List.of("demo"), Q3).detail();
    var csv = ReportFiles.parseCsv(Files.readString(out.resolve("slipped.csv")));
    assertThat(csv.get(0)).isEqualTo(expected.columns());
    assertThat(csv.subList(1, csv.size())).isEqualTo(expected.rows());
    var html = Files.readString(out.resolve("slipped.html"));
    assertThat(html).contains("<title>Lost and slipped deals against the owner&#39;s touches - 2026-Q3");
    assertThat(html.split("<tr>", -1).length - 1).as("header and row of each table")
        .isEqualTo(2 + expected.rows().size() + (int) expected.column("owner_id").stream().distinct().count());
    assertThat(Main.execute("audit", "capture", "--config", config.toString(), "--out", out.toString(), "--week", "2026-W99"))
        .as("a week that does not exist is refused").isEqualTo(1);
  }

  // ------------------------------------------------------------------ helpers

  static int slaHours() {
    return LeadAudit.slaHours(rules.followUpCondition(LeadAudit.SLA_RULE));
  }

  /** Rows keyed by their second column (the record id), each as column name to value. */
  static Map<String, Map<String, String>> rows(AuditTable t) {
    var out = new HashMap<String, Map<String, String>>();
    maps(t).forEach(r -> out.put(r.get(t.columns().get(1)), r));
    return out;
  }

  static List<Map<String, String>> maps(AuditTable t) {
    return t.rows().stream().map(r -> {
      var m = new java.util.LinkedHashMap<String, String>();
      for (int i = 0; i < r.size(); i++) {
        m.put(t.columns().get(i), r.get(i));
      }
      return (Map<String, String>) m;
    }).toList();
  }

}
