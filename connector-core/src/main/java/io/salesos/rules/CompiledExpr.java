package io.salesos.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionResolver;
import dev.cel.runtime.CelRuntime;
import java.util.Map;

/** A CEL expression compiled once, with where it came from, ready to evaluate any number of times. */
record CompiledExpr(String source, ExprSite site, CelAbstractSyntaxTree ast, CelRuntime.Program program) {

  Object eval(Map<String, Object> activation, CelFunctionResolver late) throws CelEvaluationException {
    return program.eval(activation, late);
  }

  /**
   * A condition's verdict; an evaluation error (typically a field the record lacks) counts as
   * false, because missing evidence is not evidence.
   */
  boolean test(Map<String, Object> activation, CelFunctionResolver late) {
    try {
      return Boolean.TRUE.equals(program.eval(activation, late));
    } catch (CelEvaluationException | RuntimeException e) {
      return false;
    }
  }

  String where() {
    return site.file() + ":" + site.line() + ":" + site.column();
  }
}
