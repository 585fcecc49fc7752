package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.model.CanonicalSchema;
import io.salesos.model.FieldType;
import io.salesos.spi.Checkpoint;
import io.salesos.testing.TestDatabases;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Objects pulled side by side share tables, and daemons of a cluster share the mirror: a batch may
 * be rolled back as a deadlock victim, or find a new row inserted by another writer after it read
 * the mirror. Both are built here for real; the batch must be applied again, and land once.
 */
class ConcurrentWritersTest {

  static final Map<String, FieldType> DEAL = CanonicalSchema.standardFields("deal");

  Database db;
  MirrorStore store;

  @BeforeEach
  void start() {
    db = TestDatabases.fresh();
    store = new MirrorStore(db, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    db.close();
  }

  static MirrorRecord deal(String id, String name) {
    return new MirrorRecord(id, Map.of("name", name), Instant.parse("2026-11-01T10:00:00Z"));
  }

  @Test
  void aBatchChosenAsADeadlockVictimIsAppliedAgainAndLandsOnce() throws Exception {
    store.apply("hs", "deals", "deal", DEAL, List.of(deal("1", "First")), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "1")));
    try (var other = db.connection(); var watch = db.connection()) {
      other.setAutoCommit(false);
      // the other writer is the heavier transaction, so InnoDB picks the batch as the victim
      try (var ps = other.prepareStatement("INSERT INTO record_history (source, crm_object, canonical_object, record_id,"
          + " crm_modified_at, pulled_at, deleted, row_hash, fields) VALUES ('other','x','deal',?,NOW(),NOW(),FALSE,'h','{}')")) {
        for (int i = 0; i < 500; i++) {
          ps.setString(1, "o" + i);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      // ... and holds the checkpoint row the batch stores last
      other.createStatement().executeUpdate("UPDATE sync_checkpoint SET last_error = 'held' WHERE source = 'hs' AND crm_object = 'deals'");

      var batch = CompletableFuture.supplyAsync(() -> store.apply("hs", "deals", "deal", DEAL,
          List.of(deal("1", "First, renamed"), deal("2", "Second")), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "2"))),
          r -> new Thread(r, "batch").start());
      awaitStatement(watch, "INSERT INTO sync_checkpoint%");
      // the other writer now wants a row the batch has written: each waits for the other
      int touched = other.createStatement().executeUpdate("UPDATE deal SET name = 'theirs' WHERE source = 'hs' AND crm_object = 'deals' AND id = '2'");
      // it was granted, so the batch was the one rolled back (its row 2 had not been kept)
      assertThat(touched).isZero();
      other.rollback();

      var result = batch.get(30, TimeUnit.SECONDS);
      assertThat(result.inserted()).isEqualTo(1);
      assertThat(result.updated()).isEqualTo(1);
    }
    assertThat(store.find("deal", "hs", "1", DEAL).orElseThrow().get("name")).isEqualTo("First, renamed");
    assertThat(store.find("deal", "hs", "2", DEAL).orElseThrow().get("name")).isEqualTo("Second");
    assertThat(store.checkpoint("hs", "deals").get("stamp")).contains("2");
    assertThat(count("SELECT COUNT(*) FROM record_history WHERE source = 'hs'")).isEqualTo(3);
    assertThat(count("SELECT COUNT(*) FROM record_history WHERE source = 'other'")).isZero();
  }

  @Test
  void aNewRowAnotherWriterInsertedFirstIsUpdatedOnTheSecondTry() throws Exception {
    try (var other = db.connection(); var watch = db.connection()) {
      other.setAutoCommit(false);
      // another daemon's batch has inserted deal 7 but not committed yet: this batch cannot see it
      store.apply("hs", "deals", "deal", DEAL, List.of(), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "0")));
      other.createStatement().executeUpdate("INSERT INTO deal (source, crm_object, id, name, crm_modified_at, synced_at, row_hash)"
          + " VALUES ('hs', 'deals', '7', 'Theirs', '2026-10-01', NOW(), 'x')");
      var batch = CompletableFuture.supplyAsync(() -> store.apply("hs", "deals", "deal", DEAL,
          List.of(deal("7", "Ours"), deal("8", "Eight")), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "3"))),
          r -> new Thread(r, "batch").start());
      awaitStatement(watch, "INSERT INTO `deal`%");
      other.commit();

      var result = batch.get(30, TimeUnit.SECONDS);
      assertThat(result.inserted()).isEqualTo(1);
      assertThat(result.updated()).isEqualTo(1);
    }
    assertThat(store.find("deal", "hs", "7", DEAL).orElseThrow().get("name")).isEqualTo("Ours");
    assertThat(store.find("deal", "hs", "8", DEAL).orElseThrow().get("name")).isEqualTo("Eight");
    assertThat(count("SELECT COUNT(*) FROM record_history WHERE source = 'hs'")).isEqualTo(2);
  }

  @Test
  void onlyABatchThatCanSucceedOnASecondTryIsTriedAgain() {
    var deadlock = new SQLException("Deadlock found when trying to get lock", "40001", 1213);
    var timeout = new SQLException("Lock wait timeout exceeded", "HY000", 1205);
    var duplicate = new SQLException("Duplicate entry", "23000", 1062);
    var tooLong = new SQLException("Data too long for column", "22001", 1406);
    assertThat(MirrorStore.worthRetrying(new IllegalStateException("apply", deadlock))).isTrue();
    assertThat(MirrorStore.worthRetrying(new IllegalStateException("apply", timeout))).isTrue();
    assertThat(MirrorStore.worthRetrying(new IllegalStateException("apply", duplicate))).isTrue();
    assertThat(MirrorStore.worthRetrying(new IllegalStateException("apply", tooLong))).isFalse();
    assertThat(MirrorStore.worthRetrying(new IllegalStateException("no cause"))).isFalse();
  }

  /** Waits until the batch is running (blocked in) a statement like {@code pattern}, which the other writer holds up. */
  private static void awaitStatement(java.sql.Connection watch, String pattern) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < until) {
      try (var rs = watch.createStatement().executeQuery(
          "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '" + pattern + "'")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the batch never waited in " + pattern);
  }

  private long count(String sql) throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
