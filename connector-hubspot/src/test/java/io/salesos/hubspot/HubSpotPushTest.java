package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HubSpotPushTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private HubSpotSandbox sandbox;
  private HubSpotConnector connector;

  @BeforeEach
  void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(SandboxClock.fixed(T0))
        .withLimits(RateLimits.unlimited()));
    connector = connect(sandbox);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void pushOf250TasksWithThreeInvalidRowsLands247AndReturnsHubSpotsErrorForThe3() throws Exception {
    var deal = sandbox.fillDeals(1, T0, Duration.ZERO).get(0);
    var writes = new ArrayList<Write>();
    for (int i = 0; i < 250; i++) {
      var fields = new HashMap<String, Object>(task(i, deal));
      switch (i) {
        case 17 -> fields.put("hs_task_status", "HALF_DONE");
        case 120 -> fields.put("hs_task_priority", "URGENT");
        case 233 -> fields.put("hs_no_such_property", "x");
        default -> { }
      }
      writes.add(Write.upsert("salesos:followup:" + i, "salesos_key", fields));
    }
    long callsBefore = connector.calls();

    var results = new ArrayList<WriteResult>();
    for (int i = 0; i < writes.size(); i += connector.maxWriteBatch()) {
      results.addAll(connector.push("tasks", writes.subList(i, Math.min(writes.size(), i + connector.maxWriteBatch()))));
    }

    assertThat(results).hasSize(250);
    assertThat(results).extracting(WriteResult::key).containsExactlyElementsOf(writes.stream().map(Write::key).toList());
    assertThat(results.stream().filter(WriteResult::success)).hasSize(247).allMatch(WriteResult::created);
    var failed = results.stream().filter(r -> !r.success()).toList();
    assertThat(failed).extracting(WriteResult::key)
        .containsExactly("salesos:followup:17", "salesos:followup:120", "salesos:followup:233");
    assertThat(failed).allMatch(r -> !r.retryable() && r.errorCode().orElseThrow().equals("VALIDATION_ERROR"));
    assertThat(failed.get(0).message().orElseThrow()).contains("HALF_DONE was not one of the allowed options");
    assertThat(failed.get(1).message().orElseThrow()).contains("URGENT was not one of the allowed options");
    assertThat(failed.get(2).message().orElseThrow()).contains("Property \\\"hs_no_such_property\\\" does not exist");
    assertThat(sandbox.count("tasks")).isEqualTo(247);
    // 3 upsert batches and 3 association batches: nothing retried
    assertThat(connector.calls() - callsBefore).isEqualTo(6);
    var created = results.get(0).id().orElseThrow();
    assertThat(sandbox.associations("tasks", created, "deals")).containsExactly(deal);
    assertThat(sandbox.get("tasks", created).orElseThrow().properties())
        .containsEntry("hs_task_subject", "Follow up 0").containsEntry("salesos_key", "salesos:followup:0");
  }

  @Test
  void upsertingTheSameKeyTwiceUpdatesTheRecordItCreated() throws Exception {
    var deal = sandbox.fillDeals(1, T0, Duration.ZERO).get(0);
    var first = connector.push("tasks", List.of(Write.upsert("k1", "salesos_key", task(1, deal))));
    var changed = new HashMap<String, Object>(task(1, deal));
    changed.put("hs_task_subject", "Follow up, again");
    var second = connector.push("tasks", List.of(Write.upsert("k1", "salesos_key", changed)));

    assertThat(first.get(0).created()).isTrue();
    assertThat(second.get(0).created()).isFalse();
    assertThat(second.get(0).id()).isEqualTo(first.get(0).id());
    assertThat(sandbox.count("tasks")).isEqualTo(1);
    assertThat(sandbox.get("tasks", first.get(0).id().orElseThrow()).orElseThrow().properties())
        .containsEntry("hs_task_subject", "Follow up, again");
  }

  @Test
  void updatesAndArchivesAnswerInInputOrderAndAMissingIdFailsOnlyItself() throws Exception {
    var deals = sandbox.fillDeals(3, T0, Duration.ZERO);
    var results = connector.push("deals", List.of(
        Write.update("f1", deals.get(0), Map.of("salesos_flags", "missing_next_step", "salesos_forecast_category", "PIPELINE")),
        Write.update("f2", "999999999", Map.of("salesos_flags", "x")),
        Write.delete("d1", deals.get(2))));

    assertThat(results).extracting(WriteResult::key).containsExactly("f1", "f2", "d1");
    assertThat(results).extracting(WriteResult::success).containsExactly(true, false, true);
    assertThat(results.get(1).errorCode()).contains("OBJECT_NOT_FOUND");
    assertThat(sandbox.get("deals", deals.get(0)).orElseThrow().properties())
        .containsEntry("salesos_flags", "missing_next_step");
    assertThat(sandbox.countArchived("deals")).isEqualTo(1);
  }

  @Test
  void aBatchHubSpotRefusesWholeIsSplitUntilTheBadWriteStandsAlone() throws Exception {
    sandbox.faults().refuseWholeBatchOnInvalidInput(true);
    var writes = new ArrayList<Write>();
    for (int i = 0; i < 8; i++) {
      writes.add(Write.upsert("c" + i + "@x.example", "email", Map.of("firstname", "C" + i,
          "lifecyclestage", i == 5 ? "prospect" : "lead")));
    }
    long callsBefore = connector.calls();

    var results = connector.push("contacts", writes);

    assertThat(results).extracting(WriteResult::success).containsExactly(true, true, true, true, true, false, true, true);
    assertThat(results.get(5).message().orElseThrow()).contains("prospect was not one of the allowed options");
    assertThat(sandbox.count("contacts")).isEqualTo(7);
    // 8 -> 4+4 -> 2+2 -> 1+1: 7 calls, bounded by 2n-1
    assertThat(connector.calls() - callsBefore).isEqualTo(7);
  }

  private static Map<String, Object> task(int i, String deal) {
    var m = new HashMap<String, Object>();
    m.put("hs_task_subject", "Follow up " + i);
    m.put("hs_task_body", "Book the next visit");
    m.put("hs_timestamp", T0.plus(Duration.ofDays(2)));
    m.put("hs_task_status", "NOT_STARTED");
    m.put("hs_task_priority", "HIGH");
    m.put("hs_task_type", "TODO");
    m.put("associations.deals", deal);
    return m;
  }
}
