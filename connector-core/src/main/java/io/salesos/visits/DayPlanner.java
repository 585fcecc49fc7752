package io.salesos.visits;

import io.salesos.currency.Money;
import io.salesos.planner.SolveResult;
import io.salesos.planner.Customer;
import io.salesos.planner.FixedStop;
import io.salesos.planner.MatrixTravelTimes;
import io.salesos.planner.PlanningProblem;
import io.salesos.planner.SolverSettings;
import io.salesos.planner.TourSpec;
import io.salesos.planner.VisitPlanner;
import io.salesos.rules.AccountContext;
import io.salesos.rules.ContextSource;
import io.salesos.rules.CrmRecord;
import io.salesos.rules.DealContext;
import io.salesos.rules.RoutingRules;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans field reps' days for revenue, not mileage: for each rep and day, chooses and orders visits
 * to the rep's accounts to maximise the summed value of the visits (routing.yaml's visit value:
 * deal size, win probability, close-date urgency, time since the last visit), inside the working
 * day and each account's opening hours, around meetings already booked, from and back to the
 * rep's base. Every rep is planned in the rep's own zone (routing.yaml's calendar: the CRM's zone,
 * working days and hours, regional holidays): stop times are the rep's local wall-clock times, and
 * {@link RepPlan#zone()} turns them into instants.
 */
public final class DayPlanner {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DayPlanner.class);

  /** At most this many accounts, by value, are offered to the solver per rep-day. */
  static final int CANDIDATES = 40;

  private final RoutingRules routing;
  private final long iterations;
  private final long seed;

  public DayPlanner(RoutingRules routing, long iterations, long seed) {
    this.routing = routing;
    this.iterations = iterations;
    this.seed = seed;
  }

  /** One stop of a plan, with why it was chosen. */
  public record Stop(int order, String accountId, String accountName, Optional<String> dealId, double lat, double lng,
      LocalDateTime arrival, LocalDateTime start, LocalDateTime departure, double driveMinutes, double value,
      boolean booked, boolean done, String reason) {}

  /**
   * One rep's day; {@code date} and the stops' times are local to {@code zone}, the rep's zone;
   * {@code leftOut} names the accounts left out because a deal's visit value could not be evaluated.
   */
  public record RepPlan(String ownerId, String ownerName, LocalDate date, ZoneId zone, double baseLat, double baseLng,
      List<Stop> stops, double totalValue, double driveMinutes, LocalDateTime returnAt, List<LeftOut> leftOut) {
    public RepPlan {
      leftOut = List.copyOf(leftOut);
    }

    /** The instant of a local time of this plan (a stop's start or end) in the rep's zone. */
    public Instant instant(LocalDateTime local) {
      return local.atZone(zone).toInstant();
    }
  }

  /** An account left out of routing, with the deal whose visit value failed and the expression's message. */
  public record LeftOut(String accountId, String dealId, String reason) {}

  /** Where the rep is now, for a re-plan of the rest of today. */
  public record Progress(Instant now, List<String> completedAccountIds) {}

  /** Plans {@code date} (each rep's local date) for every rep (or one) who owns accounts with coordinates. */
  public List<RepPlan> plan(ContextSource source, LocalDate date, Instant now, Optional<String> onlyRep) {
    var index = new SourceIndex(source);
    var out = new ArrayList<RepPlan>();
    for (var owner : index.reps()) {
      if (onlyRep.isPresent() && !onlyRep.get().equals(owner.id())) {
        continue;
      }
      planRep(index, owner, date, now, Optional.empty()).ifPresent(out::add);
    }
    return out;
  }

  /** Plans each rep of {@code dates} for that rep's own date (a rep's next working day in the rep's zone). */
  public List<RepPlan> plan(ContextSource source, Map<String, LocalDate> dates, Instant now) {
    var index = new SourceIndex(source);
    var out = new ArrayList<RepPlan>();
    for (var owner : index.reps()) {
      var date = dates.get(owner.id());
      if (date != null) {
        planRep(index, owner, date, now, Optional.empty()).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The reps who own accounts with coordinates: whom a planning pass plans. */
  public static List<CrmRecord> reps(ContextSource source) {
    return List.copyOf(new SourceIndex(source).reps());
  }

  /**
   * Re-plans the rest of a rep's day from where the rep is: stops already made stay first and
   * unchanged, the day continues from the last of them at {@code progress.now()}.
   */
  public Optional<RepPlan> replan(ContextSource source, String ownerId, LocalDate date, Progress progress) {
    var index = new SourceIndex(source);
    return index.reps().stream().filter(o -> o.id().equals(ownerId)).findFirst()
        .flatMap(o -> planRep(index, o, date, progress.now(), Optional.of(progress)));
  }

  private Optional<RepPlan> planRep(SourceIndex index, CrmRecord owner, LocalDate date, Instant now, Optional<Progress> progress) {
    var accounts = index.accountsOf(owner.id()).stream()
        .filter(a -> a.account().get("lat").isPresent() && a.account().get("lng").isPresent()).toList();
    if (accounts.isEmpty()) {
      return Optional.empty();
    }
    var day = routing.repDay(owner);
    var calendar = routing.calendar(owner);
    if (calendar.isEmpty()) {
      log.warn("event=rep_not_planned rep={} date={} reason=\"the CRM's time zone '{}' is not a time-zone id\"", owner.id(),
          date, owner.string("time_zone").orElse(""));
      return Optional.empty();
    }
    var zone = calendar.get().zone();
    if (!calendar.get().isWorkday(date) && progress.isEmpty()) {
      log.info("event=rep_not_planned rep={} date={} zone={} reason=\"not a working day of the rep\"", owner.id(), date, zone);
      return Optional.empty();
    }
    double baseLat = owner.get("base_lat").map(v -> ((Number) v).doubleValue())
        .orElse(accounts.stream().mapToDouble(a -> lat(a.account())).average().orElseThrow());
    double baseLng = owner.get("base_lng").map(v -> ((Number) v).doubleValue())
        .orElse(accounts.stream().mapToDouble(a -> lng(a.account())).average().orElseThrow());
    var travel = new TravelModel(routing.travel(owner.get("urban").isPresent() ? owner.flag("urban")
        : compactTerritory(accounts, baseLat, baseLng)));

    // booked meetings that day stay where they are; stops already made today stay first
    var booked = new HashMap<String, Instant>();
    for (var a : accounts) {
      for (var act : a.activities()) {
        var start = act.instant("start_at");
        if (start.isPresent() && LocalDate.ofInstant(start.get(), zone).equals(date)
            && act.string("status").map("planned"::equals).orElse(false)
            && act.string("owner_id").map(owner.id()::equals).orElse(true)
            && act.string("kind").map(k -> k.equals("meeting") || k.equals("visit")).orElse(false)
            && act.string("salesos_key").isEmpty()) {
          booked.put(a.id(), start.get());
        }
      }
    }
    var done = progress.map(Progress::completedAccountIds).orElse(List.of());
    var candidates = new ArrayList<Candidate>();
    var leftOut = new ArrayList<LeftOut>();
    for (var a : accounts) {
      var hours = OpeningHours.parse(a.account().string("opening_hours"));
      boolean isBooked = booked.containsKey(a.id());
      boolean isDone = done.contains(a.id());
      if (!isBooked && !isDone && !hours.openOn(date.getDayOfWeek())) {
        continue;
      }
      var values = index.dealsAt(a.id()).stream().map(d -> Map.entry(d, routing.visitValue(d, now))).toList();
      var unknown = values.stream().filter(e -> e.getValue() instanceof RoutingRules.VisitValue.Unknown).findFirst();
      if (unknown.isPresent() && !isBooked && !isDone) {
        // the account's worth is the best of its deals; with one unknown that best is unknown, and a
        // guess (0, or the others' best) would plan a visit, or skip one, on no evidence
        var why = ((RoutingRules.VisitValue.Unknown) unknown.get().getValue()).message();
        leftOut.add(new LeftOut(a.id(), unknown.get().getKey().id(), why));
        log.warn("event=account_left_out rep={} account={} deal={} reason=\"visit value failed: {}\"", owner.id(), a.id(),
            unknown.get().getKey().id(), why);
        continue;
      }
      var best = values.stream()
          .filter(e -> e.getValue() instanceof RoutingRules.VisitValue.Worth)
          .map(e -> Map.entry(e.getKey(), ((RoutingRules.VisitValue.Worth) e.getValue()).value()))
          .max(Map.Entry.comparingByValue());
      double value = best.map(Map.Entry::getValue).orElse(0.0);
      if (value <= 0 && !isBooked && !isDone) {
        continue;
      }
      candidates.add(new Candidate(a, hours, best.map(Map.Entry::getKey), value, isBooked, isDone));
    }
    candidates.sort(Comparator.comparing((Candidate c) -> !(c.booked || c.done)).thenComparing(c -> -c.value)
        .thenComparing(c -> c.account.id()));
    var chosen = new ArrayList<Candidate>();
    for (var c : candidates) {
      if (c.booked || c.done || chosen.stream().filter(x -> !x.booked && !x.done).count() < CANDIDATES) {
        chosen.add(c);
      }
    }
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    int n = chosen.size() + 1;
    var lat = new double[n];
    var lng = new double[n];
    lat[0] = baseLat;
    lng[0] = baseLng;
    for (int i = 1; i < n; i++) {
      lat[i] = lat(chosen.get(i - 1).account.account());
      lng[i] = lng(chosen.get(i - 1).account.account());
    }
    var matrix = travel.matrix(lat, lng);
    double service = day.serviceMinutes();
    double dayStart = minutes(day.start());
    double dayEnd = minutes(day.end());
    var customers = new ArrayList<Customer>();
    var fixed = new ArrayList<FixedStop>();
    var completed = new ArrayList<Integer>();
    for (int i = 1; i < n; i++) {
      var c = chosen.get(i - 1);
      if (c.booked) {
        double at = minutes(LocalTime.ofInstant(booked.get(c.account.id()), zone));
        customers.add(new Customer(i, 0, service, at, at));
        fixed.add(new FixedStop(i, at));
      } else if (c.done) {
        customers.add(new Customer(i, 0, 0, 0, 24 * 60));
        completed.add(i);
      } else {
        double open = Math.max(dayStart, minutes(c.hours.open()));
        double close = minutes(c.hours.close()) - service;
        customers.add(new Customer(i, Math.round(c.value), service, Math.min(open, Math.max(open, close)), Math.max(open, close)));
      }
    }
    completed.sort(Comparator.comparing(i -> done.indexOf(chosen.get(i - 1).account.id())));
    int startAt = completed.isEmpty() ? 0 : completed.get(completed.size() - 1);
    double startTime = progress.map(p -> Math.max(dayStart, minutes(LocalTime.ofInstant(p.now(), zone)))).orElse(dayStart);
    int maxStops = Math.max(day.maxStops(), completed.size() + fixed.size());
    var tour = new TourSpec(startAt, Math.min(startTime, dayEnd), 0, dayEnd, maxStops, completed, fixed);
    var problem = new PlanningProblem(new MatrixTravelTimes(matrix), customers, List.of(tour), 60);
    SolveResult result;
    try {
      result = VisitPlanner.solve(problem, SolverSettings.iterations(seed ^ owner.id().hashCode(), iterations));
    } catch (IllegalArgumentException e) {
      // booked meetings that cannot all be reached (two at once, or too far apart): plan around
      // none of them rather than give the rep no plan; the meetings stay in the calendar as booked
      var meetings = new StringBuilder();
      for (var f : fixed) {
        var c = chosen.get(f.customerId() - 1);
        meetings.append(meetings.isEmpty() ? "" : ",").append(c.account.id()).append('@')
            .append(LocalTime.ofInstant(booked.get(c.account.id()), zone))
            .append("(").append(Math.round(matrix[0][f.customerId()])).append("min from base)");
      }
      log.warn("event=plan_without_bookings rep={} date={} day={}-{} start_at={} meetings={} reason=\"{}\"", owner.id(),
          date, day.start(), day.end(), Math.round(tour.startTime()), meetings, e.getMessage());
      var free = new ArrayList<Customer>();
      for (var cu : customers) {
        free.add(fixed.stream().anyMatch(f -> f.customerId() == cu.id()) ? new Customer(cu.id(), 0, 0, 0, 24 * 60) : cu);
      }
      var relaxed = new TourSpec(startAt, tour.startTime(), 0, dayEnd, Math.max(day.maxStops(), completed.size()), completed, List.of());
      result = VisitPlanner.solve(new PlanningProblem(new MatrixTravelTimes(matrix), free, List.of(relaxed), 60),
          SolverSettings.iterations(seed ^ owner.id().hashCode(), iterations));
    }
    var planned = result.plan().tours().get(0);
    var stops = new ArrayList<Stop>();
    int order = 1;
    int prev = 0;
    double drive = 0;
    double total = 0;
    for (var id : planned.completed()) {
      var c = chosen.get(id - 1);
      stops.add(new Stop(order++, c.account.id(), name(c.account.account()), Optional.empty(), lat[id], lng[id], null, null, null,
          0, 0, false, true, "already visited today"));
      prev = id;
    }
    for (var v : planned.visits()) {
      var c = chosen.get(v.customerId() - 1);
      double minutes = matrix[prev][v.customerId()];
      drive += minutes;
      total += c.booked ? 0 : c.value;
      stops.add(new Stop(order++, c.account.id(), name(c.account.account()), c.deal.map(DealContext::id), lat[v.customerId()],
          lng[v.customerId()], at(date, v.arrival()), at(date, v.serviceStart()), at(date, v.serviceStart() + service),
          minutes, c.value, c.booked, false, c.booked ? "meeting already booked" : reason(c, now, minutes, index.currency)));
      prev = v.customerId();
    }
    drive += matrix[prev][0];
    return Optional.of(new RepPlan(owner.id(), name(owner), date, zone, baseLat, baseLng, stops, total, drive,
        at(date, planned.returnTime()), leftOut));
  }

  private record Candidate(AccountContext account, OpeningHours hours, Optional<DealContext> deal, double value,
      boolean booked, boolean done) {}

  /**
   * A deal's amount as the visit value weighs it: in the corporate currency ({@code corporate},
   * written with its symbol or code, digits alone when not known), with the amount as entered
   * beside it when the deal is in another currency; one whose currency has no rate is said so (the
   * routing rules then value it without an amount, never 1:1).
   */
  static String amount(io.salesos.rules.CrmRecord d, Optional<String> corporate) {
    var original = d.decimal("amount_original");
    var currency = d.string("currency").filter(cur -> !cur.isBlank());
    var amount = d.decimal("amount");
    if (amount.isEmpty()) {
      return original.isPresent() && currency.isPresent()
          ? Money.whole(original.get(), currency) + " with no exchange rate"
          : "no amount";
    }
    var text = Money.whole(amount.get(), corporate);
    if (original.isPresent() && currency.isPresent() && original.get().compareTo(amount.get()) != 0) {
      text += " (" + Money.whole(original.get(), currency) + " as entered)";
    }
    return text;
  }

  static String reason(Candidate c, Instant now, double driveMinutes, Optional<String> corporate) {
    var sb = new StringBuilder();
    if (c.deal.isPresent()) {
      var d = c.deal.get().deal();
      sb.append(d.string("name").orElse("deal")).append(": ")
          .append(amount(d, corporate))
          .append(", ").append(d.string("stage").orElse("?"))
          .append(d.decimal("probability").map(p -> " (" + p.setScale(0, RoundingMode.HALF_UP).toPlainString() + "%)").orElse(""));
      d.get("close_date").ifPresent(cd -> sb.append(", closes ").append(cd));
    }
    var lastVisit = c.account.activities().stream()
        .filter(a -> a.string("kind").map("visit"::equals).orElse(false) && a.string("status").map("completed"::equals).orElse(false))
        .map(a -> a.instant("start_at")).flatMap(Optional::stream).max(Comparator.naturalOrder());
    sb.append(lastVisit.map(t -> "; last visit " + Duration.between(t, now).toDays() + " days ago").orElse("; never visited"));
    sb.append("; visit value ").append(Money.whole(BigDecimal.valueOf(c.value), corporate));
    sb.append(" for ").append(Math.round(driveMinutes)).append(" min of driving");
    return sb.toString();
  }

  private static LocalDateTime at(LocalDate date, double minutes) {
    return date.atStartOfDay().plusSeconds(Math.round(minutes * 60));
  }

  static double minutes(LocalTime t) {
    return t.getHour() * 60 + t.getMinute() + t.getSecond() / 60.0;
  }

  /**
   * Whether a rep with no urban flag in the CRM (HubSpot owners have none) works a city: half
   * their accounts lie within {@value #URBAN_RADIUS_KM} km of the territory's centre. A wide
   * territory driven at city speeds would make every far meeting look unreachable.
   */
  static boolean compactTerritory(List<AccountContext> accounts, double lat, double lng) {
    var km = accounts.stream().mapToDouble(a -> TravelModel.haversineKm(lat, lng, lat(a.account()), lng(a.account())))
        .sorted().toArray();
    return km.length == 0 || km[km.length / 2] <= URBAN_RADIUS_KM;
  }

  static final double URBAN_RADIUS_KM = 30;

  private static double lat(CrmRecord r) {
    return ((Number) r.get("lat").orElseThrow()).doubleValue();
  }

  private static double lng(CrmRecord r) {
    return ((Number) r.get("lng").orElseThrow()).doubleValue();
  }

  private static String name(CrmRecord r) {
    return r.string("name").orElseGet(() -> (r.string("first_name").orElse("") + " " + r.string("last_name").orElse("")).strip());
  }

  /** The context source arranged by rep: accounts and open deals per account. */
  private static final class SourceIndex {
    private final Map<String, List<AccountContext>> accountsByOwner = new HashMap<>();
    private final Map<String, List<DealContext>> dealsByAccount = new HashMap<>();
    private final List<CrmRecord> reps = new ArrayList<>();
    private final Optional<String> currency;

    SourceIndex(ContextSource source) {
      currency = source.corporateCurrency();
      source.accounts().forEach(a -> a.account().string("owner_id")
          .ifPresent(o -> accountsByOwner.computeIfAbsent(o, k -> new ArrayList<>()).add(a)));
      source.deals().filter(d -> !d.deal().flag("is_closed")).forEach(d -> d.deal().string("account_id")
          .ifPresent(a -> dealsByAccount.computeIfAbsent(a, k -> new ArrayList<>()).add(d)));
      for (var o : source.owners()) {
        if (accountsByOwner.containsKey(o.id())) {
          reps.add(o);
        }
      }
      reps.sort(Comparator.comparing(CrmRecord::id));
    }

    List<CrmRecord> reps() {
      return reps;
    }

    List<AccountContext> accountsOf(String ownerId) {
      return accountsByOwner.getOrDefault(ownerId, List.of());
    }

    List<DealContext> dealsAt(String accountId) {
      return dealsByAccount.getOrDefault(accountId, List.of());
    }
  }
}
