package io.salesos.rules;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles CEL expressions for each subject kind against the typed canonical context. One CEL
 * environment per kind, built once per vocabulary; a compile error comes back as problems located
 * in the rule file through the expression's {@link ExprSite}.
 */
final class RuleCompiler {

  private final ContextTypes types;
  private final RuleVocabulary vocabulary;
  private final Map<SubjectKind, Cel> envs = new EnumMap<>(SubjectKind.class);

  RuleCompiler(RuleVocabulary vocabulary) {
    this.vocabulary = vocabulary;
    this.types = new ContextTypes(vocabulary);
    var options = CelOptions.current()
        .enableHeterogeneousNumericComparisons(true)
        .build();
    for (var kind : SubjectKind.values()) {
      var b = CelFactory.standardCelBuilder()
          .setOptions(options)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .setTypeProvider(types)
          .addFunctionDeclarations(RuleFunctions.declarations())
          .addFunctionBindings(RuleFunctions.bindings());
      types.variables(kind).forEach(b::addVar);
      envs.put(kind, b.build());
    }
  }

  ContextTypes types() {
    return types;
  }

  /** The kinds of result an expression may be asked to produce. */
  enum Want {
    BOOL, NUMBER, TIMESTAMP, ANY;

    boolean accepts(CelType t) {
      if (t.equals(SimpleType.DYN) || this == ANY) {
        return true;
      }
      return switch (this) {
        case BOOL -> t.equals(SimpleType.BOOL);
        case NUMBER -> t.equals(SimpleType.DOUBLE) || t.equals(SimpleType.INT) || t.equals(SimpleType.UINT);
        case TIMESTAMP -> t.equals(SimpleType.TIMESTAMP);
        case ANY -> true;
      };
    }

    String describe() {
      return switch (this) {
        case BOOL -> "a bool (true/false)";
        case NUMBER -> "a number";
        case TIMESTAMP -> "a timestamp (e.g. add_days(now, 2))";
        case ANY -> "a value";
      };
    }
  }

  /**
   * Compiles {@code site}'s expression for {@code kind}; on failure adds located problems to
   * {@code problems} and returns null.
   */
  CompiledExpr compile(SubjectKind kind, ExprSite site, Want want, List<RuleProblem> problems) {
    var cel = envs.get(kind);
    var source = site.text();
    if (source.isBlank()) {
      problems.add(site.problemAt(1, 0, "empty expression"));
      return null;
    }
    var result = cel.compile(source);
    if (result.hasError()) {
      for (var issue : result.getErrors()) {
        var loc = issue.getSourceLocation();
        int line = Math.max(1, loc.getLine());
        int col = Math.max(0, loc.getColumn());
        problems.add(site.problemAt(line, col, explain(kind, issue.getMessage())));
      }
      return null;
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      if (!want.accepts(ast.getResultType())) {
        problems.add(site.problemAt(1, 0, "expression gives " + ast.getResultType().name() + " but must give "
            + want.describe()));
        return null;
      }
      int before = problems.size();
      checkNames(ast, ast.getExpr(), site, problems);
      if (problems.size() > before) {
        return null;
      }
      return new CompiledExpr(source, site, ast, cel.createProgram(ast));
    } catch (CelValidationException | CelEvaluationException e) {
      problems.add(site.problemAt(1, 0, e.getMessage()));
      return null;
    }
  }

  /**
   * CEL sees stage and forecast category names as plain strings; a misspelt one would silently
   * never match. Literals compared with a .stage or .forecast_category field (==, != or in [..])
   * must be names the vocabulary knows.
   */
  private void checkNames(CelAbstractSyntaxTree ast, CelExpr e, ExprSite site, List<RuleProblem> problems) {
    switch (e.getKind()) {
      case CALL -> {
        var call = e.call();
        var fn = call.function();
        var args = call.args();
        if ((fn.equals("_==_") || fn.equals("_!=_")) && args.size() == 2) {
          checkLiteral(ast, args.get(0), args.get(1), site, problems);
          checkLiteral(ast, args.get(1), args.get(0), site, problems);
        } else if (fn.equals("@in") && args.size() == 2 && args.get(1).getKind() == CelExpr.ExprKind.Kind.LIST) {
          for (var item : args.get(1).list().elements()) {
            checkLiteral(ast, args.get(0), item, site, problems);
          }
        }
        call.target().ifPresent(t -> checkNames(ast, t, site, problems));
        args.forEach(a -> checkNames(ast, a, site, problems));
      }
      case SELECT -> checkNames(ast, e.select().operand(), site, problems);
      case LIST -> e.list().elements().forEach(x -> checkNames(ast, x, site, problems));
      case COMPREHENSION -> {
        var c = e.comprehension();
        checkNames(ast, c.iterRange(), site, problems);
        checkNames(ast, c.accuInit(), site, problems);
        checkNames(ast, c.loopStep(), site, problems);
        checkNames(ast, c.result(), site, problems);
      }
      default -> { }
    }
  }

  private void checkLiteral(CelAbstractSyntaxTree ast, CelExpr field, CelExpr literal, ExprSite site,
      List<RuleProblem> problems) {
    if (field.getKind() != CelExpr.ExprKind.Kind.SELECT || literal.getKind() != CelExpr.ExprKind.Kind.CONSTANT
        || literal.constant().getKind() != dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
      return;
    }
    var name = literal.constant().stringValue();
    List<String> known;
    String what;
    switch (field.select().field()) {
      case "stage" -> {
        known = vocabulary.stages();
        what = "stage";
      }
      case "pipeline" -> {
        known = vocabulary.pipelineLabels();
        what = "pipeline";
      }
      case "forecast_category", "salesos_forecast_category" -> {
        known = vocabulary.forecastCategories();
        what = "forecast category";
      }
      default -> {
        return;
      }
    }
    if (known.contains(name)) {
      return;
    }
    int offset = ast.getSource().getPositionsMap().getOrDefault(literal.id(), 0);
    var loc = ast.getSource().getOffsetLocation(offset);
    problems.add(site.problemAt(loc.map(l -> l.getLine()).orElse(1), loc.map(l -> l.getColumn()).orElse(0),
        "unknown " + what + " '" + name + "'" + YamlFile.suggest(name, new java.util.HashSet<>(known))));
  }

  /** Adds what a rule author needs to CEL's message: which variables exist, which fields. */
  private String explain(SubjectKind kind, String message) {
    var out = new StringBuilder(message.replace("google.protobuf.Timestamp", "timestamp")
        .replace("google.protobuf.Duration", "duration"));
    if (message.startsWith("undefined field")) {
      out.append(" (see CanonicalSchema for the fields of deal, account, contact, activity, stage_history, owner)");
    } else if (message.startsWith("undeclared reference")) {
      var vars = new ArrayList<>(types.variables(kind).keySet());
      out.append(" (a ").append(kind.label()).append(" rule can use ").append(String.join(", ", vars)).append(")");
    }
    return out.toString();
  }
}
