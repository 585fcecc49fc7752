package io.salesos.rules;

import java.util.Map;
import java.util.Optional;

/**
 * A follow-up rule: when {@code when} holds for a subject, a task should exist for its owner,
 * one per subject and {@code key} value (a stalled deal gets one task per stage entry, not one a day).
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
    Map<String, Template> fields) {

  FollowUpRule {
    fields = Map.copyOf(fields);
  }
}
