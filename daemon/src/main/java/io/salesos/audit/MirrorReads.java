package io.salesos.audit;

import io.salesos.mirror.Database;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Read-only queries the audits share over the mirror: owners, and one helper that binds and reads. */
final class MirrorReads {

  /** One person who owns records, with the manager above them. */
  record Owner(String id, String name, Optional<String> managerId) {}

  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private final Database database;

  MirrorReads(Database database) {
    this.database = database;
  }

  Database database() {
    return database;
  }

  /** Whether the mirror table has the column (a mapping adds the columns of the fields it maps). */
  boolean hasColumn(String table, String column) {
    try (var c = database.connection()) {
      return io.salesos.currency.CurrencyStore.hasColumn(c, table, column);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the mirror schema for an audit: " + e.getMessage(), e);
    }
  }

  void query(String sql, Binder binder, RowReader reader) {
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      ps.setFetchSize(5000);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the mirror for an audit: " + e.getMessage(), e);
    }
  }

  /** Owners of one source by id, with a display name even where the CRM keeps first and last names apart. */
  Map<String, Owner> owners(String source) {
    var out = new LinkedHashMap<String, Owner>();
    query("SELECT id, COALESCE(NULLIF(name, ''), NULLIF(TRIM(CONCAT_WS(' ', first_name, last_name)), ''), email, id),"
        + " manager_id FROM owner WHERE source = ? AND deleted = FALSE ORDER BY 2", ps -> ps.setString(1, source),
        rs -> out.put(rs.getString(1), new Owner(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)))));
    return out;
  }

  static String name(Map<String, Owner> owners, String id) {
    if (id == null || id.isEmpty()) {
      return "(no owner)";
    }
    var o = owners.get(id);
    return o == null ? id : o.name();
  }

  static Optional<Instant> instant(ResultSet rs, int col) throws SQLException {
    var t = rs.getTimestamp(col);
    return Optional.ofNullable(t).map(Timestamp::toInstant);
  }

  static Optional<LocalDate> date(ResultSet rs, int col) throws SQLException {
    var d = rs.getDate(col);
    return Optional.ofNullable(d).map(java.sql.Date::toLocalDate);
  }

  static BigDecimal money(ResultSet rs, int col) throws SQLException {
    var v = rs.getBigDecimal(col);
    return v == null ? BigDecimal.ZERO.setScale(2) : v.setScale(2, java.math.RoundingMode.HALF_UP);
  }
}
