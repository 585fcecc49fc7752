package io.salesos.rules;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

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
    return flags.stream().sorted().map(Flag::line).distinct().collect(Collectors.joining("\n"));
  }
}
