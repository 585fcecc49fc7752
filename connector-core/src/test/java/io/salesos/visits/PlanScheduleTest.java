package io.salesos.visits;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.rules.WorkCalendar;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.EnumSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plan job's decision, asked every 15 minutes with a fixed clock, for reps in three zones. */
class PlanScheduleTest {

  static final LocalTime PLAN_AT = LocalTime.of(18, 0);

  record Fired(Instant at, LocalDate day) {}

  static WorkCalendar calendar(String zone) {
    return new WorkCalendar(ZoneId.of(zone), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0),
        LocalTime.of(17, 0), Set.of());
  }

  /** Runs the job every 15 minutes from {@code from} to {@code to}, remembering what it planned, as the job data does. */
  static List<Fired> run(WorkCalendar calendar, Instant from, Instant to, Optional<LocalDate> alreadyPlanned) {
    var fired = new ArrayList<Fired>();
    var last = alreadyPlanned;
    for (var t = from; t.isBefore(to); t = t.plus(Duration.ofMinutes(15))) {
      var due = PlanSchedule.due(t, calendar, PLAN_AT, last);
      if (due.isPresent()) {
        fired.add(new Fired(t, due.get()));
        last = due;
      }
    }
    return fired;
  }

  @Test
  void eachRepIsPlannedOncePerLocalEveningForTheNextWorkingDayAcrossTheSpringChange() {
    // the US springs forward on 14 March 2027; Europe not until 28 March; India never
    for (var zone : List.of("America/Denver", "Europe/Berlin", "Asia/Kolkata")) {
      var cal = calendar(zone);
      var from = LocalDate.of(2027, 3, 10).atTime(19, 0).atZone(cal.zone()).toInstant();
      var to = LocalDate.of(2027, 3, 17).atTime(19, 0).atZone(cal.zone()).toInstant();
      var fired = run(cal, from, to, Optional.of(LocalDate.of(2027, 3, 11)));
      // Thu 11th (planned on the 10th), evenings of Thu, Fri, Mon, Tue, Wed plan Fri, Mon, Tue, Wed, Thu
      assertThat(fired).as(zone).extracting(Fired::day).containsExactly(LocalDate.of(2027, 3, 12), LocalDate.of(2027, 3, 15),
          LocalDate.of(2027, 3, 16), LocalDate.of(2027, 3, 17), LocalDate.of(2027, 3, 18));
      assertThat(fired).as(zone).allSatisfy(f -> {
        var local = f.at().atZone(cal.zone());
        // at the first tick at or after 18:00 local, whatever the offset that evening
        assertThat(local.toLocalTime()).isBetween(PLAN_AT, PLAN_AT.plusMinutes(14));
        assertThat(cal.nextWorkday(local.toLocalDate())).isEqualTo(f.day());
      });
    }
  }

  @Test
  void eachRepIsPlannedOncePerLocalEveningAcrossTheAutumnChange() {
    // Europe falls back on 25 October 2026, the US on 1 November
    for (var zone : List.of("Europe/Berlin", "America/Denver", "Asia/Kolkata")) {
      var cal = calendar(zone);
      var from = LocalDate.of(2026, 10, 22).atTime(19, 0).atZone(cal.zone()).toInstant();
      var to = LocalDate.of(2026, 11, 4).atTime(19, 0).atZone(cal.zone()).toInstant();
      var fired = run(cal, from, to, Optional.of(LocalDate.of(2026, 10, 23)));
      assertThat(fired).as(zone).extracting(Fired::day).doesNotHaveDuplicates().containsExactly(
          LocalDate.of(2026, 10, 26), LocalDate.of(2026, 10, 27), LocalDate.of(2026, 10, 28), LocalDate.of(2026, 10, 29),
          LocalDate.of(2026, 10, 30), LocalDate.of(2026, 11, 2), LocalDate.of(2026, 11, 3), LocalDate.of(2026, 11, 4),
          LocalDate.of(2026, 11, 5));
      assertThat(fired).as(zone).allSatisfy(f ->
          assertThat(f.at().atZone(cal.zone()).toLocalTime()).isBetween(PLAN_AT, PLAN_AT.plusMinutes(14)));
    }
  }

  @Test
  void theSameInstantIsEveningInBerlinAndMorningInDenver() {
    var at = Instant.parse("2026-12-03T17:15:00Z"); // 18:15 in Berlin, 10:15 in Denver, 22:45 in Kolkata
    assertThat(PlanSchedule.due(at, calendar("Europe/Berlin"), PLAN_AT, Optional.of(LocalDate.of(2026, 12, 3))))
        .contains(LocalDate.of(2026, 12, 4));
    assertThat(PlanSchedule.due(at, calendar("Asia/Kolkata"), PLAN_AT, Optional.of(LocalDate.of(2026, 12, 3))))
        .contains(LocalDate.of(2026, 12, 4));
    assertThat(PlanSchedule.due(at, calendar("America/Denver"), PLAN_AT, Optional.of(LocalDate.of(2026, 12, 3))))
        .isEmpty();
  }

  @Test
  void aDaemonThatWasDownAtPlanTimePlansTheDayWhenItComesBack() {
    // Berlin, Friday 4 December 07:00: last evening's plan of Friday never ran
    var at = LocalDate.of(2026, 12, 4).atTime(7, 0).atZone(ZoneId.of("Europe/Berlin")).toInstant();
    assertThat(PlanSchedule.due(at, calendar("Europe/Berlin"), PLAN_AT, Optional.of(LocalDate.of(2026, 12, 3))))
        .contains(LocalDate.of(2026, 12, 4));
  }
}
