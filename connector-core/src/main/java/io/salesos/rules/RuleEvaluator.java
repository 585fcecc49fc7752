package io.salesos.rules;

import dev.cel.runtime.CelFunctionResolver;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Evaluates a rule set over every subject of a context source and returns the desired state.
 * Pure: the same rule set, subjects and {@code now} always give the same result; the only input
 * besides the subjects is {@code now}, and the work runs in parallel on the common pool.
 */
public final class RuleEvaluator {

  private final RuleSet rules;

  public RuleEvaluator(RuleSet rules) {
    this.rules = rules;
  }

  /**
   * What one deal came to: its flags, its forecast verdict, its tasks, the rules that fired, and
   * the rules that could not be evaluated on it. {@code keptCodes} are the flag codes of the exit
   * criteria (and the forecast) that could not be evaluated: the deal keeps whatever it has of
   * those, since a write from no evidence could set or clear a flag nobody judged; the flags of
   * the criteria that were evaluated follow their verdicts. Likewise the forecast.
   */
  record DealOutcome(
      String dealId,
      List<Flag> flags,
      java.util.Set<String> keptCodes,
      boolean forecastDecided,
      Optional<AdjustedForecast> adjusted,
      Optional<Contribution> contribution,
      List<TaskToCreate> tasks,
      List<String> hits,
      List<RuleError> errors) {}

  /** A deal's share of the forecast rollups. */
  record Contribution(String ownerId, BigDecimal amount, String called, String supported) {}

  /** The tasks one non-deal subject should have, the rules that fired, and the rules that errored on it. */
  record SubjectOutcome(List<TaskToCreate> tasks, List<String> hits, List<RuleError> errors) {}

  public DesiredState evaluate(ContextSource source, Instant now) {
    return evaluate(source, now, Optional.empty());
  }

  /** Evaluates with the org calendar {@code crm} the connection's CRM reported (its fiscal year). */
  public DesiredState evaluate(ContextSource source, Instant now, Optional<io.salesos.spi.CrmCalendar> crm) {
    var org = orgCalendar(rules, source.owners(), crm);
    var late = RuleFunctions.atNow(now, org);
    var deals = source.deals().parallel().map(d -> evaluateDeal(d, now, late, org)).collect(Collectors.toList());
    // gathered into a list first: a parallel stream over flatMap runs the inner streams on one thread
    var subjects = Stream.of(source.contacts(), source.accounts(), source.activities())
        .flatMap(s -> s.map(x -> (Subject) x))
        .collect(Collectors.toList());
    var others = subjects.parallelStream().map(s -> followUps(s, now, late, org)).collect(Collectors.toList());

    var flags = new ArrayList<DealFlags>();
    var forecasts = new ArrayList<AdjustedForecast>();
    var tasks = new HashMap<String, TaskToCreate>();
    var hits = new HashMap<String, Long>();
    var evaluated = new ArrayList<String>(deals.size());
    var flagCodesKept = new HashMap<String, java.util.SortedSet<String>>();
    var forecastsUndecided = new ArrayList<String>();
    var errors = new ArrayList<RuleError>();
    var contributions = new ArrayList<Contribution>();
    for (var o : deals) {
      evaluated.add(o.dealId());
      if (!o.keptCodes().isEmpty()) {
        flagCodesKept.put(o.dealId(), new java.util.TreeSet<>(o.keptCodes()));
      }
      if (!o.flags().isEmpty()) {
        flags.add(new DealFlags(o.dealId(), o.flags()));
      }
      if (!o.forecastDecided()) {
        forecastsUndecided.add(o.dealId());
      }
      o.adjusted().ifPresent(forecasts::add);
      o.contribution().ifPresent(contributions::add);
      o.tasks().forEach(t -> tasks.putIfAbsent(t.key(), t));
      o.hits().forEach(h -> hits.merge(h, 1L, Long::sum));
      errors.addAll(o.errors());
    }
    for (var o : others) {
      o.tasks().forEach(t -> tasks.putIfAbsent(t.key(), t));
      o.hits().forEach(h -> hits.merge(h, 1L, Long::sum));
      errors.addAll(o.errors());
    }
    flags.sort(Comparator.comparing(DealFlags::dealId));
    forecasts.sort(Comparator.comparing(AdjustedForecast::dealId));
    var taskList = new ArrayList<>(tasks.values());
    taskList.sort(Comparator.comparing(TaskToCreate::ownerId).thenComparing(TaskToCreate::key));
    return new DesiredState(now, rules.version(), new java.util.TreeSet<>(evaluated), flags, forecasts, taskList,
        rollups(contributions, source.owners()), hits, flagCodesKept,
        new java.util.TreeSet<>(forecastsUndecided), errors);
  }

  /**
   * The org's calendar for a run over {@code owners}: each rep's working calendar from routing.yaml
   * and the rep's CRM zone, and the fiscal year's first month. Without routing.yaml every rep works
   * weekdays 08:00-17:00 in the zone the CRM gives (UTC where it gives none).
   */
  static OrgCalendar orgCalendar(RuleSet rules, java.util.Collection<CrmRecord> owners) {
    return orgCalendar(rules, owners, Optional.empty());
  }

  static OrgCalendar orgCalendar(RuleSet rules, java.util.Collection<CrmRecord> owners,
      Optional<io.salesos.spi.CrmCalendar> crm) {
    var reps = new HashMap<String, Optional<WorkCalendar>>();
    var routing = rules.routing();
    for (var o : owners) {
      if (o.isEmpty()) {
        continue;
      }
      reps.put(o.id(), routing.isPresent() ? routing.get().calendar(o)
          : o.string("time_zone").map(String::strip).filter(z -> !z.isEmpty())
              .map(z -> RoutingRules.parseZone(z).map(WorkCalendar.UTC_OFFICE::in))
              .orElse(Optional.of(WorkCalendar.UTC_OFFICE)));
    }
    var fallback = routing.map(r -> WorkCalendar.UTC_OFFICE.in(r.defaultZone())).orElse(WorkCalendar.UTC_OFFICE);
    return new OrgCalendar(OrgCalendar.fiscalYearStartMonth(routing, crm), reps, fallback);
  }

  DealOutcome evaluateDeal(DealContext d, Instant now, CelFunctionResolver late, OrgCalendar org) {
    var act = ContextTypes.activation(d, now, org);
    var deal = d.deal();
    var flags = new ArrayList<Flag>();
    var hits = new ArrayList<String>();
    var errors = new ArrayList<RuleError>();
    var keptCodes = new java.util.HashSet<String>();
    boolean closed = deal.flag("is_closed");
    var stage = deal.string("stage").orElse("");
    if (!closed) {
      for (var c : rules.exitCriteria()) {
        if (!c.stages().contains(stage)) {
          continue;
        }
        var v = c.require().verdict(act, late);
        if (v instanceof Verdict.Error e) {
          errors.add(dealError(c.id(), d, e.message()));
          keptCodes.add(c.code());
        } else if (v instanceof Verdict.Fails) {
          flags.add(new Flag(c.code(), c.message().render(act, late), c.id()));
          hits.add(c.id());
        }
      }
    }
    boolean forecastDecided = true;
    Optional<AdjustedForecast> adjusted = Optional.empty();
    Optional<Contribution> contribution = Optional.empty();
    var fr = rules.forecast();
    var governed = fr.appliesTo().map(e -> e.verdict(act, late)).orElse(closed ? Verdict.FAILS : Verdict.HOLDS);
    if (governed instanceof Verdict.Error e) {
      errors.add(dealError(APPLIES_TO, d, e.message()));
      forecastDecided = false;
    } else if (governed instanceof Verdict.Holds && !fr.byCategory().isEmpty()) {
      var called = deal.string("forecast_category").orElse("");
      var support = supported(called, d.id(), act, late);
      if (!support.errors().isEmpty()) {
        errors.addAll(support.errors());
        forecastDecided = false;
      } else {
        if (!support.supported().equals(called)) {
          var msg = "Called " + called + " but the evidence supports " + support.supported() + ": "
              + String.join("; ", support.reasons()) + ".";
          flags.add(new Flag(fr.flagCode(), msg, "forecast"));
          adjusted = Optional.of(new AdjustedForecast(deal.id(), called, support.supported(), support.reasons()));
          hits.addAll(support.failed());
        }
        var inPeriod = fr.inPeriod().map(e -> e.verdict(act, late)).orElse(Verdict.HOLDS);
        if (inPeriod instanceof Verdict.Error e) {
          // the deal's category is decided, only its place in this period's rollup is not
          errors.add(dealError(IN_FORECAST, d, e.message()));
        } else if (inPeriod instanceof Verdict.Holds && unconverted(deal)) {
          // an amount in a currency with no rate is left out of the rollup, never counted 1:1 (nor as 0);
          // the status page and the forecast audit name these deals and their currencies
        } else if (inPeriod instanceof Verdict.Holds) {
          var owner = deal.string("owner_id").orElse(d.owner().id());
          var amount = deal.decimal("amount").orElse(BigDecimal.ZERO).setScale(2, RoundingMode.HALF_UP);
          contribution = Optional.of(new Contribution(owner, amount, called, support.supported()));
        }
      }
    }
    if (!forecastDecided) {
      // the forecast flag is a line of the same salesos_flags text: that line stays as it is
      keptCodes.add(fr.flagCode());
    }
    var tasks = new ArrayList<TaskToCreate>();
    for (var r : rules.followUps()) {
      if (r.subject() == SubjectKind.DEAL) {
        followUp(r, d, act, now, late, org, tasks, hits, errors);
      }
    }
    return new DealOutcome(deal.id(), flags, keptCodes, forecastDecided, adjusted, contribution, tasks, hits, errors);
  }

  /** A deal whose amount as given could not be converted to the corporate currency (its currency has no rate). */
  static boolean unconverted(CrmRecord deal) {
    return deal.decimal("amount").isEmpty() && deal.decimal("amount_original").isPresent();
  }

  /** The rule id an error of forecast.yaml's applies_to is reported under. */
  static final String APPLIES_TO = "forecast.applies_to";
  /** The rule id an error of forecast.yaml's in_forecast is reported under. */
  static final String IN_FORECAST = "forecast.in_forecast";

  private static RuleError dealError(String ruleId, DealContext d, String message) {
    return new RuleError(ruleId, SubjectKind.DEAL.label(), d.id(), message);
  }

  /**
   * The highest category at or below the called one whose requirements all hold; {@code errors}
   * non-empty when a requirement on the way could not be evaluated, and then nothing else counts.
   */
  record Support(String supported, List<String> reasons, List<String> failed, List<RuleError> errors) {}

  Support supported(String called, String dealId, Map<String, Object> act, CelFunctionResolver late) {
    var cats = rules.vocabulary().forecastCategories();
    int at = cats.indexOf(called);
    var reasons = new ArrayList<String>();
    var failed = new ArrayList<String>();
    var errors = new ArrayList<RuleError>();
    if (at < 0) {
      // a category salesos does not know is left as called
      return new Support(called, reasons, failed, errors);
    }
    for (int i = at; i >= 0; i--) {
      var reqs = rules.forecast().byCategory().getOrDefault(cats.get(i), List.of());
      boolean ok = true;
      for (var r : reqs) {
        var v = r.require().verdict(act, late);
        if (v instanceof Verdict.Error e) {
          ok = false;
          errors.add(new RuleError(r.id(), SubjectKind.DEAL.label(), dealId, e.message()));
        } else if (v instanceof Verdict.Fails) {
          ok = false;
          reasons.add(r.reason().render(act, late));
          failed.add(r.id());
        }
      }
      if (!errors.isEmpty()) {
        // which category the evidence supports is unknown: a lower one could be wrong in either direction
        return new Support(called, reasons, failed, errors);
      }
      if (ok) {
        return new Support(cats.get(i), reasons, failed, errors);
      }
    }
    return new Support(cats.get(0), reasons, failed, errors);
  }

  SubjectOutcome followUps(Subject s, Instant now, CelFunctionResolver late, OrgCalendar org) {
    var act = ContextTypes.activation(s, now, org);
    var tasks = new ArrayList<TaskToCreate>();
    var hits = new ArrayList<String>();
    var errors = new ArrayList<RuleError>();
    for (var r : rules.followUps()) {
      if (r.subject() == s.kind()) {
        followUp(r, s, act, now, late, org, tasks, hits, errors);
      }
    }
    return new SubjectOutcome(tasks, hits, errors);
  }

  /** One follow-up rule on one subject: a task when its condition holds and its key and due date evaluate. */
  private void followUp(FollowUpRule r, Subject s, Map<String, Object> act, Instant now, CelFunctionResolver late,
      OrgCalendar org, List<TaskToCreate> tasks, List<String> hits, List<RuleError> errors) {
    if (!r.inHorizon(s, now)) {
      // older than the rule looks back: no verdict, no write, not an error
      return;
    }
    var v = r.when().verdict(act, late);
    if (v instanceof Verdict.Error e) {
      errors.add(new RuleError(r.id(), s.kind().label(), s.id(), e.message()));
    } else if (v instanceof Verdict.Holds) {
      var task = task(r, s, act, late, org, errors);
      task.ifPresent(tasks::add);
      if (task.isPresent()) {
        hits.add(r.id());
      }
    }
  }

  /**
   * The task {@code r} asks for on {@code s}, or none with the error added to {@code errors}: without its key value
   * distinct tasks would share a key (and all but one be dropped), and without its due date the
   * task would claim a date no rule gave it.
   */
  private Optional<TaskToCreate> task(FollowUpRule r, Subject s, Map<String, Object> act, CelFunctionResolver late,
      OrgCalendar org, List<RuleError> errors) {
    var keyValue = "";
    if (r.key().isPresent()) {
      var k = r.key().get().value(act, late);
      if (k instanceof Evaluated.Error e) {
        errors.add(new RuleError(r.id(), s.kind().label(), s.id(), "task key: " + e.message()));
        return Optional.empty();
      }
      keyValue = Template.format(((Evaluated.Value) k).value());
    }
    var key = Hashing.key(r.id(), s.kind().label(), s.id(), keyValue);
    var dueValue = r.due().value(act, late);
    if (dueValue instanceof Evaluated.Error e) {
      errors.add(new RuleError(r.id(), s.kind().label(), s.id(), "task due date: " + e.message()));
      return Optional.empty();
    }
    if (!(((Evaluated.Value) dueValue).value() instanceof Instant dueAt)) {
      errors.add(new RuleError(r.id(), s.kind().label(), s.id(), "task due date: " + r.due().where()
          + ": not a timestamp: " + ((Evaluated.Value) dueValue).value()));
      return Optional.empty();
    }
    var record = subjectRecord(s);
    var owner = !s.owner().isEmpty() ? s.owner().id() : record.string("owner_id").orElse("");
    // the due date is the owner's local date of the due instant: 17:00 in Denver is still that day
    var zone = org.zoneOf(owner);
    if (zone.isEmpty()) {
      errors.add(new RuleError(r.id(), s.kind().label(), s.id(), "task due date: the owner's time zone in the CRM"
          + " is not a time-zone id, so the local due date is unknown"));
      return Optional.empty();
    }
    var due = LocalDate.ofInstant(dueAt, java.time.ZoneId.of(zone.get()));
    Optional<String> dealId;
    Optional<String> accountId;
    Optional<String> contactId = Optional.empty();
    if (s instanceof DealContext d) {
      dealId = Optional.of(d.id());
      accountId = d.deal().string("account_id");
    } else if (s instanceof ContactContext c) {
      dealId = Optional.empty();
      accountId = c.contact().string("account_id");
      contactId = Optional.of(c.id());
    } else if (s instanceof AccountContext a) {
      dealId = Optional.empty();
      accountId = Optional.of(a.id());
    } else {
      var a = ((ActivityContext) s).activity();
      dealId = a.string("deal_id");
      accountId = a.string("account_id");
      contactId = a.string("contact_id");
    }
    var extra = new LinkedHashMap<String, String>();
    r.fields().forEach((f, t) -> extra.put(f, t.render(act, late)));
    return Optional.of(new TaskToCreate(key, r.id(), owner, r.title().render(act, late), r.body().render(act, late),
        due, dueAt, r.priority(), dealId, accountId, contactId, extra));
  }

  private static CrmRecord subjectRecord(Subject s) {
    if (s instanceof DealContext d) {
      return d.deal();
    } else if (s instanceof ContactContext c) {
      return c.contact();
    } else if (s instanceof AccountContext a) {
      return a.account();
    }
    return ((ActivityContext) s).activity();
  }

  private List<ForecastRollup> rollups(List<Contribution> contributions, List<CrmRecord> owners) {
    var byId = new HashMap<String, CrmRecord>();
    owners.forEach(o -> byId.put(o.id(), o));
    var cats = rules.vocabulary().forecastCategories();
    var acc = new TreeMap<String, Acc>();
    for (var c : contributions) {
      var owner = byId.getOrDefault(c.ownerId(), CrmRecord.empty());
      add(acc, ForecastRollup.Level.REP, c.ownerId(), owner.string("name").orElse(c.ownerId()), c, cats);
      var manager = owner.string("manager_id");
      if (manager.isPresent()) {
        var m = byId.getOrDefault(manager.get(), CrmRecord.empty());
        add(acc, ForecastRollup.Level.MANAGER, manager.get(), m.string("name").orElse(manager.get()), c, cats);
      }
      add(acc, ForecastRollup.Level.TEAM, "team", "Team", c, cats);
    }
    return acc.values().stream().map(a -> new ForecastRollup(a.level, a.id, a.name, a.called, a.adjusted, a.deals, a.downgraded))
        .sorted(Comparator.comparing((ForecastRollup r) -> r.level()).thenComparing(ForecastRollup::id))
        .toList();
  }

  /** A rollup being summed. */
  private static final class Acc {
    final ForecastRollup.Level level;
    final String id;
    final String name;
    final Map<String, BigDecimal> called = new LinkedHashMap<>();
    final Map<String, BigDecimal> adjusted = new LinkedHashMap<>();
    int deals;
    int downgraded;

    Acc(ForecastRollup.Level level, String id, String name, List<String> cats) {
      this.level = level;
      this.id = id;
      this.name = name;
      for (var c : cats) {
        called.put(c, BigDecimal.ZERO.setScale(2));
        adjusted.put(c, BigDecimal.ZERO.setScale(2));
      }
    }
  }

  private static void add(Map<String, Acc> acc, ForecastRollup.Level level, String id, String name, Contribution c,
      List<String> cats) {
    var a = acc.computeIfAbsent(level + "|" + id, k -> new Acc(level, id, name, cats));
    a.called.merge(c.called(), c.amount(), BigDecimal::add);
    a.adjusted.merge(c.supported(), c.amount(), BigDecimal::add);
    a.deals++;
    if (!c.called().equals(c.supported())) {
      a.downgraded++;
    }
  }
}
