package io.salesos.rules;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Renders what a run would write, for {@code salesos dry-run}: one line per change (kind,
 * decision, object, record, fields) and a summary per kind and decision, plus the forecast
 * rollups. Writes nothing.
 */
public final class DryRunReport {

  private DryRunReport() {}

  public static String render(DesiredState desired, List<Change> changes) {
    var out = new StringBuilder();
    out.append("dry run at ").append(desired.now()).append(" with rules ").append(desired.ruleSetVersion())
        .append(": ").append(desired.evaluatedDealIds().size()).append(" deals evaluated, ")
        .append(changes.size()).append(" writes\n");
    for (var c : changes) {
      out.append(String.format("%-9s %-5s %-8s %-12s %s%n", c.kind().name().toLowerCase(),
          c.decision().name().toLowerCase(), c.object(), c.recordId().orElse("(new)"), fields(c.fields())));
    }
    var counts = new TreeMap<String, Long>(changes.stream().collect(Collectors.groupingBy(
        c -> c.kind().name().toLowerCase() + "/" + c.decision().name().toLowerCase(), Collectors.counting())));
    if (!desired.ruleErrors().isEmpty()) {
      out.append("rules that errored (their records kept what they have): ").append(desired.ruleErrorCounts())
          .append("; salesos dry-run --errors lists them\n");
    }
    out.append("writes by kind/decision: ").append(counts.isEmpty() ? "none" : counts.toString()).append('\n');
    out.append("forecast (called -> evidence-adjusted):\n");
    for (var r : desired.rollups()) {
      out.append(String.format("  %-7s %-6s %-22s", r.level().name().toLowerCase(), r.id(), r.name()));
      for (var cat : r.called().keySet()) {
        if (r.called(cat).signum() != 0 || r.adjusted(cat).signum() != 0) {
          out.append(String.format(" %s %s -> %s;", cat, r.called(cat).toPlainString(), r.adjusted(cat).toPlainString()));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** One rule that errored on real data: how many records, and the first of them with its message. */
  public record ErroredRule(String ruleId, long records, String exampleSubject, String exampleRecordId, String message) {}

  /** The rules that errored in {@code desired}, by rule id, each with its count and its first record (by id). */
  public static List<ErroredRule> erroredRules(DesiredState desired) {
    var first = new java.util.LinkedHashMap<String, RuleError>();
    desired.ruleErrors().forEach(e -> first.putIfAbsent(e.ruleId(), e));
    var counts = desired.ruleErrorCounts();
    return counts.keySet().stream().map(id -> {
      var e = first.get(id);
      return new ErroredRule(id, counts.get(id), e.subject(), e.recordId(), e.message());
    }).toList();
  }

  /** The rules that error on real data, one line each with its count and an example, for {@code salesos dry-run --errors}. */
  public static String renderErrors(DesiredState desired) {
    var rules = erroredRules(desired);
    var out = new StringBuilder();
    if (rules.isEmpty()) {
      out.append("no rule errored on any record (rules ").append(desired.ruleSetVersion()).append(")\n");
      return out.toString();
    }
    out.append(rules.size()).append(rules.size() == 1 ? " rule errors" : " rules error").append(" on real data (rules ")
        .append(desired.ruleSetVersion()).append("); the records involved get no write from them\n");
    for (var r : rules) {
      out.append(String.format("  %-32s %6d records  e.g. %s %s: %s%n", r.ruleId(), r.records(), r.exampleSubject(),
          r.exampleRecordId(), r.message().replace("\n", " ")));
    }
    return out.toString();
  }

  private static String fields(Map<String, Object> fields) {
    return fields.entrySet().stream()
        .map(e -> e.getKey() + "=" + String.valueOf(e.getValue()).replace("\n", "\\n"))
        .collect(Collectors.joining(" "));
  }
}
