package io.salesos.rules;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The write policy from write-policy.yaml: a decision per kind of write and the allow-list of
 * canonical objects and fields salesos may write at all. Reconcile drops anything outside it.
 */
public record WritePolicy(Map<WriteKind, WriteDecision> decisions, Map<String, Set<String>> allow) {

  public WritePolicy {
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

  public boolean allows(String object, String field) {
    return allow.getOrDefault(object, Set.of()).contains(field);
  }
}
