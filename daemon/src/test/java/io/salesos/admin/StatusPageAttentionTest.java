package io.salesos.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.outbox.RunLimits;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.sync.Pauses;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What needs the admin is on the status page: a paused connection, a run held for review. */
class StatusPageAttentionTest {

  final Database db = TestDatabases.fresh();

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aPausedConnectionAndARunHeldForReviewAreShownWithWhatToDo() {
    var page = new StatusPage(db, List.of("hubspot"), AdminToken.none(), Clock.systemUTC(), Optional::empty);
    assertThat(page.render("hubspot", null)).doesNotContain("Paused:").doesNotContain("Held for review");

    new Pauses(db, Clock.systemUTC()).pause("hubspot", "ops", Optional.of("portal migration"));
    var entries = new ArrayList<OutboxEntry>();
    for (int i = 0; i < 3; i++) {
      entries.add(OutboxEntry.queued("k-" + i, "hubspot", "tasks", "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.TASK,
          Map.of("subject", "Call"), Map.of(), Optional.of("follow.stall"), Optional.empty(), Optional.of("run-7"), "rules"));
    }
    new OutboxStore(db, Clock.systemUTC()).enqueue(entries, AllowList.defaults(), new RunLimits(2, 100), 10);

    var html = page.render("hubspot", null);
    assertThat(html).contains("Paused: paused by ops").contains("portal migration").contains("salesos sync --resume hubspot");
    assertThat(html).contains("Held for review: run <code>run-7</code> queued 3 writes")
        .contains("salesos outbox release run-7");
  }
}
