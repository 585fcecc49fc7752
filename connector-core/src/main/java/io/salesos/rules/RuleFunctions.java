package io.salesos.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelLateFunctionBindings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Locale;

/**
 * The functions rule files may call besides CEL's own. Those that depend on the evaluation's
 * {@code now} (days_since, days_until, hours_since) are bound late, once per run, so a compiled
 * rule set stays valid across runs and every rule of one run sees the same instant. All dates are
 * UTC.
 */
final class RuleFunctions {

  private RuleFunctions() {}

  static List<CelFunctionDecl> declarations() {
    var ts = SimpleType.TIMESTAMP;
    return List.of(
        fn("days_since", CelOverloadDecl.newGlobalOverload("days_since_ts", SimpleType.INT, ts)),
        fn("days_until", CelOverloadDecl.newGlobalOverload("days_until_ts", SimpleType.INT, ts)),
        fn("hours_since", CelOverloadDecl.newGlobalOverload("hours_since_ts", SimpleType.INT, ts)),
        fn("distance_km", CelOverloadDecl.newGlobalOverload("distance_km_4d", SimpleType.DOUBLE,
            SimpleType.DOUBLE, SimpleType.DOUBLE, SimpleType.DOUBLE, SimpleType.DOUBLE)),
        fn("start_of_day", CelOverloadDecl.newGlobalOverload("start_of_day_ts", ts, ts)),
        fn("start_of_quarter", CelOverloadDecl.newGlobalOverload("start_of_quarter_ts", ts, ts)),
        fn("end_of_quarter", CelOverloadDecl.newGlobalOverload("end_of_quarter_ts", ts, ts)),
        fn("add_days", CelOverloadDecl.newGlobalOverload("add_days_ts_int", ts, ts, SimpleType.INT)),
        fn("date", CelOverloadDecl.newGlobalOverload("date_ts", SimpleType.STRING, ts)),
        fn("quarter", CelOverloadDecl.newGlobalOverload("quarter_ts", SimpleType.STRING, ts)),
        fn("iso_week", CelOverloadDecl.newGlobalOverload("iso_week_ts", SimpleType.STRING, ts)),
        fn("money", CelOverloadDecl.newGlobalOverload("money_double", SimpleType.STRING, SimpleType.DOUBLE)));
  }

  static List<String> lateBound() {
    return List.of("days_since", "days_until", "hours_since");
  }

  private static CelFunctionDecl fn(String name, CelOverloadDecl overload) {
    return CelFunctionDecl.newFunctionDeclaration(name, overload);
  }

  /** Bindings that do not depend on now. */
  static List<CelFunctionBinding> bindings() {
    return List.of(
        CelFunctionBinding.from("distance_km_4d", List.of(Double.class, Double.class, Double.class, Double.class),
            args -> distanceKm((Double) args[0], (Double) args[1], (Double) args[2], (Double) args[3])),
        CelFunctionBinding.from("start_of_day_ts", Instant.class, t -> t.truncatedTo(ChronoUnit.DAYS)),
        CelFunctionBinding.from("start_of_quarter_ts", Instant.class, RuleFunctions::startOfQuarter),
        CelFunctionBinding.from("end_of_quarter_ts", Instant.class, RuleFunctions::endOfQuarter),
        CelFunctionBinding.from("add_days_ts_int", Instant.class, Long.class, (t, n) -> t.plus(Duration.ofDays(n))),
        CelFunctionBinding.from("date_ts", Instant.class, t -> LocalDate.ofInstant(t, ZoneOffset.UTC).toString()),
        CelFunctionBinding.from("quarter_ts", Instant.class, t -> {
          var d = LocalDate.ofInstant(t, ZoneOffset.UTC);
          return d.getYear() + "-Q" + d.get(IsoFields.QUARTER_OF_YEAR);
        }),
        CelFunctionBinding.from("iso_week_ts", Instant.class, t -> {
          var d = LocalDate.ofInstant(t, ZoneOffset.UTC);
          return String.format("%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        }),
        CelFunctionBinding.from("money_double", Double.class, RuleFunctions::money));
  }

  /** The now-dependent bindings for one evaluation run. */
  static CelLateFunctionBindings atNow(Instant now) {
    return CelLateFunctionBindings.from(
        CelFunctionBinding.from("days_since_ts", Instant.class, t -> Math.floorDiv(now.getEpochSecond() - t.getEpochSecond(), 86_400L)),
        CelFunctionBinding.from("days_until_ts", Instant.class, t -> Math.floorDiv(t.getEpochSecond() - now.getEpochSecond(), 86_400L)),
        CelFunctionBinding.from("hours_since_ts", Instant.class, t -> Math.floorDiv(now.getEpochSecond() - t.getEpochSecond(), 3_600L)));
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

  static String money(double amount) {
    return String.format(Locale.ROOT, "%,d", BigDecimal.valueOf(amount).setScale(0, RoundingMode.HALF_UP).longValue());
  }
}
