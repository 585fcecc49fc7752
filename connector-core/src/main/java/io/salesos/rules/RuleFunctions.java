package io.salesos.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelLateFunctionBindings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Locale;

/**
 * The functions rule files may call besides CEL's own. Those that depend on the evaluation's
 * {@code now} (days_since, days_until, hours_since) are bound late, once per run, so a compiled
 * rule set stays valid across runs and every rule of one run sees the same instant. The one-argument
 * date functions work in UTC; their two-argument forms take a time-zone id ({@code start_of_day(now,
 * owner.tz)}) and the quarter functions with a zone follow the org's fiscal year. {@code
 * end_of_business} and {@code add_business_hours} take an owner id and work in that rep's hours.
 */
final class RuleFunctions {

  private RuleFunctions() {}

  static List<CelFunctionDecl> declarations() {
    var ts = SimpleType.TIMESTAMP;
    var str = SimpleType.STRING;
    return List.of(
        fn("days_since", CelOverloadDecl.newGlobalOverload("days_since_ts", SimpleType.INT, ts)),
        fn("days_until", CelOverloadDecl.newGlobalOverload("days_until_ts", SimpleType.INT, ts)),
        fn("hours_since", CelOverloadDecl.newGlobalOverload("hours_since_ts", SimpleType.INT, ts)),
        fn("distance_km", CelOverloadDecl.newGlobalOverload("distance_km_4d", SimpleType.DOUBLE,
            SimpleType.DOUBLE, SimpleType.DOUBLE, SimpleType.DOUBLE, SimpleType.DOUBLE)),
        fn("start_of_day", CelOverloadDecl.newGlobalOverload("start_of_day_ts", ts, ts),
            CelOverloadDecl.newGlobalOverload("start_of_day_ts_tz", ts, ts, str)),
        fn("start_of_week", CelOverloadDecl.newGlobalOverload("start_of_week_ts_tz", ts, ts, str)),
        fn("start_of_quarter", CelOverloadDecl.newGlobalOverload("start_of_quarter_ts", ts, ts),
            CelOverloadDecl.newGlobalOverload("start_of_quarter_ts_tz", ts, ts, str)),
        fn("end_of_quarter", CelOverloadDecl.newGlobalOverload("end_of_quarter_ts", ts, ts),
            CelOverloadDecl.newGlobalOverload("end_of_quarter_ts_tz", ts, ts, str)),
        fn("add_days", CelOverloadDecl.newGlobalOverload("add_days_ts_int", ts, ts, SimpleType.INT)),
        fn("date", CelOverloadDecl.newGlobalOverload("date_ts", SimpleType.STRING, ts),
            CelOverloadDecl.newGlobalOverload("date_ts_tz", SimpleType.STRING, ts, str)),
        fn("quarter", CelOverloadDecl.newGlobalOverload("quarter_ts", SimpleType.STRING, ts),
            CelOverloadDecl.newGlobalOverload("quarter_ts_tz", SimpleType.STRING, ts, str)),
        fn("end_of_business", CelOverloadDecl.newGlobalOverload("end_of_business_ts_owner", ts, ts, str)),
        fn("add_business_hours", CelOverloadDecl.newGlobalOverload("add_business_hours_ts_int_owner", ts, ts,
            SimpleType.INT, str)),
        fn("iso_week", CelOverloadDecl.newGlobalOverload("iso_week_ts", SimpleType.STRING, ts)),
        fn("money", CelOverloadDecl.newGlobalOverload("money_double", SimpleType.STRING, SimpleType.DOUBLE)));
  }

  static List<String> lateBound() {
    return List.of("days_since", "days_until", "hours_since", "start_of_quarter", "end_of_quarter", "quarter",
        "end_of_business", "add_business_hours");
  }

  private static CelFunctionDecl fn(String name, CelOverloadDecl... overloads) {
    return CelFunctionDecl.newFunctionDeclaration(name, overloads);
  }

  /** Bindings that do not depend on now. */
  static List<CelFunctionBinding> bindings() {
    return List.of(
        CelFunctionBinding.from("distance_km_4d", List.of(Double.class, Double.class, Double.class, Double.class),
            args -> distanceKm((Double) args[0], (Double) args[1], (Double) args[2], (Double) args[3])),
        CelFunctionBinding.from("start_of_day_ts", Instant.class, t -> t.truncatedTo(ChronoUnit.DAYS)),
        CelFunctionBinding.from("start_of_day_ts_tz", Instant.class, String.class,
            (t, z) -> LocalDate.ofInstant(t, zone(z)).atStartOfDay(zone(z)).toInstant()),
        CelFunctionBinding.from("start_of_week_ts_tz", Instant.class, String.class,
            (t, z) -> LocalDate.ofInstant(t, zone(z)).with(DayOfWeek.MONDAY).atStartOfDay(zone(z)).toInstant()),
        CelFunctionBinding.from("add_days_ts_int", Instant.class, Long.class, (t, n) -> t.plus(Duration.ofDays(n))),
        CelFunctionBinding.from("date_ts", Instant.class, t -> LocalDate.ofInstant(t, ZoneOffset.UTC).toString()),
        CelFunctionBinding.from("date_ts_tz", Instant.class, String.class, (t, z) -> LocalDate.ofInstant(t, zone(z)).toString()),
        CelFunctionBinding.from("iso_week_ts", Instant.class, RuleFunctions::isoWeek),
        CelFunctionBinding.from("money_double", Double.class, RuleFunctions::money));
  }

  /** The now-dependent bindings for one evaluation run, with a calendar year and every rep on weekdays 08:00-17:00 UTC. */
  static CelLateFunctionBindings atNow(Instant now) {
    return atNow(now, OrgCalendar.DEFAULT);
  }

  /** The bindings for one evaluation run: its instant, the org's fiscal year and the reps' working calendars. */
  static CelLateFunctionBindings atNow(Instant now, OrgCalendar org) {
    return CelLateFunctionBindings.from(
        CelFunctionBinding.from("days_since_ts", Instant.class, t -> Math.floorDiv(now.getEpochSecond() - t.getEpochSecond(), 86_400L)),
        CelFunctionBinding.from("days_until_ts", Instant.class, t -> Math.floorDiv(t.getEpochSecond() - now.getEpochSecond(), 86_400L)),
        CelFunctionBinding.from("hours_since_ts", Instant.class, t -> Math.floorDiv(now.getEpochSecond() - t.getEpochSecond(), 3_600L)),
        CelFunctionBinding.from("start_of_quarter_ts", Instant.class, RuleFunctions::startOfQuarter),
        CelFunctionBinding.from("end_of_quarter_ts", Instant.class, RuleFunctions::endOfQuarter),
        CelFunctionBinding.from("quarter_ts", Instant.class, RuleFunctions::quarter),
        CelFunctionBinding.from("start_of_quarter_ts_tz", Instant.class, String.class,
            (t, z) -> startOfQuarter(t, zone(z), org.fiscalYearStartMonth())),
        CelFunctionBinding.from("end_of_quarter_ts_tz", Instant.class, String.class,
            (t, z) -> endOfQuarter(t, zone(z), org.fiscalYearStartMonth())),
        CelFunctionBinding.from("quarter_ts_tz", Instant.class, String.class,
            (t, z) -> quarter(t, zone(z), org.fiscalYearStartMonth())),
        CelFunctionBinding.from("end_of_business_ts_owner", Instant.class, String.class,
            (t, owner) -> org.calendar(owner).endOfBusiness(t)),
        CelFunctionBinding.from("add_business_hours_ts_int_owner", List.of(Instant.class, Long.class, String.class),
            args -> org.calendar((String) args[2]).addBusinessHours((Instant) args[0], (Long) args[1])));
  }

  /** A time-zone id from a rule ("Europe/Berlin"); an unknown one is an evaluation error that names it. */
  static ZoneId zone(String id) {
    // rules ask for the owner's zone once or twice per deal: parsed once per id (ZoneId.of looks up its rules each time)
    var known = ZONES.get(id);
    if (known != null) {
      return known;
    }
    var zone = RoutingRules.parseZone(id).orElseThrow(() -> new IllegalArgumentException(
        "'" + id + "' is not a time-zone id (use one like Europe/Berlin or America/Denver)"));
    if (ZONES.size() < ZONES_KEPT) {
      ZONES.putIfAbsent(id, zone);
    }
    return zone;
  }

  /** Zones parsed so far, by the text a rule gave; only valid ids, and no more than {@link #ZONES_KEPT} of them. */
  private static final java.util.concurrent.ConcurrentHashMap<String, ZoneId> ZONES = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int ZONES_KEPT = 1_000;

  /**
   * The first instant of the fiscal quarter that holds {@code t} in {@code zone}, for a fiscal year that
   * starts on the first of {@code fiscalStartMonth} (1 = January: calendar quarters).
   */
  static Instant startOfQuarter(Instant t, ZoneId zone, int fiscalStartMonth) {
    var d = LocalDate.ofInstant(t, zone);
    int offset = Math.floorMod(d.getMonthValue() - fiscalStartMonth, 12);
    var first = d.withDayOfMonth(1).minusMonths(offset % 3);
    return first.atStartOfDay(zone).toInstant();
  }

  /** The last second of the fiscal quarter that holds {@code t} in {@code zone}. */
  static Instant endOfQuarter(Instant t, ZoneId zone, int fiscalStartMonth) {
    var start = LocalDate.ofInstant(startOfQuarter(t, zone, fiscalStartMonth), zone);
    return start.plusMonths(3).atStartOfDay(zone).toInstant().minusSeconds(1);
  }

  /**
   * The fiscal quarter of {@code t} in {@code zone}, named by the fiscal year's ending calendar year as
   * Salesforce names it ("FY2027-Q1" for February 2026 in a year that starts in February); with a
   * January start, the calendar form "2026-Q1".
   */
  static String quarter(Instant t, ZoneId zone, int fiscalStartMonth) {
    var d = LocalDate.ofInstant(t, zone);
    int offset = Math.floorMod(d.getMonthValue() - fiscalStartMonth, 12);
    int q = offset / 3 + 1;
    if (fiscalStartMonth == 1) {
      return d.getYear() + "-Q" + q;
    }
    int fiscalYear = d.getMonthValue() >= fiscalStartMonth ? d.getYear() + 1 : d.getYear();
    return "FY" + fiscalYear + "-Q" + q;
  }

  static double distanceKm(double lat1, double lng1, double lat2, double lng2) {
    double r = 6371.0088;
    double dLat = Math.toRadians(lat2 - lat1);
    double dLng = Math.toRadians(lng2 - lng1);
    double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * r * Math.asin(Math.min(1.0, Math.sqrt(a)));
  }

  static Instant startOfQuarter(Instant t) {
    var d = LocalDate.ofInstant(t, ZoneOffset.UTC);
    int firstMonth = (d.getMonthValue() - 1) / 3 * 3 + 1;
    return LocalDate.of(d.getYear(), firstMonth, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The last instant of the quarter (23:59:59 on its last day), so a close date on that day is inside it. */
  static Instant endOfQuarter(Instant t) {
    var start = LocalDate.ofInstant(startOfQuarter(t), ZoneOffset.UTC);
    return start.plusMonths(3).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1);
  }

  static String quarter(Instant t) {
    var d = LocalDate.ofInstant(t, ZoneOffset.UTC);
    return d.getYear() + "-Q" + d.get(IsoFields.QUARTER_OF_YEAR);
  }

  static String isoWeek(Instant t) {
    var d = LocalDate.ofInstant(t, ZoneOffset.UTC);
    int week = d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    // as String.format("%d-W%02d") wrote it, without a Formatter per task key
    return d.get(IsoFields.WEEK_BASED_YEAR) + (week < 10 ? "-W0" : "-W") + week;
  }

  static String money(double amount) {
    return grouped(BigDecimal.valueOf(amount).setScale(0, RoundingMode.HALF_UP).longValue());
  }

  /** {@code n} with a comma between groups of three digits, as {@code String.format(Locale.ROOT, "%,d", n)} writes it. */
  static String grouped(long n) {
    var digits = Long.toString(n);
    int sign = n < 0 ? 1 : 0;
    int len = digits.length() - sign;
    if (len <= 3) {
      return digits;
    }
    var out = new StringBuilder(digits.length() + len / 3);
    out.append(digits, 0, sign);
    int first = len % 3 == 0 ? 3 : len % 3;
    out.append(digits, sign, sign + first);
    for (int at = sign + first; at < digits.length(); at += 3) {
      out.append(',').append(digits, at, at + 3);
    }
    return out.toString();
  }
}
