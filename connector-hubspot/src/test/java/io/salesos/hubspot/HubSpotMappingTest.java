package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static io.salesos.hubspot.TestConnections.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.mapping.Mapping;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The default mapping file read against the demo org in the sandbox, end to end through the connector. */
class HubSpotMappingTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static HubSpotSandbox sandbox;
  private static DemoOrg org;
  private static Map<String, String> ids;
  private static Mapping mapping;
  private static HubSpotConnector connector;
  private static final Map<String, List<Map<String, Object>>> canonical = new HashMap<>();
  private static final Map<String, List<RawRecord>> raw = new HashMap<>();

  @BeforeAll
  static void pullEverything() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited()));
    org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0));
    ids = sandbox.seed(org);
    sandbox.clock().advance(Duration.ofMinutes(1));
    mapping = Mapping.load(Path.of("../config/mappings/hubspot.yaml"));
    connector = connect(sandbox);
    for (var om : mapping.objects()) {
      var batches = drain(connector, new PullRequest(om.crmObject(), om.crmFields(), Checkpoint.INITIAL, 100));
      for (var b : batches) {
        assertThat(b.malformed()).as(om.crmObject()).isEmpty();
        for (var r : b.records()) {
          raw.computeIfAbsent(om.crmObject(), k -> new ArrayList<>()).add(r);
          canonical.computeIfAbsent(om.crmObject(), k -> new ArrayList<>()).add(om.toCanonical(r));
        }
      }
    }
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void everyMappedFieldIsOneTheConnectorDescribes() throws Exception {
    var schema = connector.describe();
    for (var om : mapping.objects()) {
      var object = schema.object(om.crmObject());
      assertThat(object).as(om.crmObject()).isPresent();
      for (var f : om.crmFields()) {
        assertThat(object.get().field(f)).as(om.crmObject() + "." + f).isPresent();
      }
    }
  }

  @Test
  void dealsReadAsCanonicalDealsWithTheirAccountStageAndForecast() {
    var demo = org.deals().get(0);
    var hubspotId = ids.get(demo.id());
    var index = indexOf("deals", hubspotId);
    var deal = canonical.get("deals").get(index);
    assertThat(deal).containsEntry("name", demo.name())
        .containsEntry("stage", demo.stage().label())
        .containsEntry("account_id", ids.get(demo.accountId()))
        .containsEntry("owner_id", ids.get(demo.ownerId()))
        // the amount as entered; salesos fills deal.amount, converted to the company currency, in the mirror
        .containsEntry("amount_original", demo.amount())
        .containsEntry("close_date", demo.closeDate())
        .containsEntry("forecast_category", demo.forecastCategory().label())
        .containsEntry("is_closed", demo.stage().closed());
    assertThat(canonical.get("deals")).hasSize(org.deals().size());
  }

  @Test
  void stageHistoryAndContactRolesArriveAsTheirOwnObjects() {
    var demo = org.deals().stream().filter(d -> !d.contactRoles().isEmpty() && d.stageHistory().size() > 1)
        .findFirst().orElseThrow();
    var dealId = ids.get(demo.id());
    var history = canonical.get("deal_stage_history").stream().filter(h -> dealId.equals(h.get("deal_id"))).toList();
    assertThat(history).extracting(h -> h.get("stage"))
        .containsExactlyInAnyOrderElementsOf(demo.stageHistory().stream().map(c -> c.stage().label()).toList());
    var roles = canonical.get("deal_contacts").stream().filter(h -> dealId.equals(h.get("deal_id"))).toList();
    assertThat(roles).hasSize(demo.contactRoles().size());
    var first = demo.contactRoles().get(0);
    assertThat(roles).anySatisfy(r -> {
      assertThat(r.get("contact_id")).isEqualTo(ids.get(first.contactId()));
      assertThat(r.get("role")).isEqualTo(first.role());
      assertThat(r.get("is_primary")).isEqualTo(first.primary());
    });
  }

  @Test
  void activitiesKeepTheirKindStatusAndCheckIn() {
    int total = 0;
    for (var type : List.of("tasks", "meetings", "calls", "emails", "notes")) {
      total += canonical.getOrDefault(type, List.of()).size();
    }
    assertThat(total).isEqualTo(org.activities().size());
    var visit = org.activities().stream().filter(a -> a.kind() == DemoOrg.ActivityKind.VISIT && a.checkInLat().isPresent())
        .findFirst().orElseThrow();
    var meeting = canonical.get("meetings").get(indexOf("meetings", ids.get(visit.id())));
    assertThat(meeting).containsEntry("kind", "visit").containsEntry("status", "completed")
        .containsEntry("check_in_lat", visit.checkInLat().get())
        .containsEntry("account_id", ids.get(visit.accountId().orElseThrow()));
    var cancelled = org.activities().stream().filter(a -> a.status() == DemoOrg.ActivityStatus.CANCELLED)
        .findFirst().orElseThrow();
    assertThat(canonical.get("meetings").get(indexOf("meetings", ids.get(cancelled.id()))))
        .containsEntry("status", "cancelled");
  }

  @Test
  void aTaskWrittenThroughTheMappingLandsOnItsDeal() throws Exception {
    var tasks = mapping.forCrmObject("tasks").orElseThrow();
    var dealId = ids.get(org.deals().get(0).id());
    var fields = tasks.toCrm(Map.of("subject", "Book a visit", "due_date", java.time.LocalDate.parse("2026-11-05"),
        "status", "planned", "priority", "high", "deal_id", dealId, "salesos_key", "stall:" + dealId));
    var result = connector.push("tasks", List.of(io.salesos.spi.Write.upsert("stall:" + dealId, "salesos_key",
        new HashMap<>(fields))));
    assertThat(result.get(0).success()).as(result.get(0).toString()).isTrue();
    var task = sandbox.get("tasks", result.get(0).id().orElseThrow()).orElseThrow();
    assertThat(task.properties()).containsEntry("hs_task_status", "NOT_STARTED").containsEntry("hs_task_priority", "HIGH")
        .containsEntry("hs_timestamp", "2026-11-05T00:00:00.000Z");
    assertThat(sandbox.associations("tasks", task.idString(), "deals")).containsExactly(dealId);
  }

  private static int indexOf(String type, String id) {
    var list = raw.get(type);
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).id().equals(id)) {
        return i;
      }
    }
    throw new AssertionError("no " + type + " " + id + " pulled");
  }
}
