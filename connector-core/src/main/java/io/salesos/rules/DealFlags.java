package io.salesos.rules;

import java.util.List;
import java.util.Objects;

/** The flags a deal should carry, sorted by code; {@link #text()} is what its salesos_flags field should hold. */
public record DealFlags(String dealId, List<Flag> flags) implements DesiredAction {

  public DealFlags {
    Objects.requireNonNull(dealId, "dealId");
    flags = flags.stream().sorted().distinct().toList();
  }

  /** One "CODE: message" line per flag, in code order: the same flags always render the same text. */
  public String text() {
    return render(flags);
  }

  static String render(List<Flag> flags) {
    if (flags.isEmpty()) {
      return "";
    }
    if (flags.size() == 1) {
      return flags.get(0).line();
    }
    var sorted = new java.util.ArrayList<>(flags);
    java.util.Collections.sort(sorted);
    var lines = new java.util.LinkedHashSet<String>();
    for (var f : sorted) {
      lines.add(f.line());
    }
    return String.join("\n", lines);
  }
}
