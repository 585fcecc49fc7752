package io.salesos.rules;

/**
 * What happens to a write of one kind: written, held for a person's approval, or dropped. Declared
 * from the widest to the tightest, so the tighter of two is the one declared later.
 */
public enum WriteDecision {
  AUTO, DRAFT, OFF;

  static WriteDecision parse(String s) {
    for (var d : values()) {
      if (d.name().equalsIgnoreCase(s.trim())) {
        return d;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not a write decision; use auto, draft or off");
  }
}
