package io.salesos.daemon.visits;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.SalesosConfig;
import io.salesos.demo.DemoOrg.ActivityKind;
import io.salesos.demo.DemoOrg.ActivityStatus;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.testing.SandboxConfig;
import io.salesos.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A meeting cancelled at 09:10 on the rep's day: the next pull re-plans the rest of that day (a
 * replacement visit where one fits), and the plan events in the CRM are rewritten, never
 * duplicated.
 */
class LiveReplanTest {

  @TempDir
  Path dir;

  SalesforceSandbox salesforce;
  SalesosRuntime runtime;

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (salesforce != null) {
      salesforce.close();
    }
  }

  @Test
  void aMeetingCancelledInTheMorningRePlansTheRestOfTheDayWithinOnePull() throws Exception {
    // Monday evening UTC: the org's reps have meetings booked for Tuesday
    var asOf = Instant.parse("2026-12-07T20:00:00Z");
    var clock = SandboxClock.frozenAt(asOf);
    var org = DemoOrgGenerator.generate(new DemoOrgGenerator.Options(7L, asOf, 3, 2, 10, 4, 1, 3));
    var booked = org.activities().stream().filter(a -> a.kind() == ActivityKind.MEETING && a.status() == ActivityStatus.PLANNED
        && a.startAt().isAfter(asOf)).findFirst().orElseThrow(() -> new AssertionError("the seed books no meeting for Tuesday"));
    DemoOrg.User rep = org.users().stream().filter(u -> u.id().equals(booked.ownerId())).findFirst().orElseThrow();
    var day = LocalDate.ofInstant(booked.startAt(), rep.timeZone());

    salesforce = SalesforceSandbox.builder().clock(clock).seed(org).start();
    var config = SalesosConfig.load(config());
    runtime = SalesosRuntime.open(config, Map.of("salesforce", salesforce.connectionSettings()), System::getenv, clock);
    var pipeline = runtime.pipeline();
    pipeline.pull(Optional.empty());
    var repId = salesforce.ids("User").stream()
        .filter(id -> salesforce.get(id).orElseThrow().get("Email").equals(rep.email())).findFirst().orElseThrow();
    pipeline.plan(day, Optional.of("salesforce"));
    pipeline.push();
    var before = visits(repId, day, rep);
    assertThat(before).as("the rep's day is planned around the booked meeting").isNotEmpty();

    // Tuesday 09:10 at the rep's: the customer cancels the meeting in the CRM
    clock.set(day.atTime(LocalTime.of(9, 10)).atZone(rep.timeZone()).toInstant());
    var meetingId = salesforce.ids("Event").stream().filter(id -> {
      var e = salesforce.get(id).orElseThrow();
      return e.get("Subject").equals(booked.subject()) && e.get("OwnerId").equals(repId);
    }).findFirst().orElseThrow();
    salesforce.editAsUser(java.util.List.of(meetingId), Map.of("Status__c", "Cancelled"));
    clock.advance(java.time.Duration.ofSeconds(30));

    pipeline.pullAndReplan("salesforce");
    pipeline.push();
    var after = visits(repId, day, rep);
    assertThat(after).as("the rest of the day is re-planned: the plan events changed").isNotEqualTo(before);
    assertThat(after.values()).as("one plan event per account and day, never two").allMatch(n -> n == 1);

    // the status page shows the re-planned day and why
    try (var admin = io.salesos.admin.AdminServer.start(runtime.database(),
        new io.salesos.admin.Metrics(runtime.database(), runtime.connections()), "127.0.0.1", 0)) {
      io.salesos.admin.StatusPage.register(admin, runtime.database(), java.util.List.of("salesforce"), clock,
          pipeline.rules()::current);
      var page = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(admin.address() + "/?source=salesforce")).GET().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertThat(page).contains("Re-planned after a cancelled meeting").contains("cancelled: ").contains(booked.subject());
    }

    // the next poll, with nothing new: nothing is written again
    clock.advance(java.time.Duration.ofSeconds(60));
    pipeline.pullAndReplan("salesforce");
    pipeline.push();
    assertThat(visits(repId, day, rep)).isEqualTo(after);
  }

  /** The rep's salesos plan events on {@code day} (live ones), counted per account. */
  private Map<String, Integer> visits(String repId, LocalDate day, DemoOrg.User rep) {
    var out = new java.util.TreeMap<String, Integer>();
    for (var id : salesforce.ids("Event")) {
      var e = salesforce.get(id).orElseThrow();
      var key = e.get("Salesos_Key__c");
      if (key == null || key.isEmpty() || !repId.equals(e.get("OwnerId"))) {
        continue;
      }
      var start = Instant.parse(e.get("StartDateTime").replace("+0000", "Z"));
      if (LocalDate.ofInstant(start, rep.timeZone()).equals(day)) {
        out.merge(e.get("WhatId") + "@" + e.get("StartDateTime"), 1, Integer::sum);
      }
    }
    return out;
  }

  private Path config() {
    return SandboxConfig.onNewSchema().salesforceInProcess().writeInto(dir);
  }
}
