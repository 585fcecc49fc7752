package io.salesos.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stall rules of a rule set (deal follow-up rules whose id starts with {@code stall.}),
 * evaluated on deals at a chosen moment, so what counts as stalled is said in one place: the rules.
 */
public final class StallRules {

  /** The id prefix that marks a follow-up rule as a stall rule. */
  public static final String PREFIX = "stall.";

  private final List<FollowUpRule> rules;

  private StallRules(List<FollowUpRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The stall rules of {@code set}, in file order. */
  public static StallRules of(RuleSet set) {
    return new StallRules(set.followUps().stream()
        .filter(r -> r.subject() == SubjectKind.DEAL && r.id().startsWith(PREFIX)).toList());
  }

  /** A stall rule holding for one deal: the rule and its task subject, rendered at the moment evaluated. */
  public record Stall(String ruleId, String title) {}

  public List<String> ids() {
    return rules.stream().map(FollowUpRule::id).toList();
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** The deals (by id) some stall rule holds for {@code at}, with the first rule that does. */
  public Map<String, Stall> stalled(List<DealContext> deals, Instant at) {
    var late = RuleFunctions.atNow(at);
    var out = new LinkedHashMap<String, Stall>();
    for (var d : deals) {
      first(d, at, late).ifPresent(s -> out.put(d.id(), s));
    }
    return out;
  }

  /**
   * The earliest minute in ({@code from}, {@code to}] from which a stall rule holds for {@code d}
   * (it holds at {@code to}, not at {@code from}): a bisection, so a rule that flips more than once
   * in the window gives one of its crossings.
   */
  public Instant stalledSince(DealContext d, Instant from, Instant to) {
    var lo = from;
    var hi = to;
    while (Duration.between(lo, hi).compareTo(Duration.ofMinutes(1)) > 0) {
      var mid = lo.plus(Duration.between(lo, hi).dividedBy(2));
      if (first(d, mid, RuleFunctions.atNow(mid)).isPresent()) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  private Optional<Stall> first(DealContext d, Instant at, dev.cel.runtime.CelFunctionResolver late) {
    if (rules.isEmpty()) {
      return Optional.empty();
    }
    var act = ContextTypes.activation(d, at);
    for (var r : rules) {
      // a rule that cannot be evaluated on the deal says nothing about it: no stall from an error
      if (r.when().verdict(act, late) instanceof Verdict.Holds) {
        return Optional.of(new Stall(r.id(), r.title().render(act, late)));
      }
    }
    return Optional.empty();
  }
}
