package io.salesos.rules;

import java.util.Comparator;

/** A validation flag on a deal: a short code, a sentence a rep understands, and the rule that raised it. */
public record Flag(String code, String message, String ruleId) implements Comparable<Flag> {

  private static final Comparator<Flag> ORDER =
      Comparator.comparing(Flag::code).thenComparing(Flag::ruleId).thenComparing(Flag::message);

  @Override
  public int compareTo(Flag o) {
    return ORDER.compare(this, o);
  }

  /** The line this flag takes in the deal's salesos_flags field. */
  public String line() {
    return code + ": " + message;
  }
}
