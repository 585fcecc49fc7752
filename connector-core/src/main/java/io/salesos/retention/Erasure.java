package io.salesos.retention;

import io.salesos.mirror.CanonicalJson;
import io.salesos.mirror.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases a person from the mirror database on request (a GDPR erasure): their contact or lead rows
 * and those rows' history, journal, outbox, conflict and quarantine rows, then every other mention
 * of their address in any text column of any table. Nothing is written to a CRM: rows are deleted
 * or values redacted in the database only (the mirror's local-edit triggers ignore salesos's own
 * sessions), and a queued write that mentions the person is dropped, never sent. The erasure is
 * recorded in {@code erasure} with what was erased where, but not the erased values: the subject
 * is kept only as a sha-256.
 */
public final class Erasure {

  private static final Logger log = LoggerFactory.getLogger(Erasure.class);

  /** What a redacted value shows where the address was. */
  public static final String MARK = "[erased]";

  /** Mirror tables whose rows are people with an address, erased whole when the address matches. */
  private static final List<String> PERSON_TABLES = List.of("contact", "lead");

  /**
   * System tables keyed by a CRM record, whose rows about an erased record are deleted whole. The
   * outbox is among them: a queued write about the person is never sent after the erasure.
   */
  private static final List<String> RECORD_TABLES = List.of("record_history", "write_journal", "outbox", "conflict",
      "quarantine");

  /**
   * Tables whose rows that mention the address are deleted whole rather than redacted: a queued
   * write (redacting it would send the mark to a CRM) and a raw quarantined payload.
   */
  private static final Set<String> DELETED_WHOLE = Set.of("outbox", "quarantine");

  /** The erasure log itself (it holds hashes only) and Flyway's own history. */
  private static final Set<String> NOT_SWEPT = Set.of("erasure", "flyway_schema_history");

  private static final Pattern ADDRESS = Pattern.compile("[^\\s@\\\\]+@[^\\s@\\\\]+");

  /** Rows deleted and values redacted in one table. */
  public record Counts(int deleted, int redacted) {
    Counts plus(int moreDeleted, int moreRedacted) {
      return new Counts(deleted + moreDeleted, redacted + moreRedacted);
    }
  }

  /** What one erasure did, by table; {@code erasureId} is its row in {@code erasure} (0 for a dry run). */
  public record Result(long erasureId, boolean dryRun, String subjectHash, Map<String, Counts> tables) {
    public Result {
      tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    public int total() {
      return tables.values().stream().mapToInt(c -> c.deleted() + c.redacted()).sum();
    }
  }

  private final Database database;
  private final Clock clock;

  public Erasure(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Erases the person with this e-mail address (compared without regard to case). {@code verb}
   * and {@code actor} say who asked, for the erasure log; a dry run counts and changes nothing.
   */
  public Result forgetEmail(String address, String verb, String actor, boolean dryRun) {
    var email = address.trim();
    if (!ADDRESS.matcher(email).matches()) {
      throw new IllegalArgumentException("not an e-mail address (expected name@domain, without spaces or backslashes)");
    }
    var hash = sha256(email.toLowerCase(Locale.ROOT));
    return inTransaction("email", hash, verb, actor, dryRun, (c, counts) -> {
      var records = new ArrayList<RecordKey>();
      var mirror = mirrorTables(c);
      for (var table : PERSON_TABLES) {
        if (mirror.getOrDefault(table, Set.of()).contains("email")) {
          records.addAll(find(c, table, "`email` = ?", email));
        }
      }
      eraseRecords(c, records, counts);
      sweep(c, email, counts);
    });
  }

  /**
   * Erases one CRM record ({@code crmObject} as the CRM names it, e.g. Contact or contacts) from
   * every connection's mirror, with its history, journal, outbox, conflict and quarantine rows; a
   * record with an e-mail address also has every mention of that address erased.
   */
  public Result forgetRecord(String crmObject, String recordId, String verb, String actor, boolean dryRun) {
    if (crmObject.isBlank() || recordId.isBlank()) {
      throw new IllegalArgumentException("name the record as CRM_OBJECT:ID, e.g. Contact:003000000000001");
    }
    var hash = sha256(crmObject + ":" + recordId);
    return inTransaction("record", hash, verb, actor, dryRun, (c, counts) -> {
      var records = new ArrayList<RecordKey>();
      var emails = new LinkedHashSet<String>();
      for (var t : mirrorTables(c).entrySet()) {
        var found = find(c, t.getKey(), "`crm_object` = ? AND `id` = ?", crmObject, recordId);
        records.addAll(found);
        if (!found.isEmpty() && t.getValue().contains("email")) {
          emails.addAll(strings(c, "SELECT `email` FROM " + quote(t.getKey())
              + " WHERE `crm_object` = ? AND `id` = ? AND `email` IS NOT NULL AND `email` <> ''", crmObject, recordId));
        }
      }
      eraseRecords(c, records, counts);
      // rows of a record the mirror no longer holds (a journal or quarantine row outliving it)
      for (var table : RECORD_TABLES) {
        counts.merge(table, new Counts(update(c, "DELETE FROM " + table + " WHERE crm_object = ? AND record_id = ?",
            crmObject, recordId), 0), Erasure::add);
      }
      for (var email : emails) {
        if (ADDRESS.matcher(email.trim()).matches()) {
          sweep(c, email.trim(), counts);
        }
      }
    });
  }

  private interface Work {
    void run(Connection c, Map<String, Counts> counts) throws SQLException;
  }

  private Result inTransaction(String kind, String hash, String verb, String actor, boolean dryRun, Work work) {
    var counts = new LinkedHashMap<String, Counts>();
    try (var c = database.connection()) {
      c.setAutoCommit(false);
      try {
        // salesos's own session: the local-edit triggers must not queue the redactions as CRM writes
        try (var st = c.createStatement()) {
          st.execute("SET @salesos_sync = 1");
        }
        work.run(c, counts);
        counts.values().removeIf(n -> n.deleted() == 0 && n.redacted() == 0);
        long id = 0;
        if (dryRun) {
          c.rollback();
        } else {
          id = record(c, kind, hash, verb, actor, counts);
          c.commit();
        }
        var result = new Result(id, dryRun, hash, counts);
        log.info("event=erased verb=\"{}\" subject={} subject_sha256={} rows={} tables={} dry_run={}", verb, kind, hash,
            result.total(), counts.size(), dryRun);
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("the erasure failed and changed nothing (it runs in one transaction): "
          + e.getMessage(), e);
    }
  }

  private long record(Connection c, String kind, String hash, String verb, String actor, Map<String, Counts> counts)
      throws SQLException {
    var tables = new LinkedHashMap<String, Map<String, Integer>>();
    counts.forEach((t, n) -> tables.put(t, Map.of("deleted", n.deleted(), "redacted", n.redacted())));
    String json;
    try {
      json = CanonicalJson.mapper().writeValueAsString(tables);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    try (var ps = c.prepareStatement("INSERT INTO erasure (erased_at, verb, actor, subject_kind, subject_hash,"
        + " rows_erased, tables) VALUES (?,?,?,?,?,?,?)", java.sql.Statement.RETURN_GENERATED_KEYS)) {
      ps.setTimestamp(1, Timestamp.from(clock.instant()));
      ps.setString(2, verb);
      ps.setString(3, actor.length() > 128 ? actor.substring(0, 128) : actor);
      ps.setString(4, kind);
      ps.setString(5, hash);
      ps.setInt(6, counts.values().stream().mapToInt(n -> n.deleted() + n.redacted()).sum());
      ps.setString(7, json);
      ps.executeUpdate();
      try (var keys = ps.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  /** One mirror row: its table, connection, CRM object and id. */
  private record RecordKey(String table, String source, String crmObject, String id) {}

  private static List<RecordKey> find(Connection c, String table, String where, String... params) throws SQLException {
    var out = new ArrayList<RecordKey>();
    try (var ps = c.prepareStatement("SELECT `source`, `crm_object`, `id` FROM " + quote(table) + " WHERE " + where)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new RecordKey(table, rs.getString(1), rs.getString(2), rs.getString(3)));
        }
      }
    }
    return out;
  }

  /** Deletes the records' mirror rows and every system row about them; a contact's deal links go too. */
  private static void eraseRecords(Connection c, List<RecordKey> records, Map<String, Counts> counts) throws SQLException {
    var links = new ArrayList<RecordKey>();
    for (var r : records) {
      counts.merge(r.table(), new Counts(update(c, "DELETE FROM " + quote(r.table())
          + " WHERE `source` = ? AND `crm_object` = ? AND `id` = ?", r.source(), r.crmObject(), r.id()), 0), Erasure::add);
      eraseSystemRows(c, r, counts);
      if (r.table().equals("contact")) {
        links.addAll(find(c, "deal_contact", "`source` = ? AND `contact_id` = ?", r.source(), r.id()));
      }
    }
    for (var link : links) {
      counts.merge(link.table(), new Counts(update(c, "DELETE FROM `deal_contact` WHERE `source` = ? AND `crm_object` = ?"
          + " AND `id` = ?", link.source(), link.crmObject(), link.id()), 0), Erasure::add);
      eraseSystemRows(c, link, counts);
    }
  }

  private static void eraseSystemRows(Connection c, RecordKey r, Map<String, Counts> counts) throws SQLException {
    for (var table : RECORD_TABLES) {
      counts.merge(table, new Counts(update(c, "DELETE FROM " + table
          + " WHERE source = ? AND crm_object = ? AND record_id = ?", r.source(), r.crmObject(), r.id()), 0), Erasure::add);
    }
  }

  /**
   * Every text column of every table that still mentions {@code value}: the row is deleted in a
   * table whose rows could carry it to a CRM (or are raw payloads), and elsewhere the value is
   * replaced by {@link #MARK}, so a deal whose next step names the person keeps its other fields.
   * The matching rows are found by a plain read and changed by primary key, so only they are locked.
   */
  private static void sweep(Connection c, String value, Map<String, Counts> counts) throws SQLException {
    var like = "%" + value.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    // the address alone, not inside a longer one (ajane@example.com is someone else); a full stop
    // that ends a sentence after it is not part of it
    var regex = "(?i)(?<![A-Za-z0-9._%+-])\\Q" + value + "\\E(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])";
    for (var t : textColumns(c).entrySet()) {
      var table = t.getKey();
      var columns = t.getValue();
      var matches = new StringBuilder();
      for (var col : columns) {
        matches.append(matches.length() == 0 ? "" : " OR ").append(quote(col)).append(" LIKE ? ESCAPE '!'");
      }
      var key = primaryKey(c, table);
      var likes = Collections.nCopies(columns.size(), like).toArray(String[]::new);
      if (key.isEmpty()) {
        // no key to address single rows by: change them where they match
        var redacted = DELETED_WHOLE.contains(table) ? 0 : update(c, redactSql(table, columns, "(" + matches + ")"),
            redactParams(columns, like, regex, likes));
        counts.merge(table, new Counts(0, redacted), Erasure::add);
        continue;
      }
      var rows = new ArrayList<Object[]>();
      try (var ps = c.prepareStatement("SELECT " + String.join(", ", key.stream().map(Erasure::quote).toList()) + " FROM "
          + quote(table) + " WHERE " + matches)) {
        for (int i = 0; i < likes.length; i++) {
          ps.setString(i + 1, likes[i]);
        }
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            var row = new Object[key.size()];
            for (int i = 0; i < row.length; i++) {
              row[i] = rs.getObject(i + 1);
            }
            rows.add(row);
          }
        }
      }
      if (rows.isEmpty()) {
        continue;
      }
      var byKey = String.join(" AND ", key.stream().map(k -> quote(k) + " = ?").toList());
      int changed = 0;
      var deleteWhole = DELETED_WHOLE.contains(table);
      try (var ps = c.prepareStatement(deleteWhole ? "DELETE FROM " + quote(table) + " WHERE " + byKey
          : redactSql(table, columns, byKey))) {
        for (var row : rows) {
          int i = 1;
          if (!deleteWhole) {
            for (var p : redactParams(columns, like, regex, new String[0])) {
              ps.setObject(i++, p);
            }
          }
          for (var k : row) {
            ps.setObject(i++, k);
          }
          changed += ps.executeUpdate();
        }
      }
      counts.merge(table, deleteWhole ? new Counts(changed, 0) : new Counts(0, changed), Erasure::add);
    }
  }

  private static String redactSql(String table, List<String> columns, String where) {
    var sets = new StringBuilder();
    for (var col : columns) {
      sets.append(sets.length() == 0 ? "" : ", ").append(quote(col)).append(" = IF(").append(quote(col))
          .append(" LIKE ? ESCAPE '!', REGEXP_REPLACE(").append(quote(col)).append(", ?, ?), ").append(quote(col)).append(")");
    }
    return "UPDATE " + quote(table) + " SET " + sets + " WHERE " + where;
  }

  private static Object[] redactParams(List<String> columns, String like, String regex, String[] whereParams) {
    var out = new ArrayList<Object>();
    for (int i = 0; i < columns.size(); i++) {
      out.add(like);
      out.add(regex);
      out.add(MARK);
    }
    Collections.addAll(out, (Object[]) whereParams);
    return out.toArray();
  }

  /** Mirror tables (rows keyed by source, CRM object and id, with a row hash) and their columns. */
  private static Map<String, Set<String>> mirrorTables(Connection c) throws SQLException {
    var columns = new LinkedHashMap<String, Set<String>>();
    try (var rs = c.createStatement().executeQuery("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS"
        + " WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
      while (rs.next()) {
        columns.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2));
      }
    }
    columns.values().removeIf(cols -> !cols.containsAll(List.of("source", "crm_object", "id", "row_hash", "deleted")));
    return columns;
  }

  /** Every base table's text columns, but for the erasure log and Flyway's history. */
  private static Map<String, List<String>> textColumns(Connection c) throws SQLException {
    var out = new LinkedHashMap<String, List<String>>();
    try (var rs = c.createStatement().executeQuery("SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.COLUMNS c"
        + " JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME"
        + " WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'"
        + " AND c.DATA_TYPE IN ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json')"
        + " ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION")) {
      while (rs.next()) {
        if (!NOT_SWEPT.contains(rs.getString(1).toLowerCase(Locale.ROOT))) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
        }
      }
    }
    return out;
  }

  private static List<String> primaryKey(Connection c, String table) throws SQLException {
    return strings(c, "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION", table);
  }

  private static List<String> strings(Connection c, String sql, String... params) throws SQLException {
    var out = new ArrayList<String>();
    try (var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static int update(Connection c, String sql, Object... params) throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    }
  }

  private static Counts add(Counts a, Counts b) {
    return a.plus(b.deleted(), b.redacted());
  }

  /** A name from information_schema or our own list, quoted as an identifier. */
  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
