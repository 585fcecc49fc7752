package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.config.ConfigException;
import io.salesos.config.YamlNode;
import io.salesos.mapping.Mapping;
import io.salesos.model.CanonicalSchema;
import io.salesos.model.FieldType;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.Deletion;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MirrorRoundTripTest {

  static Database db;
  static MirrorStore store;
  static final Map<String, FieldType> DEAL = CanonicalSchema.standardFields("deal");

  @BeforeAll
  static void start() {
    db = TestDatabases.fresh();
    store = new MirrorStore(db, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void emojiAccentsCentsMillisecondsAndNullComeBackIdentical() {
    var values = new HashMap<String, Object>();
    values.put("name", "Café Zürich – Ærø 🚚🔥 renewal");
    values.put("amount", new BigDecimal("125431.07"));
    values.put("close_date", LocalDate.of(2026, 12, 31));
    values.put("stage_entered_at", Instant.parse("2026-11-23T23:59:58.123Z"));
    values.put("next_step", null);
    values.put("is_closed", false);
    values.put("probability", new BigDecimal("0.9000"));
    var stamp = Instant.parse("2026-11-20T10:15:30.456Z");
    store.apply("hs", "deals", "deal", DEAL, List.of(new MirrorRecord("1001", values, stamp)), List.of(), List.of(),
        Checkpoint.of(Map.of("stamp", "1")));

    var back = store.find("deal", "hs", "1001", DEAL).orElseThrow();
    assertThat(back.get("name")).isEqualTo("Café Zürich – Ærø 🚚🔥 renewal");
    assertThat(back.get("amount")).isEqualTo(new BigDecimal("125431.07"));
    assertThat(back.get("close_date")).isEqualTo(LocalDate.of(2026, 12, 31));
    assertThat(back.get("stage_entered_at")).isEqualTo(Instant.parse("2026-11-23T23:59:58.123Z"));
    assertThat(back).containsEntry("next_step", null);
    assertThat(back.get("is_closed")).isEqualTo(false);
    assertThat(back.get("crm_modified_at")).isEqualTo(stamp);
  }

  @Test
  void rowTextsMadeAheadStoreWhatTheApplyMakesAndOnlyForTheirOwnColumnsAndRecords() throws SQLException {
    var a = new MirrorRecord("3103", Map.of("name", "Ahead", "amount", new BigDecimal("7.50")), Instant.parse("2026-03-01T00:00:00Z"));
    var b = new MirrorRecord("3104", Map.of("name", "Inline", "amount", new BigDecimal("7.50")), Instant.parse("2026-03-01T00:00:00Z"));
    var texts = MirrorStore.RowTexts.of(DEAL.keySet(), List.of(a));
    store.apply("hs", "deals", "deal", DEAL, List.of(a), texts, List.of(), List.of(), Checkpoint.of(Map.of("stamp", "8")));
    store.apply("hs", "deals", "deal", DEAL, List.of(b), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "9")));
    // the same hash and history text as the apply makes itself: a replay of either changes nothing
    assertThat(store.apply("hs", "deals", "deal", DEAL, List.of(a, b), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "10")))
        .unchanged()).isEqualTo(2);
    try (var c = db.connection(); var ps = c.prepareStatement(
        "SELECT h.fields, h.row_hash = d.row_hash FROM record_history h JOIN deal d ON d.source = h.source AND d.id = h.record_id"
            + " WHERE h.source = 'hs' AND h.record_id = '3103'")) {
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(texts.json().get(0)).contains("\"name\":\"Ahead\"");
        assertThat(rs.getBoolean(2)).isTrue();
      }
    }
    // texts made over other columns, or for other records, are refused before anything is written
    var fewer = new java.util.LinkedHashMap<>(DEAL);
    fewer.remove("amount");
    assertThatThrownBy(() -> store.apply("hs", "deals", "deal", DEAL, List.of(a), MirrorStore.RowTexts.of(fewer.keySet(), List.of(a)),
        List.of(), List.of(), Checkpoint.of(Map.of("stamp", "11")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row texts");
    assertThatThrownBy(() -> store.apply("hs", "deals", "deal", DEAL, List.of(a, b), texts, List.of(), List.of(),
        Checkpoint.of(Map.of("stamp", "11")))).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.checkpoint("hs", "deals").get("stamp")).contains("10");
  }

  @Test
  void aReplayedBatchChangesNothingAndTheCheckpointMovesWithTheBatch() {
    var r = new MirrorRecord("2002", Map.of("name", "Replay", "amount", new BigDecimal("10.00")), Instant.parse("2026-01-01T00:00:00Z"));
    var first = store.apply("hs", "deals", "deal", DEAL, List.of(r), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "5")));
    var again = store.apply("hs", "deals", "deal", DEAL, List.of(r), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "6")));
    assertThat(first.inserted()).isEqualTo(1);
    assertThat(again.changed()).isZero();
    assertThat(again.unchanged()).isEqualTo(1);
    assertThat(store.checkpoint("hs", "deals").get("stamp")).contains("6");

    var gone = store.apply("hs", "deals", "deal", DEAL, List.of(), List.of(new Deletion("2002", Instant.parse("2026-02-01T00:00:00Z"))),
        List.of(), Checkpoint.of(Map.of("stamp", "7")));
    assertThat(gone.deleted()).isEqualTo(1);
    assertThat(store.find("deal", "hs", "2002", DEAL).orElseThrow().get("deleted")).isEqualTo(true);
  }

  @Test
  void aMappedFieldNamedLikeSqlIsRejectedAndTheDatabaseIsUntouched() throws SQLException {
    int before = columnCount();
    var yaml = """
        crm: hubspot
        objects:
          - crm_object: deals
            canonical: deal
            fields:
              amount: {canonical: "Amount; DROP TABLE deal", type: decimal}
        """;
    assertThatThrownBy(() -> Mapping.from(YamlNode.parse("evil.yaml", yaml)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("evil.yaml:6:")
        .hasMessageContaining("not a valid canonical name");
    var backtick = """
        crm: hubspot
        objects:
          - crm_object: deals
            canonical: deal
            fields:
              "weird`name": {canonical: weird, type: string}
        """;
    assertThatThrownBy(() -> Mapping.from(YamlNode.parse("tick.yaml", backtick)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tick.yaml:6:")
        .hasMessageContaining("not a valid CRM field name");
    // and even a caller that skips the mapping cannot reach SQL with such a name
    var schema = new MirrorSchema(db, Clock.systemUTC());
    assertThatThrownBy(() -> schema.ensure(Map.of("deal", Map.of("x`; DROP TABLE deal; --", FieldType.STRING)), "test"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(columnCount()).isEqualTo(before);
  }

  @Test
  void aNewMappedFieldAddsAColumnOnceAndATypeClashIsAnError() throws SQLException {
    var schema = new MirrorSchema(db, Clock.systemUTC());
    assertThat(schema.ensure(Map.of("deal", Map.of("region", FieldType.STRING)), "mappings/x.yaml")).isEqualTo(1);
    assertThat(schema.ensure(Map.of("deal", Map.of("region", FieldType.STRING)), "mappings/x.yaml")).isZero();
    assertThatThrownBy(() -> schema.ensure(Map.of("deal", Map.of("region", FieldType.DECIMAL)), "mappings/y.yaml"))
        .hasMessageContaining("deal.region is varchar(255) but the mapping says decimal");
  }

  private static int columnCount() throws SQLException {
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void anOlderVersionReadAfterANewerOneNeverReplacesIt() {
    // the change stream applies the deal as it is now; then a pull that read HubSpot's lagging search
    // index brings the version before it: the mirror keeps the newer one (issue 21: a lost change)
    var newer = new MirrorRecord("3003", Map.of("name", "Lag", "amount", new BigDecimal("25000.00")),
        Instant.parse("2026-03-01T10:00:05.250Z"));
    var older = new MirrorRecord("3003", Map.of("name", "Lag"), Instant.parse("2026-03-01T10:00:03.100Z"));
    store.applyAll("hs", List.of(new MirrorStore.ObjectChanges("deals", "deal", DEAL, List.of(newer), List.of(), List.of())),
        tx -> {});
    var stale = store.apply("hs", "deals", "deal", DEAL, List.of(older), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "8")));

    assertThat(stale.changed()).isZero();
    var back = store.find("deal", "hs", "3003", DEAL).orElseThrow();
    assertThat(back.get("amount")).isEqualTo(new BigDecimal("25000.00"));
    assertThat(back.get("crm_modified_at")).isEqualTo(Instant.parse("2026-03-01T10:00:05.250Z"));
    // the checkpoint still moves past what the pull read, and the older version is not recorded
    assertThat(store.checkpoint("hs", "deals").get("stamp")).contains("8");
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM record_history WHERE record_id = '3003'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("versions recorded").isEqualTo(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }

    // a version as new or newer is applied as always
    var same = new MirrorRecord("3003", Map.of("name", "Lag", "amount", new BigDecimal("1.00")), newer.modifiedAt());
    assertThat(store.apply("hs", "deals", "deal", DEAL, List.of(same), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "9")))
        .updated()).isEqualTo(1);
    assertThat(store.find("deal", "hs", "3003", DEAL).orElseThrow().get("amount")).isEqualTo(new BigDecimal("1.00"));
  }

  @Test
  void anArchivedRecordReadAgainWithAnOlderStampIsRestored() {
    // HubSpot archiving does not move the stamp, and a restored record keeps its old one
    var r = new MirrorRecord("4004", Map.of("name", "Restored"), Instant.parse("2026-03-01T10:00:00Z"));
    store.apply("hs", "deals", "deal", DEAL, List.of(r), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "1")));
    store.apply("hs", "deals", "deal", DEAL, List.of(), List.of(new Deletion("4004", Instant.parse("2026-03-02T00:00:00Z"))),
        List.of(), Checkpoint.of(Map.of("stamp", "2")));
    var back = new MirrorRecord("4004", Map.of("name", "Restored"), Instant.parse("2026-02-28T10:00:00Z"));
    store.apply("hs", "deals", "deal", DEAL, List.of(back), List.of(), List.of(), Checkpoint.of(Map.of("stamp", "3")));
    assertThat(store.find("deal", "hs", "4004", DEAL).orElseThrow().get("deleted")).isEqualTo(false);
  }
}
