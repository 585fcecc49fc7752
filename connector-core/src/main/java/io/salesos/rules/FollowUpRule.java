package io.salesos.rules;

import java.util.Map;
import java.util.Optional;

/**
 * A follow-up rule: when {@code when} holds for a subject, a task should exist for its owner,
 * one per subject and {@code key} value (a stalled deal gets one task per stage entry, not one a day).
 * With a {@code horizon}, a subject whose moment (a contact's creation, a deal's entry into its
 * stage, an activity's start) is older than it is left alone: installed on an org with years of
 * history, the rule does not write about leads from 2019.
 */
record FollowUpRule(
    String id,
    SubjectKind subject,
    CompiledExpr when,
    Optional<CompiledExpr> key,
    Template title,
    Template body,
    CompiledExpr due,
    String priority,
    Map<String, Template> fields,
    Optional<java.time.Duration> horizon) {

  FollowUpRule {
    fields = Map.copyOf(fields);
  }

  FollowUpRule(String id, SubjectKind subject, CompiledExpr when, Optional<CompiledExpr> key, Template title, Template body,
      CompiledExpr due, String priority, Map<String, Template> fields) {
    this(id, subject, when, key, title, body, due, priority, fields, Optional.empty());
  }

  /** The moment a horizon is measured from: when the contact came in, the deal entered its stage, the activity started. */
  static Optional<java.time.Instant> moment(Subject s) {
    if (s instanceof DealContext d) {
      return d.deal().instant("stage_entered_at").or(() -> d.deal().instant("created_at"));
    }
    if (s instanceof ContactContext c) {
      return c.contact().instant("created_at");
    }
    if (s instanceof ActivityContext a) {
      return a.activity().instant("start_at").or(() -> a.activity().instant("created_at"));
    }
    return Optional.empty();
  }

  /** Whether {@code s} is inside this rule's horizon at {@code now} (always, without one; never, without a moment). */
  boolean inHorizon(Subject s, java.time.Instant now) {
    if (horizon.isEmpty()) {
      return true;
    }
    return moment(s).map(m -> !m.isBefore(now.minus(horizon.get()))).orElse(false);
  }
}
