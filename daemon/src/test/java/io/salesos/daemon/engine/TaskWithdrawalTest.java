package io.salesos.daemon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.CanonicalJson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task salesos wrote is withdrawn when its rule no longer concludes it: a call logged on a new
 * lead closes its "call new lead" task at the next cycle, with a line saying why, unless a rep has
 * edited the task; the close is journalled and a rollback reopens the task.
 */
class TaskWithdrawalTest {

  @TempDir
  Path dir;

  HubSpotOrg org;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(org);
  }

  @Test
  void aCallOnTheLeadClosesTheUntouchedTaskWithTheReasonAndLeavesTheOneARepEdited() {
    org = HubSpotOrg.start(dir);
    org.cycle();
    // the "call new lead" tasks salesos wrote: task id and the lead it is about
    var written = org.rows("SELECT crm_id, fields FROM outbox WHERE status = 'done' AND write_kind = 'task'"
        + " AND rule_id = 'sla.lead_untouched' ORDER BY crm_id");
    assertThat(written).as("lead tasks written by the first cycle").hasSizeGreaterThanOrEqualTo(2);
    var untouched = written.get(0).split("\\|", 2);
    var edited = written.get(1).split("\\|", 2);
    var untouchedLead = CanonicalJson.read(untouched[1]).get("contact_id").toString();
    var editedLead = CanonicalJson.read(edited[1]).get("contact_id").toString();
    var originalBody = org.sandbox.get("tasks", untouched[0]).orElseThrow().properties().get("hs_task_body");

    // a rep edits one task's subject; both leads then get a logged call
    org.sandbox.update("tasks", List.of(edited[0]), Map.of("hs_task_subject", "Called twice, try again Friday"));
    org.logCall(untouchedLead);
    org.logCall(editedLead);
    org.cycle();

    var closed = org.sandbox.get("tasks", untouched[0]).orElseThrow().properties();
    assertThat(closed.get("hs_task_status")).isEqualTo("COMPLETED");
    assertThat(closed.get("hs_task_body")).startsWith(originalBody.strip())
        .contains("Closed by salesos").contains("rule sla.lead_untouched no longer concludes this task");
    var repsTask = org.sandbox.get("tasks", edited[0]).orElseThrow().properties();
    assertThat(repsTask.get("hs_task_status")).isEqualTo("NOT_STARTED");
    assertThat(repsTask.get("hs_task_subject")).isEqualTo("Called twice, try again Friday");
    // no other salesos task was withdrawn: only the lead whose call was logged lost its reason
    assertThat(org.rows("SELECT record_id FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'written'"))
        .containsExactly(untouched[0]);
    assertThat(org.rows("SELECT COUNT(*) FROM conflict")).containsExactly("0");

    // journalled with the before-image, so a rollback of the run reopens the task as it was
    var run = org.rows("SELECT run_id FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'written'").get(0);
    var rollback = org.pipeline().rollback(run, "admin:test");
    assertThat(rollback.stats().written()).isEqualTo(1);
    var reopened = org.sandbox.get("tasks", untouched[0]).orElseThrow().properties();
    assertThat(reopened.get("hs_task_status")).isEqualTo("NOT_STARTED");
    assertThat(reopened.get("hs_task_body").strip()).isEqualTo(originalBody.strip());
    // and the withdrawal is not made again: the person's rollback stands
    org.cycle();
    assertThat(org.sandbox.get("tasks", untouched[0]).orElseThrow().properties().get("hs_task_status")).isEqualTo("NOT_STARTED");
  }
}
