package io.salesos.rules;

import java.util.Set;

/** One piece of evidence a deal must show to stand in any of {@code stages}; a miss is flag {@code code}. */
record ExitCriterion(String id, Set<String> stages, CompiledExpr require, String code, Template message) {
  ExitCriterion {
    stages = Set.copyOf(stages);
  }
}
