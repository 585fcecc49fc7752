package io.salesos.daemon.visits;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.testing.SandboxConfig;
import io.salesos.testing.TestDatabases;
import io.salesos.visits.DayPlanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reps in Chicago, Dallas, Atlanta, Denver, Berlin and Bengaluru (Asia/Kolkata, a half-hour zone),
 * in both sandbox CRMs: each rep's next working day is planned in the rep's own zone and hours, and
 * the events read back from each CRM carry the instants of those local times.
 */
class TimeZonePlansTest {

  static final Map<String, ZoneId> ZONES = Map.of("Denver", ZoneId.of("America/Denver"), "Berlin",
      ZoneId.of("Europe/Berlin"), "Bengaluru", ZoneId.of("Asia/Kolkata"), "Chicago", ZoneId.of("America/Chicago"),
      "Dallas", ZoneId.of("America/Chicago"), "Atlanta", ZoneId.of("America/New_York"));

  static DemoOrg org;
  static SalesforceSandbox salesforce;
  static HubSpotSandbox hubspot;
  static SalesosRuntime runtime;
  /** The demo user of each CRM owner id, in both CRMs. */
  static final Map<String, DemoOrg.User> users = new HashMap<>();
  static final List<DayPlanner.RepPlan> salesforcePlans = new ArrayList<>();
  static final List<DayPlanner.RepPlan> hubspotPlans = new ArrayList<>();

  @BeforeAll
  static void planEveryRepsNextDay() {
    var clock = Clock.systemUTC();
    // one rep in each of the six regions, a few accounts each
    org = DemoOrgGenerator.generate(new DemoOrgGenerator.Options(11L, clock.instant(), 6, 1, 8, 4, 1, 3));
    salesforce = SalesforceSandbox.builder().seed(org).start();
    hubspot = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withoutRequestLog());
    var hubspotIds = hubspot.seed(org);
    var rules = rulesPinningHubSpotOwners(hubspotIds);
    var config = SalesosConfig.load(writeConfig(TestDatabases.newSchema(), rules));
    var settings = new LinkedHashMap<String, Map<String, String>>();
    settings.put("salesforce", salesforce.connectionSettings());
    settings.put("hubspot", hubspot.connectionSettings());
    runtime = SalesosRuntime.open(config, settings, System::getenv, clock);
    var pipeline = runtime.pipeline();
    pipeline.pull(Optional.empty());
    for (var r : pipeline.planNext(Optional.of("salesforce"))) {
      salesforcePlans.addAll(r.plans());
    }
    for (var r : pipeline.planNext(Optional.of("hubspot"))) {
      hubspotPlans.addAll(r.plans());
    }
    pipeline.push();
    for (var u : org.users()) {
      users.put(hubspotIds.get(u.id()), u);
    }
    var byEmail = new HashMap<String, DemoOrg.User>();
    org.users().forEach(u -> byEmail.put(u.email(), u));
    for (var id : salesforce.ids("User")) {
      users.put(id, byEmail.get(salesforce.get(id).orElseThrow().get("Email")));
    }
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (salesforce != null) {
      salesforce.close();
    }
    if (hubspot != null) {
      hubspot.close();
    }
  }

  /** HubSpot keeps no zone per owner (the portal has one), so routing.yaml pins each rep's, as an admin would. */
  static Path rulesPinningHubSpotOwners(Map<String, String> hubspotIds) {
    try {
      var dir = Files.createDirectories(Path.of("target", "time-zone-plans", "rules"));
      try (var files = Files.list(Path.of("..", "rules"))) {
        for (var f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
          Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      var reps = new StringBuilder("reps:\n");
      for (var u : org.users()) {
        var hours = u.region().equals("Bengaluru") ? ", start: \"09:30\", end: \"18:30\"" : "";
        reps.append("  \"").append(hubspotIds.get(u.id())).append("\": { time_zone: ").append(u.timeZone().getId())
            .append(hours).append(" }\n");
      }
      var routing = dir.resolve("routing.yaml");
      Files.writeString(routing, Files.readString(routing).replace("reps: {}", reps.toString()));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path writeConfig(String schema, Path rules) {
    return SandboxConfig.on(schema).salesforceInProcess().hubspotInProcess().rules(rules)
        .writeInto(Path.of("target", "time-zone-plans"));
  }

  static LocalTime dayStart(DemoOrg.User u) {
    return u.region().equals("Bengaluru") ? LocalTime.of(9, 30) : LocalTime.of(8, 0);
  }

  static LocalTime dayEnd(DemoOrg.User u) {
    return u.region().equals("Bengaluru") ? LocalTime.of(18, 30) : LocalTime.of(17, 0);
  }

  static void assertPlansInTheRepsZoneAndHours(List<DayPlanner.RepPlan> plans) {
    assertThat(plans).extracting(p -> users.get(p.ownerId()).region())
        .contains("Denver", "Berlin", "Bengaluru");
    var now = Instant.now();
    for (var plan : plans) {
      var rep = users.get(plan.ownerId());
      assertThat(plan.zone()).as(rep.region()).isEqualTo(ZONES.get(rep.region()));
      // tomorrow is the rep's: the next weekday after the rep's own today
      var localToday = LocalDate.ofInstant(now, plan.zone());
      if (plan.date().equals(localToday)) {
        // the rest of today re-planned after the meeting the demo org cancels today (its second rep's, Dallas)
        assertThat(rep.region()).isEqualTo("Dallas");
      } else {
        assertThat(plan.date()).as(rep.region()).isAfter(localToday).isBeforeOrEqualTo(localToday.plusDays(7));
      }
      assertThat(plan.date().getDayOfWeek()).isNotIn(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
      if (List.of("Denver", "Berlin", "Bengaluru").contains(rep.region())) {
        assertThat(plan.stops()).as(rep.region()).isNotEmpty();
      }
      for (var s : plan.stops()) {
        assertThat(s.start().toLocalDate()).isEqualTo(plan.date());
        assertThat(s.start().toLocalTime()).as(rep.region() + " " + s).isAfterOrEqualTo(dayStart(rep));
        assertThat(s.departure().toLocalTime()).as(rep.region() + " " + s).isBeforeOrEqualTo(dayEnd(rep));
      }
    }
  }

  @Test
  void eachSalesforceRepsPlanForTomorrowFallsInsideTheRepsLocalWorkingHours() {
    assertPlansInTheRepsZoneAndHours(salesforcePlans);
  }

  @Test
  void eachHubSpotRepsPlanForTomorrowFallsInsideTheRepsLocalWorkingHours() {
    assertPlansInTheRepsZoneAndHours(hubspotPlans);
  }

  @Test
  void salesforceEventsCarryTheInstantsOfTheRepsLocalTimes() {
    var events = new ArrayList<Map<String, String>>();
    for (var id : salesforce.ids("Event")) {
      var e = salesforce.get(id).orElseThrow();
      if (e.getOrDefault("Salesos_Key__c", "") != null && String.valueOf(e.get("Salesos_Key__c")).startsWith("plan-")) {
        events.add(e);
      }
    }
    int expected = salesforcePlans.stream().mapToInt(p -> (int) p.stops().stream().filter(s -> !s.booked()).count()).sum();
    assertThat(events).hasSize(expected);
    for (var plan : salesforcePlans) {
      for (var s : plan.stops()) {
        if (s.booked()) {
          continue;
        }
        var start = plan.instant(s.start());
        assertThat(events).as("%s's stop at %s %s", users.get(plan.ownerId()).region(), s.start(), plan.zone())
            .anySatisfy(e -> {
              assertThat(e.get("OwnerId")).isEqualTo(plan.ownerId());
              assertThat(Instant.parse(e.get("StartDateTime"))).isEqualTo(start);
              assertThat(Instant.parse(e.get("EndDateTime"))).isEqualTo(plan.instant(s.departure()));
            });
      }
    }
    // a Bengaluru visit at 10:00 IST is at 04:30 UTC: the half-hour offset reaches the CRM
    var kolkata = salesforcePlans.stream().filter(p -> users.get(p.ownerId()).region().equals("Bengaluru")).findFirst().orElseThrow();
    assertThat(kolkata.stops()).allSatisfy(s -> assertThat(kolkata.instant(s.start()).atZone(ZoneId.of("UTC")).getMinute() % 30)
        .isEqualTo(s.start().getMinute() % 30));
  }

  @Test
  void hubSpotMeetingsCarryTheInstantsOfTheRepsLocalTimes() {
    var meetings = new ArrayList<Map<String, String>>();
    for (var id : hubspot.ids("meetings")) {
      var m = hubspot.get("meetings", id).orElseThrow().properties();
      if (m.getOrDefault("salesos_key", "") != null && String.valueOf(m.get("salesos_key")).startsWith("plan-")) {
        meetings.add(m);
      }
    }
    int expected = hubspotPlans.stream().mapToInt(p -> (int) p.stops().stream().filter(s -> !s.booked()).count()).sum();
    assertThat(meetings).hasSize(expected);
    for (var plan : hubspotPlans) {
      for (var s : plan.stops()) {
        if (s.booked()) {
          continue;
        }
        assertThat(meetings).as("%s's stop at %s %s", users.get(plan.ownerId()).region(), s.start(), plan.zone())
            .anySatisfy(m -> {
              assertThat(m.get("hubspot_owner_id")).isEqualTo(plan.ownerId());
              assertThat(instant(m.get("hs_meeting_start_time"))).isEqualTo(plan.instant(s.start()));
              assertThat(instant(m.get("hs_meeting_end_time"))).isEqualTo(plan.instant(s.departure()));
            });
      }
    }
  }

  @Test
  void thePlanJobPlansEachRepOncePerEvening() {
    var pipeline = runtime.pipeline();
    // no memory: every rep's next working day is due
    var first = pipeline.planDue(Map.of());
    assertThat(first.planned().keySet()).filteredOn(k -> k.startsWith("salesforce/")).hasSize(6);
    assertThat(first.planned().keySet()).filteredOn(k -> k.startsWith("hubspot/")).hasSize(6);
    // asked again at once (the next 15-minute tick of the same evening), nobody is due
    var second = pipeline.planDue(first.planned());
    assertThat(second.results()).isEmpty();
    assertThat(second.planned()).isEqualTo(first.planned());
  }

  static Instant instant(String value) {
    return value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value)) : Instant.parse(value);
  }
}
