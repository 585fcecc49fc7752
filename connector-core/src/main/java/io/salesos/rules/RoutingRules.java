package io.salesos.rules;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.util.EnumSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the visit planner reads from routing.yaml: how much a visit is worth (a CEL expression
 * over a deal's context), each rep's working day, time zone and holidays, and travel-time assumptions.
 * A rep's zone comes from the CRM (the owner's {@code time_zone}) unless routing.yaml pins it for that
 * rep; a rep whose CRM zone is missing takes the region's zone, then the file's {@code time_zone}.
 */
public final class RoutingRules {

  /** The working days when routing.yaml names none. */
  public static final Set<DayOfWeek> WEEKDAYS = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);

  /** The local time a rep's next day is planned when routing.yaml names none. */
  public static final LocalTime PLAN_AT = LocalTime.of(18, 0);

  /**
   * A rep's working day in the rep's own zone: when it starts and ends, how many stops fit, minutes
   * spent at each, the days of the week the rep works, and the local evening time the next working
   * day is planned.
   */
  public record RepDay(LocalTime start, LocalTime end, int maxStops, int serviceMinutes, Set<DayOfWeek> workdays,
      LocalTime planAt) {
    public RepDay {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      Objects.requireNonNull(planAt, "planAt");
      if (!end.isAfter(start)) {
        throw new IllegalArgumentException("a rep's day must end after it starts: " + start + "-" + end);
      }
      if (workdays.isEmpty()) {
        throw new IllegalArgumentException("a rep needs at least one working day");
      }
      workdays = Set.copyOf(workdays);
    }

    public RepDay(LocalTime start, LocalTime end, int maxStops, int serviceMinutes) {
      this(start, end, maxStops, serviceMinutes, WEEKDAYS, PLAN_AT);
    }
  }

  /** Where reps of one region (the owner's {@code region}) differ from the defaults: zone, day and holidays. */
  public record Region(Optional<ZoneId> zone, Optional<RepDay> day, Set<LocalDate> holidays) {
    public Region {
      holidays = Set.copyOf(holidays);
    }
  }

  /** Straight-line km times {@code roadFactor} at {@code speedKmh} gives the drive time. */
  public record Travel(double speedKmh, double roadFactor) {
    public double minutes(double straightKm) {
      return straightKm * roadFactor / speedKmh * 60.0;
    }
  }

  private final CompiledExpr visitValue;
  private final RepDay defaults;
  private final Map<String, RepDay> perRep;
  private final Map<String, ZoneId> repZones;
  private final Map<String, Region> regions;
  private final ZoneId defaultZone;
  private final Set<LocalDate> holidays;
  private final int fiscalYearStartMonth;
  private final Travel urban;
  private final Travel rural;

  RoutingRules(CompiledExpr visitValue, RepDay defaults, Map<String, RepDay> perRep, Travel urban, Travel rural) {
    this(visitValue, defaults, perRep, Map.of(), Map.of(), java.time.ZoneOffset.UTC, Set.of(), 0, urban, rural);
  }

  RoutingRules(CompiledExpr visitValue, RepDay defaults, Map<String, RepDay> perRep, Map<String, ZoneId> repZones,
      Map<String, Region> regions, ZoneId defaultZone, Set<LocalDate> holidays, int fiscalYearStartMonth, Travel urban,
      Travel rural) {
    this.visitValue = visitValue;
    this.defaults = defaults;
    this.perRep = Map.copyOf(perRep);
    this.repZones = Map.copyOf(repZones);
    this.regions = Map.copyOf(regions);
    this.defaultZone = defaultZone;
    this.holidays = Set.copyOf(holidays);
    this.fiscalYearStartMonth = fiscalYearStartMonth;
    this.urban = urban;
    this.rural = rural;
  }

  CompiledExpr visitValueExpr() {
    return visitValue;
  }

  /** The day of {@code ownerId}: its override if routing.yaml has one, the defaults otherwise. */
  public RepDay repDay(String ownerId) {
    return perRep.getOrDefault(ownerId, defaults);
  }

  /** The day of {@code owner}: the rep's override, else the region's, else the defaults. */
  public RepDay repDay(CrmRecord owner) {
    var own = perRep.get(owner.id());
    if (own != null) {
      return own;
    }
    return owner.string("region").map(regions::get).flatMap(Region::day).orElse(defaults);
  }

  /**
   * The zone {@code owner} works in: routing.yaml's zone for that rep, else the CRM's (the owner's
   * {@code time_zone}), else the region's, else the file's {@code time_zone}. Empty when the CRM names
   * a zone that is not a known time-zone id: planning that rep in a guessed zone would put visits at
   * the wrong hours, so the callers leave the rep out and say why.
   */
  public Optional<ZoneId> zone(CrmRecord owner) {
    var pinned = repZones.get(owner.id());
    if (pinned != null) {
      return Optional.of(pinned);
    }
    var crm = owner.string("time_zone").map(String::strip).filter(z -> !z.isEmpty());
    if (crm.isPresent()) {
      return parseZone(crm.get());
    }
    return Optional.of(owner.string("region").map(regions::get).flatMap(Region::zone).orElse(defaultZone));
  }

  /** The rep's working calendar (zone, days, hours, the region's holidays), or empty as {@link #zone} says. */
  public Optional<WorkCalendar> calendar(CrmRecord owner) {
    var day = repDay(owner);
    var off = new HashSet<>(holidays);
    owner.string("region").map(regions::get).ifPresent(r -> off.addAll(r.holidays()));
    return zone(owner).map(z -> new WorkCalendar(z, day.workdays(), day.start(), day.end(), off));
  }

  /**
   * The month (1-12) routing.yaml says the fiscal year starts in, if it says so. The CRM's own
   * fiscal year (Salesforce's Organization) comes first: see {@link OrgCalendar#fiscalYearStartMonth}.
   */
  public java.util.OptionalInt fiscalYearStartMonth() {
    return fiscalYearStartMonth == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(fiscalYearStartMonth);
  }

  /** The zone of reps that neither the CRM nor routing.yaml place. */
  public ZoneId defaultZone() {
    return defaultZone;
  }

  /** A time-zone id as the CRMs send them (Salesforce's TimeZoneSidKey, HubSpot's timeZone), if it is one. */
  public static Optional<ZoneId> parseZone(String id) {
    try {
      return Optional.of(ZoneId.of(id.strip()));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  public Travel travel(boolean urbanRep) {
    return urbanRep ? urban : rural;
  }

  /** What visiting a deal's account is worth, or why that could not be said. */
  public sealed interface VisitValue {

    /** The value (never negative). */
    record Worth(double value) implements VisitValue {}

    /** The visit-value expression failed on the deal; {@code message} says where and why. */
    record Unknown(String message) implements VisitValue {}
  }

  /**
   * The value of visiting this deal's account now; Unknown when the expression fails on this deal,
   * never 0, so the planner can leave the account out and say why instead of ranking it last.
   */
  public VisitValue visitValue(DealContext deal, Instant now) {
    var result = visitValue.value(ContextTypes.activation(deal, now), RuleFunctions.atNow(now));
    if (result instanceof Evaluated.Error e) {
      return new VisitValue.Unknown(e.message());
    }
    var v = ((Evaluated.Value) result).value();
    if (v instanceof Number n && !Double.isNaN(n.doubleValue())) {
      return new VisitValue.Worth(Math.max(0.0, n.doubleValue()));
    }
    return new VisitValue.Unknown(visitValue.where() + ": not a number: " + v);
  }
}
