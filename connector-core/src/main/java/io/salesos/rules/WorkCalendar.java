package io.salesos.rules;

import java.time.DayOfWeek;
import java.time.Duration;
import java.util.EnumSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Set;

/**
 * One rep's working time: the zone the rep lives in, the working days and hours, and the region's
 * holidays. Every "today", "tomorrow", "end of business" and business-hour clock of that rep is
 * computed here, in the rep's zone, so a Denver rep's day is 08:00-17:00 in Denver.
 */
public record WorkCalendar(ZoneId zone, Set<DayOfWeek> workdays, LocalTime start, LocalTime end, Set<LocalDate> holidays) {

  /** Weekdays 08:00-17:00 UTC with no holidays: what a rep gets when nothing says otherwise. */
  public static final WorkCalendar UTC_OFFICE = new WorkCalendar(ZoneOffset.UTC,
      EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0), LocalTime.of(17, 0), Set.of());

  public WorkCalendar {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (workdays.isEmpty()) {
      throw new IllegalArgumentException("a rep needs at least one working day");
    }
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("a working day must end after it starts: " + start + "-" + end);
    }
    workdays = Set.copyOf(workdays);
    holidays = Set.copyOf(holidays);
  }

  /** This calendar in another zone (a rep's own zone from the CRM). */
  public WorkCalendar in(ZoneId other) {
    return new WorkCalendar(other, workdays, start, end, holidays);
  }

  /** The rep's local date at {@code t}. */
  public LocalDate date(Instant t) {
    return LocalDate.ofInstant(t, zone);
  }

  public boolean isWorkday(LocalDate d) {
    return workdays.contains(d.getDayOfWeek()) && !holidays.contains(d);
  }

  /** The first working day after {@code d}. */
  public LocalDate nextWorkday(LocalDate d) {
    var next = d.plusDays(1);
    for (int i = 0; i < 366 && !isWorkday(next); i++) {
      next = next.plusDays(1);
    }
    return next;
  }

  /** The instant the working day of {@code d} starts (a local time skipped by a DST change moves forward). */
  public Instant startOf(LocalDate d) {
    return ZonedDateTime.of(d, start, zone).toInstant();
  }

  /** The instant the working day of {@code d} ends. */
  public Instant endOf(LocalDate d) {
    return ZonedDateTime.of(d, end, zone).toInstant();
  }

  /** The instant of a local wall-clock time on {@code d} in the rep's zone. */
  public Instant at(LocalDate d, LocalTime t) {
    return ZonedDateTime.of(d, t, zone).toInstant();
  }

  /**
   * "End of business" seen at {@code t}: the end of today's working day while it has not ended,
   * otherwise the end of the next working day.
   */
  public Instant endOfBusiness(Instant t) {
    var today = date(t);
    if (isWorkday(today) && t.isBefore(endOf(today))) {
      return endOf(today);
    }
    return endOf(nextWorkday(today));
  }

  /**
   * {@code t} plus {@code hours} of the rep's working time: time outside working hours, on days off
   * and on holidays does not count, so "2 business hours" asked at 16:30 ends at 09:30 the next
   * working day for a 08:00-17:00 rep.
   */
  public Instant addBusinessHours(Instant t, long hours) {
    if (hours < 0) {
      throw new IllegalArgumentException("business hours must not be negative: " + hours);
    }
    var left = Duration.ofHours(hours);
    var day = date(t);
    var at = t;
    if (!isWorkday(day) || !at.isBefore(endOf(day))) {
      day = nextWorkday(day);
      at = startOf(day);
    } else if (at.isBefore(startOf(day))) {
      at = startOf(day);
    }
    while (true) {
      var remaining = Duration.between(at, endOf(day));
      if (left.compareTo(remaining) <= 0) {
        return at.plus(left);
      }
      left = left.minus(remaining);
      day = nextWorkday(day);
      at = startOf(day);
    }
  }
}
