package io.salesos.visits;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.CrmRecord;
import io.salesos.rules.DealContext;
import io.salesos.launcher.DemoContextSource;
import io.salesos.rules.InMemoryContextSource;
import io.salesos.rules.RuleVocabulary;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.rules.AccountContext;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DayPlannerTest {

  static final Instant NOW = Instant.parse("2026-11-23T07:00:00Z");
  static final LocalDate MONDAY = LocalDate.of(2026, 11, 23);
  final DayPlanner planner = new DayPlanner(Planning.routing(LiveRuleSet.load(Path.of("../rules"), RuleVocabulary.standard())), 4000, 42);

  @Test
  void everyPlanOfTheDemoOrgKeepsOpeningHoursTheDayAndTheStopLimit() {
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW));
    var source = DemoContextSource.of(org);
    var plans = planner.plan(source, MONDAY.plusDays(1), NOW, Optional.empty());
    assertThat(plans).isNotEmpty();
    for (var p : plans) {
      assertThat(p.stops().size()).isLessThanOrEqualTo(8);
      assertThat(p.returnAt().toLocalTime()).isBeforeOrEqualTo(LocalTime.of(17, 0));
      var previous = p.returnAt().toLocalDate().atTime(8, 0);
      for (var s : p.stops()) {
        assertThat(s.start()).isAfterOrEqualTo(previous);
        previous = s.departure();
        if (s.booked()) {
          continue;
        }
        var account = org.accounts().stream().filter(a -> a.id().equals(s.accountId())).findFirst().orElseThrow();
        var hours = OpeningHours.parse(Optional.of(account.openingHours()));
        assertThat(hours.openOn(p.date().getDayOfWeek())).isTrue();
        assertThat(s.start().toLocalTime()).isAfterOrEqualTo(hours.open());
        assertThat(s.departure().toLocalTime()).isBeforeOrEqualTo(hours.close());
        // an in-memory source names no currency: the value is written as digits, not in dollars
        assertThat(s.reason()).containsPattern("visit value [0-9][0-9,]* for ").doesNotContain("$");
      }
    }
  }

  @Test
  void aStrategicProspectFarAwayBeatsThreeSmallAccountsNearby() {
    var rep = CrmRecord.of("rep", "name", "Trent Walsh", "base_lat", 41.88, "base_lng", -87.63, "urban", true);
    var small = List.of(account("s1", 41.885, -87.635), account("s2", 41.875, -87.625), account("s3", 41.89, -87.62));
    // about 20 miles (32 km) north
    var big = account("big", 42.17, -87.63);
    var deals = new java.util.ArrayList<DealContext>();
    for (var a : small) {
      deals.add(deal(a, "3000"));
    }
    deals.add(deal(big, "400000"));
    var accounts = new java.util.ArrayList<AccountContext>();
    for (var a : List.of(small.get(0), small.get(1), small.get(2), big)) {
      accounts.add(new AccountContext(a, List.of(), List.of(), List.of(), rep));
    }
    var source = new InMemoryContextSource(deals, List.of(), accounts, List.of(), List.of(rep));
    // a morning: room for the far prospect or for the three small ones, not for both
    var rules = copyOfRulesWith("start: \"08:00\"", "end: \"17:00\"", "end: \"12:30\"");
    var morning = new DayPlanner(Planning.routing(LiveRuleSet.load(rules, RuleVocabulary.standard())), 4000, 1);
    var plan = morning.plan(source, MONDAY, NOW, Optional.empty()).get(0);
    assertThat(plan.stops()).extracting(DayPlanner.Stop::accountId).containsExactly("big");
    assertThat(plan.stops().get(0).driveMinutes()).isGreaterThan(60);
  }

  @Test
  void aStopsReasonIsWrittenInTheOrgsCorporateCurrency() {
    var rep = CrmRecord.of("rep", "name", "Jana Vogel", "base_lat", 48.14, "base_lng", 11.58);
    var a = account("m1", 48.15, 11.57);
    var euro = CrmRecord.of("d-m1", "name", "Pumps for Munich", "account_id", "m1", "owner_id", "rep", "stage", "Proposal",
        "amount", new BigDecimal("45000"), "amount_original", new BigDecimal("45000"), "currency", "EUR",
        "probability", new BigDecimal("60"), "is_closed", false, "close_date", MONDAY.plusDays(60));
    var memory = new InMemoryContextSource(List.of(new DealContext(euro, a, List.of(), List.of(), List.of(), CrmRecord.empty())),
        List.of(), List.of(new AccountContext(a, List.of(), List.of(), List.of(), rep)), List.of(), List.of(rep));
    io.salesos.rules.ContextSource inEuros = new io.salesos.rules.ContextSource() {
      public java.util.stream.Stream<DealContext> deals() { return memory.deals(); }
      public java.util.stream.Stream<io.salesos.rules.ContactContext> contacts() { return memory.contacts(); }
      public java.util.stream.Stream<AccountContext> accounts() { return memory.accounts(); }
      public java.util.stream.Stream<io.salesos.rules.ActivityContext> activities() { return memory.activities(); }
      public List<CrmRecord> owners() { return memory.owners(); }
      @Override
      public Optional<String> corporateCurrency() { return Optional.of("EUR"); }
    };
    var stop = planner.plan(inEuros, MONDAY, NOW, Optional.empty()).get(0).stops().get(0);
    assertThat(stop.reason()).contains("Pumps for Munich: €45,000, Proposal (60%)").contains("visit value €")
        .doesNotContain("$");
  }

  @Test
  void anAccountWhoseVisitValueErrorsIsLeftOutWithTheReasonNotPlannedAtZero() {
    var rep = CrmRecord.of("rep", "name", "Trent Walsh", "base_lat", 41.88, "base_lng", -87.63, "urban", true);
    var valued = account("valued", 41.885, -87.635);
    var unknown = account("unknown", 41.875, -87.625);
    var noAmount = new DealContext(CrmRecord.of("d-unknown", "name", "Deal unknown", "account_id", "unknown", "owner_id", "rep",
        "stage", "Proposal", "probability", new BigDecimal("60"), "is_closed", false, "close_date", MONDAY.plusDays(60)),
        unknown, List.of(), List.of(), List.of(), CrmRecord.empty());
    var accounts = List.of(new AccountContext(valued, List.of(), List.of(), List.of(), rep),
        new AccountContext(unknown, List.of(), List.of(), List.of(), rep));
    var source = new InMemoryContextSource(List.of(deal(valued, "30000"), noAmount), List.of(), accounts, List.of(), List.of(rep));
    // the amount used without has(): it errors on the deal that has none
    var rules = copyOfRulesWith("visit_value", "(has(deal.amount) ? deal.amount : 0.0)", "deal.amount");

    var plan = new DayPlanner(Planning.routing(LiveRuleSet.load(rules, RuleVocabulary.standard())), 2000, 1)
        .plan(source, MONDAY, NOW, Optional.empty()).get(0);

    assertThat(plan.stops()).extracting(DayPlanner.Stop::accountId).containsExactly("valued");
    assertThat(plan.leftOut()).singleElement().satisfies(l -> {
      assertThat(l.accountId()).isEqualTo("unknown");
      assertThat(l.dealId()).isEqualTo("d-unknown");
      assertThat(l.reason()).contains("routing.yaml:").contains("amount");
    });
  }

  @Test
  void aReplanAfterACancelledMeetingKeepsTheStopsAlreadyMade() {
    var org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW));
    var source = DemoContextSource.of(org);
    var rep = org.users().stream().filter(u -> u.role() == io.salesos.demo.DemoOrg.Role.REP).findFirst().orElseThrow();
    var repAccounts = org.accounts().stream().filter(a -> a.ownerId().equals(rep.id())).map(a -> a.id()).toList();
    var done = List.of(repAccounts.get(0), repAccounts.get(1));
    // the rep's own noon: the demo's reps work in their region's zone (Chicago here), not in UTC
    var noon = MONDAY.atTime(12, 0).atZone(rep.timeZone()).toInstant();
    var plan = planner.replan(source, rep.id(), MONDAY, new DayPlanner.Progress(noon, done)).orElseThrow();
    assertThat(plan.stops().subList(0, 2)).extracting(DayPlanner.Stop::accountId).containsExactlyElementsOf(done);
    assertThat(plan.stops().subList(0, 2)).allSatisfy(s -> assertThat(s.done()).isTrue());
    assertThat(plan.stops().subList(2, plan.stops().size())).allSatisfy(s -> {
      assertThat(s.done()).isFalse();
      assertThat(s.start().toLocalTime()).isAfterOrEqualTo(LocalTime.NOON);
    });
  }

  @Test
  void aRepWithoutAnUrbanFlagIsUrbanOnlyWhenHalfTheAccountsAreNearTheCentre() {
    var rep = CrmRecord.of("rep", "name", "No Flag");
    // Chicago Loop: all within a few km
    var city = List.of(account("c1", 41.88, -87.63), account("c2", 41.90, -87.65), account("c3", 41.86, -87.62));
    // spread across the state: 60-150 km out
    var state = List.of(account("r1", 41.88, -87.63), account("r2", 42.50, -88.60), account("r3", 40.90, -88.20),
        account("r4", 41.20, -89.10), account("r5", 42.30, -86.90));
    assertThat(DayPlanner.compactTerritory(contexts(city, rep), 41.88, -87.63)).isTrue();
    assertThat(DayPlanner.compactTerritory(contexts(state, rep), 41.88, -87.63)).isFalse();
  }

  static List<AccountContext> contexts(List<CrmRecord> accounts, CrmRecord rep) {
    return accounts.stream().map(a -> new AccountContext(a, List.of(), List.of(), List.of(), rep)).toList();
  }

  static Path copyOfRulesWith(String anchor, String from, String to) {
    try {
      var dir = java.nio.file.Files.createTempDirectory("rules");
      try (var files = java.nio.file.Files.list(Path.of("../rules"))) {
        for (var f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
          var text = java.nio.file.Files.readString(f);
          if (f.getFileName().toString().equals("routing.yaml")) {
            assertThat(text).contains(anchor).contains(from);
            text = text.replace(from, to);
          }
          java.nio.file.Files.writeString(dir.resolve(f.getFileName()), text);
        }
      }
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static CrmRecord account(String id, double lat, double lng) {
    return CrmRecord.of(id, "name", "Account " + id, "owner_id", "rep", "lat", lat, "lng", lng, "opening_hours", "Mon-Fri 08:00-17:00");
  }

  static DealContext deal(CrmRecord account, String amount) {
    var d = CrmRecord.of("d-" + account.id(), "name", "Deal " + account.id(), "account_id", account.id(), "owner_id", "rep",
        "stage", "Proposal", "amount", new BigDecimal(amount), "probability", new BigDecimal("60"), "is_closed", false,
        "close_date", MONDAY.plusDays(60));
    return new DealContext(d, account, List.of(), List.of(), List.of(), CrmRecord.empty());
  }

  static Instant at(int hour) {
    return MONDAY.atTime(hour, 0).toInstant(ZoneOffset.UTC);
  }
}
