package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.util.EnumSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkCalendarTest {

  static WorkCalendar office(String zone, LocalDate... holidays) {
    return new WorkCalendar(ZoneId.of(zone), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0),
        LocalTime.of(17, 0), Set.of(holidays));
  }

  @Test
  void endOfBusinessIsFivePmInTheRepsOwnZone() {
    var denver = office("America/Denver");
    // Thursday 13:00 in Denver (MST, UTC-7): today 17:00 MST
    assertThat(denver.endOfBusiness(Instant.parse("2026-12-03T20:00:00Z"))).isEqualTo(Instant.parse("2026-12-04T00:00:00Z"));
    // Thursday 18:00 in Denver is Friday in UTC, and the day is over: Friday 17:00 MST
    assertThat(denver.endOfBusiness(Instant.parse("2026-12-04T01:00:00Z"))).isEqualTo(Instant.parse("2026-12-05T00:00:00Z"));
    // Kolkata is UTC+5:30: 10:30 IST, end of business 17:00 IST = 11:30 UTC
    assertThat(office("Asia/Kolkata").endOfBusiness(Instant.parse("2026-12-03T05:00:00Z")))
        .isEqualTo(Instant.parse("2026-12-03T11:30:00Z"));
  }

  @Test
  void businessHoursSkipNightsWeekendsAndHolidays() {
    var berlin = office("Europe/Berlin");
    // Friday 16:30 CET + 2 business hours: 30 minutes on Friday, 90 on Monday from 08:00 -> Monday 09:30 CET
    var friday = Instant.parse("2026-12-04T15:30:00Z");
    assertThat(berlin.addBusinessHours(friday, 2)).isEqualTo(Instant.parse("2026-12-07T08:30:00Z"));
    var withHoliday = office("Europe/Berlin", LocalDate.of(2026, 12, 7));
    assertThat(withHoliday.addBusinessHours(friday, 2)).isEqualTo(Instant.parse("2026-12-08T08:30:00Z"));
    // asked before the day starts, the clock starts at 08:00
    assertThat(berlin.addBusinessHours(Instant.parse("2026-12-03T05:00:00Z"), 9)).isEqualTo(Instant.parse("2026-12-03T16:00:00Z"));
  }

  @Test
  void theNextWorkingDaySkipsTheRegionsHolidays() {
    var berlin = office("Europe/Berlin", LocalDate.of(2026, 12, 24), LocalDate.of(2026, 12, 25));
    assertThat(berlin.nextWorkday(LocalDate.of(2026, 12, 23))).isEqualTo(LocalDate.of(2026, 12, 28));
    assertThat(berlin.isWorkday(LocalDate.of(2026, 12, 24))).isFalse();
  }

  @Test
  void theWorkingDayMovesWithDaylightSavingTime() {
    var berlin = office("Europe/Berlin");
    // CEST (UTC+2) before 25 October 2026, CET (UTC+1) after
    assertThat(berlin.startOf(LocalDate.of(2026, 10, 23))).isEqualTo(Instant.parse("2026-10-23T06:00:00Z"));
    assertThat(berlin.startOf(LocalDate.of(2026, 10, 26))).isEqualTo(Instant.parse("2026-10-26T07:00:00Z"));
  }
}
