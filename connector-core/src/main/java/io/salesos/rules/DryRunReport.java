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

  private static String fields(Map<String, Object> fields) {
    return fields.entrySet().stream()
        .map(e -> e.getKey() + "=" + String.valueOf(e.getValue()).replace("\n", "\\n"))
        .collect(Collectors.joining(" "));
  }
}
