package io.salesos.rules;

import dev.cel.runtime.CelFunctionResolver;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A text with {@code {{ expression }}} placeholders, each a CEL expression compiled at load time
 * (so a misspelt placeholder is a load error with its file and line). Rendering is deterministic:
 * whole numbers without decimals, timestamps at midnight as dates, lists comma-joined, and a
 * value the record lacks as "?".
 */
record Template(String text, List<Object> parts) {

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  Template {
    parts = List.copyOf(parts);
  }

  static Template literal(String text) {
    return new Template(text, List.of(text));
  }

  /** Compiles the placeholders of {@code site}; null (with problems added) if any fails. */
  static Template compile(RuleCompiler compiler, SubjectKind kind, ExprSite site, List<RuleProblem> problems) {
    var text = site.text();
    var parts = new ArrayList<Object>();
    int at = 0;
    boolean ok = true;
    while (at < text.length()) {
      int open = text.indexOf("{{", at);
      if (open < 0) {
        parts.add(text.substring(at));
        break;
      }
      if (open > at) {
        parts.add(text.substring(at, open));
      }
      int close = text.indexOf("}}", open + 2);
      if (close < 0) {
        problems.add(site.sub(open, "").problemAt(1, 0, "placeholder '{{' is never closed with '}}'"));
        return null;
      }
      var inner = text.substring(open + 2, close);
      var expr = compiler.compile(kind, site.sub(open + 2, inner), RuleCompiler.Want.ANY, problems);
      if (expr == null) {
        ok = false;
      } else {
        parts.add(expr);
      }
      at = close + 2;
    }
    return ok ? new Template(text, parts) : null;
  }

  String render(Map<String, Object> activation, CelFunctionResolver late) {
    var out = new StringBuilder();
    for (var p : parts) {
      if (p instanceof String s) {
        out.append(s);
      } else {
        var e = (CompiledExpr) p;
        try {
          out.append(format(e.eval(activation, late)));
        } catch (Exception ex) {
          out.append('?');
        }
      }
    }
    return out.toString();
  }

  static String format(Object v) {
    if (v instanceof Double d) {
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString(d.longValue());
      }
      return String.format(Locale.ROOT, "%.2f", d);
    }
    if (v instanceof Instant t) {
      return t.atOffset(ZoneOffset.UTC).toLocalTime().equals(LocalTime.MIDNIGHT)
          ? t.atOffset(ZoneOffset.UTC).toLocalDate().toString() : MINUTE.format(t);
    }
    if (v instanceof Duration d) {
      return d.toDays() >= 1 ? d.toDays() + " days" : d.toHours() + " hours";
    }
    if (v instanceof Boolean b) {
      return b ? "yes" : "no";
    }
    if (v instanceof Collection<?> c) {
      return c.stream().map(Template::format).collect(Collectors.joining(", "));
    }
    return String.valueOf(v);
  }
}
