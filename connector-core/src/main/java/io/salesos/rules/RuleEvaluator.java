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

  /** What one deal came to: its flags, its forecast verdict, its tasks, and the rules that fired. */
  record DealOutcome(
      String dealId,
      List<Flag> flags,
      Optional<AdjustedForecast> adjusted,
      Optional<Contribution> contribution,
      List<TaskToCreate> tasks,
      List<String> hits) {}

  /** A deal's share of the forecast rollups. */
  record Contribution(String ownerId, BigDecimal amount, String called, String supported) {}

  /** The tasks one non-deal subject should have, and the rules that fired. */
  record SubjectOutcome(List<TaskToCreate> tasks, List<String> hits) {}

  public DesiredState evaluate(ContextSource source, Instant now) {
    var late = RuleFunctions.atNow(now);
    var deals = source.deals().parallel().map(d -> evaluateDeal(d, now, late)).collect(Collectors.toList());
    // gathered into a list first: a parallel stream over flatMap runs the inner streams on one thread
    var subjects = Stream.of(source.contacts(), source.accounts(), source.activities())
        .flatMap(s -> s.map(x -> (Subject) x))
        .collect(Collectors.toList());
    var others = subjects.parallelStream().map(s -> followUps(s, now, late)).collect(Collectors.toList());

    var flags = new ArrayList<DealFlags>();
    var forecasts = new ArrayList<AdjustedForecast>();
    var tasks = new HashMap<String, TaskToCreate>();
    var hits = new HashMap<String, Long>();
    var evaluated = new ArrayList<String>(deals.size());
    var contributions = new ArrayList<Contribution>();
    for (var o : deals) {
      evaluated.add(o.dealId());
      if (!o.flags().isEmpty()) {
        flags.add(new DealFlags(o.dealId(), o.flags()));
      }
      o.adjusted().ifPresent(forecasts::add);
      o.contribution().ifPresent(contributions::add);
      o.tasks().forEach(t -> tasks.putIfAbsent(t.key(), t));
      o.hits().forEach(h -> hits.merge(h, 1L, Long::sum));
    }
    for (var o : others) {
      o.tasks().forEach(t -> tasks.putIfAbsent(t.key(), t));
      o.hits().forEach(h -> hits.merge(h, 1L, Long::sum));
    }
    flags.sort(Comparator.comparing(DealFlags::dealId));
    forecasts.sort(Comparator.comparing(AdjustedForecast::dealId));
    var taskList = new ArrayList<>(tasks.values());
    taskList.sort(Comparator.comparing(TaskToCreate::ownerId).thenComparing(TaskToCreate::key));
    return new DesiredState(now, rules.version(), new java.util.TreeSet<>(evaluated), flags, forecasts, taskList,
        rollups(contributions, source.owners()), hits);
  }

  DealOutcome evaluateDeal(DealContext d, Instant now, CelFunctionResolver late) {
    var act = ContextTypes.activation(d, now);
    var deal = d.deal();
    var flags = new ArrayList<Flag>();
    var hits = new ArrayList<String>();
    boolean closed = deal.flag("is_closed");
    var stage = deal.string("stage").orElse("");
    if (!closed) {
      for (var c : rules.exitCriteria()) {
        if (c.stages().contains(stage) && !c.require().test(act, late)) {
          flags.add(new Flag(c.code(), c.message().render(act, late), c.id()));
          hits.add(c.id());
        }
      }
    }
    Optional<AdjustedForecast> adjusted = Optional.empty();
    Optional<Contribution> contribution = Optional.empty();
    var fr = rules.forecast();
    boolean governed = fr.appliesTo().map(e -> e.test(act, late)).orElse(!closed);
    if (governed && !fr.byCategory().isEmpty()) {
      var called = deal.string("forecast_category").orElse("");
      var verdict = supported(called, act, late);
      if (!verdict.supported().equals(called)) {
        var msg = "Called " + called + " but the evidence supports " + verdict.supported() + ": "
            + String.join("; ", verdict.reasons()) + ".";
        flags.add(new Flag(fr.flagCode(), msg, "forecast"));
        adjusted = Optional.of(new AdjustedForecast(deal.id(), called, verdict.supported(), verdict.reasons()));
        hits.addAll(verdict.failed());
      }
      boolean inPeriod = fr.inPeriod().map(e -> e.test(act, late)).orElse(true);
      if (inPeriod) {
        var owner = deal.string("owner_id").orElse(d.owner().id());
        var amount = deal.decimal("amount").orElse(BigDecimal.ZERO).setScale(2, RoundingMode.HALF_UP);
        contribution = Optional.of(new Contribution(owner, amount, called, verdict.supported()));
      }
    }
    var tasks = new ArrayList<TaskToCreate>();
    for (var r : rules.followUps()) {
      if (r.subject() == SubjectKind.DEAL && r.when().test(act, late)) {
        tasks.add(task(r, d, act, now, late));
        hits.add(r.id());
      }
    }
    return new DealOutcome(deal.id(), flags, adjusted, contribution, tasks, hits);
  }

  /** The highest category at or below the called one whose requirements all hold. */
  record Verdict(String supported, List<String> reasons, List<String> failed) {}

  Verdict supported(String called, Map<String, Object> act, CelFunctionResolver late) {
    var cats = rules.vocabulary().forecastCategories();
    int at = cats.indexOf(called);
    var reasons = new ArrayList<String>();
    var failed = new ArrayList<String>();
    if (at < 0) {
      // a category salesos does not know is left as called
      return new Verdict(called, reasons, failed);
    }
    for (int i = at; i >= 0; i--) {
      var reqs = rules.forecast().byCategory().getOrDefault(cats.get(i), List.of());
      boolean ok = true;
      for (var r : reqs) {
        if (!r.require().test(act, late)) {
          ok = false;
          reasons.add(r.reason().render(act, late));
          failed.add(r.id());
        }
      }
      if (ok) {
        return new Verdict(cats.get(i), reasons, failed);
      }
    }
    return new Verdict(cats.get(0), reasons, failed);
  }

  SubjectOutcome followUps(Subject s, Instant now, CelFunctionResolver late) {
    var act = ContextTypes.activation(s, now);
    var tasks = new ArrayList<TaskToCreate>();
    var hits = new ArrayList<String>();
    for (var r : rules.followUps()) {
      if (r.subject() == s.kind() && r.when().test(act, late)) {
        tasks.add(task(r, s, act, now, late));
        hits.add(r.id());
      }
    }
    return new SubjectOutcome(tasks, hits);
  }

  private TaskToCreate task(FollowUpRule r, Subject s, Map<String, Object> act, Instant now, CelFunctionResolver late) {
    var keyValue = r.key().map(k -> {
      try {
        return Template.format(k.eval(act, late));
      } catch (Exception e) {
        return "";
      }
    }).orElse("");
    var key = Hashing.key(r.id(), s.kind().label(), s.id(), keyValue);
    LocalDate due;
    try {
      due = LocalDate.ofInstant((Instant) r.due().eval(act, late), ZoneOffset.UTC);
    } catch (Exception e) {
      due = LocalDate.ofInstant(now, ZoneOffset.UTC);
    }
    var record = subjectRecord(s);
    var owner = !s.owner().isEmpty() ? s.owner().id() : record.string("owner_id").orElse("");
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
    return new TaskToCreate(key, r.id(), owner, r.title().render(act, late), r.body().render(act, late), due,
        r.priority(), dealId, accountId, contactId, extra);
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
