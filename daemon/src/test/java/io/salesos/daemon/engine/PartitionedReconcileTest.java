package io.salesos.daemon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.CanonicalJson;
import io.salesos.rules.Change;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconcile stays right when a run reads the mirror in partitions: a converged org evaluated one
 * account at a time changes nothing (no flag cleared, no task withdrawn because it sat in another
 * partition), a run over a set of deals touches only those deals (other deals' flags stay even
 * when they would change, a lead's task stays even when its rule no longer concludes it), and the
 * next full run does the rest.
 */
class PartitionedReconcileTest {

  @TempDir
  Path dir;

  HubSpotOrg org;

  @AfterEach
  void tearDown() {
    EngineFixtures.closeAll(org);
  }

  @Test
  void partitionsNeverClearOrWithdrawWhatTheyDidNotEvaluate() {
    org = HubSpotOrg.start(dir);
    org.cycle();
    var flagged = List.copyOf(org.flags().keySet());
    assertThat(flagged).as("deals flagged by the first cycle").hasSizeGreaterThanOrEqualTo(2);
    var p = org.pipeline();

    // converged: one account per partition concludes exactly what the mirror holds
    var steady = p.evaluate("hubspot", 1, false).get(0);
    assertThat(steady.detailed()).isTrue();
    // (forecast categories are drafts in the demo policy: still waiting, concluded again, queued once)
    assertThat(steady.changes()).filteredOn(c -> !(c instanceof Change.ForecastCategoryChanged)).isEmpty();
    assertThat(steady.queued()).isZero();

    // a rep blanks the flags of two deals, and a call is logged on a lead salesos wrote a task for
    var mine = flagged.get(0);
    var other = flagged.get(1);
    var flagsBefore = org.flags();
    org.sandbox.update("deals", List.of(mine, other), Map.of("salesos_flags", ""));
    var leadTask = org.rows("SELECT crm_id, fields FROM outbox WHERE status = 'done' AND write_kind = 'task'"
        + " AND rule_id = 'sla.lead_untouched' ORDER BY crm_id").get(0).split("\\|", 2);
    var lead = CanonicalJson.read(leadTask[1]).get("contact_id").toString();
    org.logCall(lead);
    p.pull(java.util.Optional.empty());

    // a run over one deal restores that deal's flags only, and withdraws no lead task
    var some = p.evaluateDeals("hubspot", Set.of(mine), false).orElseThrow();
    assertThat(some.deals()).isEqualTo(1);
    assertThat(some.changes()).allMatch(c -> c.recordId().equals(java.util.Optional.of(mine)));
    assertThat(some.changes()).filteredOn(c -> c instanceof Change.FlagsChanged).hasSize(1);
    assertThat(some.changes()).noneMatch(c -> c instanceof Change.WithdrawTask);
    assertThat(org.rows("SELECT COUNT(*) FROM outbox WHERE write_kind = 'withdraw'")).containsExactly("0");
    p.push();
    p.pull(java.util.Optional.empty());
    assertThat(org.flags()).containsEntry(mine, flagsBefore.get(mine)).doesNotContainKey(other);

    // the next full run, in partitions, restores the other deal and withdraws the lead's task
    var full = p.evaluate("hubspot", 1, false).get(0);
    assertThat(full.changes()).filteredOn(c -> c instanceof Change.FlagsChanged).extracting(c -> ((Change.FlagsChanged) c).dealId())
        .containsExactly(other);
    assertThat(full.changes()).filteredOn(c -> c instanceof Change.WithdrawTask)
        .extracting(c -> ((Change.WithdrawTask) c).taskId()).containsExactly(leadTask[0]);
    p.push();
    p.pull(java.util.Optional.empty());
    assertThat(org.flags()).isEqualTo(flagsBefore);
    assertThat(org.sandbox.get("tasks", leadTask[0]).orElseThrow().properties().get("hs_task_status")).isEqualTo("COMPLETED");
  }
}
