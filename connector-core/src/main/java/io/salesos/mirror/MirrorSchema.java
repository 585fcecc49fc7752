package io.salesos.mirror;

import io.salesos.model.CanonicalSchema;
import io.salesos.model.FieldType;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the typed mirror tables in step with the mappings: a mapped field that has no column yet
 * gets one at start-up (recorded in {@code mirror_column}); a column whose type differs from the
 * mapping is an error, never a silent change.
 */
public final class MirrorSchema {

  private static final Logger log = LoggerFactory.getLogger(MirrorSchema.class);

  private final Database database;
  private final Clock clock;

  public MirrorSchema(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Adds missing columns for {@code columns} (canonical object to field types) and returns how
   * many were added. {@code origin} names the mapping file, for the record.
   */
  public int ensure(Map<String, Map<String, FieldType>> columns, String origin) {
    int added = 0;
    try (var c = database.connection()) {
      var existing = existingColumns(c);
      for (var object : columns.entrySet()) {
        var table = SqlName.of(object.getKey());
        if (!CanonicalSchema.isObject(table.name())) {
          throw new IllegalArgumentException("unknown canonical object " + table);
        }
        var have = existing.getOrDefault(table.name(), Map.of());
        for (var f : object.getValue().entrySet()) {
          var column = SqlName.of(f.getKey());
          if (CanonicalSchema.SYSTEM_COLUMNS.contains(column.name()) || List.of("deleted_at").contains(column.name())) {
            throw new IllegalArgumentException(origin + ": '" + column + "' is a reserved mirror column; map the field to another name");
          }
          var current = have.get(column.name());
          if (current == null) {
            try (var st = c.createStatement()) {
              st.execute(MirrorTableDdl.addColumn(table, column, f.getValue()));
            }
            try (var ps = c.prepareStatement("INSERT INTO mirror_column (canonical_object, column_name, sql_type, added_at, added_by) VALUES (?,?,?,?,?)")) {
              ps.setString(1, table.name());
              ps.setString(2, column.name());
              ps.setString(3, f.getValue().sqlType());
              ps.setTimestamp(4, Timestamp.from(clock.instant()));
              ps.setString(5, origin.length() > 128 ? origin.substring(origin.length() - 128) : origin);
              ps.executeUpdate();
            }
            log.info("event=mirror_column_added table={} column={} type={} by={}", table, column, f.getValue().sqlType(), origin);
            added++;
          } else if (!sameType(current, f.getValue())) {
            throw new IllegalStateException(origin + ": the mirror column " + table + "." + column + " is " + current
                + " but the mapping says " + f.getValue().name().toLowerCase() + "; rename the canonical field or migrate the column by hand");
          }
        }
      }
      if (columns.getOrDefault(CanonicalSchema.ACTIVITY, Map.of()).containsKey("salesos_key")) {
        // each rules partition looks its task keys up: by index, not by a scan of every activity
        try (var st = c.createStatement()) {
          st.execute("CREATE INDEX IF NOT EXISTS `ix_activity_salesos_key` ON `activity` (`source`, `salesos_key`)");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not update the mirror schema: " + e.getMessage(), e);
    }
    return added;
  }

  private static boolean sameType(String columnType, FieldType type) {
    var want = type.sqlType().toLowerCase().replace(" ", "");
    var have = columnType.toLowerCase().replace(" ", "");
    return have.equals(want)
        || (type == FieldType.BOOLEAN && have.startsWith("tinyint(1)"))
        || (type == FieldType.INTEGER && have.startsWith("bigint"));
  }

  private static Map<String, Map<String, String>> existingColumns(java.sql.Connection c) throws SQLException {
    var out = new HashMap<String, Map<String, String>>();
    try (var ps = c.prepareStatement(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()");
        var rs = ps.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
      }
    }
    return out;
  }
}
