package io.salesos.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The activity cadence expected per account from cadence.yaml: for each activity kind, every how
 * many days an account should see one, by default and per vertical (the account's industry). The
 * capture audit sums it over a rep's accounts to say how much a week should have logged.
 */
public final class Cadence {

  /** The activity kinds a cadence can name, in the order audits show them. */
  public static final List<String> KINDS = List.of("visit", "call", "email", "meeting");

  /** How often one kind of activity is expected at an account. */
  public sealed interface Every {
    /** Every {@code days} days. */
    record Days(int days) implements Every {
      public Days {
        if (days < 1) {
          throw new IllegalArgumentException("a cadence is at least one day, got " + days);
        }
      }
    }

    /** As often as the account's own visit_every_days says (what the status page counts). */
    record AccountVisitEvery() implements Every {}

    /** Not expected at all. */
    record Never() implements Every {}
  }

  private final Map<String, Every> defaults;
  private final Map<String, Map<String, Every>> byVertical;

  Cadence(Map<String, Every> defaults, Map<String, Map<String, Every>> byVertical) {
    this.defaults = Map.copyOf(defaults);
    var v = new TreeMap<String, Map<String, Every>>(String.CASE_INSENSITIVE_ORDER);
    byVertical.forEach((k, m) -> v.put(k, Map.copyOf(m)));
    this.byVertical = Collections.unmodifiableMap(v);
  }

  /** The cadence when no cadence.yaml exists: visits as each account says, nothing else expected. */
  public static Cadence accountVisitsOnly() {
    var d = new LinkedHashMap<String, Every>();
    KINDS.forEach(k -> d.put(k, new Every.Never()));
    d.put("visit", new Every.AccountVisitEvery());
    return new Cadence(d, Map.of());
  }

  /** How often {@code kind} is expected at an account of {@code vertical}. */
  public Every every(String vertical, String kind) {
    Objects.requireNonNull(kind, "kind");
    var v = vertical == null ? null : byVertical.get(vertical.trim());
    if (v != null && v.containsKey(kind)) {
      return v.get(kind);
    }
    return defaults.getOrDefault(kind, new Every.Never());
  }

  /**
   * Expected activities of {@code kind} per week at one account of {@code vertical}; {@code
   * accountVisitEveryDays} is the account's own field, used where the cadence says {@code account}.
   */
  public double perWeek(String vertical, String kind, Optional<Long> accountVisitEveryDays) {
    var every = every(vertical, kind);
    if (every instanceof Every.Days d) {
      return 7.0 / d.days();
    }
    if (every instanceof Every.AccountVisitEvery) {
      return accountVisitEveryDays.filter(n -> n > 0).map(n -> 7.0 / n).orElse(0.0);
    }
    return 0.0;
  }

  /** The verticals cadence.yaml names, lower-cased. */
  public List<String> verticals() {
    return byVertical.keySet().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
  }
}
