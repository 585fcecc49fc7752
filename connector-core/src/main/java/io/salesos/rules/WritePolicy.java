package io.salesos.rules;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The write policy from write-policy.yaml: a decision per kind of write, the allow-list of
 * canonical objects and fields salesos may write at all, and what becomes of a task whose rule no
 * longer concludes it ({@code withdraw}). Reconcile drops anything outside the allow-list.
 */
public record WritePolicy(Map<WriteKind, WriteDecision> decisions, Map<String, Set<String>> allow, TaskWithdrawal withdraw) {

  public WritePolicy(Map<WriteKind, WriteDecision> decisions, Map<String, Set<String>> allow) {
    this(decisions, allow, TaskWithdrawal.DEFAULT);
  }

  public WritePolicy {
    java.util.Objects.requireNonNull(withdraw, "withdraw");
    var d = new EnumMap<WriteKind, WriteDecision>(WriteKind.class);
    for (var k : WriteKind.ruled()) {
      d.put(k, decisions.getOrDefault(k, WriteDecision.OFF));
    }
    decisions = Map.copyOf(d);
    var a = new TreeMap<String, Set<String>>();
    allow.forEach((o, fs) -> a.put(o, Set.copyOf(new TreeSet<>(fs))));
    allow = Map.copyOf(a);
  }

  /** The decision for a kind the rules make; the other kinds are a person's and not the policy's to decide. */
  public WriteDecision decision(WriteKind kind) {
    var d = decisions.get(kind);
    if (d == null) {
      throw new IllegalArgumentException(kind.code() + " writes are not made by rules; the write policy does not decide them");
    }
    return d;
  }

  /**
   * The tighter of this policy and {@code other}, kind by kind (off before draft before auto) and
   * field by field (only what both allow): what applies while a narrowing edit cannot load whole.
   */
  public WritePolicy tighter(WritePolicy other) {
    var d = new EnumMap<WriteKind, WriteDecision>(WriteKind.class);
    for (var k : WriteKind.ruled()) {
      var a = decision(k);
      var b = other.decision(k);
      d.put(k, a.ordinal() >= b.ordinal() ? a : b);
    }
    var a = new TreeMap<String, Set<String>>();
    allow.forEach((object, fields) -> {
      var both = new TreeSet<>(fields);
      both.retainAll(other.allow().getOrDefault(object, Set.of()));
      if (!both.isEmpty()) {
        a.put(object, both);
      }
    });
    var w = withdraw.ordinal() <= other.withdraw().ordinal() ? withdraw : other.withdraw();
    return new WritePolicy(d, a, w);
  }

  public boolean allows(String object, String field) {
    return allow.getOrDefault(object, Set.of()).contains(field);
  }
}
