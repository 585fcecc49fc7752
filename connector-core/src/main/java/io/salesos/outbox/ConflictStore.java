package io.salesos.outbox;

import io.salesos.mirror.Database;
import io.salesos.outbox.ConflictPolicy.Resolution;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code conflict} table's one owner: a field the CRM changed after salesos decided a write,
 * with both values and how the conflict policy settled it.
 */
public final class ConflictStore {

  private final Database database;
  private final Clock clock;

  public ConflictStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** One conflict as stored. */
  public record Conflict(String source, String crmObject, String recordId, String field, String expectedValue,
      String crmValue, String ourValue, String policy, String resolution, long outboxId, Instant detectedAt) {}

  /** Records a conflict found while pushing outbox row {@code r}. */
  void record(OutboxEntry r, String field, String expected, String crmNow, String ours, Resolution policy,
      String resolution) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO conflict (source, crm_object, record_id, field, expected_value, crm_value,"
            + " our_value, policy, resolution, outbox_id, detected_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, r.source());
      ps.setString(2, r.crmObject());
      ps.setString(3, r.recordId().orElse(""));
      ps.setString(4, field);
      ps.setString(5, expected);
      ps.setString(6, crmNow);
      ps.setString(7, ours);
      ps.setString(8, policy.code());
      ps.setString(9, resolution);
      ps.setLong(10, r.id());
      ps.setTimestamp(11, Timestamp.from(clock.instant()));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record a conflict: " + e.getMessage(), e);
    }
  }

  /** Every conflict recorded, or those of one connection. */
  public long count(Optional<String> source) {
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT COUNT(*) FROM conflict" + (source.isPresent() ? " WHERE source = ?" : ""))) {
      if (source.isPresent()) {
        ps.setString(1, source.get());
      }
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not count the conflicts: " + e.getMessage(), e);
    }
  }

  /** Conflicts of one connection detected in [{@code from}, {@code to}). */
  public long count(String source, Instant from, Instant to) {
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT COUNT(*) FROM conflict WHERE source = ? AND detected_at >= ? AND detected_at < ?")) {
      ps.setString(1, source);
      ps.setTimestamp(2, Timestamp.from(from));
      ps.setTimestamp(3, Timestamp.from(to));
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not count the conflicts: " + e.getMessage(), e);
    }
  }

  /** Up to {@code limit} conflicts of one connection, the unresolved first, then newest first (the status page's order). */
  public List<Conflict> unresolvedFirst(String source, int limit) {
    var out = new ArrayList<Conflict>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT source, crm_object, record_id, field, expected_value, crm_value, our_value, policy,"
            + " resolution, outbox_id, detected_at FROM conflict WHERE source = ?"
            + " ORDER BY resolved_at IS NULL DESC, detected_at DESC LIMIT ?")) {
      ps.setString(1, source);
      ps.setInt(2, limit);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Conflict(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getLong(10),
              rs.getTimestamp(11).toInstant()));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the conflicts: " + e.getMessage(), e);
    }
    return out;
  }
}
