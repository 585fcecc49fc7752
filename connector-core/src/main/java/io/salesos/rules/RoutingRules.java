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

  /** What visiting a deal's account is worth, or why that could not be said. */
  public sealed interface VisitValue {

    /** The value (never negative). */
    record Worth(double value) implements VisitValue {}

    /** The visit-value expression failed on the deal; {@code message} says where and why. */
    record Unknown(String message) implements VisitValue {}
  }

  /**
   * The value of visiting this deal's account now; Unknown when the expression fails on this deal,
   * never 0, so the planner can leave the account out and say why instead of ranking it last.
   */
  public VisitValue visitValue(DealContext deal, Instant now) {
    var result = visitValue.value(ContextTypes.activation(deal, now), RuleFunctions.atNow(now));
    if (result instanceof Evaluated.Error e) {
      return new VisitValue.Unknown(e.message());
    }
    var v = ((Evaluated.Value) result).value();
    if (v instanceof Number n && !Double.isNaN(n.doubleValue())) {
      return new VisitValue.Worth(Math.max(0.0, n.doubleValue()));
    }
    return new VisitValue.Unknown(visitValue.where() + ": not a number: " + v);
  }
}
