package io.salesos.rules;


/** A validation flag on a deal: a short code, a sentence a rep understands, and the rule that raised it. */
public record Flag(String code, String message, String ruleId) implements Comparable<Flag> {

  @Override
  public int compareTo(Flag o) {
    // by code, then rule, then message
    int c = code.compareTo(o.code);
    if (c == 0) {
      c = ruleId.compareTo(o.ruleId);
    }
    return c != 0 ? c : message.compareTo(o.message);
  }

  /** The line this flag takes in the deal's salesos_flags field. */
  public String line() {
    return code + ": " + message;
  }
}
