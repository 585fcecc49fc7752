package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.outbox.OutboxEntry;
import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import io.salesos.testing.MemoryCrm;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A CRM value that is salesos's own earlier write, met by a write decided on a mirror that
 * predates it (a crash between a push and the pull of its echo), is an echo and not a conflict; a
 * value a person put there still is one.
 */
class OwnWriteEchoTest {

  static final String MAPPING = """
      crm: memory
      objects:
        - crm_object: deals
          canonical: deal
          fields: {name: name, flags: salesos_flags}
      """;

  final Database db = TestDatabases.fresh();

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void salesosOwnWriteSeenBeforeItsEchoWasPulledIsNoConflictButARepsEditIs() {
    var crm = new MemoryCrm("mem");
    crm.readsById(Optional.empty());
    var id = crm.save("deals", List.of(Map.of("name", "Fleet renewal"))).get(0);
    var connection = new CrmConnection("mem", "memory", new ResilientConnector(crm, ResilienceSettings.fast()),
        Mapping.from(YamlNode.parse("memory.yaml", MAPPING)), true);
    var engine = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(100, 100, 3, Duration.ZERO, 1000), Clock.systemUTC());
    engine.pull(Optional.empty());

    // written before the "crash"; the mirror the next decision reads still shows no flags
    engine.outbox().enqueue(List.of(flagWrite("run-1", id, "NO_VISIT", null)));
    assertThat(engine.push().written()).isEqualTo(1);
    engine.outbox().enqueue(List.of(flagWrite("run-2", id, "NO_VISIT; NO_AMOUNT", null)));
    var afterRestart = engine.push();

    assertThat(afterRestart.written()).isEqualTo(1);
    assertThat(afterRestart.conflicts()).isZero();
    assertThat(engine.conflicts().count(Optional.empty())).isZero();
    assertThat(crm.get("deals", id).orElseThrow().fields()).containsEntry("flags", "NO_VISIT; NO_AMOUNT");

    // a rep's own text in the field is a person's edit: a conflict, recorded (salesos owns the field, so it writes)
    crm.save("deals", List.of(Map.of("id", id, "flags", "checked with the customer")));
    engine.outbox().enqueue(List.of(flagWrite("run-3", id, "NO_VISIT", "NO_VISIT; NO_AMOUNT")));
    var withEdit = engine.push();
    assertThat(withEdit.conflicts()).isEqualTo(1);
    assertThat(engine.conflicts().count(Optional.empty())).isEqualTo(1);
  }

  static OutboxEntry flagWrite(String run, String dealId, String flags, String expected) {
    var before = new HashMap<String, Object>();
    before.put("salesos_flags", expected);
    return OutboxEntry.queued("flags-" + run, "mem", "deals", "deal", Optional.of(dealId), Write.Op.UPDATE, WriteKind.FLAG,
        Map.of("salesos_flags", flags), before, Optional.of("flags"), Optional.empty(), Optional.of(run), "rules");
  }
}
