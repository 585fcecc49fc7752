package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.model.CanonicalSchema;
import io.salesos.model.FieldType;
import io.salesos.spi.Checkpoint;
import io.salesos.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuarantineTest {

  static final Map<String, FieldType> DEAL = CanonicalSchema.standardFields("deal");
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  Database db;

  @BeforeEach
  void setUp() {
    db = TestDatabases.fresh();
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  MirrorStore storeAt(Instant now) {
    return new MirrorStore(db, Clock.fixed(now, ZoneOffset.UTC));
  }

  void see(MirrorStore store, QuarantineEntry... bad) {
    store.apply("hs", "deals", "deal", DEAL, List.of(), List.of(), List.of(bad), Checkpoint.of(Map.of("stamp", "1")));
  }

  @Test
  void theSameMalformedRecordSeenTenTimesIsOneRowWithTenOccurrences() throws SQLException {
    var bad = new QuarantineEntry(Optional.of("901"), "{\"id\": \"901\", \"properties\": {", "unparsable JSON");
    for (int i = 0; i < 10; i++) {
      see(storeAt(T0.plusSeconds(60L * i)), bad);
    }
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT record_id, occurrences, first_seen, last_seen, raw_payload, payload_truncated FROM quarantine")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("901");
      assertThat(rs.getInt(2)).isEqualTo(10);
      assertThat(rs.getTimestamp(3).toInstant()).isEqualTo(T0);
      assertThat(rs.getTimestamp(4).toInstant()).isEqualTo(T0.plusSeconds(540));
      assertThat(rs.getString(5)).isEqualTo("{\"id\": \"901\", \"properties\": {");
      assertThat(rs.getBoolean(6)).isFalse();
      assertThat(rs.next()).as("one row only").isFalse();
    }
  }

  @Test
  void aChangedPayloadOfTheSameRecordIsARowOfItsOwnAndSightingsInOneBatchCount() throws SQLException {
    var first = new QuarantineEntry(Optional.of("902"), "{\"amount\": \"lots\"}", "'lots' is not a valid decimal");
    var second = new QuarantineEntry(Optional.of("902"), "{\"amount\": \"many\"}", "'many' is not a valid decimal");
    var noId = new QuarantineEntry(Optional.empty(), "<html>", "not JSON");
    see(storeAt(T0), first, first, noId);
    see(storeAt(T0.plusSeconds(60)), second, noId);
    assertThat(rows("SELECT CONCAT(record_id, '=', occurrences) FROM quarantine ORDER BY id"))
        .containsExactly("902=2", "=2", "902=1");
  }

  @Test
  void aFiveMegabytePayloadIsStoredTruncatedWithItsLengthAndHash() throws Exception {
    var big = new StringBuilder("{\"id\":\"903\",\"fields\":{\"notes\":\"");
    while (big.length() < 5 * 1024 * 1024) {
      big.append("Zürich déjà vu 🚚 ");
    }
    var payload = big.append("\"}}").toString();
    var bytes = payload.getBytes(StandardCharsets.UTF_8);
    var sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    var bad = new QuarantineEntry(Optional.of("903"), payload, "value too long");
    for (int i = 0; i < 3; i++) {
      see(new MirrorStore(db, Clock.fixed(T0.plusSeconds(i), ZoneOffset.UTC), 64 * 1024), bad);
    }
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(
        "SELECT raw_payload, OCTET_LENGTH(raw_payload), payload_length, payload_hash, payload_truncated, occurrences FROM quarantine")) {
      assertThat(rs.next()).isTrue();
      assertThat(payload).startsWith(rs.getString(1));
      assertThat(rs.getLong(2)).isLessThanOrEqualTo(64 * 1024).isGreaterThan(64 * 1024 - 4);
      assertThat(rs.getLong(3)).isEqualTo(bytes.length);
      assertThat(rs.getString(4)).isEqualTo(sha);
      assertThat(rs.getBoolean(5)).isTrue();
      assertThat(rs.getInt(6)).isEqualTo(3);
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void theMigrationFoldsCopiesStoredBeforeItIntoOneRowAndTruncatesHugePayloads() throws SQLException {
    var schema = TestDatabases.newSchema();
    var url = TestDatabases.jdbcUrl(schema);
    org.flywaydb.core.Flyway.configure().dataSource(url, TestDatabases.user(), TestDatabases.password())
        .locations("classpath:db/migration").javaMigrations(new V3__Mirror_tables()).target("5").load().migrate();
    try (var c = java.sql.DriverManager.getConnection(url, TestDatabases.user(), TestDatabases.password());
        var ps = c.prepareStatement("INSERT INTO quarantine (source, crm_object, record_id, reason, raw_payload,"
            + " first_seen, last_seen, occurrences, resolved_at) VALUES ('hs', 'deals', ?, 'bad', ?, ?, ?, 1, ?)")) {
      for (int i = 0; i < 4; i++) {
        // the old way: a full copy per sighting, one of them resolved by a person
        insertOld(ps, "904", "{\"amount\": \"lots\"}", T0.plusSeconds(i), i == 0);
        insertOld(ps, null, "<html>", T0.plusSeconds(i), false);
      }
      insertOld(ps, "905", "x".repeat(200_000), T0, false);
    }
    try (var migrated = Database.external(url, TestDatabases.user(), TestDatabases.password(), 2);
        var c = migrated.connection(); var rs = c.createStatement().executeQuery("SELECT record_id, occurrences,"
            + " first_seen, last_seen, resolved_at IS NULL, CHAR_LENGTH(raw_payload), payload_length, payload_truncated"
            + " FROM quarantine ORDER BY id")) {
      assertThat(migrated.migrationsApplied()).as("V6 and every later migration").isGreaterThanOrEqualTo(1);
      var rows = new java.util.ArrayList<String>();
      while (rs.next()) {
        rows.add(String.join("|", rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(),
            rs.getTimestamp(4).toInstant().toString(), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
      }
      assertThat(rows).containsExactly(
          "904|4|2026-11-20T10:00:00Z|2026-11-20T10:00:03Z|1|18|18|0",
          "|4|2026-11-20T10:00:00Z|2026-11-20T10:00:03Z|1|6|6|0",
          "905|1|2026-11-20T10:00:00Z|2026-11-20T10:00:00Z|1|65536|200000|1");
    }
  }

  static void insertOld(java.sql.PreparedStatement ps, String recordId, String payload, Instant seen, boolean resolved)
      throws SQLException {
    ps.setString(1, recordId);
    ps.setString(2, payload);
    ps.setTimestamp(3, java.sql.Timestamp.from(seen));
    ps.setTimestamp(4, java.sql.Timestamp.from(seen));
    ps.setTimestamp(5, resolved ? java.sql.Timestamp.from(seen) : null);
    ps.executeUpdate();
  }

  @Test
  void truncationNeverCutsACharacterInTwo() {
    // 🚚 is four UTF-8 bytes: five bytes hold "a" and the truck, four hold only "a"
    assertThat(QuarantineEntry.truncate("a🚚b", 5)).isEqualTo("a🚚");
    assertThat(QuarantineEntry.truncate("a🚚b", 4)).isEqualTo("a");
    assertThat(QuarantineEntry.truncate("aé", 2)).isEqualTo("a");
    assertThat(QuarantineEntry.truncate("short", 64)).isEqualTo("short");
  }

  List<String> rows(String sql) throws SQLException {
    var out = new java.util.ArrayList<String>();
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
