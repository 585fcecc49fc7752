package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import io.salesos.salesforce.sandbox.OrgSchema.ObjectDef;
import io.salesos.salesforce.sandbox.OrgStore.Row;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * SOQL as the SOQL and SOSL reference documents it, for the objects the sandbox serves:
 * {@code SELECT} fields, child-to-parent paths ({@code Account.Name}), parent-to-child subqueries
 * ({@code (SELECT Id FROM Contacts)}) and aggregate functions; {@code WHERE} with AND/OR/NOT,
 * IN (values or a semi-join), LIKE and date literals as ranges; {@code GROUP BY}, {@code HAVING},
 * {@code ORDER BY}, {@code LIMIT}, {@code OFFSET} (at most 2,000) and {@code FOR VIEW|REFERENCE}.
 * Anything else fails with the fault the API gives: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
 * INVALID_QUERY_FILTER_OPERATOR or NUMBER_OUTSIDE_VALID_RANGE.
 */
final class Soql {

  /** The AggregateResult pseudo-object aggregate queries answer with. */
  static final ObjectDef AGGREGATE_RESULT = new ObjectDef("AggregateResult", "Aggregate Result", "000", false, false,
      false, List.of(), List.of());

  /** Parent-to-child relationships the org's objects open: relationship name to the child and its link field. */
  private static final Map<String, String[]> CHILDREN = Map.ofEntries(
      Map.entry("account.contacts", new String[] {"Contact", "AccountId"}),
      Map.entry("account.opportunities", new String[] {"Opportunity", "AccountId"}),
      Map.entry("account.tasks", new String[] {"Task", "WhatId"}),
      Map.entry("account.events", new String[] {"Event", "WhatId"}),
      Map.entry("contact.opportunitycontactroles", new String[] {"OpportunityContactRole", "ContactId"}),
      Map.entry("contact.tasks", new String[] {"Task", "WhoId"}),
      Map.entry("contact.events", new String[] {"Event", "WhoId"}),
      Map.entry("lead.tasks", new String[] {"Task", "WhoId"}),
      Map.entry("lead.events", new String[] {"Event", "WhoId"}),
      Map.entry("opportunity.opportunitycontactroles", new String[] {"OpportunityContactRole", "OpportunityId"}),
      Map.entry("opportunity.opportunityhistories", new String[] {"OpportunityHistory", "OpportunityId"}),
      Map.entry("opportunity.tasks", new String[] {"Task", "WhatId"}),
      Map.entry("opportunity.events", new String[] {"Event", "WhatId"}),
      Map.entry("permissionset.assignments", new String[] {"PermissionSetAssignment", "PermissionSetId"}),
      Map.entry("user.permissionsetassignments", new String[] {"PermissionSetAssignment", "AssigneeId"}));

  /**
   * A parsed query, ready to run against the store. {@code fields} are the selected columns (a
   * relationship column is a field named by its path); for an aggregate query they are the
   * AggregateResult's columns (expr0.., aliases, grouped fields).
   */
  record Query(ObjectDef object, List<FieldDef> fields, boolean count, Predicate<Row> where,
      Comparator<Row> order, int limit, int offset, List<SubQuery> subqueries, Grouping grouping) {

    boolean aggregate() {
      return grouping != null;
    }
  }

  /** A parent-to-child subquery: the children of each row whose {@code link} field names it. */
  record SubQuery(String relationship, FieldDef link, Query query) {}

  /** How an aggregate query folds the matching rows into AggregateResult rows. */
  record Grouping(List<Operand> keys, List<Operand> outputs, Predicate<List<Row>> having,
      Comparator<List<Row>> order) {}

  /**
   * Something a clause reads: a column of a row, or an aggregate function over a group of rows.
   * {@code type} types the literals it is compared with and the value it answers with.
   */
  record Operand(String label, FieldDef type, Function<Row, Object> onRow, Function<List<Row>, Object> onGroup,
      boolean aggregate) {}

  private final String text;
  private final OrgSchema schema;
  private final OrgStore store;
  private final List<String> tokens;
  private final List<Integer> positions;
  private int pos;
  private ObjectDef object;
  private String childRelationship;
  private FieldDef childLink;

  private Soql(String text, OrgSchema schema, OrgStore store, List<String> tokens, List<Integer> positions, int pos) {
    this.text = text;
    this.schema = schema;
    this.store = store;
    this.tokens = tokens;
    this.positions = positions;
    this.pos = pos;
  }

  static Query parse(String text, OrgSchema schema, OrgStore store) {
    var p = new Soql(text, schema, store, new ArrayList<>(), new ArrayList<>(), 0);
    p.tokenize();
    var q = p.query(null);
    if (p.peek() != null) {
      throw p.unexpected();
    }
    return q;
  }

  /**
   * Runs a parsed query for the Bulk API: the matching rows in order, after OFFSET and LIMIT.
   * Bulk query jobs take neither aggregate functions, subqueries nor OFFSET, as in Salesforce.
   */
  static List<Row> run(Query q, OrgStore store, boolean includeDeleted) {
    if (q.aggregate()) {
      throw new OrgStore.CallFault("INVALID_TYPE_FOR_OPERATION", "",
          "Aggregate Relationships and aggregate functions (GROUP BY, COUNT(field), SUM...) are not supported by Bulk query");
    }
    if (!q.subqueries().isEmpty()) {
      throw new OrgStore.CallFault("INVALID_TYPE_FOR_OPERATION", "",
          "Nested subqueries (parent-to-child relationships) are not supported by Bulk query");
    }
    if (q.offset() > 0) {
      throw new OrgStore.CallFault("MALFORMED_QUERY", "", "OFFSET is not allowed in SOQL used within Bulk APIs");
    }
    return rows(q, store, includeDeleted);
  }

  /** The rows a SOAP or REST query answers with: records, or AggregateResult rows for an aggregate query. */
  static List<Row> rows(Query q, OrgStore store, boolean includeDeleted) {
    var rows = new ArrayList<Row>();
    for (var r : store.scan(q.object().name(), includeDeleted)) {
      if (q.where().test(r)) {
        rows.add(r);
      }
    }
    if (q.aggregate()) {
      return aggregate(q, rows);
    }
    if (q.order() != null) {
      rows.sort(q.order());
    }
    return window(rows, q.offset(), q.limit());
  }

  /** The children a subquery returns for one parent row, live ones only, in its order and within its LIMIT. */
  static List<Row> children(SubQuery sub, Row parent, OrgStore store) {
    var out = new ArrayList<Row>();
    for (var r : store.scan(sub.query().object().name(), false)) {
      if (parent.id.equals(r.get(sub.link().name())) && sub.query().where().test(r)) {
        out.add(r);
      }
    }
    if (sub.query().order() != null) {
      out.sort(sub.query().order());
    }
    return window(out, sub.query().offset(), sub.query().limit());
  }

  private static <T> List<T> window(List<T> rows, int offset, int limit) {
    int from = Math.min(offset, rows.size());
    int to = limit < 0 ? rows.size() : Math.min(rows.size(), from + limit);
    return rows.subList(from, to);
  }

  private static List<Row> aggregate(Query q, List<Row> rows) {
    var g = q.grouping();
    var groups = new LinkedHashMap<List<Object>, List<Row>>();
    if (g.keys().isEmpty()) {
      groups.put(List.of(), rows);
    } else {
      for (var r : rows) {
        var key = new ArrayList<Object>();
        for (var k : g.keys()) {
          var v = k.onRow().apply(r);
          key.add(v instanceof String s ? s.toLowerCase(Locale.ROOT) : v);
        }
        groups.computeIfAbsent(key, x -> new ArrayList<>()).add(r);
      }
    }
    var kept = new ArrayList<List<Row>>();
    for (var group : groups.values()) {
      if (g.having().test(group)) {
        kept.add(group);
      }
    }
    if (g.order() != null) {
      kept.sort(g.order());
    }
    var out = new ArrayList<Row>();
    for (var group : window(kept, q.offset(), q.limit())) {
      var row = new Row(null, AGGREGATE_RESULT);
      for (int i = 0; i < g.outputs().size(); i++) {
        row.values.put(q.fields().get(i).name(), g.outputs().get(i).onGroup().apply(group));
      }
      out.add(row);
    }
    return out;
  }

  // ---- faults ----

  private OrgStore.CallFault malformed(String message) {
    return new OrgStore.CallFault("MALFORMED_QUERY", "MalformedQueryFault", message);
  }

  private OrgStore.CallFault unexpected() {
    return malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\nunexpected token: '" + peek() + "'");
  }

  private OrgStore.CallFault badOperator(String op, FieldDef f) {
    return new OrgStore.CallFault("INVALID_QUERY_FILTER_OPERATOR", "MalformedQueryFault", "\n" + text
        + "\nERROR at Row:1:Column:" + column() + "\ninvalid operator on " + f.type() + " field: " + f.name()
        + " (" + op + ")");
  }

  // ---- tokens ----

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

  private String peek(int ahead) {
    return pos + ahead < tokens.size() ? tokens.get(pos + ahead) : null;
  }

  private boolean peekIs(String kw) {
    return kw.equalsIgnoreCase(peek());
  }

  private String next() {
    if (pos >= tokens.size()) {
      throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\nunexpected token: <EOF>");
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

  // ---- the query ----

  /** One item of the SELECT list, resolved once FROM has named the object. */
  private record Item(int pos, String kind, String name, String fn, String alias) {}

  private static final List<String> AGGREGATES = List.of("COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX");

  /** Parses {@code SELECT ... } up to its end, or up to the closing parenthesis of a subquery. */
  private Query query(ObjectDef parent) {
    expect("SELECT");
    var items = new ArrayList<Item>();
    boolean count = false;
    if (peekIs("COUNT") && "(".equals(peek(1)) && ")".equals(peek(2))) {
      pos += 3;
      count = true;
      if (peekIs(",")) {
        throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column()
            + "\nCOUNT() cannot be used with other fields in the SELECT list");
      }
    } else {
      do {
        int at = pos;
        if (peekIs("(") && "SELECT".equalsIgnoreCase(peek(1))) {
          if (parent != null) {
            throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column()
                + "\nnested subqueries are only allowed one level deep");
          }
          items.add(new Item(at, "sub", null, null, null));
          skipParenthesised();
        } else if (AGGREGATES.contains(String.valueOf(peek()).toUpperCase(Locale.ROOT)) && "(".equals(peek(1))) {
          var fn = next().toUpperCase(Locale.ROOT);
          next();
          var arg = peekIs(")") ? null : next();
          expect(")");
          String alias = null;
          if (peek() != null && !peekIs(",") && !peekIs("FROM")) {
            alias = next();
          }
          items.add(new Item(at, "agg", arg, fn, alias));
        } else {
          items.add(new Item(at, "field", next(), null, null));
        }
      } while (peekIs(",") && next() != null);
    }
    expect("FROM");
    int fromPos = pos;
    var objectName = next();
    if (parent == null) {
      object = schema.object(objectName).orElseThrow(() -> new OrgStore.CallFault("INVALID_TYPE",
          "InvalidSObjectFault", "\n" + text + "\nERROR at Row:1:Column:" + (positions.get(fromPos) + 1)
              + "\nsObject type '" + objectName + "' is not supported. If you are attempting to use a custom object,"
              + " be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call"
              + " for the appropriate names."));
    } else {
      var link = CHILDREN.get(parent.name().toLowerCase(Locale.ROOT) + "." + objectName.toLowerCase(Locale.ROOT));
      if (link == null) {
        throw new OrgStore.CallFault("INVALID_TYPE", "InvalidSObjectFault", "\n" + text + "\nERROR at Row:1:Column:"
            + (positions.get(fromPos) + 1) + "\nDidn't understand relationship '" + objectName
            + "' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append"
            + " the '__r' after the custom relationship name. Please reference your WSDL or the describe call for"
            + " the appropriate names.");
      }
      object = schema.object(link[0]).orElseThrow();
      childRelationship = relationshipLabel(parent, objectName);
      childLink = object.field(link[1]).orElseThrow();
    }
    int afterFrom = pos;

    var fields = new ArrayList<FieldDef>();
    var subqueries = new ArrayList<SubQuery>();
    var aggregates = new ArrayList<Operand>();
    var plain = new ArrayList<Operand>();
    for (var item : items) {
      switch (item.kind()) {
        case "sub" -> {
          pos = item.pos() + 1;
          var child = new Soql(text, schema, store, tokens, positions, pos);
          var sub = child.subquery(object);
          subqueries.add(sub);
        }
        case "agg" -> {
          pos = item.pos();
          aggregates.add(aggregateOperand(item.fn(), item.name()));
        }
        default -> {
          pos = item.pos();
          var f = column(item.name());
          fields.add(f);
          plain.add(rowOperand(f));
        }
      }
    }
    pos = afterFrom;

    Predicate<Row> where = r -> true;
    if (peekIs("WHERE")) {
      next();
      Predicate<Object> w = or(false);
      where = w::test;
    }
    if (peekIs("WITH")) {
      throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\nWITH clauses are not served by this sandbox");
    }
    var groupKeys = new ArrayList<Operand>();
    if (peekIs("GROUP")) {
      next();
      expect("BY");
      if (peekIs("ROLLUP") || peekIs("CUBE")) {
        throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\nGROUP BY " + peek()
            + " is not served by this sandbox");
      }
      do {
        var f = column(peek());
        if (!groupable(f)) {
          throw new OrgStore.CallFault("INVALID_FIELD", "InvalidFieldFault", "\n" + text + "\nERROR at Row:1:Column:"
              + column() + "\nfield '" + f.name() + "' can not be grouped in a query call");
        }
        next();
        groupKeys.add(rowOperand(f));
      } while (peekIs(",") && next() != null);
    }
    boolean aggregate = !aggregates.isEmpty() || !groupKeys.isEmpty();
    if (aggregate && count) {
      throw malformed("\n" + text + "\nCOUNT() cannot be used in a query with GROUP BY; use COUNT(Id)");
    }
    if (aggregate && !subqueries.isEmpty()) {
      throw malformed("\n" + text + "\nsubqueries cannot be combined with aggregate functions or GROUP BY");
    }
    if (aggregate && parent != null) {
      throw malformed("\n" + text + "\naggregate functions are not allowed in a subquery");
    }
    if (aggregate) {
      for (var p : plain) {
        if (groupKeys.stream().noneMatch(k -> k.label().equalsIgnoreCase(p.label()))) {
          throw malformed("\n" + text + "\nERROR at Row:1:Column:" + (positions.get(items.get(0).pos()) + 1)
              + "\nField must be grouped or aggregated: " + p.label());
        }
      }
    }
    Predicate<List<Row>> having = g -> true;
    if (peekIs("HAVING")) {
      if (!aggregate) {
        throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\nHAVING without GROUP BY or aggregate");
      }
      next();
      var h = or(true);
      having = h::test;
    }
    Comparator<Row> order = null;
    Comparator<List<Row>> groupOrder = null;
    if (peekIs("ORDER")) {
      next();
      expect("BY");
      do {
        var o = operand(aggregate);
        if (aggregate && !o.aggregate() && groupKeys.stream().noneMatch(k -> k.label().equalsIgnoreCase(o.label()))) {
          throw malformed("\n" + text + "\nOrdered field must be grouped or aggregated: " + o.label());
        }
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
        var nulls = nullsLast ? Comparator.nullsLast(Comparator.<Comparable<Object>>naturalOrder())
            : Comparator.nullsFirst(Comparator.<Comparable<Object>>naturalOrder());
        var reversedNulls = nullsLast ? Comparator.nullsFirst(Comparator.<Comparable<Object>>naturalOrder())
            : Comparator.nullsLast(Comparator.<Comparable<Object>>naturalOrder());
        if (aggregate) {
          Comparator<List<Row>> c = desc
              ? Comparator.comparing((List<Row> g) -> comparable(o.onGroup().apply(g)), reversedNulls).reversed()
              : Comparator.comparing((List<Row> g) -> comparable(o.onGroup().apply(g)), nulls);
          groupOrder = groupOrder == null ? c : groupOrder.thenComparing(c);
        } else {
          Comparator<Row> c = desc
              ? Comparator.comparing((Row r) -> comparable(o.onRow().apply(r)), reversedNulls).reversed()
              : Comparator.comparing((Row r) -> comparable(o.onRow().apply(r)), nulls);
          order = order == null ? c : order.thenComparing(c);
        }
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
      int at = column();
      offset = integer(next());
      if (parent != null) {
        throw malformed("\n" + text + "\nERROR at Row:1:Column:" + at
            + "\nOFFSET is not allowed in a subquery unless the outer query has LIMIT 1 (not served by this sandbox)");
      }
      if (offset > 2000) {
        throw new OrgStore.CallFault("NUMBER_OUTSIDE_VALID_RANGE", "ApiQueryFault", "\n" + text
            + "\nERROR at Row:1:Column:" + at + "\nMaximum SOQL offset allowed is 2000");
      }
    }
    if (peekIs("FOR")) {
      next();
      var what = String.valueOf(peek()).toUpperCase(Locale.ROOT);
      if (what.equals("VIEW") || what.equals("REFERENCE")) {
        // they mark records as viewed or referenced; the sandbox keeps no recently-viewed list
        next();
      } else if (what.equals("UPDATE")) {
        throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column()
            + "\nFOR UPDATE locks records inside an Apex transaction and is not allowed in an API query");
      } else {
        throw unexpected();
      }
    }
    Grouping grouping = null;
    if (aggregate) {
      var outputs = new ArrayList<Operand>();
      var columns = new ArrayList<FieldDef>();
      int expr = 0;
      int a = 0;
      int p = 0;
      var names = new HashSet<String>();
      for (var item : items) {
        Operand o;
        String name;
        if (item.kind().equals("agg")) {
          o = aggregates.get(a++);
          name = item.alias() != null ? item.alias() : "expr" + expr++;
        } else {
          o = plain.get(p++);
          var label = o.label();
          name = label.substring(label.lastIndexOf('.') + 1);
        }
        if (!names.add(name.toLowerCase(Locale.ROOT))) {
          throw malformed("\n" + text + "\nduplicate alias: " + name);
        }
        outputs.add(o);
        columns.add(synthetic(name, o.type()));
      }
      grouping = new Grouping(List.copyOf(groupKeys), List.copyOf(outputs), having, groupOrder);
      fields = columns;
    }
    return new Query(object, List.copyOf(fields), count, where, order, limit, offset, List.copyOf(subqueries),
        grouping);
  }

  /** Parses a parenthesised subquery starting at SELECT; leaves the parser after its closing parenthesis. */
  private SubQuery subquery(ObjectDef parent) {
    var q = query(parent);
    expect(")");
    return new SubQuery(childRelationship, childLink, q);
  }

  /** The relationship's name with the casing the schema gives it (Contacts, OpportunityContactRoles). */
  private static String relationshipLabel(ObjectDef parent, String written) {
    for (var key : CHILDREN.keySet()) {
      if (key.equalsIgnoreCase(parent.name() + "." + written)) {
        var child = CHILDREN.get(key)[0];
        var lower = key.substring(key.indexOf('.') + 1);
        return switch (lower) {
          case "opportunities" -> "Opportunities";
          case "opportunityhistories" -> "OpportunityHistories";
          case "assignments" -> "Assignments";
          default -> child + "s";
        };
      }
    }
    return written;
  }

  private void skipParenthesised() {
    int depth = 0;
    do {
      var t = next();
      if (t.equals("(")) {
        depth++;
      } else if (t.equals(")")) {
        depth--;
      }
    } while (depth > 0);
  }

  private int integer(String t) {
    try {
      int n = Integer.parseInt(t);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw malformed("\n" + text + "\nunexpected token: '" + t + "', expecting a non-negative number");
    }
  }

  // ---- columns and operands ----

  /**
   * A selectable column: a field of the object, or a field of a parent reached through
   * relationship names ({@code Account.Owner.Name}), returned as a field named by its canonical path.
   */
  private FieldDef column(String name) {
    if (name == null || "(),".contains(name)) {
      throw unexpected();
    }
    if (!name.contains(".")) {
      return field(object, name);
    }
    var parts = name.split("\\.");
    if (parts.length > 6) {
      throw malformed("\n" + text + "\nrelationship paths go at most five levels up: " + name);
    }
    var type = object;
    if (parts[0].equalsIgnoreCase(object.name())) {
      // SOQL lets a field be qualified by its own object's name
      parts = java.util.Arrays.copyOfRange(parts, 1, parts.length);
      if (parts.length == 1) {
        return field(object, parts[0]);
      }
    }
    var canonical = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      var rel = parts[i];
      var ref = OrgStore.referenceFor(type, rel).orElseThrow(() -> new OrgStore.CallFault("INVALID_FIELD",
          "InvalidFieldFault", "\n" + text + "\nERROR at Row:1:Column:" + column() + "\nDidn't understand relationship '"
              + rel + "' in field path. If you are attempting to use a custom relationship, be sure to append the '__r'"
              + " after the custom relationship name. Please reference your WSDL or the describe call for the"
              + " appropriate names."));
      canonical.append(OrgStore.relationshipName(ref)).append('.');
      var leafName = parts[i + 1];
      boolean last = i == parts.length - 2;
      ObjectDef next = null;
      for (var target : ref.referenceTo()) {
        var t = schema.object(target).orElse(null);
        if (t != null && (!last || t.field(leafName).isPresent()) && (last || OrgStore.referenceFor(t, leafName).isPresent())) {
          next = t;
          break;
        }
      }
      if (next == null) {
        next = schema.object(ref.referenceTo().isEmpty() ? "" : ref.referenceTo().get(0)).orElse(null);
      }
      if (next == null) {
        throw malformed("\n" + text + "\nthe relationship " + rel + " leads nowhere in this sandbox");
      }
      type = next;
    }
    var leaf = field(type, parts[parts.length - 1]);
    return synthetic(canonical + leaf.name(), leaf);
  }

  private static FieldDef synthetic(String name, FieldDef like) {
    return new FieldDef(name, like.label(), like.type(), like.custom(), false, false, true, false, false,
        like.length(), like.referenceTo(), like.picklist(), false);
  }

  private FieldDef field(ObjectDef on, String name) {
    return on.field(name).orElseThrow(() -> new OrgStore.CallFault("INVALID_FIELD", "InvalidFieldFault",
        "\n" + text + "\nERROR at Row:1:Column:" + column() + "\nNo such column '" + name + "' on entity '" + on.name()
            + "'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
            + "Please reference your WSDL or the describe call for the appropriate names."));
  }

  private static boolean groupable(FieldDef f) {
    return !f.numeric() && !f.type().equals("textarea") && !f.type().equals("datetime");
  }

  private Operand rowOperand(FieldDef f) {
    return new Operand(f.name(), f, r -> store.read(r, f), g -> g.isEmpty() ? null : store.read(g.get(0), f), false);
  }

  /** A column, or (in HAVING and ORDER BY of an aggregate query) an aggregate function call. */
  private Operand operand(boolean aggregatesAllowed) {
    var t = peek();
    if (t != null && AGGREGATES.contains(t.toUpperCase(Locale.ROOT)) && "(".equals(peek(1))) {
      if (!aggregatesAllowed) {
        throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column()
            + "\naggregate functions are only allowed in the SELECT, HAVING and ORDER BY of an aggregate query");
      }
      var fn = next().toUpperCase(Locale.ROOT);
      next();
      var arg = peekIs(")") ? null : next();
      expect(")");
      return aggregateOperand(fn, arg);
    }
    var f = column(t);
    next();
    return rowOperand(f);
  }

  private Operand aggregateOperand(String fn, String arg) {
    if (arg == null && !fn.equals("COUNT")) {
      throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column() + "\n" + fn + "() needs a field");
    }
    var f = arg == null ? null : column(arg);
    if (f != null && (fn.equals("SUM") || fn.equals("AVG")) && !f.numeric()) {
      throw malformed("\n" + text + "\nfield " + f.name() + " does not support aggregate operator " + fn);
    }
    if (f != null && (fn.equals("MIN") || fn.equals("MAX")) && f.type().equals("textarea")) {
      throw malformed("\n" + text + "\nfield " + f.name() + " does not support aggregate operator " + fn);
    }
    var intType = new FieldDef(fn, fn, "int", false, false, false, true, false, false, 0, List.of(), List.of(), false);
    var doubleType = new FieldDef(fn, fn, "double", false, false, false, true, false, false, 0, List.of(), List.of(),
        false);
    var label = fn + "(" + (f == null ? "" : f.name()) + ")";
    return switch (fn) {
      case "COUNT" -> new Operand(label, intType, null, g -> f == null ? g.size()
          : (int) g.stream().filter(r -> store.read(r, f) != null).count(), true);
      case "COUNT_DISTINCT" -> new Operand(label, intType, null, g -> (int) g.stream().map(r -> store.read(r, f))
          .filter(Objects::nonNull).map(v -> v instanceof String s ? s.toLowerCase(Locale.ROOT) : v).distinct().count(),
          true);
      case "SUM" -> new Operand(label, doubleType, null, g -> sum(g, f), true);
      case "AVG" -> new Operand(label, doubleType, null, g -> {
        var n = g.stream().filter(r -> store.read(r, f) != null).count();
        var s = sum(g, f);
        return n == 0 ? null : s.divide(BigDecimal.valueOf(n), MathContext.DECIMAL64);
      }, true);
      default -> new Operand(label, f, null, g -> {
        Object best = null;
        for (var r : g) {
          var v = store.read(r, f);
          if (v != null && (best == null || (fn.equals("MIN") ? cmp(v, best) < 0 : cmp(v, best) > 0))) {
            best = v;
          }
        }
        return best;
      }, true);
    };
  }

  private BigDecimal sum(List<Row> g, FieldDef f) {
    BigDecimal s = null;
    for (var r : g) {
      var v = store.read(r, f);
      if (v != null) {
        var d = v instanceof BigDecimal b ? b : new BigDecimal(v.toString());
        s = s == null ? d : s.add(d);
      }
    }
    return s;
  }

  // ---- conditions (WHERE over rows, HAVING over groups) ----

  private Predicate<Object> or(boolean having) {
    var left = and(having);
    while (peekIs("OR")) {
      next();
      var l = left;
      var r = and(having);
      left = l.or(r);
    }
    return left;
  }

  private Predicate<Object> and(boolean having) {
    var left = not(having);
    while (peekIs("AND")) {
      next();
      var l = left;
      var r = not(having);
      left = l.and(r);
    }
    return left;
  }

  private Predicate<Object> not(boolean having) {
    if (peekIs("NOT")) {
      next();
      return not(having).negate();
    }
    if (peekIs("(")) {
      next();
      var inner = or(having);
      expect(")");
      return inner;
    }
    return comparison(having);
  }

  @SuppressWarnings("unchecked")
  private Predicate<Object> comparison(boolean having) {
    var o = operand(having);
    Function<Object, Object> value = having ? ctx -> o.onGroup().apply((List<Row>) ctx)
        : ctx -> o.onRow().apply((Row) ctx);
    var f = o.type();
    var op = next().toUpperCase(Locale.ROOT);
    if (op.equals("NOT") && peekIs("IN")) {
      next();
      return in(f, value).negate();
    }
    if (op.equals("IN")) {
      return in(f, value);
    }
    if (op.equals("INCLUDES") || op.equals("EXCLUDES")) {
      throw badOperator(op, f);
    }
    if (op.equals("LIKE")) {
      if (!textual(f)) {
        pos--;
        throw badOperator("LIKE", f);
      }
      var pattern = literalText(next());
      var regex = java.util.regex.Pattern.compile(
          java.util.regex.Pattern.quote(pattern).replace("%", "\\E.*\\Q").replace("_", "\\E.\\Q"),
          java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.DOTALL);
      return ctx -> {
        var v = value.apply(ctx);
        return v != null && regex.matcher(WireFormat.format(v)).matches();
      };
    }
    if (!List.of("=", "!=", "<>", "<", "<=", ">", ">=").contains(op)) {
      pos--;
      throw unexpected();
    }
    if (f.type().equals("boolean") && !op.equals("=") && !op.equals("!=") && !op.equals("<>")) {
      pos--;
      throw badOperator(op, f);
    }
    if (f.type().equals("textarea")) {
      pos--;
      throw new OrgStore.CallFault("INVALID_FIELD", "InvalidFieldFault", "\n" + text + "\nERROR at Row:1:Column:"
          + column() + "\nfield '" + f.name() + "' can not be filtered in a query call");
    }
    var lit = literal(f, next());
    if (lit instanceof DateLiterals.Range range) {
      return ctx -> {
        var v = value.apply(ctx);
        if (v == null) {
          return op.equals("!=") || op.equals("<>");
        }
        var d = day(v);
        return switch (op) {
          case "=" -> range.contains(d);
          case "!=", "<>" -> !range.contains(d);
          case "<" -> d.isBefore(range.start());
          case "<=" -> d.isBefore(range.end());
          case ">" -> !d.isBefore(range.end());
          default -> !d.isBefore(range.start());
        };
      };
    }
    return switch (op) {
      case "=" -> ctx -> eq(value.apply(ctx), lit);
      case "!=", "<>" -> ctx -> !eq(value.apply(ctx), lit);
      case "<" -> range(value, lit, c -> c < 0);
      case "<=" -> range(value, lit, c -> c <= 0);
      case ">" -> range(value, lit, c -> c > 0);
      default -> range(value, lit, c -> c >= 0);
    };
  }

  private static LocalDate day(Object v) {
    return v instanceof Instant i ? i.atOffset(ZoneOffset.UTC).toLocalDate() : (LocalDate) v;
  }

  private Predicate<Object> in(FieldDef f, Function<Object, Object> value) {
    expect("(");
    var values = new ArrayList<Object>();
    if (peekIs("SELECT")) {
      values.addAll(semiJoin(f));
    } else {
      do {
        values.add(literal(f, next()));
      } while (peekIs(",") && next() != null);
    }
    expect(")");
    return ctx -> {
      var v = value.apply(ctx);
      return values.stream().anyMatch(x -> x instanceof DateLiterals.Range r ? v != null && r.contains(day(v))
          : eq(v, x));
    };
  }

  /** {@code Id IN (SELECT AccountId FROM Opportunity ...)}: the ids the inner query selects, read now. */
  private List<Object> semiJoin(FieldDef outer) {
    if (!outer.type().equals("id") && !outer.type().equals("reference")) {
      throw malformed("\n" + text + "\nERROR at Row:1:Column:" + column()
          + "\nsemi join sub-selects are only allowed on id or reference fields: " + outer.name());
    }
    int start = pos;
    int depth = 0;
    int end = pos;
    while (end < tokens.size() && !(depth == 0 && tokens.get(end).equals(")"))) {
      if (tokens.get(end).equals("(")) {
        depth++;
      } else if (tokens.get(end).equals(")")) {
        depth--;
      }
      end++;
    }
    var inner = new Soql(text, schema, store, new ArrayList<>(tokens.subList(start, end)),
        new ArrayList<>(positions.subList(start, end)), 0);
    var q = inner.query(null);
    if (inner.peek() != null) {
      throw inner.unexpected();
    }
    if (q.fields().size() != 1 || q.aggregate() || !q.subqueries().isEmpty()) {
      throw malformed("\n" + text + "\nthe semi join sub-select must select exactly one id or reference field");
    }
    var f = q.fields().get(0);
    if (!f.type().equals("id") && !f.type().equals("reference")) {
      throw malformed("\n" + text + "\nthe semi join sub-select must select an id or reference field, not " + f.name());
    }
    pos = end;
    var out = new ArrayList<Object>();
    for (var r : rows(q, store, false)) {
      var v = store.read(r, f);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  private String literalText(String token) {
    if (!token.startsWith("'")) {
      throw malformed("\n" + text + "\nunexpected token: '" + token + "', expecting a string");
    }
    return token.substring(1);
  }

  private static boolean textual(FieldDef f) {
    return switch (f.type()) {
      case "currency", "double", "percent", "int", "boolean", "date", "datetime" -> false;
      default -> true;
    };
  }

  private Object literal(FieldDef f, String token) {
    if (token.equalsIgnoreCase("null")) {
      return null;
    }
    if ((f.type().equals("date") || f.type().equals("datetime")) && !token.startsWith("'")) {
      var today = LocalDate.ofInstant(store.clock().instant(), ZoneOffset.UTC);
      try {
        var range = DateLiterals.resolve(token, today, store.fiscalYearStartMonth());
        if (range.isPresent()) {
          return range.get();
        }
      } catch (IllegalArgumentException e) {
        throw malformed("\n" + text + "\n" + e.getMessage());
      }
      if (Character.isLetter(token.charAt(0))) {
        throw malformed("\n" + text + "\nERROR at Row:1:Column:" + (column() - 1) + "\nunexpected token: '" + token
            + "' (not a date literal)");
      }
      if (f.type().equals("datetime") && token.length() <= 10) {
        throw malformed("\n" + text + "\nvalue of filter criterion for field '" + f.name()
            + "' must be of type dateTime and should not be enclosed in quotes");
      }
      if (f.type().equals("date") && token.length() > 10) {
        throw malformed("\n" + text + "\nvalue of filter criterion for field '" + f.name()
            + "' must be of type date and should not be enclosed in quotes");
      }
    }
    boolean quoted = token.startsWith("'");
    var raw = quoted ? token.substring(1) : token;
    boolean textual = textual(f);
    if (textual != quoted) {
      throw malformed("\n" + text + "\nvalue of filter criterion for field '" + f.name() + "' must be of type "
          + f.soapType().replace("xsd:", "").replace("tns:", "")
          + (textual ? " and should be enclosed in quotes" : " and should not be enclosed in quotes"));
    }
    try {
      return WireFormat.parse(f, raw);
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      if (f.type().equals("id") || f.type().equals("reference")) {
        throw new OrgStore.CallFault("INVALID_QUERY_FILTER_OPERATOR", "MalformedQueryFault", "\n" + text
            + "\ninvalid ID field: " + raw);
      }
      throw malformed("\n" + text + "\nvalue of filter criterion for field '" + f.name() + "' must be of type "
          + f.soapType() + ": " + raw);
    }
  }

  @SuppressWarnings("unchecked")
  private static Comparable<Object> comparable(Object v) {
    if (v instanceof String s) {
      return (Comparable<Object>) (Object) s.toLowerCase(Locale.ROOT);
    }
    if (v instanceof Integer i) {
      return (Comparable<Object>) (Object) BigDecimal.valueOf(i);
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
    if ((a instanceof BigDecimal || a instanceof Integer) && (b instanceof BigDecimal || b instanceof Integer)) {
      return comparable(a).compareTo(comparable(b)) == 0;
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
    return comparable(a).compareTo(comparable(b));
  }

  /** Nulls never satisfy a range comparison, as in SOQL. */
  private static Predicate<Object> range(Function<Object, Object> value, Object lit,
      java.util.function.IntPredicate test) {
    return ctx -> {
      var v = value.apply(ctx);
      return v != null && lit != null && test.test(cmp(v, lit));
    };
  }
}
