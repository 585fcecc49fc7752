package io.salesos.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.mirror.Database;
import io.salesos.mirror.LocalEditTriggers;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.mirror.QuarantineEntry;
import io.salesos.model.CanonicalSchema;
import io.salesos.spi.Checkpoint;
import io.salesos.testing.TestDatabases;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErasureTest {

  static final String ADDRESS = "jane.doe@example.com";
  static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  static final Clock CLOCK = Clock.fixed(T0.plusSeconds(86_400), ZoneOffset.UTC);

  Database db;
  MirrorStore mirror;

  @BeforeEach
  void setUp() throws SQLException {
    db = TestDatabases.fresh();
    mirror = new MirrorStore(db, CLOCK);
    // read-write mode: an edit of a mirror row by anyone but salesos would be queued for the CRM
    for (var object : List.of("contact", "deal", "activity")) {
      LocalEditTriggers.install(db, object, CanonicalSchema.standardFields(object));
    }
    seedAPersonAndEverythingThatMentionsHer();
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void afterForgetNoTextColumnOfAnyTableHoldsTheAddress() throws SQLException {
    assertThat(mentions(ADDRESS)).as("seeded").hasSizeGreaterThan(8);

    var result = new Erasure(db, CLOCK).forgetEmail("  Jane.Doe@Example.COM ", "forget --email", "admin:test", false);

    assertThat(mentions(ADDRESS)).isEmpty();
    assertThat(result.dryRun()).isFalse();
    assertThat(result.tables()).containsEntry("contact", new Erasure.Counts(1, 0))
        .containsEntry("deal_contact", new Erasure.Counts(1, 0))
        .containsEntry("deal", new Erasure.Counts(0, 1))
        .containsEntry("activity", new Erasure.Counts(0, 1))
        .containsKeys("record_history", "write_journal", "outbox", "conflict", "quarantine", "rule_error");
    // her contact and her deal link are gone with their history; the deal stays, with the mention redacted
    assertThat(strings("SELECT id FROM contact ORDER BY id")).containsExactly("C-BOB");
    assertThat(strings("SELECT DISTINCT record_id FROM record_history ORDER BY record_id")).containsExactly("A-1", "C-BOB", "D-1");
    assertThat(strings("SELECT next_step FROM deal")).containsExactly("Send the pricing sheet to [erased].");
    assertThat(strings("SELECT amount FROM deal")).containsExactly("42000.00");
    // nothing goes to a CRM: her queued writes are dropped, and no edit or delete was queued
    assertThat(strings("SELECT idem_key FROM outbox ORDER BY idem_key")).containsExactly("bob-flag");
    assertThat(strings("SELECT idem_key FROM write_journal ORDER BY idem_key")).containsExactly("bob-written", "deal-written");
  }

  @Test
  void theErasureIsLoggedWithTablesAndCountsButNeverTheAddress() throws SQLException {
    var result = new Erasure(db, CLOCK).forgetEmail(ADDRESS, "forget --email", "admin:ops", false);

    var row = strings("SELECT CONCAT_WS('|', id, erased_at, verb, actor, subject_kind, subject_hash, rows_erased) FROM erasure");
    assertThat(row).containsExactly(String.join("|", Long.toString(result.erasureId()), "2026-11-03 09:00:00.000",
        "forget --email", "admin:ops", "email", Erasure.sha256(ADDRESS), Integer.toString(result.total())));
    assertThat(strings("SELECT tables FROM erasure").get(0)).contains("\"contact\":{").contains("\"deleted\":1")
        .doesNotContain("jane").doesNotContain("example.com");
  }

  @Test
  void aDryRunCountsWhatWouldGoAndChangesNothing() throws SQLException {
    var before = mentions(ADDRESS);

    var result = new Erasure(db, CLOCK).forgetEmail(ADDRESS, "forget --email --dry-run", "admin:test", true);

    assertThat(result.dryRun()).isTrue();
    assertThat(result.erasureId()).isZero();
    assertThat(result.tables()).containsEntry("contact", new Erasure.Counts(1, 0));
    assertThat(mentions(ADDRESS)).isEqualTo(before);
    assertThat(strings("SELECT COUNT(*) FROM erasure")).containsExactly("0");
  }

  @Test
  void forgettingARecordErasesItAndEveryMentionOfItsAddress() throws SQLException {
    var result = new Erasure(db, CLOCK).forgetRecord("contacts", "C-JANE", "forget --record", "admin:test", false);

    assertThat(mentions(ADDRESS)).isEmpty();
    assertThat(result.tables()).containsEntry("contact", new Erasure.Counts(1, 0));
    assertThat(strings("SELECT id FROM contact")).containsExactly("C-BOB");
    assertThat(strings("SELECT subject_kind FROM erasure")).containsExactly("record");
    assertThat(strings("SELECT COUNT(*) FROM outbox WHERE record_id = 'C-JANE'")).containsExactly("0");
  }

  @Test
  void aLongerAddressThatContainsHersIsSomeoneElseAndStays() throws SQLException {
    mirror.apply("hs", "contacts", "contact", CanonicalSchema.standardFields("contact"),
        List.of(new MirrorRecord("C-MARY", person("Mary", "Jane", "mary." + ADDRESS), T0)), List.of(), List.of(),
        Checkpoint.of(Map.of("stamp", "3")));
    exec("UPDATE deal SET next_step = ?", "cc " + ADDRESS + ".au and " + ADDRESS);

    new Erasure(db, CLOCK).forgetEmail(ADDRESS, "forget --email", "admin:test", false);

    assertThat(strings("SELECT email FROM contact ORDER BY id")).containsExactly("bob@example.org", "mary." + ADDRESS);
    assertThat(strings("SELECT next_step FROM deal")).containsExactly("cc " + ADDRESS + ".au and " + Erasure.MARK);
  }

  @Test
  void somethingThatIsNotAnAddressIsRefusedBeforeAnythingChanges() throws SQLException {
    assertThatThrownBy(() -> new Erasure(db, CLOCK).forgetEmail("%", "forget --email", "admin:test", false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an e-mail address");
    assertThatThrownBy(() -> new Erasure(db, CLOCK).forgetEmail("a@b\\E.*", "forget --email", "admin:test", false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(strings("SELECT COUNT(*) FROM contact")).containsExactly("2");
  }

  void seedAPersonAndEverythingThatMentionsHer() throws SQLException {
    var contact = CanonicalSchema.standardFields("contact");
    var jane = person("Jane", "Doe", "Jane.Doe@example.com");
    mirror.apply("hs", "contacts", "contact", contact, List.of(new MirrorRecord("C-JANE", jane, T0),
        new MirrorRecord("C-BOB", person("Bob", "Stone", "bob@example.org"), T0)), List.of(),
        List.of(new QuarantineEntry(Optional.of("C-JANE"), "{\"email\":\"" + ADDRESS + "\",\"created\":\"yesterday\"}",
            "'yesterday' is not a date"), new QuarantineEntry(Optional.empty(), "<p>" + ADDRESS, "not JSON")),
        Checkpoint.of(Map.of("stamp", "1")));
    jane.put("title", "Head of Procurement");
    mirror.apply("hs", "contacts", "contact", contact, List.of(new MirrorRecord("C-JANE", jane, T0.plusSeconds(60))),
        List.of(), List.of(), Checkpoint.of(Map.of("stamp", "2")));
    var deal = new HashMap<String, Object>();
    deal.put("name", "Acme renewal");
    deal.put("amount", new BigDecimal("42000.00"));
    deal.put("next_step", "Send the pricing sheet to " + ADDRESS + ".");
    mirror.apply("hs", "deals", "deal", CanonicalSchema.standardFields("deal"), List.of(new MirrorRecord("D-1", deal, T0)),
        List.of(), List.of(), Checkpoint.of(Map.of("stamp", "1")));
    mirror.apply("hs", "deal_contacts", "deal_contact", CanonicalSchema.standardFields("deal_contact"),
        List.of(new MirrorRecord("L-1", Map.of("deal_id", "D-1", "contact_id", "C-JANE", "role", "buyer"), T0)),
        List.of(), List.of(), Checkpoint.of(Map.of("stamp", "1")));
    mirror.apply("hs", "meetings", "activity", CanonicalSchema.standardFields("activity"),
        List.of(new MirrorRecord("A-1", Map.of("kind", "meeting", "subject", "Pricing call",
            "body", "Jane (JANE.DOE@EXAMPLE.COM) wants the sheet", "deal_id", "D-1"), T0)),
        List.of(), List.of(), Checkpoint.of(Map.of("stamp", "1")));
    outbox("jane-edit", "C-JANE", "contacts", "pending", "{\"email\":\"" + ADDRESS + "\"}");
    outbox("jane-done", "C-JANE", "contacts", "done", "{\"title\":\"Head\"}");
    outbox("deal-task", "D-1", "deals", "pending", "{\"subject\":\"Mail " + ADDRESS + "\"}");
    outbox("bob-flag", "C-BOB", "contacts", "pending", "{\"title\":\"CTO\"}");
    journal("jane-written", "C-JANE", "contacts", "{\"email\":\"" + ADDRESS + "\"}");
    journal("deal-written", "D-1", "deals", "{\"next_step\":\"call " + ADDRESS + "\"}");
    journal("bob-written", "C-BOB", "contacts", "{\"title\":\"CTO\"}");
    exec("INSERT INTO conflict (source, crm_object, record_id, field, crm_value, our_value, policy, resolution, detected_at)"
        + " VALUES ('hs', 'contacts', 'C-JANE', 'email', ?, 'x', 'crm_wins', 'kept_crm', NOW())", ADDRESS);
    exec("INSERT INTO rule_error (run_id, rule_id, records, example_subject, example_record, example_message)"
        + " VALUES ('run-1', 'contact.valid_email', 1, 'contact', 'C-JANE', ?)", "cannot parse '" + ADDRESS + "' as a domain");
  }

  static Map<String, Object> person(String first, String last, String email) {
    var values = new HashMap<String, Object>();
    values.put("first_name", first);
    values.put("last_name", last);
    values.put("email", email);
    return values;
  }

  void outbox(String key, String recordId, String crmObject, String status, String fields) throws SQLException {
    exec("INSERT INTO outbox (idem_key, source, crm_object, canonical_object, record_id, op, write_kind, fields, status,"
        + " next_attempt_at, created_at, updated_at) VALUES (?, 'hs', ?, 'contact', ?, 'UPDATE', 'admin', ?, ?, NOW(), NOW(), NOW())",
        key, crmObject, recordId, fields, status);
  }

  void journal(String key, String recordId, String crmObject, String image) throws SQLException {
    exec("INSERT INTO write_journal (idem_key, source, crm_object, record_id, op, write_kind, before_image, after_image,"
        + " outcome, written_at) VALUES (?, 'hs', ?, ?, 'UPDATE', 'admin', '{}', ?, 'written', NOW())", key, crmObject,
        recordId, image);
  }

  /** Every table.column (text, varchar, char or JSON, in any table of the database) whose value contains {@code text}. */
  List<String> mentions(String text) throws SQLException {
    var columns = new ArrayList<String[]>();
    try (var c = db.connection(); var rs = c.createStatement().executeQuery("SELECT TABLE_NAME, COLUMN_NAME"
        + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        + " AND DATA_TYPE IN ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json')")) {
      while (rs.next()) {
        columns.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    assertThat(columns).as("text columns found").hasSizeGreaterThan(50);
    var out = new ArrayList<String>();
    for (var col : columns) {
      try (var c = db.connection(); var ps = c.prepareStatement("SELECT COUNT(*) FROM `" + col[0] + "` WHERE `" + col[1]
          + "` LIKE ?")) {
        ps.setString(1, "%" + text + "%");
        try (var rs = ps.executeQuery()) {
          rs.next();
          for (int i = 0; i < rs.getInt(1); i++) {
            out.add(col[0] + "." + col[1]);
          }
        }
      }
    }
    return out;
  }

  void exec(String sql, Object... params) throws SQLException {
    try (var c = db.connection(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  List<String> strings(String sql) throws SQLException {
    var out = new ArrayList<String>();
    try (var c = db.connection(); var rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
