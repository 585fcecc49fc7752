package io.salesos.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The canonical fields an expression reads, as {@code object.field}: {@code deal.next_step_date},
 * {@code contact.buying_role} for {@code contacts.exists(c, c.buying_role == ...)}. A field read
 * from something whose object cannot be told is {@code *.field}, so a check errs towards "reads it".
 */
final class FieldReads {

  private static final Map<String, String> OBJECTS = Map.of("deal", "deal", "account", "account", "owner", "owner",
      "contact", "contact", "activity", "activity");
  // lists the rules iterate over, by the object of their elements
  private static final Map<String, String> LISTS = Map.of("contacts", "contact", "activities", "activity",
      "deals", "deal");

  private final Set<String> reads = new TreeSet<>();
  private final Map<String, String> bound = new HashMap<>();

  private FieldReads() {}

  static Set<String> of(CelAbstractSyntaxTree ast) {
    var r = new FieldReads();
    r.walk(ast.getExpr());
    return Set.copyOf(r.reads);
  }

  private void walk(CelExpr e) {
    switch (e.getKind()) {
      case SELECT -> {
        var s = e.select();
        reads.add(objectOf(s.operand()) + "." + s.field());
        walk(s.operand());
      }
      case CALL -> {
        e.call().target().ifPresent(this::walk);
        e.call().args().forEach(this::walk);
      }
      case LIST -> e.list().elements().forEach(this::walk);
      case MAP -> e.map().entries().forEach(x -> {
        walk(x.key());
        walk(x.value());
      });
      case STRUCT -> e.struct().entries().forEach(x -> walk(x.value()));
      case COMPREHENSION -> {
        var c = e.comprehension();
        walk(c.iterRange());
        walk(c.accuInit());
        var saved = bound.get(c.iterVar());
        bound.put(c.iterVar(), elementObject(c.iterRange()));
        walk(c.loopCondition());
        walk(c.loopStep());
        walk(c.result());
        if (saved == null) {
          bound.remove(c.iterVar());
        } else {
          bound.put(c.iterVar(), saved);
        }
      }
      default -> {
        // constants and plain identifiers read no field
      }
    }
  }

  private String objectOf(CelExpr operand) {
    if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT) {
      var name = operand.ident().name();
      if (bound.containsKey(name)) {
        return bound.get(name);
      }
      return OBJECTS.getOrDefault(name, "*");
    }
    return "*";
  }

  private String elementObject(CelExpr range) {
    String name = switch (range.getKind()) {
      case IDENT -> range.ident().name();
      case SELECT -> range.select().field();
      default -> "";
    };
    return LISTS.getOrDefault(name, "*");
  }
}
