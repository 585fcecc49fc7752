package io.salesos.daemon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.CanonicalJson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task withdrawal end to end on the Salesforce sandbox with the repository's mapping and rules: a
 * call logged on a new lead makes its "call new lead" task one that no rule concludes, and the next
 * cycle closes it with the reason in its Description ({@code withdraw: close}) or deletes it
 * ({@code withdraw: delete}); a task a rep edited is left as the rep left it; the withdrawal is
 * journalled and a rollback of its run brings the task back as it was.
 */
class SalesforceTaskWithdrawalTest {

  @TempDir
  Path dir;

  SalesforceOrg org;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(org);
  }

  @Test
  void aCallOnTheLeadClosesTheUntouchedTaskWithTheReasonAndLeavesTheOneARepEdited() {
    org = SalesforceOrg.start(dir, UnaryOperator.identity());
    org.cycle();
    var tasks = leadTasks();
    var untouched = tasks.get(0);
    var edited = tasks.get(1);
    var originalBody = org.record(untouched.taskId()).get("Description");
    assertThat(originalBody).as("salesos wrote why the task exists").contains("nobody has");

    org.sandbox.editAsUser(List.of(edited.taskId()), Map.of("Subject", "Called twice, try again Friday"));
    org.logCall(untouched.leadId());
    org.logCall(edited.leadId());
    org.cycle();

    var closed = org.record(untouched.taskId());
    assertThat(closed.get("Status")).isEqualTo("Completed");
    assertThat(closed.get("Description")).startsWith(originalBody.strip()).contains("Closed by salesos on ")
        .contains("rule sla.lead_untouched no longer concludes this task.");
    var repsTask = org.record(edited.taskId());
    assertThat(repsTask.get("Status")).isEqualTo("Not Started");
    assertThat(repsTask.get("Subject")).isEqualTo("Called twice, try again Friday");
    assertThat(org.rows("SELECT record_id, op FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'written'"))
        .as("only the untouched task of a lead that got its call is withdrawn").containsExactly(untouched.taskId() + "|UPDATE");
    assertThat(org.rows("SELECT COUNT(*) FROM outbox WHERE write_kind = 'withdraw' AND record_id = '" + edited.taskId() + "'"))
        .as("the rep's edit reached the mirror before the evaluation: no withdrawal is even queued").containsExactly("0");
    assertThat(org.rows("SELECT COUNT(*) FROM conflict")).containsExactly("0");
    // the closed task is salesos's bookkeeping, not a call: the mirror holds it closed, and nothing is queued again
    assertThat(org.rows("SELECT status FROM activity WHERE id = '" + untouched.taskId() + "'")).containsExactly("completed");

    var run = org.rows("SELECT run_id FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'written'").get(0);
    var rollback = org.pipeline().rollback(run, "admin:test");
    assertThat(rollback.stats().written()).isEqualTo(1);
    var reopened = org.record(untouched.taskId());
    assertThat(reopened.get("Status")).isEqualTo("Not Started");
    assertThat(reopened.get("Description").strip()).isEqualTo(originalBody.strip());
    // the person's rollback stands: the next cycle does not withdraw the task again
    org.cycle();
    assertThat(org.record(untouched.taskId()).get("Status")).isEqualTo("Not Started");
    assertThat(org.rows("SELECT COUNT(*) FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'written'"))
        .containsExactly("1");
  }

  @Test
  void withdrawDeleteDeletesTheUntouchedTaskAndARollbackCreatesItAgainUnderItsKey() {
    org = SalesforceOrg.start(dir, policy -> {
      assertThat(policy).contains("withdraw: close");
      return policy.replace("withdraw: close", "withdraw: delete");
    });
    org.cycle();
    var tasks = leadTasks();
    var untouched = tasks.get(0);
    var edited = tasks.get(1);
    var before = org.record(untouched.taskId());
    org.logCall(untouched.leadId());
    org.logCall(edited.leadId());
    var p = org.pipeline();
    p.pull(java.util.Optional.empty());
    p.evaluate(java.util.Optional.empty());
    assertThat(org.rows("SELECT record_id FROM outbox WHERE write_kind = 'withdraw' AND status = 'pending' ORDER BY record_id"))
        .as("both tasks lost their reason and were untouched when evaluated").contains(untouched.taskId(), edited.taskId());
    // the rep edits one of them after the evaluation, before the push: the push sees it in the org and leaves it
    org.sandbox.editAsUser(List.of(edited.taskId()), Map.of("Description", "Left a voicemail, calling back Monday"));
    p.push();
    p.pull(java.util.Optional.empty());

    assertThat(org.sandbox.ids("Task")).as("the untouched task is deleted").doesNotContain(untouched.taskId())
        .as("the task the rep edited stays").contains(edited.taskId());
    assertThat(org.record(edited.taskId()).get("Description")).isEqualTo("Left a voicemail, calling back Monday");
    assertThat(org.rows("SELECT record_id, op FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'written'"))
        .containsExactly(untouched.taskId() + "|DELETE");
    assertThat(org.rows("SELECT record_id, error FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'conflict'"))
        .as("the rep's task: journalled as left alone, with why").singleElement().asString()
        .startsWith(edited.taskId() + "|not withdrawn: body changed in the CRM");
    assertThat(org.rows("SELECT COUNT(*) FROM activity WHERE id = '" + untouched.taskId() + "' AND NOT deleted"))
        .as("the mirror follows the delete").containsExactly("0");
    assertThat(org.rows("SELECT COUNT(*) FROM conflict")).containsExactly("0");

    var run = org.rows("SELECT run_id FROM write_journal WHERE write_kind = 'withdraw' AND outcome = 'written'").get(0);
    assertThat(org.pipeline().rollback(run, "admin:test").stats().written()).isEqualTo(1);
    var again = org.sandbox.ids("Task").stream().map(org::record)
        .filter(t -> untouched.key().equals(t.get("Salesos_Key__c"))).toList();
    assertThat(again).as("created again under its key, once").hasSize(1);
    for (var field : List.of("Subject", "Description", "WhoId", "OwnerId", "ActivityDate", "Priority", "Status")) {
      assertThat(again.get(0).get(field)).as(field).isEqualTo(before.get(field));
    }
  }

  /** A task salesos wrote for the sla.lead_untouched rule: the task, the lead it is about, its key. */
  record LeadTask(String taskId, String leadId, String key) {}

  /** The "call new lead" tasks the first cycle wrote, by task id; the test needs two. */
  private List<LeadTask> leadTasks() {
    var out = org.rows("SELECT crm_id, fields, idem_key FROM outbox WHERE status = 'done' AND write_kind = 'task'"
        + " AND rule_id = 'sla.lead_untouched' ORDER BY crm_id").stream().map(row -> {
          var cols = row.split("\\|", 3);
          return new LeadTask(cols[0], CanonicalJson.read(cols[1]).get("contact_id").toString(), cols[2]);
        }).toList();
    assertThat(out).as("lead tasks written by the first cycle").hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(t -> assertThat(t.leadId()).startsWith("00Q"));
    return out;
  }
}
