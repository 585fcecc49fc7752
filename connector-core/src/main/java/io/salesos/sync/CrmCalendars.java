package io.salesos.sync;

import io.salesos.connection.CrmConnection;
import io.salesos.mirror.Database;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmCalendar;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The org calendar of each connection (its fiscal year's first month and default zone) as its CRM
 * last reported it: the owner of the {@code crm_calendar} table. Read from the CRM at the first
 * pull and then once a day, since admins seldom move a fiscal year; a failed read keeps the last
 * good one, so quarters never jump back to calendar quarters because the CRM was briefly away.
 */
public final class CrmCalendars {

  private static final Logger log = LoggerFactory.getLogger(CrmCalendars.class);

  /** How old a stored calendar may grow before the next pull reads it again. */
  public static final Duration MAX_AGE = Duration.ofHours(24);

  /** A connection's calendar and when it was read. */
  public record Stored(String source, CrmCalendar calendar, Instant readAt) {}

  private final Database database;
  private final Clock clock;

  public CrmCalendars(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** The calendar stored for {@code source}; empty before its first successful read. */
  public Optional<Stored> of(String source) {
    try (var c = database.connection(); var ps = c.prepareStatement(
        "SELECT fiscal_year_start_month, fiscal_year_from_crm, time_zone, read_at FROM crm_calendar WHERE source = ?")) {
      ps.setString(1, source);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Stored(source, new CrmCalendar(rs.getInt(1), rs.getBoolean(2),
            Optional.ofNullable(rs.getString(3))), rs.getTimestamp(4).toInstant()));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the CRM calendar of " + source + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the calendar of {@code connection} from its CRM when none is stored or the stored one is
   * older than {@link #MAX_AGE}, and stores it. A connector that cannot tell stores nothing; a
   * failed read is logged and keeps what was stored. Returns what is stored afterwards.
   */
  public Optional<Stored> refresh(CrmConnection connection) {
    var stored = of(connection.name());
    var now = clock.instant();
    if (stored.isPresent() && stored.get().readAt().plus(MAX_AGE).isAfter(now)) {
      return stored;
    }
    Optional<CrmCalendar> read;
    try {
      read = connection.connector().calendar();
    } catch (ConnectorException | RuntimeException e) {
      log.warn("event=crm_calendar_unread source={} kept={} reason=\"{}\"", connection.name(),
          stored.map(s -> "read_at " + s.readAt()).orElse("none"), e.getMessage());
      return stored;
    }
    if (read.isEmpty()) {
      return stored;
    }
    store(connection.name(), read.get(), now);
    if (stored.isEmpty() || stored.get().calendar().fiscalYearStartMonth() != read.get().fiscalYearStartMonth()) {
      log.info("event=crm_calendar source={} fiscal_year_start_month={} from_crm={} time_zone={}", connection.name(),
          read.get().fiscalYearStartMonth(), read.get().fiscalYearFromCrm(), read.get().timeZone().orElse("none"));
    }
    return Optional.of(new Stored(connection.name(), read.get(), now));
  }

  void store(String source, CrmCalendar calendar, Instant at) {
    try (var c = database.connection(); var ps = c.prepareStatement(
        "INSERT INTO crm_calendar (source, fiscal_year_start_month, fiscal_year_from_crm, time_zone, read_at)"
            + " VALUES (?,?,?,?,?) ON DUPLICATE KEY UPDATE fiscal_year_start_month = VALUES(fiscal_year_start_month),"
            + " fiscal_year_from_crm = VALUES(fiscal_year_from_crm), time_zone = VALUES(time_zone), read_at = VALUES(read_at)")) {
      ps.setString(1, source);
      ps.setInt(2, calendar.fiscalYearStartMonth());
      ps.setBoolean(3, calendar.fiscalYearFromCrm());
      ps.setString(4, calendar.timeZone().orElse(null));
      ps.setTimestamp(5, Timestamp.from(at));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not store the CRM calendar of " + source + ": " + e.getMessage(), e);
    }
  }
}
