package io.salesos.rules;

import dev.cel.common.ast.CelExpr;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Renders every rule's verdict for one deal with the values it saw, for {@code salesos explain
 * DEAL_ID}: exit criteria of every stage (n/a for stages the deal is not in), each forecast
 * requirement, and each deal follow-up rule; a rule that could not be evaluated on the deal shows
 * ERROR with its message (the deal got no write from it).
 */
public final class Explainer {

  private Explainer() {}

  public static String explain(RuleSet rules, DealContext d, Instant now) {
    return explain(rules, d, now, Optional.empty());
  }

  /** As {@link #explain(RuleSet, DealContext, Instant)}, with the org calendar the deal's CRM reported (its fiscal year). */
  public static String explain(RuleSet rules, DealContext d, Instant now, Optional<io.salesos.spi.CrmCalendar> crm) {
    var org = RuleEvaluator.orgCalendar(rules, List.of(d.owner()), crm);
    var late = RuleFunctions.atNow(now, org);
    var act = ContextTypes.activation(d, now, org);
    var deal = d.deal();
    var stage = deal.string("stage").orElse("?");
    var out = new StringBuilder();
    out.append("deal ").append(deal.id()).append(" \"").append(deal.string("name").orElse("")).append("\"")
        .append(" stage=").append(stage)
        .append(" forecast=").append(deal.string("forecast_category").orElse("?"))
        .append(" owner=").append(deal.string("owner_id").orElse("?"))
        .append(" now=").append(now).append(" rules=").append(rules.version()).append('\n');
    out.append("exit criteria\n");
    for (var c : rules.exitCriteria()) {
      if (!c.stages().contains(stage) || deal.flag("is_closed")) {
        out.append("  n/a   ").append(c.id()).append(" (stages: ").append(String.join(", ", c.stages())).append(")\n");
        continue;
      }
      var v = c.require().verdict(act, late);
      if (v instanceof Verdict.Error e) {
        line(out, "ERROR", c.id() + ": " + e.message() + " (flags kept as they are)", c.require(), act);
        continue;
      }
      boolean ok = v instanceof Verdict.Holds;
      line(out, ok ? "PASS" : "FAIL", c.id() + (ok ? "" : " [" + c.code() + "] " + c.message().render(act, late)),
          c.require(), act);
    }
    var called = deal.string("forecast_category").orElse("");
    var evaluator = new RuleEvaluator(rules);
    var support = evaluator.supported(called, deal.id(), act, late);
    out.append("forecast: called ").append(called.isEmpty() ? "?" : called)
        .append(support.errors().isEmpty() ? ", evidence supports " + support.supported()
            : ", undecided: a requirement errored (forecast and flags kept as they are)").append('\n');
    for (var id : List.of(RuleEvaluator.APPLIES_TO, RuleEvaluator.IN_FORECAST)) {
      var expr = id.equals(RuleEvaluator.APPLIES_TO) ? rules.forecast().appliesTo() : rules.forecast().inPeriod();
      if (expr.isPresent() && expr.get().verdict(act, late) instanceof Verdict.Error e) {
        line(out, "ERROR", id + ": " + e.message(), expr.get(), act);
      }
    }
    var categories = new ArrayList<>(rules.vocabulary().forecastCategories());
    java.util.Collections.reverse(categories);
    for (var cat : categories) {
      for (var r : rules.forecast().byCategory().getOrDefault(cat, List.of())) {
        var v = r.require().verdict(act, late);
        if (v instanceof Verdict.Error e) {
          line(out, "ERROR", cat + ": " + r.id() + ": " + e.message(), r.require(), act);
          continue;
        }
        boolean ok = v instanceof Verdict.Holds;
        line(out, ok ? "PASS" : "FAIL", cat + ": " + r.id() + (ok ? "" : " (" + r.reason().render(act, late) + ")"),
            r.require(), act);
      }
    }
    out.append("follow-up\n");
    var taskErrors = evaluator.followUps(d, now, late, org).errors();
    for (var r : rules.followUps()) {
      if (r.subject() != SubjectKind.DEAL) {
        continue;
      }
      var v = r.when().verdict(act, late);
      if (v instanceof Verdict.Error e) {
        line(out, "ERROR", r.id() + ": " + e.message() + " (no task)", r.when(), act);
        continue;
      }
      boolean fires = v instanceof Verdict.Holds;
      // the condition held but the task's key or due date may not evaluate: that is no task either
      var taskError = fires ? taskErrors.stream().filter(x -> x.ruleId().equals(r.id())).findFirst() : Optional.<RuleError>empty();
      if (taskError.isPresent()) {
        line(out, "ERROR", r.id() + ": " + taskError.get().message() + " (no task)", r.when(), act);
        continue;
      }
      line(out, fires ? "TASK" : "quiet", r.id() + (fires ? ": " + r.title().render(act, late) : ""), r.when(), act);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String verdict, String what, CompiledExpr e, Map<String, Object> act) {
    out.append(String.format("  %-5s %s  (%s)%n", verdict, what, e.where()));
    var seen = new ArrayList<String>();
    for (var path : paths(e.ast().getExpr(), Set.of())) {
      seen.add(path + "=" + valueAt(act, path));
    }
    if (!seen.isEmpty()) {
      out.append("        saw ").append(String.join(", ", seen)).append('\n');
    }
  }

  /** Field paths rooted at context variables (deal.amount, activities...), in source order. */
  static Set<String> paths(CelExpr e, Set<String> bound) {
    var out = new LinkedHashSet<String>();
    collect(e, bound, out);
    return out;
  }

  private static void collect(CelExpr e, Set<String> bound, Set<String> out) {
    switch (e.getKind()) {
      case IDENT -> {
        var name = e.ident().name();
        if (!bound.contains(name) && !name.equals("now") && !name.startsWith("@")) {
          out.add(name);
        }
      }
      case SELECT -> {
        var path = path(e);
        if (path != null && !bound.contains(path.split("\\.")[0]) && !path.startsWith("@")) {
          out.add(path);
        } else {
          collect(e.select().operand(), bound, out);
        }
      }
      case CALL -> {
        e.call().target().ifPresent(t -> collect(t, bound, out));
        e.call().args().forEach(a -> collect(a, bound, out));
      }
      case LIST -> e.list().elements().forEach(x -> collect(x, bound, out));
      case MAP -> e.map().entries().forEach(x -> {
        collect(x.key(), bound, out);
        collect(x.value(), bound, out);
      });
      case COMPREHENSION -> {
        var c = e.comprehension();
        collect(c.iterRange(), bound, out);
        var inner = new java.util.HashSet<>(bound);
        inner.add(c.iterVar());
        inner.add(c.accuVar());
        collect(c.loopStep(), inner, out);
      }
      default -> { }
    }
  }

  private static String path(CelExpr e) {
    if (e.getKind() == CelExpr.ExprKind.Kind.IDENT) {
      return e.ident().name();
    }
    if (e.getKind() == CelExpr.ExprKind.Kind.SELECT) {
      var p = path(e.select().operand());
      return p == null ? null : p + "." + e.select().field();
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static String valueAt(Map<String, Object> act, String path) {
    Object v = act;
    for (var part : path.split("\\.")) {
      if (v instanceof Map<?, ?> m && m.containsKey(part)) {
        v = ((Map<String, Object>) m).get(part);
      } else {
        return "(absent)";
      }
    }
    if (v instanceof List<?> l) {
      return "[" + l.size() + " items]";
    }
    if (v instanceof Map<?, ?>) {
      return "{record}";
    }
    return Template.format(v);
  }
}
