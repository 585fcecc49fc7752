package io.salesos.daemon.visits;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.audit.Quarter;
import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.sync.CrmCalendars;
import io.salesos.testing.SandboxConfig;
import io.salesos.testing.Cli;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
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
 * What the org's and the reps' calendars do to what salesos writes and reports, in both sandbox
 * CRMs: the fiscal year comes from Salesforce's Organization row (February here) and from the
 * HubSpot connection's setting (April), forecast snapshots and the forecast audit name fiscal
 * quarters counted in the org's zone, and a task due "end of business" reaches HubSpot as the
 * instant of the rep's local end of day and Salesforce as the rep's local date.
 */
class OrgCalendarWritesTest {

  static DemoOrg org;
  static SalesforceSandbox salesforce;
  static HubSpotSandbox hubspot;
  static SalesosRuntime runtime;
  static Path config;
  static Instant evaluatedAt;
  static final Map<String, DemoOrg.User> users = new HashMap<>();

  @BeforeAll
  static void evaluateBothCrms() {
    var clock = Clock.systemUTC();
    org = DemoOrgGenerator.generate(new DemoOrgGenerator.Options(23L, clock.instant(), 6, 1, 6, 3, 1, 2));
    salesforce = SalesforceSandbox.builder().seed(org).start();
    salesforce.fiscalYearStartMonth(2).organizationTimeZone("Europe/Berlin");
    hubspot = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withoutRequestLog());
    var hubspotIds = hubspot.seed(org);
    var rules = rules(hubspotIds);
    config = writeConfig(TestDatabases.newSchema(), rules);
    var settings = new LinkedHashMap<String, Map<String, String>>();
    settings.put("salesforce", salesforce.connectionSettings());
    var hs = new LinkedHashMap<>(hubspot.connectionSettings());
    hs.put("fiscal_year_start_month", "4");
    settings.put("hubspot", hs);
    runtime = SalesosRuntime.open(SalesosConfig.load(config), settings, System::getenv, clock);
    var pipeline = runtime.pipeline();
    pipeline.pull(Optional.empty());
    evaluatedAt = clock.instant();
    pipeline.evaluate(Optional.empty());
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

  /** The shipped rules, HubSpot owners pinned to their zones, and one rule that asks for a task by end of business. */
  static Path rules(Map<String, String> hubspotIds) {
    try {
      var dir = Files.createDirectories(Path.of("target", "org-calendar-writes", "rules"));
      try (var files = Files.list(Path.of("..", "rules"))) {
        for (var f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
          Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      var reps = new StringBuilder("reps:\n");
      for (var u : org.users()) {
        // HubSpot owners carry no region: the Bengaluru rep's 09:30-18:30 day is pinned with the zone
        var hours = u.region().equals("Bengaluru") ? ", start: \"09:30\", end: \"18:30\"" : "";
        reps.append("  \"").append(hubspotIds.get(u.id())).append("\": { time_zone: ").append(u.timeZone().getId())
            .append(hours).append(" }\n");
      }
      var routing = dir.resolve("routing.yaml");
      Files.writeString(routing, Files.readString(routing).replace("reps: {}", reps.toString()));
      var followUp = dir.resolve("follow-up.yaml");
      Files.writeString(followUp, Files.readString(followUp) + """

            - id: test.end_of_business
              when: "!deal.is_closed"
              task:
                subject: "EOB {{deal.name}}"
                body: "Before the end of your day."
                due: end_of_business(now, owner.id)
          """);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path writeConfig(String schema, Path rules) {
    return SandboxConfig.on(schema).salesforceInProcess().hubspotInProcess().rules(rules)
        .writeInto(Path.of("target", "org-calendar-writes"));
  }

  static ZoneId hubspotPortalZone() {
    return ZoneId.of(new CrmCalendars(runtime.pipeline().database(), Clock.systemUTC()).of("hubspot").orElseThrow()
        .calendar().timeZone().orElseThrow());
  }

  @Test
  void theFiscalYearAndZoneComeFromTheSalesforceOrganizationAndTheHubSpotSetting() {
    var calendars = new CrmCalendars(runtime.pipeline().database(), Clock.systemUTC());
    var sf = calendars.of("salesforce").orElseThrow().calendar();
    assertThat(sf.fiscalYearStartMonth()).isEqualTo(2);
    assertThat(sf.fiscalYearFromCrm()).isTrue();
    assertThat(sf.timeZone()).contains("Europe/Berlin");
    var hs = calendars.of("hubspot").orElseThrow().calendar();
    assertThat(hs.fiscalYearStartMonth()).isEqualTo(4);
    assertThat(hs.fiscalYearFromCrm()).isFalse();
    assertThat(hs.timeZone()).isPresent();
  }

  @Test
  void forecastSnapshotsAreNamedByTheOrgsFiscalQuarter() throws Exception {
    var expected = Map.of("salesforce", Quarter.of(evaluatedAt, 2, ZoneId.of("Europe/Berlin")).toString(),
        "hubspot", Quarter.of(evaluatedAt, 4, hubspotPortalZone()).toString());
    assertThat(expected.get("salesforce")).startsWith("FY");
    try (var c = runtime.pipeline().database().connection();
        var rs = c.createStatement().executeQuery("SELECT DISTINCT source, period FROM forecast_snapshot")) {
      var periods = new HashMap<String, String>();
      while (rs.next()) {
        assertThat(periods.put(rs.getString(1), rs.getString(2))).as("one period per source").isNull();
      }
      assertThat(periods).isEqualTo(expected);
    }
  }

  @Test
  void theForecastAuditCountsTheOrgsFiscalQuarters() {
    var out = Path.of("target", "org-calendar-writes", "audit").toAbsolutePath().toString();
    var current = Quarter.of(evaluatedAt, 2, ZoneId.of("Europe/Berlin"));
    var run = Cli.run("audit", "forecast", "--config", config.toString(), "--connection", "salesforce", "--out", out,
        "--quarter", current.toString());
    assertThat(run.exit()).isZero();
    // the quarter's days as the org counts them: a February year's quarters start in Feb, May, Aug and Nov
    assertThat(run.out()).contains(current.toString()).contains(current.firstDay() + " to " + current.lastDay());
    assertThat(current.firstDay().getMonthValue()).isIn(2, 5, 8, 11);
    // both connections at once would mix two kinds of quarter: refused with the way out
    var both = Cli.run("audit", "forecast", "--config", config.toString(), "--out", out);
    assertThat(both.exit()).isNotZero();
  }

  @Test
  void aHubSpotTaskDueAtEndOfBusinessIsDueAtTheRepsLocalEndOfDay() {
    var due = new ArrayList<Map.Entry<DemoOrg.User, Instant>>();
    for (var id : hubspot.ids("tasks")) {
      var t = hubspot.get("tasks", id).orElseThrow().properties();
      if (String.valueOf(t.get("hs_task_subject")).startsWith("EOB ")) {
        due.add(Map.entry(users.get(t.get("hubspot_owner_id")), TimeZonePlansTest.instant(t.get("hs_timestamp"))));
      }
    }
    assertThat(due).extracting(e -> e.getKey().region()).contains("Denver", "Berlin", "Bengaluru");
    for (var e : due) {
      var rep = e.getKey();
      var local = e.getValue().atZone(rep.timeZone());
      // 17:00 in the rep's zone (Bengaluru's day ends at 18:30 there), on a day not before the rep's today
      assertThat(local.toLocalTime()).as(rep.region() + " " + e.getValue())
          .isEqualTo(rep.region().equals("Bengaluru") ? java.time.LocalTime.of(18, 30) : java.time.LocalTime.of(17, 0));
      assertThat(local.toLocalDate()).isAfterOrEqualTo(LocalDate.ofInstant(evaluatedAt, rep.timeZone()));
      assertThat(e.getValue()).isAfter(evaluatedAt);
    }
  }

  @Test
  void aSalesforceTaskDueAtEndOfBusinessCarriesTheRepsLocalDate() {
    // ActivityDate is a date: salesos writes the day the task is due in the rep's zone, the same day
    // the HubSpot task of the same rep is due there
    var hubspotDay = new HashMap<String, LocalDate>();
    for (var id : hubspot.ids("tasks")) {
      var t = hubspot.get("tasks", id).orElseThrow().properties();
      if (String.valueOf(t.get("hs_task_subject")).startsWith("EOB ")) {
        var rep = users.get(t.get("hubspot_owner_id"));
        hubspotDay.put(rep.email(), LocalDate.ofInstant(TimeZonePlansTest.instant(t.get("hs_timestamp")), rep.timeZone()));
      }
    }
    int checked = 0;
    for (var id : salesforce.ids("Task")) {
      var t = salesforce.get(id).orElseThrow();
      if (String.valueOf(t.get("Subject")).startsWith("EOB ")) {
        var rep = users.get(t.get("OwnerId"));
        assertThat(LocalDate.parse(String.valueOf(t.get("ActivityDate")))).as(rep.region())
            .isEqualTo(hubspotDay.get(rep.email()));
        checked++;
      }
    }
    assertThat(checked).isPositive();
  }
}
