package io.salesos.sync;

import io.salesos.mirror.Database;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The connections an admin paused ({@code salesos sync --pause NAME}): the owner of the
 * {@code connection_pause} table. A paused connection is not pulled, evaluated or pushed to by any
 * daemon sharing the database; its queued writes wait.
 */
public final class Pauses {

  /** Who paused a connection, when and why. */
  public record Pause(String source, Instant at, String by, Optional<String> reason) {
    public String describe() {
      return "paused by " + by + " at " + at + reason.map(r -> ": " + r).orElse("");
    }
  }

  private final Database database;
  private final Clock clock;

  public Pauses(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** Pauses {@code source}; false when it was paused already (the first pause stands). */
  public boolean pause(String source, String by, Optional<String> reason) {
    try (var c = database.connection();
        var ps = c.prepareStatement("INSERT IGNORE INTO connection_pause (source, paused_at, paused_by, reason) VALUES (?,?,?,?)")) {
      ps.setString(1, source);
      ps.setTimestamp(2, Timestamp.from(clock.instant()));
      ps.setString(3, by);
      ps.setString(4, reason.orElse(null));
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("could not pause " + source + ": " + e.getMessage(), e);
    }
  }

  /** Resumes {@code source}; false when it was not paused. */
  public boolean resume(String source) {
    try (var c = database.connection(); var ps = c.prepareStatement("DELETE FROM connection_pause WHERE source = ?")) {
      ps.setString(1, source);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("could not resume " + source + ": " + e.getMessage(), e);
    }
  }

  /** Every paused connection, by name. */
  public Map<String, Pause> paused() {
    var out = new TreeMap<String, Pause>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT source, paused_at, paused_by, reason FROM connection_pause");
        var rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new Pause(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
            Optional.ofNullable(rs.getString(4))));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the paused connections: " + e.getMessage(), e);
    }
  }

  public Optional<Pause> of(String source) {
    return Optional.ofNullable(paused().get(source));
  }
}
