package io.salesos.sync;

import io.salesos.mirror.Database;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * How far each mapped object of each connection is pulled (owner of {@code pull_progress}), and
 * from it whether the mirror of a connection is consistent enough to evaluate rules over: every
 * mapped object's initial load has completed and its latest pull read to the end. The watermark is
 * the oldest point up to which every mapped object is pulled.
 */
public final class PullProgress {

  /** The state of the latest pull of one object. */
  public enum State {
    /** Never pulled to the end: the initial load has not completed. */
    NEVER,
    /** A pull is under way, or was interrupted (a crash leaves it so until the next pull ends). */
    RUNNING,
    /** The pull stopped with more to read (its batch budget was spent); the next one goes on. */
    PARTIAL,
    /** The pull read everything the CRM had when it started. */
    COMPLETE,
    /** The pull failed; the mirror of this object is as old as its last complete pull. */
    FAILED;

    String code() {
      return name().toLowerCase();
    }
  }

  /** One object's progress. */
  public record ObjectProgress(String crmObject, State state, Optional<Instant> completeTo, Optional<Instant> loadedAt,
      Optional<String> reason) {}

  /**
   * Whether a connection's mirror may be evaluated: {@code watermark} is the time up to which every
   * mapped object is pulled (empty until every initial load completed); {@code blocked} says why
   * not, when an evaluation must wait.
   */
  public record Readiness(String source, Optional<Instant> watermark, Optional<String> blocked, List<ObjectProgress> objects) {

    public boolean ready() {
      return blocked.isEmpty();
    }
  }

  private final Database database;
  private final Clock clock;

  public PullProgress(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Lists the objects a connection maps, so one never pulled counts as not loaded, and forgets
   * objects the mapping no longer holds (they would otherwise hold the connection back for ever).
   */
  public void register(String source, Collection<String> crmObjects) {
    var now = Timestamp.from(clock.instant());
    try (var c = database.connection()) {
      try (var ps = c.prepareStatement("INSERT IGNORE INTO pull_progress (source, crm_object, state, updated_at) VALUES (?,?,?,?)")) {
        for (var o : crmObjects) {
          ps.setString(1, source);
          ps.setString(2, o);
          ps.setString(3, State.NEVER.code());
          ps.setTimestamp(4, now);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (var ps = c.prepareStatement("SELECT crm_object FROM pull_progress WHERE source = ?")) {
        ps.setString(1, source);
        var stale = new ArrayList<String>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            if (!crmObjects.contains(rs.getString(1))) {
              stale.add(rs.getString(1));
            }
          }
        }
        try (var del = c.prepareStatement("DELETE FROM pull_progress WHERE source = ? AND crm_object = ?")) {
          for (var o : stale) {
            del.setString(1, source);
            del.setString(2, o);
            del.executeUpdate();
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not register the mapped objects of " + source + " in pull_progress: " + e.getMessage(), e);
    }
  }

  /** A pull of one object starts now; returns its start, which a complete pull makes the object's watermark. */
  Instant started(String source, String crmObject) {
    var now = clock.instant();
    execute("INSERT INTO pull_progress (source, crm_object, state, started_at, updated_at) VALUES (?,?,'running',?,?)"
        + " ON DUPLICATE KEY UPDATE state = 'running', started_at = VALUES(started_at), reason = NULL, updated_at = VALUES(updated_at)",
        source, crmObject, source, crmObject, Timestamp.from(now), Timestamp.from(now));
    return now;
  }

  /** The pull that started at {@code startedAt} read to the end: every change before it is mirrored. */
  void completed(String source, String crmObject, Instant startedAt) {
    var at = Timestamp.from(startedAt);
    execute("UPDATE pull_progress SET state = 'complete', complete_to = ?, loaded_at = COALESCE(loaded_at, ?), reason = NULL,"
        + " updated_at = ? WHERE source = ? AND crm_object = ?", source, crmObject, at, at,
        Timestamp.from(clock.instant()), source, crmObject);
  }

  /** The pull stopped with more to read, or failed ({@code failed}), for {@code reason}. */
  void ended(String source, String crmObject, boolean failed, String reason) {
    execute("UPDATE pull_progress SET state = ?, reason = ?, updated_at = ? WHERE source = ? AND crm_object = ?", source,
        crmObject, (failed ? State.FAILED : State.PARTIAL).code(), reason.length() > 2000 ? reason.substring(0, 2000) : reason,
        Timestamp.from(clock.instant()), source, crmObject);
  }

  private void execute(String sql, String source, String crmObject, Object... values) {
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the pull progress of " + source + "/" + crmObject + ": " + e.getMessage(), e);
    }
  }

  /** Every object's progress of one connection, by CRM object. */
  public List<ObjectProgress> of(String source) {
    var out = new ArrayList<ObjectProgress>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT crm_object, state, complete_to, loaded_at, reason FROM pull_progress WHERE source = ?"
            + " ORDER BY crm_object")) {
      ps.setString(1, source);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ObjectProgress(rs.getString(1), State.valueOf(rs.getString(2).toUpperCase()), instant(rs.getTimestamp(3)),
              instant(rs.getTimestamp(4)), Optional.ofNullable(rs.getString(5))));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the pull progress of " + source + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Whether the mirror of {@code source} may be evaluated now, and its watermark. Fails closed: an
   * object never loaded, a pull under way or interrupted, stopped short or failed each hold the
   * evaluation back, with the first such object named in the reason.
   */
  public Readiness readiness(String source) {
    var objects = of(source);
    if (objects.isEmpty()) {
      return new Readiness(source, Optional.empty(), Optional.of("no mapped object of " + source + " has been pulled yet"), objects);
    }
    Optional<String> blocked = Optional.empty();
    Instant watermark = null;
    boolean loaded = true;
    for (var o : objects) {
      if (o.loadedAt().isEmpty()) {
        loaded = false;
      }
      if (o.completeTo().isPresent() && (watermark == null || o.completeTo().get().isBefore(watermark))) {
        watermark = o.completeTo().get();
      }
      if (blocked.isEmpty()) {
        blocked = switch (o.state()) {
          case COMPLETE -> Optional.empty();
          case NEVER -> Optional.of("the initial load of " + o.crmObject() + " has not started");
          case RUNNING -> Optional.of(o.loadedAt().isEmpty()
              ? "the initial load of " + o.crmObject() + " is under way or was interrupted (it resumes from its checkpoint)"
              : "a pull of " + o.crmObject() + " is under way or was interrupted");
          case PARTIAL -> Optional.of((o.loadedAt().isEmpty() ? "the initial load of " : "the pull of ") + o.crmObject()
              + " stopped with more to read" + o.reason().map(r -> " (" + r + ")").orElse(""));
          case FAILED -> Optional.of("the latest pull of " + o.crmObject() + " failed" + o.reason().map(r -> ": " + r).orElse(""));
        };
      }
    }
    return new Readiness(source, loaded ? Optional.ofNullable(watermark) : Optional.empty(), blocked, objects);
  }

  private static Optional<Instant> instant(Timestamp t) {
    return t == null ? Optional.empty() : Optional.of(t.toInstant());
  }
}
