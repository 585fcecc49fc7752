package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** routing.yaml's calendars: where each rep's zone, days, hours and holidays come from. */
class RoutingCalendarTest {

  static RoutingRules routing(String extra) {
    var files = new TreeMap<>(TestRules.defaultFiles());
    files.put("routing.yaml", files.get("routing.yaml").replace("reps: {}", extra));
    return TestRules.load(files).routing().orElseThrow();
  }

  @Test
  void theCrmsZoneWinsOverTheRegionsAndARepsPinnedZoneWinsOverBoth() {
    var routing = routing("""
        reps:
          U9: { time_zone: America/Denver, workdays: [Sun, Mon, Tue, Wed, Thu], plan_at: "17:30" }
        """);
    var berliner = CrmRecord.of("U1", "region", "Berlin");
    assertThat(routing.zone(berliner)).contains(ZoneId.of("Europe/Berlin"));
    var travelling = CrmRecord.of("U2", "region", "Berlin", "time_zone", "Asia/Kolkata");
    assertThat(routing.zone(travelling)).contains(ZoneId.of("Asia/Kolkata"));
    var pinned = CrmRecord.of("U9", "region", "Berlin", "time_zone", "Asia/Kolkata");
    assertThat(routing.zone(pinned)).contains(ZoneId.of("America/Denver"));
    assertThat(routing.repDay(pinned).workdays()).containsExactlyInAnyOrder(DayOfWeek.SUNDAY, DayOfWeek.MONDAY,
        DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY);
    assertThat(routing.repDay(pinned).planAt()).isEqualTo(LocalTime.of(17, 30));
    assertThat(routing.zone(CrmRecord.of("U3"))).contains(ZoneId.of("UTC"));
  }

  @Test
  void aRegionGivesItsRepsTheirHoursAndHolidays() {
    var routing = routing("reps: {}");
    var bengaluru = routing.calendar(CrmRecord.of("U4", "region", "Bengaluru", "time_zone", "Asia/Kolkata")).orElseThrow();
    assertThat(bengaluru.start()).isEqualTo(LocalTime.of(9, 30));
    assertThat(bengaluru.end()).isEqualTo(LocalTime.of(18, 30));
    assertThat(bengaluru.isWorkday(LocalDate.of(2027, 1, 26))).isFalse();
    var berlin = routing.calendar(CrmRecord.of("U5", "region", "Berlin")).orElseThrow();
    assertThat(berlin.nextWorkday(LocalDate.of(2026, 12, 23))).isEqualTo(LocalDate.of(2026, 12, 28));
  }

  @Test
  void aZoneTheCrmGivesThatIsNoZoneLeavesTheRepWithoutACalendar() {
    var routing = routing("reps: {}");
    assertThat(routing.calendar(CrmRecord.of("U6", "time_zone", "Central Standard Time"))).isEmpty();
  }

  @Test
  void aTimeZoneTheFileCannotReadIsAProblemWithItsLine() {
    var files = new TreeMap<>(TestRules.defaultFiles());
    files.put("routing.yaml", files.get("routing.yaml").replace("time_zone: UTC", "time_zone: Europe/Berln"));
    var result = new RuleSetLoader(RuleVocabulary.standard()).load("rules", files);
    assertThat(result).isInstanceOf(LoadResult.Rejected.class);
    assertThat(((LoadResult.Rejected) result).problems()).anySatisfy(p ->
        assertThat(p.toString()).contains("routing.yaml").contains("Europe/Berln"));
  }
}
