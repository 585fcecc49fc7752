package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.ConflictPolicy;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.pipeline.Pipeline;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.spi.ChangeStream;
import io.salesos.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Salesforce Change Data Capture over the Pub/Sub API followed into the mirror by core's stream
 * follower, against the sandbox: edits and deletions arrive without a poll (read again by id), an
 * expired replay id, a gap event and an overflow event each fall back to the keyset pull and lose
 * nothing, and a dropped subscription keeps the position.
 */
class SalesforceStreamTest {

  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  private SalesforceSandbox sandbox;
  private Database db;
  private Pipeline engine;
  private final List<Pipeline> engines = new ArrayList<>();
  private List<String> deals;

  @BeforeEach
  void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(T0))
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0))).start();
    sandbox.sessionTimeout(Duration.ofDays(30));
    sandbox.clock().advance(Duration.ofMinutes(1));
    deals = sandbox.ids("Opportunity");
    db = TestDatabases.fresh();
    engine = pipeline();
    engine.pull(Optional.empty());
    // the first step takes the head of the stream
    assertThat(engine.sync().follower().step(connection()).streaming()).isTrue();
    assertThat(engine.sync().follower().positions().of("salesforce")).isPresent();
  }

  private Pipeline pipeline() {
    var connection = new CrmConnection("salesforce", "salesforce",
        new ResilientConnector(SandboxConnections.connector(sandbox, Map.of("change_stream", "cdc")),
            ResilienceSettings.fast()),
        Mapping.load(Path.of("../config/mappings/salesforce.yaml")), true);
    var p = new Pipeline(db, List.of(connection), LiveRuleSet.pushOnly(AllowList.defaults()), ConflictPolicy.defaults(),
        new Pipeline.Settings(200, 1000, 3, Duration.ZERO, 10_000), sandbox.clock());
    engines.add(p);
    return p;
  }

  private CrmConnection connection() {
    return engine.connection("salesforce");
  }

  @AfterEach
  void stop() {
    for (var p : engines) {
      p.connections().forEach(c -> {
        try {
          c.connector().close();
        } catch (Exception e) {
          // the test is over
        }
      });
    }
    db.close();
    sandbox.close();
  }

  private void edit(String deal, int amount) {
    sandbox.clock().advance(Duration.ofSeconds(2));
    sandbox.editAsUser(List.of(deal), Map.of("Amount", amount));
  }

  @Test
  void editsAndDeletionsArriveAsChangeEventsWithoutAPoll() throws SQLException {
    edit(deals.get(0), 111111);
    sandbox.clock().advance(Duration.ofSeconds(1));
    sandbox.deleteAsUser(List.of(deals.get(1)));
    long before = sandbox.faults().requestsUsed();

    var step = engine.sync().follower().step(connection());

    assertThat(step.error()).isEmpty();
    assertThat(step.fellBack()).isEmpty();
    assertThat(step.changed().get(CanonicalSchema.DEAL)).containsExactlyInAnyOrder(deals.get(0), deals.get(1));
    assertThat(amount(deals.get(0))).isEqualTo("111111.00");
    assertThat(count("SELECT COUNT(*) FROM deal WHERE deleted AND id = '" + deals.get(1) + "'")).isEqualTo(1);
    assertThat(step.committedAt()).containsKey(CanonicalSchema.DEAL + "/" + deals.get(0));
    // the edited deal was read again by id: one query, no Bulk job, no pull of every object
    assertThat(sandbox.faults().requestsUsed() - before).isEqualTo(1);
  }

  @Test
  void anExpiredReplayIdFallsBackToThePullAndLosesNothing() throws SQLException {
    edit(deals.get(4), 100000);
    assertThat(engine.sync().follower().step(connection()).changes()).isEqualTo(1);
    edit(deals.get(0), 222222);
    edit(deals.get(2), 333333);
    // the daemon was down longer than the bus keeps events: its stored replay id is rejected on restart
    sandbox.faults().expireReplayIdsBefore(sandbox.clock().instant().plusSeconds(1));
    engine = pipeline();

    var step = engine.sync().follower().step(connection());

    assertThat(step.fellBack()).get().extracting(ChangeStream.Interruption::kind)
        .isEqualTo(ChangeStream.Interruption.Kind.EXPIRED);
    assertThat(step.error()).isEmpty();
    assertThat(amount(deals.get(0))).isEqualTo("222222.00");
    assertThat(amount(deals.get(2))).isEqualTo("333333.00");
    var state = engine.sync().follower().positions().of("salesforce").orElseThrow();
    assertThat(state.fallbacks()).isEqualTo(1);
    assertThat(state.lastFallbackKind()).contains("EXPIRED");

    // and the stream goes on from the head taken before the pull
    edit(deals.get(3), 444444);
    var next = engine.sync().follower().step(connection());
    assertThat(next.fellBack()).isEmpty();
    assertThat(next.error()).isEmpty();
    assertThat(amount(deals.get(3))).isEqualTo("444444.00");
  }

  @Test
  void aGapEventAndAnOverflowEventEachFallBackToThePullAndLoseNothing() throws SQLException {
    edit(deals.get(0), 500000);
    sandbox.faults().gapEvents(1);
    edit(deals.get(1), 510000);
    edit(deals.get(2), 520000);

    var step = engine.sync().follower().step(connection());

    assertThat(step.fellBack()).get().extracting(ChangeStream.Interruption::kind)
        .isEqualTo(ChangeStream.Interruption.Kind.GAP);
    assertThat(amount(deals.get(0))).isEqualTo("500000.00");
    assertThat(amount(deals.get(1))).isEqualTo("510000.00");
    assertThat(amount(deals.get(2))).isEqualTo("520000.00");
    assertThat(engine.sync().follower().positions().of("salesforce").orElseThrow().lastFallbackKind()).contains("GAP");

    edit(deals.get(3), 530000);
    assertThat(engine.sync().follower().step(connection()).fellBack()).isEmpty();
    assertThat(amount(deals.get(3))).isEqualTo("530000.00");

    // an overflow event: a transaction changed more records than Change Data Capture reports one by one
    sandbox.faults().overflowEvent("Opportunity");
    edit(deals.get(4), 540000);
    var overflow = engine.sync().follower().step(connection());
    assertThat(overflow.fellBack()).get().extracting(ChangeStream.Interruption::kind)
        .isEqualTo(ChangeStream.Interruption.Kind.OVERFLOW);
    assertThat(amount(deals.get(4))).isEqualTo("540000.00");
    assertThat(engine.sync().follower().positions().of("salesforce").orElseThrow().fallbacks()).isEqualTo(2);
  }

  @Test
  void aDroppedSubscriptionKeepsThePositionAndTheNextStepReadsOn() throws SQLException {
    var before = engine.sync().follower().positions().of("salesforce").orElseThrow().position();
    sandbox.faults().dropSubscriptions();
    edit(deals.get(0), 700000);

    var failed = engine.sync().follower().step(connection());

    assertThat(failed.error()).isPresent();
    assertThat(engine.sync().follower().positions().of("salesforce").orElseThrow().position()).isEqualTo(before);
    var next = engine.sync().follower().step(connection());
    assertThat(next.error()).isEmpty();
    assertThat(amount(deals.get(0))).isEqualTo("700000.00");
  }

  private String amount(String deal) throws SQLException {
    try (var c = db.connection(); var ps = c.prepareStatement("SELECT amount FROM deal WHERE id = ?")) {
      ps.setString(1, deal);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private long count(String sql) throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
