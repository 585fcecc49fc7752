package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PushTest {

  SalesforceSandbox sandbox;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().start();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  static List<Write> tasks(int n, String subjectPrefix) {
    var writes = new ArrayList<Write>();
    for (int i = 0; i < n; i++) {
      writes.add(Write.upsert("salesos-task-" + i, "Salesos_Key__c", Map.of(
          "Subject", subjectPrefix + " " + i, "ActivityDate", "2026-12-01", "Status", "Not Started",
          "Priority", "Normal", "Type", "Call")));
    }
    return writes;
  }

  @Test
  void upsertingTheSameTasksTwiceCreatesNothingTheSecondTime() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var first = c.push("Task", tasks(450, "Follow up"));
      assertThat(first).hasSize(450).allMatch(WriteResult::success).allMatch(WriteResult::created);
      assertThat(sandbox.count("Task")).isEqualTo(450);

      var second = c.push("Task", tasks(450, "Follow up again"));
      assertThat(second).hasSize(450).allMatch(WriteResult::success).noneMatch(WriteResult::created);
      assertThat(second.stream().map(r -> r.id().orElseThrow()).toList())
          .containsExactlyElementsOf(first.stream().map(r -> r.id().orElseThrow()).toList());
      assertThat(sandbox.count("Task")).isEqualTo(450);
      assertThat(sandbox.get(second.get(7).id().orElseThrow()).orElseThrow())
          .containsEntry("Subject", "Follow up again 7");
    }
  }

  @Test
  void rowsFailingValidationFailAloneAndCarryTheMessage() throws Exception {
    sandbox.addValidationRule("Task", "No_Blocked_Subjects",
        v -> String.valueOf(v.get("Subject")).startsWith("BLOCKED"), "Subject may not start with BLOCKED");
    var writes = new ArrayList<>(tasks(200, "Visit"));
    for (int i : new int[] {3, 50, 99, 150, 199}) {
      writes.set(i, Write.upsert("salesos-task-" + i, "Salesos_Key__c", Map.of("Subject", "BLOCKED " + i)));
    }
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var results = c.push("Task", writes);
      assertThat(results).filteredOn(WriteResult::success).hasSize(195);
      assertThat(results).filteredOn(r -> !r.success()).hasSize(5).allSatisfy(r -> {
        assertThat(r.errorCode()).contains("FIELD_CUSTOM_VALIDATION_EXCEPTION");
        assertThat(r.message()).hasValueSatisfying(m -> assertThat(m).contains("Subject may not start with BLOCKED"));
        assertThat(r.retryable()).isFalse();
      });
      assertThat(results.get(50).key()).isEqualTo("salesos-task-50");
      assertThat(sandbox.count("Task")).isEqualTo(195);
    }
  }

  @Test
  void updatesByIdSetSalesosFlagsOnExistingOpportunities() throws Exception {
    var ids = sandbox.seedOpportunities(3, 0);
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var results = c.push("Opportunity", List.of(
          Write.update("flag-1", ids.get(0), Map.of("Salesos_Flags__c", "missing_primary_contact")),
          Write.update("flag-2", "006000000000000AAA", Map.of("Salesos_Flags__c", "x"))));
      assertThat(results.get(0).success()).isTrue();
      assertThat(results.get(1).success()).isFalse();
      assertThat(sandbox.get(ids.get(0)).orElseThrow()).containsEntry("Salesos_Flags__c", "missing_primary_contact");
    }
  }

  @Test
  void visitPlansUpsertAsEventsAndDeletesGoToTheRecycleBin() throws Exception {
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var visit = Write.upsert("plan-2026-12-01-rep1-stop1", "Salesos_Key__c", Map.of(
          "Subject", "Visit: Summit Foods", "Type", "Visit", "Status__c", "Planned",
          "StartDateTime", java.time.Instant.parse("2026-12-01T14:00:00Z"),
          "EndDateTime", java.time.Instant.parse("2026-12-01T14:45:00Z")));
      var created = c.push("Event", List.of(visit)).get(0);
      assertThat(created.success()).isTrue();
      assertThat(sandbox.get(created.id().orElseThrow()).orElseThrow())
          .containsEntry("Salesos_Key__c", "plan-2026-12-01-rep1-stop1")
          .containsEntry("StartDateTime", "2026-12-01T14:00:00.000Z");
      var missingEnd = Write.upsert("plan-bad", "Salesos_Key__c", Map.of("Subject", "no times"));
      var deleted = c.push("Event", List.of(Write.delete("cancel-1", created.id().orElseThrow()), missingEnd));
      assertThat(deleted.get(0).success()).isTrue();
      assertThat(deleted.get(1).errorCode()).contains("REQUIRED_FIELD_MISSING");
      assertThat(sandbox.count("Event")).isZero();
      assertThat(sandbox.countIncludingDeleted("Event")).isEqualTo(1);
    }
  }

  @Test
  void lockedRowsFailRetryably() throws Exception {
    sandbox.faults().lockRowsOnNext(1);
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var results = c.push("Task", tasks(3, "Call"));
      assertThat(results).allSatisfy(r -> {
        assertThat(r.errorCode()).contains("UNABLE_TO_LOCK_ROW");
        assertThat(r.retryable()).isTrue();
      });
      assertThat(c.push("Task", tasks(3, "Call"))).allMatch(WriteResult::success);
    }
  }
}
