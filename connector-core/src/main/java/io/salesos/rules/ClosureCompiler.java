package io.salesos.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a type-checked CEL AST into a tree of Java closures for the hot loop. CEL's own
 * interpreter costs microseconds per node (it re-dispatches every call by overload and type);
 * the rules engine evaluates tens of expressions per deal for 100,000 deals, so the subset rule
 * files use (selections, has(), logic with CEL's error absorption, comparisons, arithmetic,
 * in, ternaries, list macros, string methods, our functions) is compiled here. An expression
 * using anything else is left to CEL (compile returns empty); a differential test checks that
 * both give the same answers.
 */
final class ClosureCompiler {

  /** One compiled node. Evaluation errors are {@link EvalError}s, as CEL's are values. */
  interface Node {
    Object eval(Frame f);
  }

  /** An evaluation error (missing field, no overload...): cheap, without a stack trace. */
  static final class EvalError extends RuntimeException {
    EvalError(String message) {
      super(message, null, false, false);
    }
  }

  /** The state of one evaluation: the activation, now, and comprehension variables by slot. */
  static final class Frame {
    final Map<String, Object> activation;
    final Instant now;
    final OrgCalendar org;
    final Object[] locals;

    Frame(Map<String, Object> activation, Instant now, int slots) {
      this.activation = activation;
      this.now = now;
      this.org = activation.get(ContextTypes.ORG) instanceof OrgCalendar o ? o : OrgCalendar.DEFAULT;
      this.locals = new Object[slots];
    }
  }

  /** A compiled expression: the root node and how many comprehension slots it needs. */
  record Compiled(Node root, int slots) {
    Object eval(Map<String, Object> activation) {
      var now = (Instant) activation.get("now");
      return root.eval(new Frame(activation, now, slots));
    }
  }

  /** Thrown at compile time for anything this compiler leaves to CEL. */
  private static final class Unsupported extends RuntimeException {
    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  private final Map<String, Integer> scope = new HashMap<>();
  private final CelAbstractSyntaxTree ast;
  private int slots;

  private ClosureCompiler(CelAbstractSyntaxTree ast) {
    this.ast = ast;
  }

  static Optional<Compiled> compile(CelAbstractSyntaxTree ast) {
    var c = new ClosureCompiler(ast);
    try {
      var root = c.node(ast.getExpr());
      return Optional.of(new Compiled(root, c.slots));
    } catch (Unsupported e) {
      return Optional.empty();
    }
  }

  private Node node(CelExpr e) {
    return switch (e.getKind()) {
      case CONSTANT -> constant(e);
      case IDENT -> ident(e.ident().name());
      case SELECT -> select(e);
      case CALL -> call(e);
      case LIST -> list(e);
      case COMPREHENSION -> comprehension(e);
      default -> throw new Unsupported(e.getKind().toString());
    };
  }

  private Node constant(CelExpr e) {
    var c = e.constant();
    Object v = switch (c.getKind()) {
      case BOOLEAN_VALUE -> c.booleanValue();
      case INT64_VALUE -> c.int64Value();
      case DOUBLE_VALUE -> c.doubleValue();
      case STRING_VALUE -> c.stringValue();
      default -> throw new Unsupported("constant " + c.getKind());
    };
    return f -> v;
  }

  private Node ident(String name) {
    var slot = scope.get(name);
    if (slot != null) {
      int s = slot;
      return f -> f.locals[s];
    }
    if (name.equals("now")) {
      return f -> f.now;
    }
    return f -> {
      var v = f.activation.get(name);
      if (v == null) {
        throw new EvalError("no such variable '" + name + "'");
      }
      return v;
    };
  }

  private Node select(CelExpr e) {
    var s = e.select();
    var operand = node(s.operand());
    var field = s.field();
    if (s.testOnly()) {
      return f -> {
        var o = operand.eval(f);
        if (o instanceof Map<?, ?> m) {
          return m.containsKey(field);
        }
        throw new EvalError("has() on a non-record");
      };
    }
    return f -> {
      var o = operand.eval(f);
      if (o instanceof Map<?, ?> m) {
        var v = m.get(field);
        if (v == null) {
          throw new EvalError("key '" + field + "' is not present");
        }
        return v;
      }
      throw new EvalError("field '" + field + "' of a non-record");
    };
  }

  private Node list(CelExpr e) {
    if (!e.list().optionalIndices().isEmpty()) {
      throw new Unsupported("optional list elements");
    }
    var elems = e.list().elements().stream().map(this::node).toList();
    // a list of constants (deal.stage in ['A', 'B']) is built once
    if (e.list().elements().stream().allMatch(x -> x.getKind() == CelExpr.ExprKind.Kind.CONSTANT)) {
      var values = new ArrayList<>();
      for (var n : elems) {
        values.add(n.eval(null));
      }
      var fixed = List.copyOf(values);
      return f -> fixed;
    }
    return f -> {
      var out = new ArrayList<>(elems.size());
      for (var n : elems) {
        out.add(n.eval(f));
      }
      return out;
    };
  }

  private Node comprehension(CelExpr e) {
    var c = e.comprehension();
    if (c.iterVar2() != null && !c.iterVar2().isEmpty()) {
      throw new Unsupported("two-variable comprehension");
    }
    var range = node(c.iterRange());
    var init = node(c.accuInit());
    var savedIter = scope.get(c.iterVar());
    var savedAccu = scope.get(c.accuVar());
    int iterSlot = slots++;
    int accuSlot = slots++;
    scope.put(c.iterVar(), iterSlot);
    scope.put(c.accuVar(), accuSlot);
    var cond = node(c.loopCondition());
    var step = node(c.loopStep());
    scope.remove(c.iterVar());
    var result = node(c.result());
    restore(c.iterVar(), savedIter);
    restore(c.accuVar(), savedAccu);
    return f -> {
      var r = range.eval(f);
      Collection<?> items;
      if (r instanceof List<?> l) {
        items = l;
      } else if (r instanceof Map<?, ?> m) {
        items = m.keySet();
      } else {
        throw new EvalError("comprehension over a non-list");
      }
      f.locals[accuSlot] = init.eval(f);
      for (var item : items) {
        f.locals[iterSlot] = item;
        if (!Boolean.TRUE.equals(cond.eval(f))) {
          break;
        }
        f.locals[accuSlot] = step.eval(f);
      }
      return result.eval(f);
    };
  }

  private void restore(String name, Integer saved) {
    if (saved == null) {
      scope.remove(name);
    } else {
      scope.put(name, saved);
    }
  }

  private Node call(CelExpr e) {
    var call = e.call();
    var fn = call.function();
    var args = new ArrayList<Node>();
    call.target().ifPresent(t -> args.add(node(t)));
    boolean member = call.target().isPresent();
    if (fn.equals("matches") && call.args().size() == 1
        && call.args().get(0).getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
      var p = Pattern.compile(call.args().get(0).constant().stringValue());
      var target = member ? args.get(0) : node(call.args().get(0));
      return f -> p.matcher(str(target.eval(f))).find();
    }
    for (var a : call.args()) {
      args.add(node(a));
    }
    int n = args.size();
    Node a = n > 0 ? args.get(0) : null;
    Node b = n > 1 ? args.get(1) : null;
    return switch (fn + "/" + n) {
      case "_&&_/2" -> f -> and(a, b, f);
      case "_||_/2" -> f -> or(a, b, f);
      case "!_/1" -> f -> !bool(a.eval(f));
      case "@not_strictly_false/1" -> f -> {
        try {
          return !Boolean.FALSE.equals(a.eval(f));
        } catch (EvalError err) {
          return true;
        }
      };
      case "_?_:_/3" -> {
        var c = args.get(2);
        yield f -> bool(a.eval(f)) ? b.eval(f) : c.eval(f);
      }
      case "_==_/2" -> f -> equal(a.eval(f), b.eval(f));
      case "_!=_/2" -> f -> !equal(a.eval(f), b.eval(f));
      case "_<_/2" -> f -> ordered(a.eval(f), b.eval(f), -1, false);
      case "_<=_/2" -> f -> ordered(a.eval(f), b.eval(f), -1, true);
      case "_>_/2" -> f -> ordered(a.eval(f), b.eval(f), 1, false);
      case "_>=_/2" -> f -> ordered(a.eval(f), b.eval(f), 1, true);
      case "_+_/2" -> f -> add(a.eval(f), b.eval(f));
      case "_-_/2" -> f -> subtract(a.eval(f), b.eval(f));
      case "_*_/2" -> f -> multiply(a.eval(f), b.eval(f));
      case "_/_/2" -> f -> divide(a.eval(f), b.eval(f));
      case "_%_/2" -> f -> modulo(a.eval(f), b.eval(f));
      case "-_/1" -> f -> negate(a.eval(f));
      case "@in/2" -> f -> in(a.eval(f), b.eval(f));
      case "_[_]/2" -> f -> index(a.eval(f), b.eval(f));
      case "size/1" -> f -> size(a.eval(f));
      case "startsWith/2" -> f -> str(a.eval(f)).startsWith(str(b.eval(f)));
      case "endsWith/2" -> f -> str(a.eval(f)).endsWith(str(b.eval(f)));
      case "contains/2" -> f -> str(a.eval(f)).contains(str(b.eval(f)));
      case "lowerAscii/1" -> f -> str(a.eval(f)).toLowerCase(java.util.Locale.ROOT);
      case "upperAscii/1" -> f -> str(a.eval(f)).toUpperCase(java.util.Locale.ROOT);
      case "duration/1" -> f -> parseDuration(str(a.eval(f)));
      case "timestamp/1" -> f -> {
        try {
          return Instant.parse(str(a.eval(f)));
        } catch (RuntimeException ex) {
          throw new EvalError("bad timestamp");
        }
      };
      case "string/1" -> {
        var argType = ast.getType(call.args().get(0).id()).map(t -> t.name()).orElse("dyn");
        if (!argType.equals("string") && !argType.equals("int") && !argType.equals("bool")) {
          throw new Unsupported("string() of " + argType);
        }
        yield f -> string(a.eval(f));
      }
      case "int/1" -> f -> toInt(a.eval(f));
      case "double/1" -> f -> toDouble(a.eval(f));
      case "days_since/1" -> f -> Math.floorDiv(f.now.getEpochSecond() - ts(a.eval(f)).getEpochSecond(), 86_400L);
      case "days_until/1" -> f -> Math.floorDiv(ts(a.eval(f)).getEpochSecond() - f.now.getEpochSecond(), 86_400L);
      case "hours_since/1" -> f -> Math.floorDiv(f.now.getEpochSecond() - ts(a.eval(f)).getEpochSecond(), 3_600L);
      case "distance_km/4" -> {
        var c = args.get(2);
        var d = args.get(3);
        yield f -> RuleFunctions.distanceKm(dbl(a.eval(f)), dbl(b.eval(f)), dbl(c.eval(f)), dbl(d.eval(f)));
      }
      case "start_of_day/1" -> f -> ts(a.eval(f)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
      case "start_of_quarter/1" -> f -> RuleFunctions.startOfQuarter(ts(a.eval(f)));
      case "end_of_quarter/1" -> f -> RuleFunctions.endOfQuarter(ts(a.eval(f)));
      case "add_days/2" -> f -> ts(a.eval(f)).plus(Duration.ofDays(lng(b.eval(f))));
      case "date/1" -> f -> LocalDate.ofInstant(ts(a.eval(f)), ZoneOffset.UTC).toString();
      case "date/2" -> f -> LocalDate.ofInstant(ts(a.eval(f)), RuleFunctions.zone(str(b.eval(f)))).toString();
      case "start_of_quarter/2" -> f -> RuleFunctions.startOfQuarter(ts(a.eval(f)), RuleFunctions.zone(str(b.eval(f))),
          f.org.fiscalYearStartMonth());
      case "end_of_quarter/2" -> f -> RuleFunctions.endOfQuarter(ts(a.eval(f)), RuleFunctions.zone(str(b.eval(f))),
          f.org.fiscalYearStartMonth());
      case "quarter/2" -> f -> RuleFunctions.quarter(ts(a.eval(f)), RuleFunctions.zone(str(b.eval(f))),
          f.org.fiscalYearStartMonth());
      case "end_of_business/2" -> f -> f.org.calendar(str(b.eval(f))).endOfBusiness(ts(a.eval(f)));
      case "add_business_hours/3" -> {
        var c = args.get(2);
        yield f -> f.org.calendar(str(c.eval(f))).addBusinessHours(ts(a.eval(f)), lng(b.eval(f)));
      }
      case "start_of_day/2" -> f -> {
        var z = RuleFunctions.zone(str(b.eval(f)));
        return LocalDate.ofInstant(ts(a.eval(f)), z).atStartOfDay(z).toInstant();
      };
      case "start_of_week/2" -> f -> {
        var z = RuleFunctions.zone(str(b.eval(f)));
        return LocalDate.ofInstant(ts(a.eval(f)), z).with(java.time.DayOfWeek.MONDAY).atStartOfDay(z).toInstant();
      };
      case "money/1" -> f -> RuleFunctions.money(dbl(a.eval(f)));
      case "quarter/1" -> f -> RuleFunctions.quarter(ts(a.eval(f)));
      case "iso_week/1" -> f -> RuleFunctions.isoWeek(ts(a.eval(f)));
      default -> throw new Unsupported("function " + fn + "/" + n);
    };
  }

  // ---- semantics, following CEL's: errors are absorbed by && and || when the other side decides

  private static Object and(Node a, Node b, Frame f) {
    EvalError left = null;
    try {
      if (!bool(a.eval(f))) {
        return false;
      }
    } catch (EvalError err) {
      left = err;
    }
    if (!bool(b.eval(f))) {
      return false;
    }
    if (left != null) {
      throw left;
    }
    return true;
  }

  private static Object or(Node a, Node b, Frame f) {
    EvalError left = null;
    try {
      if (bool(a.eval(f))) {
        return true;
      }
    } catch (EvalError err) {
      left = err;
    }
    if (bool(b.eval(f))) {
      return true;
    }
    if (left != null) {
      throw left;
    }
    return false;
  }

  private static boolean bool(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw new EvalError("expected a bool");
  }

  private static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    throw new EvalError("expected a string");
  }

  private static Instant ts(Object v) {
    if (v instanceof Instant t) {
      return t;
    }
    throw new EvalError("expected a timestamp");
  }

  private static double dbl(Object v) {
    if (v instanceof Double d) {
      return d;
    }
    throw new EvalError("expected a double");
  }

  private static long lng(Object v) {
    if (v instanceof Long l) {
      return l;
    }
    throw new EvalError("expected an int");
  }

  static boolean equal(Object x, Object y) {
    if (x instanceof Number a && y instanceof Number b) {
      // NaN equals nothing, itself included
      return !(a instanceof Double d && d.isNaN()) && !(b instanceof Double e && e.isNaN()) && compareNumbers(a, b) == 0;
    }
    if (x instanceof List<?> a && y instanceof List<?> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!equal(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(x, y);
  }

  private static int compareNumbers(Number a, Number b) {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    double x = a.doubleValue();
    double y = b.doubleValue();
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** x < y (sign -1) or x > y (sign 1), or-equal when {@code orEqual}; any comparison with NaN is false. */
  private static boolean ordered(Object x, Object y, int sign, boolean orEqual) {
    if (x instanceof Double d && d.isNaN() || y instanceof Double e && e.isNaN()) {
      return false;
    }
    int c = compare(x, y);
    return c == 0 ? orEqual : Integer.signum(c) == sign;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object x, Object y) {
    if (x instanceof Number a && y instanceof Number b) {
      return compareNumbers(a, b);
    }
    if (x != null && y != null && x.getClass() == y.getClass() && x instanceof Comparable c) {
      return c.compareTo(y);
    }
    throw new EvalError("no matching overload for comparison");
  }

  private static Object add(Object x, Object y) {
    if (x instanceof Long a && y instanceof Long b) {
      try {
        return Math.addExact(a, b);
      } catch (ArithmeticException e) {
        throw new EvalError("integer overflow");
      }
    }
    if (x instanceof Double a && y instanceof Double b) {
      return a + b;
    }
    if (x instanceof String a && y instanceof String b) {
      return a + b;
    }
    if (x instanceof Instant a && y instanceof Duration b) {
      return a.plus(b);
    }
    if (x instanceof Duration a && y instanceof Instant b) {
      return b.plus(a);
    }
    if (x instanceof Duration a && y instanceof Duration b) {
      return a.plus(b);
    }
    if (x instanceof List<?> a && y instanceof List<?> b) {
      var out = new ArrayList<Object>(a);
      out.addAll(b);
      return out;
    }
    throw new EvalError("no matching overload for '+'");
  }

  private static Object subtract(Object x, Object y) {
    if (x instanceof Long a && y instanceof Long b) {
      try {
        return Math.subtractExact(a, b);
      } catch (ArithmeticException e) {
        throw new EvalError("integer overflow");
      }
    }
    if (x instanceof Double a && y instanceof Double b) {
      return a - b;
    }
    if (x instanceof Instant a && y instanceof Instant b) {
      return Duration.between(b, a);
    }
    if (x instanceof Instant a && y instanceof Duration b) {
      return a.minus(b);
    }
    if (x instanceof Duration a && y instanceof Duration b) {
      return a.minus(b);
    }
    throw new EvalError("no matching overload for '-'");
  }

  private static Object multiply(Object x, Object y) {
    if (x instanceof Long a && y instanceof Long b) {
      try {
        return Math.multiplyExact(a, b);
      } catch (ArithmeticException e) {
        throw new EvalError("integer overflow");
      }
    }
    if (x instanceof Double a && y instanceof Double b) {
      return a * b;
    }
    throw new EvalError("no matching overload for '*'");
  }

  private static Object divide(Object x, Object y) {
    if (x instanceof Long a && y instanceof Long b) {
      if (b == 0) {
        throw new EvalError("divide by zero");
      }
      if (a == Long.MIN_VALUE && b == -1) {
        throw new EvalError("integer overflow");
      }
      return a / b;
    }
    if (x instanceof Double a && y instanceof Double b) {
      return a / b;
    }
    throw new EvalError("no matching overload for '/'");
  }

  private static Object modulo(Object x, Object y) {
    if (x instanceof Long a && y instanceof Long b) {
      if (b == 0) {
        throw new EvalError("modulus by zero");
      }
      if (a == Long.MIN_VALUE && b == -1) {
        throw new EvalError("integer overflow");
      }
      return a % b;
    }
    throw new EvalError("no matching overload for '%'");
  }

  private static Object negate(Object x) {
    if (x instanceof Long a) {
      if (a == Long.MIN_VALUE) {
        throw new EvalError("integer overflow");
      }
      return -a;
    }
    if (x instanceof Double a) {
      return -a;
    }
    if (x instanceof Duration d) {
      return d.negated();
    }
    throw new EvalError("no matching overload for '-'");
  }

  private static Object in(Object x, Object container) {
    if (container instanceof List<?> l) {
      for (var v : l) {
        if (equal(x, v)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Map<?, ?> m) {
      return m.containsKey(x);
    }
    throw new EvalError("'in' over a non-container");
  }

  private static Object index(Object x, Object i) {
    if (x instanceof List<?> l && i instanceof Long n) {
      if (n < 0 || n >= l.size()) {
        throw new EvalError("index out of range");
      }
      return l.get((int) (long) n);
    }
    if (x instanceof Map<?, ?> m) {
      var v = m.get(i);
      if (v == null) {
        throw new EvalError("key not present");
      }
      return v;
    }
    throw new EvalError("no matching overload for '[]'");
  }

  private static Object size(Object x) {
    if (x instanceof String s) {
      return (long) s.codePointCount(0, s.length());
    }
    if (x instanceof Collection<?> c) {
      return (long) c.size();
    }
    if (x instanceof Map<?, ?> m) {
      return (long) m.size();
    }
    throw new EvalError("no matching overload for size");
  }

  private static Object string(Object x) {
    if (x instanceof String s) {
      return s;
    }
    if (x instanceof Long || x instanceof Boolean) {
      return x.toString();
    }
    if (x instanceof Instant t) {
      return t.toString();
    }
    throw new EvalError("no matching overload for string()");
  }

  private static Object toInt(Object x) {
    if (x instanceof Long l) {
      return l;
    }
    if (x instanceof Double d) {
      if (d.isNaN() || d >= 9.223372036854775807E18 || d <= -9.223372036854775808E18) {
        throw new EvalError("int() out of range");
      }
      return (long) (double) d;
    }
    if (x instanceof Instant t) {
      return t.getEpochSecond();
    }
    if (x instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new EvalError("int() of a non-number");
      }
    }
    throw new EvalError("no matching overload for int()");
  }

  private static Object toDouble(Object x) {
    if (x instanceof Double d) {
      return d;
    }
    if (x instanceof Long l) {
      return (double) l;
    }
    if (x instanceof String s) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw new EvalError("double() of a non-number");
      }
    }
    throw new EvalError("no matching overload for double()");
  }

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|us|ns|m|s)");

  static Duration parseDuration(String s) {
    var text = s.startsWith("-") ? s.substring(1) : s;
    var m = DURATION_PART.matcher(text);
    long nanos = 0;
    int at = 0;
    while (m.find() && m.start() == at) {
      var value = new java.math.BigDecimal(m.group(1));
      long unit = switch (m.group(2)) {
        case "h" -> 3_600_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "s" -> 1_000_000_000L;
        case "ms" -> 1_000_000L;
        case "us" -> 1_000L;
        default -> 1L;
      };
      nanos += value.multiply(java.math.BigDecimal.valueOf(unit)).longValue();
      at = m.end();
    }
    if (at != text.length() || text.isEmpty()) {
      throw new EvalError("bad duration '" + s + "'");
    }
    return Duration.ofNanos(s.startsWith("-") ? -nanos : nanos);
  }
}
