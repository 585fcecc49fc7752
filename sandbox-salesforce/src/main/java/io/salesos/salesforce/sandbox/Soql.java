package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import io.salesos.salesforce.sandbox.OrgSchema.ObjectDef;
import io.salesos.salesforce.sandbox.OrgStore.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The SOQL subset the sandbox understands: {@code SELECT f1, f2 | COUNT() FROM Object [WHERE
 * comparisons joined by AND/OR/NOT, IN, LIKE] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...]
 * [LIMIT n] [OFFSET n]}, with date literals (TODAY, YESTERDAY, LAST_N_DAYS:n). Anything else is a
 * MALFORMED_QUERY fault, an unknown field INVALID_FIELD and an unknown object INVALID_TYPE, as in
 * Salesforce.
 */
final class Soql {

  /** A parsed query, ready to run against the store. */
  record Query(ObjectDef object, List<FieldDef> fields, boolean count, Predicate<Row> where,
      Comparator<Row> order, int limit, int offset) {}

  private final String text;
  private final OrgSchema schema;
  private final OrgStore store;
  private final List<String> tokens = new ArrayList<>();
  private final List<Integer> positions = new ArrayList<>();
  private int pos;
  private ObjectDef object;

  private Soql(String text, OrgSchema schema, OrgStore store) {
    this.text = text;
    this.schema = schema;
    this.store = store;
  }

  static Query parse(String text, OrgSchema schema, OrgStore store) {
    var p = new Soql(text, schema, store);
    p.tokenize();
    return p.query();
  }

  /** Runs a parsed query: the matching rows in order, after OFFSET and LIMIT. */
  static List<Row> run(Query q, OrgStore store, boolean includeDeleted) {
    var rows = new ArrayList<Row>();
    for (var r : store.scan(q.object().name(), includeDeleted)) {
      if (q.where().test(r)) {
        rows.add(r);
      }
    }
    if (q.order() != null) {
      rows.sort(q.order());
    }
    int from = Math.min(q.offset(), rows.size());
    int to = q.limit() < 0 ? rows.size() : Math.min(rows.size(), from + q.limit());
    return rows.subList(from, to);
  }

  private OrgStore.CallFault malformed(String message) {
    return new OrgStore.CallFault("MALFORMED_QUERY", "MalformedQueryFault", message);
  }

  private void tokenize() {
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int start = i;
      if (c == '\'') {
        var sb = new StringBuilder("'");
        i++;
        while (i < text.length() && text.charAt(i) != '\'') {
          if (text.charAt(i) == '\\' && i + 1 < text.length()) {
            i++;
          }
          sb.append(text.charAt(i++));
        }
        if (i >= text.length()) {
          throw malformed("line 1:" + start + " mismatched character '<EOF>' expecting '''");
        }
        i++;
        tokens.add(sb.toString());
      } else if ("(),".indexOf(c) >= 0) {
        tokens.add(String.valueOf(c));
        i++;
      } else if ("=<>!".indexOf(c) >= 0) {
        i++;
        if (i < text.length() && (text.charAt(i) == '=' || (c == '<' && text.charAt(i) == '>'))) {
          i++;
        }
        tokens.add(text.substring(start, i));
      } else {
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))
            && "(),=<>!'".indexOf(text.charAt(i)) < 0) {
          i++;
        }
        tokens.add(text.substring(start, i));
      }
      positions.add(start);
    }
  }

  private String peek() {
    return pos < tokens.size() ? tokens.get(pos) : null;
  }

  private boolean peekIs(String kw) {
    return kw.equalsIgnoreCase(peek());
  }

  private String next() {
    if (pos >= tokens.size()) {
      throw malformed("unexpected end of query: " + text);
    }
    return tokens.get(pos++);
  }

  private void expect(String kw) {
    var t = peek();
    if (!kw.equalsIgnoreCase(t)) {
      throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\nunexpected token: '" + t
          + "', expecting " + kw);
    }
    pos++;
  }

  private int column() {
    return pos < positions.size() ? positions.get(pos) + 1 : text.length() + 1;
  }

  private Query query() {
    expect("SELECT");
    var fieldNames = new ArrayList<String>();
    var fieldCols = new ArrayList<Integer>();
    boolean count = false;
    if (peekIs("COUNT")) {
      next();
      expect("(");
      expect(")");
      count = true;
    } else {
      do {
        fieldCols.add(column());
        fieldNames.add(next());
      } while (peekIs(",") && next() != null);
    }
    expect("FROM");
    var objectName = next();
    object = schema.object(objectName).orElseThrow(() -> new OrgStore.CallFault("INVALID_TYPE",
        "InvalidSObjectFault", "\n" + text + "\nERROR at Row:1:Column:" + (positions.get(pos - 1) + 1) + "\nsObject type '"
            + objectName + "' is not supported. If you are attempting to use a custom object, be sure to append the '__c' "
            + "after the entity name. Please reference your WSDL or the describe call for the appropriate names."));
    var fields = new ArrayList<FieldDef>();
    for (int i = 0; i < fieldNames.size(); i++) {
      fields.add(field(fieldNames.get(i), fieldCols.get(i)));
    }
    Predicate<Row> where = r -> true;
    if (peekIs("WHERE")) {
      next();
      where = or();
    }
    Comparator<Row> order = null;
    if (peekIs("ORDER")) {
      next();
      expect("BY");
      do {
        var f = field(next(), column());
        boolean desc = false;
        if (peekIs("ASC")) {
          next();
        } else if (peekIs("DESC")) {
          next();
          desc = true;
        }
        boolean nullsLast = desc;
        if (peekIs("NULLS")) {
          next();
          nullsLast = next().equalsIgnoreCase("LAST");
        }
        Comparator<Row> c = Comparator.comparing(r -> comparable(store.read(r, f)),
            nullsLast ? Comparator.nullsLast(Comparator.<Comparable<Object>>naturalOrder())
                : Comparator.nullsFirst(Comparator.<Comparable<Object>>naturalOrder()));
        if (desc) {
          c = Comparator.comparing((Row r) -> comparable(store.read(r, f)),
              nullsLast ? Comparator.nullsFirst(Comparator.<Comparable<Object>>naturalOrder())
                  : Comparator.nullsLast(Comparator.<Comparable<Object>>naturalOrder())).reversed();
        }
        order = order == null ? c : order.thenComparing(c);
      } while (peekIs(",") && next() != null);
    }
    int limit = -1;
    int offset = 0;
    if (peekIs("LIMIT")) {
      next();
      limit = integer(next());
    }
    if (peekIs("OFFSET")) {
      next();
      offset = integer(next());
    }
    if (peek() != null) {
      throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\nunexpected token: '" + peek() + "'");
    }
    return new Query(object, List.copyOf(fields), count, where, order, limit, offset);
  }

  private int integer(String t) {
    try {
      return Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw malformed("unexpected token: '" + t + "', expecting a number");
    }
  }

  private FieldDef field(String name, int col) {
    if (name.contains(".")) {
      throw malformed("relationship fields (" + name + ") are not served by this sandbox");
    }
    return object.field(name).orElseThrow(() -> new OrgStore.CallFault("INVALID_FIELD", "InvalidFieldFault",
        "\n" + text + "\nERROR at Row:1:Column:" + col + "\nNo such column '" + name + "' on entity '" + object.name()
            + "'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
            + "Please reference your WSDL or the describe call for the appropriate names."));
  }

  private Predicate<Row> or() {
    var left = and();
    while (peekIs("OR")) {
      next();
      var l = left;
      var r = and();
      left = l.or(r);
    }
    return left;
  }

  private Predicate<Row> and() {
    var left = not();
    while (peekIs("AND")) {
      next();
      var l = left;
      var r = not();
      left = l.and(r);
    }
    return left;
  }

  private Predicate<Row> not() {
    if (peekIs("NOT")) {
      next();
      return not().negate();
    }
    if (peekIs("(")) {
      next();
      var inner = or();
      expect(")");
      return inner;
    }
    return comparison();
  }

  private Predicate<Row> comparison() {
    var f = field(next(), column());
    var op = next().toUpperCase(Locale.ROOT);
    if (op.equals("NOT") && peekIs("IN")) {
      next();
      return in(f).negate();
    }
    if (op.equals("IN")) {
      return in(f);
    }
    if (op.equals("LIKE")) {
      var pattern = literalText(next());
      var regex = java.util.regex.Pattern.compile(
          java.util.regex.Pattern.quote(pattern).replace("%", "\\E.*\\Q").replace("_", "\\E.\\Q"),
          java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.DOTALL);
      return r -> {
        var v = store.read(r, f);
        return v != null && regex.matcher(WireFormat.format(v)).matches();
      };
    }
    var lit = literal(f, next());
    return switch (op) {
      case "=" -> r -> eq(store.read(r, f), lit);
      case "!=", "<>" -> r -> !eq(store.read(r, f), lit);
      case "<" -> range(f, lit, c -> c < 0);
      case "<=" -> range(f, lit, c -> c <= 0);
      case ">" -> range(f, lit, c -> c > 0);
      case ">=" -> range(f, lit, c -> c >= 0);
      default -> throw malformed("\n" + text + "\nunexpected token: '" + op + "'");
    };
  }

  private Predicate<Row> in(FieldDef f) {
    expect("(");
    var values = new ArrayList<Object>();
    do {
      values.add(literal(f, next()));
    } while (peekIs(",") && next() != null);
    expect(")");
    return r -> {
      var v = store.read(r, f);
      return values.stream().anyMatch(x -> eq(v, x));
    };
  }

  private String literalText(String token) {
    if (!token.startsWith("'")) {
      throw malformed("\n" + text + "\nunexpected token: '" + token + "', expecting a string");
    }
    return token.substring(1);
  }

  private Object literal(FieldDef f, String token) {
    if (token.equalsIgnoreCase("null")) {
      return null;
    }
    var today = LocalDate.ofInstant(store.clock().instant(), ZoneOffset.UTC);
    var upper = token.toUpperCase(Locale.ROOT);
    LocalDate dateLiteral = null;
    if (upper.equals("TODAY")) {
      dateLiteral = today;
    } else if (upper.equals("YESTERDAY")) {
      dateLiteral = today.minusDays(1);
    } else if (upper.equals("TOMORROW")) {
      dateLiteral = today.plusDays(1);
    } else if (upper.startsWith("LAST_N_DAYS:")) {
      dateLiteral = today.minusDays(integer(token.substring(12)));
    }
    if (dateLiteral != null) {
      return f.type().equals("datetime") ? dateLiteral.atStartOfDay().toInstant(ZoneOffset.UTC) : dateLiteral;
    }
    boolean quoted = token.startsWith("'");
    var raw = quoted ? token.substring(1) : token;
    boolean textual = switch (f.type()) {
      case "currency", "double", "percent", "int", "boolean", "date", "datetime" -> false;
      default -> true;
    };
    if (textual != quoted) {
      throw malformed("\n" + text + "\nvalue of filter criterion for field '" + f.name() + "' must be of type "
          + f.soapType().replace("xsd:", "").replace("tns:", "") + (textual ? " and should be enclosed in quotes" : " and should not be enclosed in quotes"));
    }
    try {
      return WireFormat.parse(f, raw);
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      throw malformed("\n" + text + "\nvalue of filter criterion for field '" + f.name() + "' must be of type "
          + f.soapType() + ": " + raw);
    }
  }

  @SuppressWarnings("unchecked")
  private static Comparable<Object> comparable(Object v) {
    if (v instanceof String s) {
      return (Comparable<Object>) (Object) s.toLowerCase(Locale.ROOT);
    }
    return (Comparable<Object>) v;
  }

  private static boolean eq(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof String sa && b instanceof String sb) {
      return sa.equalsIgnoreCase(sb);
    }
    if (a instanceof BigDecimal da && b instanceof BigDecimal db) {
      return da.compareTo(db) == 0;
    }
    if (a instanceof Instant ia && b instanceof LocalDate lb) {
      return ia.atOffset(ZoneOffset.UTC).toLocalDate().equals(lb);
    }
    return Objects.equals(a, b);
  }

  private static int cmp(Object a, Object b) {
    if (a instanceof Instant ia && b instanceof LocalDate lb) {
      return ia.compareTo(lb.atStartOfDay().toInstant(ZoneOffset.UTC));
    }
    return comparable(a).compareTo(b instanceof String s ? s.toLowerCase(Locale.ROOT) : b);
  }

  /** Nulls never satisfy a range comparison, as in SOQL. */
  private Predicate<Row> range(FieldDef f, Object lit, java.util.function.IntPredicate test) {
    return r -> {
      var v = store.read(r, f);
      return v != null && lit != null && test.test(cmp(v, lit));
    };
  }
}
