package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import io.salesos.salesforce.sandbox.OrgStore.CallFault;
import io.salesos.salesforce.sandbox.OrgStore.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The basic form of SOSL the partner search() call takes: {@code FIND {term} [IN ALL|NAME|EMAIL|PHONE
 * FIELDS] [RETURNING Object[(fields [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n])], ...] [LIMIT n]}.
 * Every word of the term must match a word of a searched field (with {@code *} and {@code ?}
 * wildcards, case-insensitively). The search index is the live store: there is no indexing delay.
 */
final class Sosl {

  /** One search hit: the row and the query whose columns it is returned with. */
  record Hit(Row row, Soql.Query query) {}

  private static final Pattern SHAPE = Pattern.compile(
      "(?is)^\\s*FIND\\s*\\{(.*?)}\\s*(?:IN\\s+(ALL|NAME|EMAIL|PHONE)\\s+FIELDS\\s*)?(?:RETURNING\\s+(.*?))?"
          + "(?:\\s+LIMIT\\s+(\\d+))?\\s*$");
  private static final Pattern SPEC = Pattern.compile("(?is)^\\s*(\\w+)\\s*(?:\\((.*)\\))?\\s*$");
  private static final Pattern LIMIT_OFFSET = Pattern.compile("(?is)\\s+LIMIT\\s+(\\d+)(?:\\s+OFFSET\\s+(\\d+))?\\s*$|"
      + "\\s+OFFSET\\s+(\\d+)\\s*$");
  private static final int MAX_LIMIT = 2000;

  private Sosl() {}

  static List<Hit> run(String sosl, OrgStore store) {
    if (sosl == null) {
      throw malformed("the search string is empty");
    }
    var m = SHAPE.matcher(sosl);
    if (!m.matches()) {
      throw malformed("line 1:0 no viable alternative: the sandbox serves FIND {term} [IN ... FIELDS] "
          + "[RETURNING Object(fields ...)] [LIMIT n]: " + sosl);
    }
    var words = words(m.group(1));
    var scope = m.group(2) == null ? "ALL" : m.group(2).toUpperCase(Locale.ROOT);
    int overall = m.group(4) == null ? MAX_LIMIT : Math.min(MAX_LIMIT, Integer.parseInt(m.group(4)));
    var specs = new ArrayList<String>();
    if (m.group(3) == null) {
      for (var o : store.schema().objects()) {
        if (o.createable()) {
          specs.add(o.name());
        }
      }
    } else {
      specs.addAll(splitTopLevel(m.group(3)));
    }
    var hits = new ArrayList<Hit>();
    for (var spec : specs) {
      var sm = SPEC.matcher(spec);
      if (!sm.matches()) {
        throw malformed("unexpected RETURNING item: " + spec.trim());
      }
      var object = sm.group(1);
      var inner = sm.group(2) == null ? "Id" : sm.group(2).trim();
      int limit = -1;
      int offset = 0;
      var lo = LIMIT_OFFSET.matcher(inner);
      if (lo.find()) {
        limit = lo.group(1) != null ? Integer.parseInt(lo.group(1)) : -1;
        var off = lo.group(2) != null ? lo.group(2) : lo.group(3);
        offset = off == null ? 0 : Integer.parseInt(off);
        inner = inner.substring(0, lo.start());
      }
      if (offset > 2000) {
        throw malformed("SOSL offset should be between 0 to 2000");
      }
      var q = Soql.parse(selectFor(inner, object), store.schema(), store);
      var searched = searchedFields(q.object(), scope);
      var matched = new ArrayList<Row>();
      for (var r : Soql.rows(q, store, false)) {
        if (matches(r, searched, words, store)) {
          matched.add(r);
        }
      }
      int from = Math.min(offset, matched.size());
      int to = limit < 0 ? matched.size() : Math.min(matched.size(), from + limit);
      for (var r : matched.subList(from, to)) {
        if (hits.size() < overall) {
          hits.add(new Hit(r, q));
        }
      }
    }
    return hits;
  }

  private static String selectFor(String inner, String object) {
    var upper = inner.toUpperCase(Locale.ROOT);
    int cut = indexOfKeyword(upper, "WHERE");
    int order = indexOfKeyword(upper, "ORDER");
    if (cut < 0 || (order >= 0 && order < cut)) {
      cut = order;
    }
    var fields = cut < 0 ? inner : inner.substring(0, cut);
    var rest = cut < 0 ? "" : " " + inner.substring(cut);
    if (fields.isBlank()) {
      fields = "Id";
    }
    return "SELECT " + fields + " FROM " + object + rest;
  }

  private static int indexOfKeyword(String upper, String kw) {
    var m = Pattern.compile("(^|\\s)" + kw + "\\s").matcher(upper);
    return m.find() ? m.start() + (m.group(1).isEmpty() ? 0 : 1) : -1;
  }

  private static List<String> splitTopLevel(String s) {
    var out = new ArrayList<String>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** The term's words as patterns; AND between words is implied, as in SOSL. */
  private static List<Pattern> words(String term) {
    var out = new ArrayList<Pattern>();
    var quoted = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(term.trim());
    while (quoted.find()) {
      var w = quoted.group(1) != null ? quoted.group(1) : quoted.group(2);
      if (w.equalsIgnoreCase("AND")) {
        continue;
      }
      if (w.equalsIgnoreCase("OR") || w.equalsIgnoreCase("NOT") || w.equalsIgnoreCase("AND NOT")) {
        throw malformed("the sandbox's search takes words joined by AND only, not " + w);
      }
      if (w.replace("*", "").replace("?", "").length() < 2) {
        throw malformed("search term must be longer than one character: " + w);
      }
      var regex = new StringBuilder("(?i)(^|[^\\p{L}\\p{N}])");
      for (var c : w.toCharArray()) {
        regex.append(switch (c) {
          case '*' -> "[\\p{L}\\p{N}]*";
          case '?' -> "[\\p{L}\\p{N}]";
          default -> Pattern.quote(String.valueOf(c));
        });
      }
      regex.append("($|[^\\p{L}\\p{N}])");
      out.add(Pattern.compile(regex.toString()));
    }
    if (out.isEmpty()) {
      throw malformed("search term must be longer than one character");
    }
    return out;
  }

  private static List<FieldDef> searchedFields(OrgSchema.ObjectDef o, String scope) {
    var out = new ArrayList<FieldDef>();
    for (var f : o.fields()) {
      boolean take = switch (scope) {
        case "NAME" -> List.of("Name", "FirstName", "LastName", "Company", "Subject").contains(f.name());
        case "EMAIL" -> f.type().equals("email");
        case "PHONE" -> f.type().equals("phone");
        default -> List.of("string", "textarea", "email", "phone", "picklist").contains(f.type());
      };
      if (take) {
        out.add(f);
      }
    }
    return out;
  }

  private static boolean matches(Row r, List<FieldDef> fields, List<Pattern> words, OrgStore store) {
    for (var w : words) {
      boolean any = false;
      for (var f : fields) {
        var v = store.read(r, f);
        if (v != null && w.matcher(v.toString()).find()) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private static CallFault malformed(String message) {
    return new CallFault("MALFORMED_SEARCH", "MalformedSearchFault", message);
  }
}
