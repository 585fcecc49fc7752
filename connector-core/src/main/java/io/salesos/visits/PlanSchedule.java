package io.salesos.visits;

import io.salesos.rules.WorkCalendar;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When a rep's next working day is planned: at the rep's local plan time (routing.yaml's
 * {@code plan_at}, 18:00 by default) on the evening before, in the rep's own zone, so one daemon
 * serves a team across zones. The plan job asks often (every 15 minutes); this says, for one rep at
 * one instant, which day is due, if any. A rep is due once per local evening: the day after the
 * latest plan time that has passed is due until it has been planned, and a daemon that was down at
 * plan time plans it when it comes back, before that day begins or during it.
 */
public final class PlanSchedule {

  private PlanSchedule() {}

  /**
   * The day to plan for a rep at {@code now}, or empty when the rep's next working day is already
   * planned ({@code lastPlanned} is that day or later).
   */
  public static Optional<LocalDate> due(Instant now, WorkCalendar calendar, LocalTime planAt, Optional<LocalDate> lastPlanned) {
    var evening = latestPlanTime(now, calendar, planAt);
    var target = calendar.nextWorkday(evening);
    if (lastPlanned.isPresent() && !lastPlanned.get().isBefore(target)) {
      return Optional.empty();
    }
    return Optional.of(target);
  }

  /** The local date of the latest plan time at or before {@code now} in the rep's zone. */
  static LocalDate latestPlanTime(Instant now, WorkCalendar calendar, LocalTime planAt) {
    var today = calendar.date(now);
    // a plan time skipped by a spring-forward change falls an hour later, as ZonedDateTime places it
    var tonight = ZonedDateTime.of(today, planAt, calendar.zone()).toInstant();
    return now.isBefore(tonight) ? today.minusDays(1) : today;
  }
}
