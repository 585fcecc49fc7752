package io.salesos.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionResolver;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import java.util.Optional;

/**
 * A CEL expression compiled once, with where it came from, ready to evaluate any number of times:
 * by its closure tree when {@link ClosureCompiler} supports every construct in it, by CEL's
 * interpreter otherwise.
 */
record CompiledExpr(
    String source, ExprSite site, CelAbstractSyntaxTree ast, CelRuntime.Program program,
    Optional<ClosureCompiler.Compiled> fast) {

  CompiledExpr(String source, ExprSite site, CelAbstractSyntaxTree ast, CelRuntime.Program program) {
    this(source, site, ast, program, ClosureCompiler.compile(ast));
  }

  /** The canonical fields this expression reads, as {@code object.field} ({@code *.field} where the object cannot be told). */
  java.util.Set<String> reads() {
    return FieldReads.of(ast);
  }

  /**
   * This expression, with every evaluation an error saying {@code why}: a rule that reads a field
   * its CRM lacks gives no verdict rather than a false one.
   */
  CompiledExpr failing(String why) {
    ClosureCompiler.Node root = f -> {
      throw new ClosureCompiler.EvalError(why);
    };
    return new CompiledExpr(source, site, ast, program, Optional.of(new ClosureCompiler.Compiled(root, 0)));
  }

  /** Evaluates; an evaluation error is thrown (CelEvaluationException or ClosureCompiler.EvalError). */
  Object eval(Map<String, Object> activation, CelFunctionResolver late) throws CelEvaluationException {
    if (fast.isPresent()) {
      return fast.get().eval(activation);
    }
    return program.eval(activation, late);
  }

  /** Evaluates with CEL's own interpreter, whatever the closure tree could do (for the differential test). */
  Object evalWithCel(Map<String, Object> activation, CelFunctionResolver late) throws CelEvaluationException {
    return program.eval(activation, late);
  }

  /**
   * A condition's verdict. An evaluation error (typically a field the record lacks, used without
   * has()) is its own verdict, never false: missing evidence is no evidence either way, and a
   * false read from it would write a flag or create a task on a record nobody could judge.
   */
  Verdict verdict(Map<String, Object> activation, CelFunctionResolver late) {
    var result = value(activation, late);
    if (result instanceof Evaluated.Error e) {
      return new Verdict.Error(e.message());
    }
    var v = ((Evaluated.Value) result).value();
    if (v instanceof Boolean b) {
      return b ? Verdict.HOLDS : Verdict.FAILS;
    }
    return new Verdict.Error(where() + ": not a boolean: " + v);
  }

  /** The expression's value, or the error it stopped on (with this expression's file:line:column). */
  Evaluated value(Map<String, Object> activation, CelFunctionResolver late) {
    try {
      return new Evaluated.Value(eval(activation, late));
    } catch (CelEvaluationException | RuntimeException e) {
      var why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
      return new Evaluated.Error(where() + ": " + why);
    }
  }

  String where() {
    return site.file() + ":" + site.line() + ":" + site.column();
  }
}
