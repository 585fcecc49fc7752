package io.salesos.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.rules.CrmRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorContextDerivedFieldsTest {

  static final Instant MARCH = Instant.parse("2026-03-02T09:00:00Z");
  static final Instant MAY = Instant.parse("2026-05-11T09:00:00Z");

  @Test
  void aDealWithoutTheFieldGetsTheNewestChangeIntoItsCurrentStage() {
    var deal = CrmRecord.of("d1", "stage", "Proposal");
    var history = List.of(CrmRecord.of("h1", "stage", "Qualification", "changed_at", MARCH),
        CrmRecord.of("h2", "stage", "Proposal", "changed_at", MAY));
    assertThat(MirrorContextSource.withStageEntered(deal, history).instant("stage_entered_at")).contains(MAY);
  }

  @Test
  void theCrmsOwnFieldWinsAndAStageMissingFromTheHistoryStaysUnknown() {
    var own = CrmRecord.of("d1", "stage", "Proposal", "stage_entered_at", MARCH);
    var history = List.of(CrmRecord.of("h2", "stage", "Proposal", "changed_at", MAY));
    assertThat(MirrorContextSource.withStageEntered(own, history).instant("stage_entered_at")).contains(MARCH);
    var moved = CrmRecord.of("d2", "stage", "Negotiation");
    assertThat(MirrorContextSource.withStageEntered(moved, history).get("stage_entered_at")).isEmpty();
  }

  @Test
  void anActivityWithoutAStartHappenedWhenItWasLogged() {
    var call = CrmRecord.of("t1", "kind", "call", "status", "completed", "created_at", MAY);
    assertThat(MirrorContextSource.timed(call).instant("start_at")).contains(MAY);
    var meeting = CrmRecord.of("e1", "kind", "meeting", "start_at", MARCH, "created_at", MAY);
    assertThat(MirrorContextSource.timed(meeting).instant("start_at")).contains(MARCH);
  }

  @Test
  void aTaskSalesosWithdrewIsNotEvidenceButOneARepClosedIs() {
    var withdrawn = CrmRecord.of("t1", "salesos_key", "k1", "status", "completed",
        "body", "Call the lead.\n\nClosed by salesos on 2026-12-03: rule sla.lead_untouched no longer concludes this task.");
    var repDone = CrmRecord.of("t2", "salesos_key", "k2", "status", "completed", "body", "Call the lead.");
    var repAddedAfter = CrmRecord.of("t3", "salesos_key", "k3", "status", "completed",
        "body", "Closed by salesos on 2026-12-03: rule x no longer concludes this task.\nCalled anyway, she is keen.");
    var repCall = CrmRecord.of("c1", "status", "completed", "body", "Closed by salesos on: quoted in a rep's note");
    org.assertj.core.api.Assertions.assertThat(MirrorContextSource.withdrawnBySalesos(withdrawn)).isTrue();
    org.assertj.core.api.Assertions.assertThat(MirrorContextSource.withdrawnBySalesos(repDone)).isFalse();
    org.assertj.core.api.Assertions.assertThat(MirrorContextSource.withdrawnBySalesos(repAddedAfter)).isFalse();
    org.assertj.core.api.Assertions.assertThat(MirrorContextSource.withdrawnBySalesos(repCall)).isFalse();
  }
}
