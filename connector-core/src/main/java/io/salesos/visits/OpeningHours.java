package io.salesos.visits;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An account's opening hours as reps type them ("Mon-Fri 08:00-17:00", "Mon-Sat 08:00-12:00"): the
 * days and the hours a visit can happen. Unreadable text is treated as office hours on weekdays.
 */
public record OpeningHours(DayOfWeek firstDay, DayOfWeek lastDay, LocalTime open, LocalTime close) {

  private static final Pattern FORMAT = Pattern.compile(
      "(?i)\\s*(mon|tue|wed|thu|fri|sat|sun)\\w*\\s*-\\s*(mon|tue|wed|thu|fri|sat|sun)\\w*\\s+(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})\\s*");

  public static final OpeningHours OFFICE = new OpeningHours(DayOfWeek.MONDAY, DayOfWeek.FRIDAY, LocalTime.of(9, 0), LocalTime.of(17, 0));

  public static OpeningHours parse(Optional<String> text) {
    if (text.isEmpty()) {
      return OFFICE;
    }
    var m = FORMAT.matcher(text.get());
    if (!m.matches()) {
      return OFFICE;
    }
    return new OpeningHours(day(m.group(1)), day(m.group(2)), LocalTime.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))),
        LocalTime.of(Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6))));
  }

  public boolean openOn(DayOfWeek day) {
    return day.getValue() >= firstDay.getValue() && day.getValue() <= lastDay.getValue();
  }

  private static DayOfWeek day(String s) {
    return switch (s.substring(0, 3).toLowerCase()) {
      case "mon" -> DayOfWeek.MONDAY;
      case "tue" -> DayOfWeek.TUESDAY;
      case "wed" -> DayOfWeek.WEDNESDAY;
      case "thu" -> DayOfWeek.THURSDAY;
      case "fri" -> DayOfWeek.FRIDAY;
      case "sat" -> DayOfWeek.SATURDAY;
      default -> DayOfWeek.SUNDAY;
    };
  }
}
