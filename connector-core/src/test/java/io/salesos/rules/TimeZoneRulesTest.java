package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Rules read time in the owner's zone: today, end of business, business-hour clocks, fiscal quarters. */
class TimeZoneRulesTest {

  // Monday 2 November 2026, 09:00 UTC: 02:00 in Denver, 10:00 in Berlin, 14:30 in Kolkata
  static final Instant NOW = TestRules.NOW;

  static final List<CrmRecord> OWNERS = List.of(
      CrmRecord.of("U-DEN", "name", "Dana Denver", "first_name", "Dana", "time_zone", "America/Denver"),
      CrmRecord.of("U-BER", "name", "Bea Berlin", "first_name", "Bea", "time_zone", "Europe/Berlin"),
      CrmRecord.of("U-KOL", "name", "Kiran Kolkata", "first_name", "Kiran", "time_zone", "Asia/Kolkata"),
      CrmRecord.of("U-BAD", "name", "Nowhere Man", "first_name", "No", "time_zone", "Mars/Olympus_Mons"));

  static RuleSet withFollowUps(String followUps) {
    var files = new TreeMap<>(TestRules.defaultFiles());
    files.put("follow-up.yaml", followUps);
    return TestRules.load(files);
  }

  static DesiredState evaluate(RuleSet rules) {
    var deals = OWNERS.stream().map(o -> new TestRules.Deal("D-" + o.id()).owner(o.id()).build()).toList();
    return new RuleEvaluator(rules).evaluate(InMemoryContextSource.ofDeals(deals, OWNERS), NOW);
  }

  static TaskToCreate taskOf(DesiredState state, String owner) {
    return state.tasks().stream().filter(t -> t.ownerId().equals(owner)).findFirst().orElseThrow();
  }

  @Test
  void aTaskDueAtEndOfBusinessIsDueAtEachRepsLocalEndOfDay() {
    var state = evaluate(withFollowUps("""
        rules:
          - id: call.today
            when: "true"
            task:
              subject: "Call {{deal.name}} today ({{date(now, owner.tz)}} in {{owner.tz}})"
              body: "Before you leave."
              due: end_of_business(now, owner.id)
        """));
    // Denver (MST since 1 November): 17:00 MST on Monday = Tuesday 00:00 UTC, still Monday for the rep
    var denver = taskOf(state, "U-DEN");
    assertThat(denver.dueAt()).isEqualTo(Instant.parse("2026-11-03T00:00:00Z"));
    assertThat(denver.dueDate()).isEqualTo(LocalDate.of(2026, 11, 2));
    assertThat(denver.subject()).contains("(2026-11-02 in America/Denver)");
    assertThat(taskOf(state, "U-BER").dueAt()).isEqualTo(Instant.parse("2026-11-02T16:00:00Z"));
    // Kolkata is UTC+5:30: 17:00 IST = 11:30 UTC
    var kolkata = taskOf(state, "U-KOL");
    assertThat(kolkata.dueAt()).isEqualTo(Instant.parse("2026-11-02T11:30:00Z"));
    assertThat(kolkata.dueAt().atZone(ZoneId.of("Asia/Kolkata")).toLocalTime()).hasToString("17:00");
    // a zone the CRM gives that is no zone: no task with a guessed due time, and the error says why
    assertThat(state.tasks()).noneMatch(t -> t.ownerId().equals("U-BAD"));
    assertThat(state.ruleErrors()).anySatisfy(e -> assertThat(e.recordId()).isEqualTo("D-U-BAD"));
  }

  @Test
  void twoBusinessHoursAreTheRepsBusinessHours() {
    var state = evaluate(withFollowUps("""
        rules:
          - id: sla.two_hours
            when: "true"
            task:
              subject: "Answer {{deal.name}}"
              body: "SLA"
              due: add_business_hours(now, 2, owner.id)
        """));
    // 02:00 in Denver: the clock starts at 08:00 MST -> 10:00 MST = 17:00 UTC
    assertThat(taskOf(state, "U-DEN").dueAt()).isEqualTo(Instant.parse("2026-11-02T17:00:00Z"));
    // 10:00 in Berlin -> 12:00 CET
    assertThat(taskOf(state, "U-BER").dueAt()).isEqualTo(Instant.parse("2026-11-02T11:00:00Z"));
    // 14:30 in Kolkata -> 16:30 IST
    assertThat(taskOf(state, "U-KOL").dueAt()).isEqualTo(Instant.parse("2026-11-02T11:00:00Z"));
  }

  @Test
  void fiscalQuartersFollowTheYearsFirstMonthInTheGivenZone() {
    var berlin = ZoneId.of("Europe/Berlin");
    // a fiscal year from February: January is the fourth quarter of the year that began last February
    assertThat(RuleFunctions.quarter(Instant.parse("2026-01-15T12:00:00Z"), berlin, 2)).isEqualTo("FY2026-Q4");
    assertThat(RuleFunctions.quarter(Instant.parse("2026-02-01T12:00:00Z"), berlin, 2)).isEqualTo("FY2027-Q1");
    // its first quarter is February to April: 30 April is in the one that began 1 February 00:00 CET
    assertThat(RuleFunctions.startOfQuarter(Instant.parse("2026-04-30T12:00:00Z"), berlin, 2))
        .isEqualTo(Instant.parse("2026-01-31T23:00:00Z"));
    // and 5 May in the one that began 1 May 00:00 CEST
    assertThat(RuleFunctions.startOfQuarter(Instant.parse("2026-05-05T12:00:00Z"), berlin, 2))
        .isEqualTo(Instant.parse("2026-04-30T22:00:00Z"));
    assertThat(RuleFunctions.endOfQuarter(Instant.parse("2026-12-03T12:00:00Z"), berlin, 1))
        .isEqualTo(Instant.parse("2026-12-31T22:59:59Z"));
    // 31 December 20:00 in Denver is already the new year (and quarter) in UTC, not for the rep
    var newYearsEve = Instant.parse("2027-01-01T03:00:00Z");
    assertThat(RuleFunctions.quarter(newYearsEve, ZoneId.of("America/Denver"), 1)).isEqualTo("2026-Q4");
    assertThat(RuleFunctions.quarter(newYearsEve, ZoneId.of("UTC"), 1)).isEqualTo("2027-Q1");
  }

  static String quarterTask(DesiredState state) {
    return taskOf(state, "U-BER").subject();
  }

  static final String QUARTER_RULE = """
      rules:
        - id: quarter.name
          when: "true"
          task:
            subject: "{{quarter(now, owner.tz)}}"
            body: "b"
            due: add_days(now, 1)
      """;

  @Test
  void theQuarterFunctionsCountFromTheFiscalYearTheCrmReports() {
    var rules = withFollowUps(QUARTER_RULE);
    var deals = OWNERS.stream().map(o -> new TestRules.Deal("D-" + o.id()).owner(o.id()).build()).toList();
    var source = InMemoryContextSource.ofDeals(deals, OWNERS);
    // 2 November 2026 with a fiscal year from February (Salesforce Organization.FiscalYearStartMonth = 2):
    // November to January is the fourth quarter of FY2027
    var fromSalesforce = new RuleEvaluator(rules).evaluate(source, NOW,
        java.util.Optional.of(new io.salesos.spi.CrmCalendar(2, true, java.util.Optional.of("Europe/Berlin"))));
    assertThat(quarterTask(fromSalesforce)).isEqualTo("FY2027-Q4");
    // the CRM reports none and the connection configures April (HubSpot): August to October is Q3, November Q3
    var configured = new RuleEvaluator(rules).evaluate(source, NOW,
        java.util.Optional.of(new io.salesos.spi.CrmCalendar(4, false, java.util.Optional.empty())));
    assertThat(quarterTask(configured)).isEqualTo("FY2027-Q3");
    // nothing read yet: calendar quarters
    assertThat(quarterTask(new RuleEvaluator(rules).evaluate(source, NOW))).isEqualTo("2026-Q4");
  }

  @Test
  void theCrmsOwnFiscalYearWinsOverRoutingYamlsAndRoutingYamlsOverAConfiguredOne() {
    var files = new TreeMap<>(TestRules.defaultFiles());
    files.put("follow-up.yaml", QUARTER_RULE);
    files.put("routing.yaml", files.get("routing.yaml") + "\nfiscal_year_start_month: 7\n");
    var routing = TestRules.load(files).routing();
    assertThat(routing.orElseThrow().fiscalYearStartMonth()).hasValue(7);
    assertThat(OrgCalendar.fiscalYearStartMonth(routing,
        java.util.Optional.of(new io.salesos.spi.CrmCalendar(2, true, java.util.Optional.empty())))).isEqualTo(2);
    assertThat(OrgCalendar.fiscalYearStartMonth(routing,
        java.util.Optional.of(new io.salesos.spi.CrmCalendar(4, false, java.util.Optional.empty())))).isEqualTo(7);
    assertThat(OrgCalendar.fiscalYearStartMonth(java.util.Optional.empty(), java.util.Optional.empty())).isEqualTo(1);
    // the org's zone: the CRM's when it is a zone id, else routing.yaml's time_zone
    assertThat(OrgCalendar.orgZone(routing,
        java.util.Optional.of(new io.salesos.spi.CrmCalendar(1, true, java.util.Optional.of("Asia/Kolkata")))))
        .isEqualTo(ZoneId.of("Asia/Kolkata"));
    assertThat(OrgCalendar.orgZone(routing,
        java.util.Optional.of(new io.salesos.spi.CrmCalendar(1, true, java.util.Optional.of("Pacific Time")))))
        .isEqualTo(routing.get().defaultZone());
  }

  @Test
  void theRepsTodayIsTheirOwnDate() {
    var state = evaluate(withFollowUps("""
        rules:
          - id: today
            when: "date(now, owner.tz) == '2026-11-02' && start_of_day(now, owner.tz) <= now"
            key: date(start_of_week(now, owner.tz), owner.tz)
            task:
              subject: "Week of {{date(start_of_week(now, owner.tz), owner.tz)}}"
              body: "x"
              due: now
        """));
    assertThat(state.tasks()).extracting(TaskToCreate::ownerId).containsExactlyInAnyOrder("U-DEN", "U-BER", "U-KOL");
    assertThat(state.tasks()).allSatisfy(t -> assertThat(t.subject()).isEqualTo("Week of 2026-11-02"));
  }
}
