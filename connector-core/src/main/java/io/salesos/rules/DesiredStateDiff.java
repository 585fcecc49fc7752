package io.salesos.rules;

import io.salesos.model.CanonicalSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Diffs desired state against what the mirror holds and returns only the writes that change
 * something, each tagged with its write kind and policy decision. Writes whose kind is off are
 * dropped, and every field outside the allow-list is removed (a change left without its essential
 * field is dropped): nothing outside the allow-list is ever written, whatever a rule says. Pure.
 */
public final class DesiredStateDiff {

  /**
   * The line a task salesos closed because its rule no longer concludes it ends with. Such a task
   * is salesos's own bookkeeping, not contact with a customer: evaluation does not count it as
   * activity (a withdrawn "call the lead" task must not read as the call).
   */
  public static final String WITHDRAWN_MARK = "Closed by salesos on ";


  private DesiredStateDiff() {}

  public static List<Change> diff(DesiredState desired, CurrentState current, WritePolicy policy) {
    return diff(desired, current, policy, java.util.Set.of());
  }

  /**
   * As {@link #diff(DesiredState, CurrentState, WritePolicy)}, and withdraws the open tasks of
   * {@code taskRules} (the task rules of the set in force) that the rules no longer conclude.
   */
  public static List<Change> diff(DesiredState desired, CurrentState current, WritePolicy policy, java.util.Set<String> taskRules) {
    var out = new ArrayList<Change>();
    flags(desired, current, policy, out);
    forecast(desired, current, policy, out);
    tasks(desired, current, policy, out);
    withdrawals(desired, current, policy, taskRules, out);
    return out;
  }

  /**
   * Open tasks salesos created that no rule concludes any more. Fails closed: a task is left as it
   * is when its rule is not in the set (a rule renamed or removed says nothing about the task),
   * when its rule errored on some record in this run, when anyone edited it in the CRM, or when
   * task writes are off or withdrawals are set to keep.
   */
  private static void withdrawals(DesiredState desired, CurrentState current, WritePolicy policy, java.util.Set<String> taskRules,
      List<Change> out) {
    var wanted = new java.util.HashSet<String>();
    desired.tasks().forEach(t -> wanted.add(t.key()));
    out.addAll(withdrawals(wanted::contains, desired.ruleErrorCounts().keySet(), desired.now(), current.openTasks(), policy, taskRules));
  }

  /**
   * The withdrawals of {@code open} (some of salesos's open tasks) for a run that concluded the
   * tasks {@code wanted} accepts and in which the rules {@code errored} could not be evaluated on
   * some record, as {@link #diff(DesiredState, CurrentState, WritePolicy, java.util.Set)} decides
   * them: for a run evaluated in partitions, which knows its wanted keys only at the end. A key
   * {@code wanted} wrongly accepts keeps its task (fail closed).
   */
  public static List<Change> withdrawals(java.util.function.Predicate<String> wanted, java.util.Set<String> errored,
      java.time.Instant now, List<CurrentState.OpenTask> open, WritePolicy policy, java.util.Set<String> taskRules) {
    var out = new ArrayList<Change>();
    var decision = policy.decision(WriteKind.TASK);
    if (decision == WriteDecision.OFF || policy.withdraw() == TaskWithdrawal.KEEP || open.isEmpty()) {
      return out;
    }
    var day = java.time.LocalDate.ofInstant(now, java.time.ZoneOffset.UTC);
    for (var t : open) {
      if (wanted.test(t.key()) || !t.untouched() || t.ruleId().isEmpty() || !taskRules.contains(t.ruleId().get())
          || errored.contains(t.ruleId().get())) {
        continue;
      }
      var rule = t.ruleId().get();
      var fields = new LinkedHashMap<String, Object>();
      Optional<String> held = Optional.empty();
      if (policy.withdraw() == TaskWithdrawal.CLOSE) {
        fields.put("status", "completed");
        var line = WITHDRAWN_MARK + day + ": rule " + rule + " no longer concludes this task.";
        fields.put("body", t.body().isBlank() ? line : t.body().stripTrailing() + "\n\n" + line);
        var refused = new java.util.TreeSet<>(fields.keySet());
        refused.removeIf(f -> policy.allows(CanonicalSchema.ACTIVITY, f));
        if (!refused.isEmpty()) {
          held = Optional.of("held: closing a withdrawn task writes activity." + String.join(", activity.", refused)
              + ", which the write allow-list does not hold");
        }
      } else if (!policy.allows(CanonicalSchema.ACTIVITY, "salesos_key")) {
        held = Optional.of("held: deleting a withdrawn task needs activity.salesos_key on the write allow-list"
            + " (salesos deletes only records it created)");
      }
      out.add(new Change.WithdrawTask(t.key(), t.crmObject(), t.recordId(), rule, policy.withdraw(), decision, fields,
          t.asWritten(), held));
    }
    return out;
  }

  private static void flags(DesiredState desired, CurrentState current, WritePolicy policy, List<Change> out) {
    var decision = policy.decision(WriteKind.FLAG);
    if (decision == WriteDecision.OFF || !policy.allows(CanonicalSchema.DEAL, "salesos_flags")) {
      return;
    }
    var want = new HashMap<String, String>();
    desired.flags().forEach(f -> want.put(f.dealId(), f.text()));
    // a deal that was evaluated and has no flags now must have its old flags cleared
    var decided = new HashMap<String, List<Flag>>();
    desired.flags().forEach(f -> decided.put(f.dealId(), f.flags()));
    for (var id : desired.evaluatedDealIds()) {
      var before = current.flagsByDeal().getOrDefault(id, "");
      var kept = desired.flagCodesKept().getOrDefault(id, java.util.Collections.emptySortedSet());
      // a criterion that errored on this deal keeps its line as it is; the others follow their verdicts
      var after = kept.isEmpty() ? want.getOrDefault(id, "") : merged(decided.getOrDefault(id, List.of()), before, kept);
      if (!normalize(before).equals(after)) {
        out.add(new Change.FlagsChanged(id, before, after, decision));
      }
    }
  }

  private static void forecast(DesiredState desired, CurrentState current, WritePolicy policy, List<Change> out) {
    var decision = policy.decision(WriteKind.FORECAST);
    if (decision == WriteDecision.OFF || !policy.allows(CanonicalSchema.DEAL, "salesos_forecast_category")) {
      return;
    }
    var want = new HashMap<String, String>();
    desired.forecasts().forEach(f -> want.put(f.dealId(), f.supportedCategory()));
    for (var id : desired.evaluatedDealIds()) {
      if (desired.forecastsUndecided().contains(id)) {
        continue;
      }
      var after = want.getOrDefault(id, "");
      var before = current.forecastCategoryByDeal().getOrDefault(id, "");
      if (!before.strip().equals(after)) {
        out.add(new Change.ForecastCategoryChanged(id, before, after, decision));
      }
    }
  }

  private static void tasks(DesiredState desired, CurrentState current, WritePolicy policy, List<Change> out) {
    var decision = policy.decision(WriteKind.TASK);
    // without its key a task could not be recognised next time, so it would be created again and again
    if (decision == WriteDecision.OFF || !policy.allows(CanonicalSchema.ACTIVITY, "salesos_key")) {
      return;
    }
    // due_at (the instant, for a CRM that keeps one) is written only when the allow-list names it:
    // without it a HubSpot task is due at the start of its due date, as before
    var allowedFields = policy.allow().getOrDefault(CanonicalSchema.ACTIVITY, java.util.Set.of());
    for (var t : desired.tasks()) {
      if (current.taskKeys().contains(t.key())) {
        continue;
      }
      var all = new LinkedHashMap<String, Object>(32);
      all.put("kind", "task");
      all.put("status", "planned");
      all.put("subject", t.subject());
      all.put("body", t.body());
      all.put("due_date", t.dueDate());
      all.put("due_at", t.dueAt());
      all.put("priority", t.priority() == null ? null : t.priority().toLowerCase(java.util.Locale.ROOT));
      all.put("owner_id", t.ownerId());
      t.dealId().ifPresent(v -> all.put("deal_id", v));
      t.accountId().ifPresent(v -> all.put("account_id", v));
      t.contactId().ifPresent(v -> all.put("contact_id", v));
      if (!t.extraFields().isEmpty()) {
        new java.util.TreeMap<>(t.extraFields()).forEach(all::putIfAbsent);
      }
      all.put("salesos_key", t.key());
      all.keySet().retainAll(allowedFields);
      out.add(new Change.CreateTask(t, decision, all));
    }
  }

  /** The mirror may hold CRLF or trailing blanks the CRM added; they are not a difference. */
  /** The decided flags plus the lines of {@code before} whose code is kept, rendered as one text. */
  private static String merged(List<Flag> decided, String before, java.util.Set<String> kept) {
    var all = new java.util.ArrayList<>(decided);
    for (var line : normalize(before).split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0 && kept.contains(line.substring(0, colon))) {
        all.add(new Flag(line.substring(0, colon), line.substring(colon + 2), ""));
      }
    }
    return DealFlags.render(all);
  }

  private static String normalize(String s) {
    return s.replace("\r\n", "\n").strip();
  }

  /** A current state with {@code changes} applied, as the mirror would hold it after the writes land. */
  public static CurrentState apply(CurrentState current, List<Change> changes) {
    var flags = new HashMap<>(current.flagsByDeal());
    var cats = new HashMap<>(current.forecastCategoryByDeal());
    var keys = new java.util.HashSet<>(current.taskKeys());
    for (var c : changes) {
      if (c instanceof Change.FlagsChanged f) {
        flags.put(f.dealId(), f.after());
      } else if (c instanceof Change.ForecastCategoryChanged f) {
        cats.put(f.dealId(), f.after());
      } else if (c instanceof Change.CreateTask t) {
        keys.add(t.key());
      }
    }
    return new CurrentState(flags, cats, keys);
  }
}
