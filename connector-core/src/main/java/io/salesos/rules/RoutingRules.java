package io.salesos.rules;

import java.time.Instant;
import java.time.LocalTime;
import java.util.Map;
import java.util.Objects;

/**
 * What the visit planner reads from routing.yaml: how much a visit is worth (a CEL expression
 * over a deal's context), each rep's working day, and travel-time assumptions.
 */
public final class RoutingRules {

  /** A rep's working day: when it starts and ends, how many stops fit, minutes spent at each. */
  public record RepDay(LocalTime start, LocalTime end, int maxStops, int serviceMinutes) {
    public RepDay {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      if (!end.isAfter(start)) {
        throw new IllegalArgumentException("a rep's day must end after it starts: " + start + "-" + end);
      }
    }
  }

  /** Straight-line km times {@code roadFactor} at {@code speedKmh} gives the drive time. */
  public record Travel(double speedKmh, double roadFactor) {
    public double minutes(double straightKm) {
      return straightKm * roadFactor / speedKmh * 60.0;
    }
  }

  private final CompiledExpr visitValue;
  private final RepDay defaults;
  private final Map<String, RepDay> perRep;
  private final Travel urban;
  private final Travel rural;

  RoutingRules(CompiledExpr visitValue, RepDay defaults, Map<String, RepDay> perRep, Travel urban, Travel rural) {
    this.visitValue = visitValue;
    this.defaults = defaults;
    this.perRep = Map.copyOf(perRep);
    this.urban = urban;
    this.rural = rural;
  }

  CompiledExpr visitValueExpr() {
    return visitValue;
  }

  /** The day of {@code ownerId}: its override if routing.yaml has one, the defaults otherwise. */
  public RepDay repDay(String ownerId) {
    return perRep.getOrDefault(ownerId, defaults);
  }

  public Travel travel(boolean urbanRep) {
    return urbanRep ? urban : rural;
  }

  /** The value of visiting this deal's account now; 0 when the expression fails on this deal. */
  public double visitValue(DealContext deal, Instant now) {
    try {
      var v = visitValue.eval(ContextTypes.activation(deal, now), RuleFunctions.atNow(now));
      return v instanceof Number n ? Math.max(0.0, n.doubleValue()) : 0.0;
    } catch (Exception e) {
      return 0.0;
    }
  }
}
