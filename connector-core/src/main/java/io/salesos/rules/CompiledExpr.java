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
   * A condition's verdict; an evaluation error (typically a field the record lacks) counts as
   * false, because missing evidence is not evidence.
   */
  boolean test(Map<String, Object> activation, CelFunctionResolver late) {
    try {
      return Boolean.TRUE.equals(eval(activation, late));
    } catch (CelEvaluationException | RuntimeException e) {
      return false;
    }
  }

  String where() {
    return site.file() + ":" + site.line() + ":" + site.column();
  }
}
