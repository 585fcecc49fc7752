package io.salesos.sync;

import io.salesos.mirror.Database;
import io.salesos.spi.ChangeStream;
import io.salesos.spi.StreamPosition;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The owner of the {@code stream_position} table: where each connection's change stream was read
 * up to, how much it brought, and when and why it last fell back to the keyset pull.
 */
public final class StreamPositions {

  private final Database database;
  private final Clock clock;

  StreamPositions(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** One connection's stream state. */
  public record State(String source, StreamPosition position, Instant updatedAt, long entries, long changes,
      long fallbacks, Optional<Instant> lastFallbackAt, Optional<String> lastFallbackKind,
      Optional<String> lastFallbackReason) {}

  public Optional<State> of(String source) {
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT position, updated_at, entries_total, changes_total, fallbacks_total,"
            + " last_fallback_at, last_fallback_kind, last_fallback_reason FROM stream_position WHERE source = ?")) {
      ps.setString(1, source);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        var at = rs.getTimestamp(6);
        return Optional.of(new State(source, new StreamPosition(rs.getString(1)), rs.getTimestamp(2).toInstant(),
            rs.getLong(3), rs.getLong(4), rs.getLong(5), Optional.ofNullable(at).map(Timestamp::toInstant),
            Optional.ofNullable(rs.getString(7)), Optional.ofNullable(rs.getString(8))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the stream position of " + source + ": " + e.getMessage(), e);
    }
  }

  public java.util.List<State> all() {
    var out = new java.util.ArrayList<String>();
    try (var c = database.connection();
        var rs = c.createStatement().executeQuery("SELECT source FROM stream_position ORDER BY source")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the stream positions: " + e.getMessage(), e);
    }
    return out.stream().map(s -> of(s).orElseThrow()).toList();
  }

  /** Stores {@code position} inside the caller's transaction (the one that applied the changes read before it). */
  void save(Connection c, String source, StreamPosition position, int entries, int changes) throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO stream_position (source, position, updated_at, entries_total, changes_total)"
        + " VALUES (?,?,?,?,?) ON DUPLICATE KEY UPDATE position = VALUES(position), updated_at = VALUES(updated_at),"
        + " entries_total = entries_total + VALUES(entries_total), changes_total = changes_total + VALUES(changes_total)")) {
      ps.setString(1, source);
      ps.setString(2, position.value());
      ps.setTimestamp(3, Timestamp.from(clock.instant()));
      ps.setLong(4, entries);
      ps.setLong(5, changes);
      ps.executeUpdate();
    }
  }

  /** Stores a position on its own (a first start at the head). */
  void save(String source, StreamPosition position) {
    try (var c = database.connection()) {
      save(c, source, position, 0, 0);
    } catch (SQLException e) {
      throw new IllegalStateException("could not store the stream position of " + source + ": " + e.getMessage(), e);
    }
  }

  /** After a fallback pull read to the end: the stream resumes from {@code head}, and the fallback is counted. */
  void fellBack(String source, StreamPosition head, ChangeStream.Interruption why) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT INTO stream_position (source, position, updated_at, fallbacks_total,"
            + " last_fallback_at, last_fallback_kind, last_fallback_reason) VALUES (?,?,?,1,?,?,?) ON DUPLICATE KEY UPDATE"
            + " position = VALUES(position), updated_at = VALUES(updated_at), fallbacks_total = fallbacks_total + 1,"
            + " last_fallback_at = VALUES(last_fallback_at), last_fallback_kind = VALUES(last_fallback_kind),"
            + " last_fallback_reason = VALUES(last_fallback_reason)")) {
      var now = Timestamp.from(clock.instant());
      ps.setString(1, source);
      ps.setString(2, head.value());
      ps.setTimestamp(3, now);
      ps.setTimestamp(4, now);
      ps.setString(5, why.kind().name());
      ps.setString(6, why.reason());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not store the stream fallback of " + source + ": " + e.getMessage(), e);
    }
  }
}
