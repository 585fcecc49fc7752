package io.salesos.rules;

import io.salesos.model.CanonicalSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Diffs desired state against what the mirror holds and returns only the writes that change
 * something, each tagged with its write kind and policy decision. Writes whose kind is off are
 * dropped, and every field outside the allow-list is removed (a change left without its essential
 * field is dropped): nothing outside the allow-list is ever written, whatever a rule says. Pure.
 */
public final class DesiredStateDiff {

  private DesiredStateDiff() {}

  public static List<Change> diff(DesiredState desired, CurrentState current, WritePolicy policy) {
    var out = new ArrayList<Change>();
    flags(desired, current, policy, out);
    forecast(desired, current, policy, out);
    tasks(desired, current, policy, out);
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
