package io.salesos.mirror;

import io.salesos.model.FieldType;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the mirror tables of an org's own objects ({@code custom_*}), the relations rules read
 * them through ({@code mirror_relation}) and the log of their type migrations ({@code
 * mirror_migration}). A table's columns follow the CRM's describe: a new field becomes a column,
 * a field whose type changed is migrated by a generated {@code ALTER TABLE ... MODIFY COLUMN},
 * applied only when every value the column holds survives the new type; otherwise the change is
 * refused, logged, and the table stays as it was.
 */
public final class CustomTables {

  private static final Logger log = LoggerFactory.getLogger(CustomTables.class);

  /** The prefix of every custom mirror table, so one can never take the name of a canonical or system table. */
  public static final String TABLE_PREFIX = "custom_";

  private final Database database;
  private final Clock clock;

  public CustomTables(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** One type change of a column, as applied or refused. */
  public record TypeChange(String table, String column, FieldType from, FieldType to, String statement, long rowsChecked) {}

  /** What {@link #ensure} did to one table. */
  public record Outcome(String table, boolean created, List<String> addedColumns, List<TypeChange> migrated) {}

  /** A describe asked for a type change the data would not survive: nothing was changed. */
  public static final class LossyTypeChange extends IllegalStateException {
    LossyTypeChange(String message) {
      super(message);
    }
  }

  /** One row of the migration log, for {@code schema verify}. */
  public record Migration(Instant seenAt, String source, String crmObject, String table, String column, String fromType,
      String toType, String outcome, long rowsChecked, long rowsLost, Optional<String> statement, Optional<String> reason) {}

  /** A relation as the mirror holds it, with the column types of its table. */
  public record StoredRelation(String source, String parent, String name, String table, String keyColumn, String crmObject,
      Map<String, FieldType> columns) {}

  /**
   * Brings the table {@code table} in step with {@code columns} (column to type, from the CRM's
   * describe): creates it, adds missing columns, migrates changed types. Throws {@link
   * LossyTypeChange} (after logging the refusal in {@code mirror_migration}) when a type change
   * would lose data; changes already safe are applied first, one statement each.
   */
  public Outcome ensure(String source, String crmObject, String table, Map<String, FieldType> columns, Optional<String> keyColumn,
      String origin) {
    var name = SqlName.of(table);
    if (!table.startsWith(TABLE_PREFIX)) {
      throw new IllegalArgumentException("'" + table + "' is not a custom mirror table");
    }
    for (var column : columns.keySet()) {
      SqlName.of(column);
      if (io.salesos.model.CanonicalSchema.SYSTEM_COLUMNS.contains(column) || column.equals("deleted_at")) {
        throw new IllegalArgumentException(origin + ": '" + column + "' is a reserved mirror column");
      }
    }
    try (var c = database.connection()) {
      var existing = columnTypes(c, table);
      boolean created = false;
      var added = new ArrayList<String>();
      var migrated = new ArrayList<TypeChange>();
      var refusals = new ArrayList<String>();
      if (existing.isEmpty()) {
        try (var st = c.createStatement()) {
          st.execute(MirrorTableDdl.createTable(name, columns));
        }
        columns.forEach((col, type) -> added.add(col));
        created = true;
        log.info("event=custom_table_created table={} columns={} by={}", table, columns.size(), origin);
      } else {
        for (var e : columns.entrySet()) {
          var have = existing.get(e.getKey());
          if (have == null) {
            try (var st = c.createStatement()) {
              st.execute(MirrorTableDdl.addColumn(name, SqlName.of(e.getKey()), e.getValue()));
            }
            added.add(e.getKey());
            log.info("event=custom_column_added table={} column={} type={} by={}", table, e.getKey(), e.getValue().sqlType(), origin);
            continue;
          }
          var from = typeOf(have);
          if (from.isPresent() && from.get() == e.getValue()) {
            continue;
          }
          var change = migrate(c, source, crmObject, name, SqlName.of(e.getKey()), have, from, e.getValue());
          change.ifPresentOrElse(migrated::add, () -> refusals.add(e.getKey()));
        }
      }
      for (var e : columns.entrySet()) {
        if (added.contains(e.getKey()) || migrated.stream().anyMatch(m -> m.column().equals(e.getKey()))) {
          recordColumn(c, table, e.getKey(), e.getValue(), origin);
        }
      }
      if (keyColumn.isPresent() && columns.containsKey(keyColumn.get())) {
        try (var st = c.createStatement()) {
          st.execute("ALTER TABLE " + name.quoted() + " ADD INDEX IF NOT EXISTS `ix_relation_key` (`source`, "
              + SqlName.of(keyColumn.get()).quoted() + ")");
        }
      }
      if (!refusals.isEmpty()) {
        throw new LossyTypeChange(lastRefusals(c, table, refusals));
      }
      return new Outcome(table, created, added, migrated);
    } catch (SQLException e) {
      throw new IllegalStateException("could not update the mirror table " + table + ": " + e.getMessage(), e);
    }
  }

  private Optional<TypeChange> migrate(Connection c, String source, String crmObject, SqlName table, SqlName column,
      String haveSql, Optional<FieldType> from, FieldType to) throws SQLException {
    long checked;
    long lost;
    String example = null;
    if (from.isEmpty()) {
      checked = 0;
      lost = -1;
    } else {
      try (var st = c.createStatement();
          var rs = st.executeQuery("SELECT COUNT(*) FROM " + table.quoted() + " WHERE " + column.quoted() + " IS NOT NULL")) {
        rs.next();
        checked = rs.getLong(1);
      }
      var survives = survives(column.quoted(), from.get(), to);
      try (var st = c.createStatement();
          var rs = st.executeQuery("SELECT COUNT(*), MIN(CAST(" + column.quoted() + " AS CHAR)) FROM " + table.quoted()
              + " WHERE " + column.quoted() + " IS NOT NULL AND NOT (" + survives + ")")) {
        rs.next();
        lost = rs.getLong(1);
        example = rs.getString(2);
      }
    }
    var fromName = from.map(t -> t.name().toLowerCase()).orElse(haveSql);
    var toName = to.name().toLowerCase();
    if (lost != 0) {
      var reason = lost < 0
          ? "the column's type " + haveSql + " is not one salesos created; migrate it by hand or drop the table"
          : lost + " of " + checked + " value(s) would not survive (for example '" + shorten(example) + "')";
      var message = "refused to change " + table + "." + column + " from " + fromName + " to " + toName + ", as the CRM's describe"
          + " of " + crmObject + " now says: " + reason + ". The mirror keeps the column as it is and stops pulling "
          + crmObject + "; fix the values in the CRM, or change the field back, or map it to a new column";
      logRefusal(c, source, crmObject, table.name(), column.name(), fromName, toName, checked, Math.max(lost, 0), message);
      log.warn("event=custom_type_change_refused table={} column={} from={} to={} rows_lost={}", table, column, fromName, toName, lost);
      return Optional.empty();
    }
    var ddl = "ALTER TABLE " + table.quoted() + " MODIFY COLUMN " + column.quoted() + " " + to.sqlType() + " NULL";
    try (var st = c.createStatement()) {
      st.execute(ddl);
    } catch (SQLException e) {
      var message = "refused to change " + table + "." + column + " from " + fromName + " to " + toName
          + ": MariaDB would not convert the values (" + e.getMessage() + "); the column stays as it is";
      logRefusal(c, source, crmObject, table.name(), column.name(), fromName, toName, checked, 0, message);
      return Optional.empty();
    }
    try (var ps = c.prepareStatement("INSERT INTO mirror_migration (table_name, column_name, from_type, to_type, outcome,"
        + " statement, reason, rows_checked, rows_lost, source, crm_object, seen_at) VALUES (?,?,?,?,'applied',?,NULL,?,0,?,?,?)")) {
      ps.setString(1, table.name());
      ps.setString(2, column.name());
      ps.setString(3, fromName);
      ps.setString(4, toName);
      ps.setString(5, ddl);
      ps.setLong(6, checked);
      ps.setString(7, source);
      ps.setString(8, crmObject);
      ps.setTimestamp(9, Timestamp.from(clock.instant()));
      ps.executeUpdate();
    }
    log.info("event=custom_type_migrated table={} column={} from={} to={} rows={} statement=\"{}\"", table, column, fromName,
        toName, checked, ddl);
    return Optional.of(new TypeChange(table.name(), column.name(), from.get(), to, ddl, checked));
  }

  /**
   * SQL that is true when the value of {@code col} (of type {@code from}) comes back unchanged
   * from a round trip through {@code to}: what the ALTER would keep, checked before it runs.
   */
  static String survives(String col, FieldType from, FieldType to) {
    var there = to == FieldType.BOOLEAN ? "CAST(" + col + " AS SIGNED)" : "CAST(" + col + " AS " + castType(to) + ")";
    var back = from == FieldType.BOOLEAN ? "CAST(" + there + " AS SIGNED)" : "CAST(" + there + " AS " + castType(from) + ")";
    var textual = from == FieldType.STRING || from == FieldType.TEXT || from == FieldType.ID;
    var same = textual ? "BINARY " + back + " <=> BINARY " + col : back + " <=> " + col;
    if (to == FieldType.BOOLEAN) {
      same = "(" + same + ") AND " + there + " IN (0, 1)";
    }
    if (to == FieldType.STRING || to == FieldType.ID) {
      same = "(" + same + ") AND CHAR_LENGTH(CAST(" + col + " AS CHAR)) <= " + (to == FieldType.ID ? 64 : 255);
    }
    return same;
  }

  private static String castType(FieldType t) {
    return switch (t) {
      case STRING, TEXT, ID -> "CHAR";
      case DECIMAL -> "DECIMAL(18,2)";
      case PERCENT -> "DECIMAL(7,4)";
      case INTEGER, BOOLEAN -> "SIGNED";
      case DOUBLE -> "DOUBLE";
      case DATE -> "DATE";
      case DATETIME -> "DATETIME(3)";
    };
  }

  private void logRefusal(Connection c, String source, String crmObject, String table, String column, String from, String to,
      long checked, long lost, String reason) throws SQLException {
    // one row per refusal, not one per describe: the same refusal seen again is not logged again
    try (var ps = c.prepareStatement("SELECT outcome, from_type, to_type, rows_lost FROM mirror_migration WHERE table_name = ?"
        + " AND column_name = ? ORDER BY seq DESC LIMIT 1")) {
      ps.setString(1, table);
      ps.setString(2, column);
      try (var rs = ps.executeQuery()) {
        if (rs.next() && rs.getString(1).equals("refused") && rs.getString(2).equals(from) && rs.getString(3).equals(to)
            && rs.getLong(4) == lost) {
          return;
        }
      }
    }
    try (var ps = c.prepareStatement("INSERT INTO mirror_migration (table_name, column_name, from_type, to_type, outcome,"
        + " statement, reason, rows_checked, rows_lost, source, crm_object, seen_at) VALUES (?,?,?,?,'refused',NULL,?,?,?,?,?,?)")) {
      ps.setString(1, table);
      ps.setString(2, column);
      ps.setString(3, from);
      ps.setString(4, to);
      ps.setString(5, reason);
      ps.setLong(6, checked);
      ps.setLong(7, lost);
      ps.setString(8, source);
      ps.setString(9, crmObject);
      ps.setTimestamp(10, Timestamp.from(clock.instant()));
      ps.executeUpdate();
    }
  }

  private static String lastRefusals(Connection c, String table, List<String> columns) throws SQLException {
    var out = new ArrayList<String>();
    for (var column : columns) {
      try (var ps = c.prepareStatement("SELECT reason FROM mirror_migration WHERE table_name = ? AND column_name = ?"
          + " AND outcome = 'refused' ORDER BY seq DESC LIMIT 1")) {
        ps.setString(1, table);
        ps.setString(2, column);
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
    }
    return String.join("; ", out);
  }

  private void recordColumn(Connection c, String table, String column, FieldType type, String origin) throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO mirror_column (canonical_object, column_name, sql_type, added_at, added_by)"
        + " VALUES (?,?,?,?,?) ON DUPLICATE KEY UPDATE sql_type = VALUES(sql_type)")) {
      ps.setString(1, table);
      ps.setString(2, column);
      ps.setString(3, type.sqlType());
      ps.setTimestamp(4, Timestamp.from(clock.instant()));
      ps.setString(5, origin.length() > 128 ? origin.substring(origin.length() - 128) : origin);
      ps.executeUpdate();
    }
  }

  /** Declares (or re-points) a relation rules read: {@code <parent>.<name>} is the rows of {@code table} keyed by {@code keyColumn}. */
  public void declareRelation(String source, String parent, String name, String table, String keyColumn, String crmObject,
      String origin) {
    SqlName.of(parent);
    SqlName.of(name);
    SqlName.of(table);
    SqlName.of(keyColumn);
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO mirror_relation (source, parent_object, name, table_name, key_column, crm_object,"
            + " declared_by, updated_at) VALUES (?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE table_name = VALUES(table_name),"
            + " key_column = VALUES(key_column), crm_object = VALUES(crm_object), declared_by = VALUES(declared_by),"
            + " updated_at = VALUES(updated_at)")) {
      ps.setString(1, source);
      ps.setString(2, parent);
      ps.setString(3, name);
      ps.setString(4, table);
      ps.setString(5, keyColumn);
      ps.setString(6, crmObject);
      ps.setString(7, origin.length() > 128 ? origin.substring(origin.length() - 128) : origin);
      ps.setTimestamp(8, Timestamp.from(clock.instant()));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the relation " + parent + "." + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Forgets the relations of {@code source} its mapping no longer declares ({@code parent.name}
   * kept), so rules stop seeing them; the tables and their rows stay.
   */
  public void keepOnlyRelations(String source, java.util.Set<String> declared) {
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT parent_object, name FROM mirror_relation WHERE source = ?")) {
      ps.setString(1, source);
      var gone = new ArrayList<String[]>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!declared.contains(rs.getString(1) + "." + rs.getString(2))) {
            gone.add(new String[] {rs.getString(1), rs.getString(2)});
          }
        }
      }
      try (var del = c.prepareStatement("DELETE FROM mirror_relation WHERE source = ? AND parent_object = ? AND name = ?")) {
        for (var g : gone) {
          del.setString(1, source);
          del.setString(2, g[0]);
          del.setString(3, g[1]);
          del.executeUpdate();
          log.info("event=relation_forgotten source={} relation={}.{}", source, g[0], g[1]);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not update the relations of " + source + ": " + e.getMessage(), e);
    }
  }

  /** The columns of a custom table and the canonical type each holds (empty when salesos did not create that type); none when there is no such table. */
  public Map<String, Optional<FieldType>> columns(String table) {
    var out = new LinkedHashMap<String, Optional<FieldType>>();
    try (var c = database.connection()) {
      columnTypes(c, SqlName.of(table).name()).forEach((col, sql) -> {
        if (!io.salesos.model.CanonicalSchema.SYSTEM_COLUMNS.contains(col) && !col.equals("deleted_at")) {
          out.put(col, typeOf(sql));
        }
      });
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the columns of " + table + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** The relations the mirror holds (of one connection, or of all), each with its table's column types. */
  public List<StoredRelation> relations(Optional<String> source) {
    var out = new ArrayList<StoredRelation>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT source, parent_object, name, table_name, key_column, crm_object FROM mirror_relation"
            + (source.isPresent() ? " WHERE source = ?" : "") + " ORDER BY source, parent_object, name")) {
      if (source.isPresent()) {
        ps.setString(1, source.get());
      }
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var table = rs.getString(4);
          var columns = new LinkedHashMap<String, FieldType>();
          columnTypes(c, table).forEach((col, sql) -> {
            if (!io.salesos.model.CanonicalSchema.SYSTEM_COLUMNS.contains(col) && !col.equals("deleted_at")) {
              typeOf(sql).ifPresent(t -> columns.put(col, t));
            }
          });
          if (!columns.isEmpty()) {
            out.add(new StoredRelation(rs.getString(1), rs.getString(2), rs.getString(3), table, rs.getString(5), rs.getString(6),
                columns));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the mirror's relations: " + e.getMessage(), e);
    }
    return out;
  }

  /** The migration log, newest first (at most {@code limit} rows). */
  public List<Migration> migrations(int limit) {
    var out = new ArrayList<Migration>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT seen_at, source, crm_object, table_name, column_name, from_type, to_type, outcome,"
            + " rows_checked, rows_lost, statement, reason FROM mirror_migration ORDER BY seq DESC LIMIT ?")) {
      ps.setInt(1, limit);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Migration(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9), rs.getLong(10),
              Optional.ofNullable(rs.getString(11)), Optional.ofNullable(rs.getString(12))));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the mirror's migrations: " + e.getMessage(), e);
    }
    return out;
  }

  /** The column types of a table (empty when it does not exist). */
  private static Map<String, String> columnTypes(Connection c, String table) throws SQLException {
    var out = new LinkedHashMap<String, String>();
    try (var ps = c.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, table);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  /** The canonical type a column of this SQL type holds, when salesos created it. */
  static Optional<FieldType> typeOf(String columnType) {
    var have = columnType.toLowerCase().replace(" ", "");
    if (have.startsWith("tinyint(1)")) {
      return Optional.of(FieldType.BOOLEAN);
    }
    if (have.startsWith("bigint")) {
      return Optional.of(FieldType.INTEGER);
    }
    for (var t : FieldType.values()) {
      if (t.sqlType().toLowerCase().replace(" ", "").equals(have)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  private static String shorten(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
